"""One read pass per file: the four hashes, the head buffer and the classification.

The stream is read once in bounded chunks; the first ``head_size`` bytes are kept for the
classifiers and nothing else is retained, so memory stays flat whatever the file size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.hashing import MultiHasher
from catalog.model import Classification, FileEntry, Hashes
from parsers.classifiers.category import category_for, is_extension_mismatch
from parsers.classifiers.exif import ExifClassifier
from parsers.classifiers.mime import MagicClassifier

if TYPE_CHECKING:
    from parsers.context import ParseContext
    from parsers.filesystem import OpenFileSystem

_MAGIC = MagicClassifier()
_EXIF = ExifClassifier()


@dataclass(frozen=True, slots=True)
class ContentResult:
    """Hashes and classification of one entry, or why its content could not be read."""

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickle as constructor arguments (fast across worker processes)."""
        return (type(self), tuple(getattr(self, name) for name in self.__slots__))

    status: str
    """``ok``, ``partial`` (read stopped early), ``unreadable``, ``skipped`` (see error)
    or ``none`` (no content: directories, links, virtual entries)."""
    hashes: Hashes | None = None
    bytes_hashed: int = 0
    classification: Classification | None = None
    error: str | None = None


def content_name(entry: FileEntry) -> str:
    """The name whose extension describes the content: an ADS's own name, else the file's."""
    return entry.name.rsplit(":", 1)[1] if entry.is_ads else entry.name


BAD_CLUSTER_NOTE = (
    "NTFS $BadClus:$Bad is a sparse placeholder as large as the volume; like TSK's icat,"
    " evcat reads no content from it"
)


def is_ntfs_bad_cluster_stream(entry: FileEntry) -> bool:
    """The ``$BadClus:$Bad`` stream (MFT entry 8), which TSK never returns content for."""
    return entry.is_ads and entry.meta_addr == NTFS_BADCLUS_ENTRY and entry.path == "/$BadClus:$Bad"


NTFS_BADCLUS_ENTRY = 8


def classify(
    name: str, head: bytes, ctx: ParseContext, entry: FileEntry, head_digest: bytes | None = None
) -> Classification:
    """MIME, category, extension mismatch and EXIF of a file whose content starts with ``head``.

    ``head_digest`` is the BLAKE3 of ``head`` when the caller already has it.
    """
    mime, description = _MAGIC.identify(head, head_digest)
    exif = None
    if _EXIF.applies_to(mime):
        try:
            exif = _EXIF.extract(head)
        except ValueError as exc:
            ctx.problem("classify", f"{entry.path}: {exc}", locator=entry.locator, exc=exc)
    return Classification(
        mime=mime,
        description=description,
        category=category_for(mime),
        extension_mismatch=is_extension_mismatch(name, mime),
        exif=exif,
    )


def read_content(
    fs: OpenFileSystem, entry: FileEntry, ctx: ParseContext, *, classify_content: bool = True
) -> ContentResult:
    """Hash and classify one entry in a single streaming pass.

    A read error leaves no hashes (a digest of part of a file must never pass for the
    file's hash): status ``partial`` still classifies the head that was read,
    ``unreadable`` had nothing. The caller decides whether that is a problem row.
    """
    if not entry.has_content:
        return ContentResult(status="none")
    if is_ntfs_bad_cluster_stream(entry):
        return ContentResult(status="skipped", error=BAD_CLUSTER_NOTE)
    limits = ctx.limits
    hasher = MultiHasher()
    head = bytearray()
    head_size = limits.head_size if classify_content else 0
    error: str | None = None
    try:
        for chunk in fs.read_chunks(entry, limits.chunk_size):
            hasher.update(chunk)
            if len(head) < head_size:
                head += chunk[: head_size - len(head)]
    except OSError as exc:
        error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    if error is not None and hasher.bytes_hashed == 0 and entry.size > 0:
        return ContentResult(status="unreadable", error=error)
    complete = error is None
    hashes = hasher.hashes() if complete else None
    classification = None
    if classify_content:
        # When the head is the whole file, its BLAKE3 is already computed: no second digest.
        whole = hashes is not None and hasher.bytes_hashed == len(head)
        digest = bytes.fromhex(hashes.blake3) if whole and hashes else None
        classification = classify(content_name(entry), bytes(head), ctx, entry, digest)
    return ContentResult(
        status="ok" if complete else "partial",
        hashes=hashes,
        bytes_hashed=hasher.bytes_hashed,
        classification=classification,
        error=error,
    )
