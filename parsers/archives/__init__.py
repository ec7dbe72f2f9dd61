r"""Archive readers: ZIP, gzip and tar, and the choice of one for a file.

Detection rule (``choose_archive``):

1. The first bytes decide when they carry a signature: ``PK\\x03\\x04`` or ``PK\\x05\\x06``
   (an empty ZIP) is ZIP, ``1f 8b`` is gzip, ``ustar`` at offset 257 or a valid v7 header
   checksum is tar.
2. Without a signature, the extension (``.zip``, ``.jar``, ``.gz``, ``.tgz``, ``.tar``...) or
   the libmagic MIME type decides, so a damaged archive still reaches its reader, which
   then reports what is wrong with it as an ``ArchiveError``.
3. Office Open XML and OpenDocument files (``.docx``/``.xlsx``/``.pptx``, ``.odt``..., MIME
   ``application/vnd.openxmlformats-*`` or ``application/vnd.oasis.opendocument.*``, or an
   ODF ``mimetype`` first member) are ZIPs that belong to the document extractors:
   ``choose_archive`` returns ``None`` for them, so their parts are not listed as members.
   Other ZIP-based formats (``.jar``, ``.apk``, ``.epub``, ``.whl``...) are archives.

A ``.tgz`` is gzip here; the tar inside is its one member, which the pipeline opens in turn.
"""

from __future__ import annotations

from parsers.archive import ArchiveReader
from parsers.archives.gzip import GzipReader
from parsers.archives.tar import TarReader
from parsers.archives.zip import ZipReader

BUILTIN_ARCHIVES: tuple[ArchiveReader, ...] = (ZipReader(), GzipReader(), TarReader())


def choose_archive(name: str, mime: str | None, head: bytes) -> ArchiveReader | None:
    """The reader for a file, or ``None`` when it is not an archive (or is a document).

    Args:
        name: the file's name (only its extension is used).
        mime: the libmagic MIME type, if known.
        head: the file's first bytes (at least 512 for tar detection).

    Returns:
        The first built-in reader whose ``applies_to`` accepts the file.
    """
    for reader in BUILTIN_ARCHIVES:
        if reader.applies_to(name, mime, head):
            return reader
    return None


__all__ = ["BUILTIN_ARCHIVES", "GzipReader", "TarReader", "ZipReader", "choose_archive"]
