"""Uncompressed tar archives (v7, ustar, GNU, pax) through tarfile, in stream order.

Compressed tars reach this reader as the member of a gzip stream. Regular files get
content (bounded by ``max_member_bytes``; tar stores data uncompressed, so no ratio
applies); directories are ``is_dir``; symlinks, hard links, devices and FIFOs are listed
with no content and no error, since they hold no data of their own (the link target is
not reported: ``MemberInfo`` has no field for it).

tarfile ends its iteration silently at a corrupt header; this reader looks at the block
where it stopped and raises ``ArchiveError`` after yielding the members before it, unless
that block is end-of-archive zeros or the end of the stream. Extended headers (pax, GNU
long names) larger than 1 MiB are refused before tarfile reads them into memory. After
``max_members`` members, one last tuple names the next member with content ``None`` and
the error ``member limit reached: further members not opened`` (tar has no directory to
count them from).
"""

from __future__ import annotations

import io
import struct
import tarfile
from collections.abc import Iterator
from typing import IO

from parsers.archive import ArchiveError, ArchiveLimits, MemberInfo
from parsers.archives.detect import archive_kind
from parsers.archives.limited import ExpansionBudget, limited
from parsers.archives.names import decode_name, normalise_path, utc_iso

_BLOCK = 512
_EXTENDED_TYPES = frozenset(b"LKxgX")
_MAX_EXTENDED = 1 << 20
_MAX_CHAINED = 16
_TAR_ERRORS: tuple[type[Exception], ...] = (
    tarfile.TarError,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    OverflowError,
    KeyError,
    IndexError,
)

Member = tuple[MemberInfo, IO[bytes] | None, str | None]


def _header_size(header: bytes) -> int | None:
    """The size field of a tar header (octal or base-256), ``None`` when unreadable."""
    field = header[124:136]
    if field[:1] == b"\x80":
        return int.from_bytes(field[1:], "big")
    digits = field.split(b"\x00", 1)[0].strip(b" ")
    if not digits or not all(0x30 <= byte <= 0x37 for byte in digits):
        return None
    return int(digits, 8)


def _check_extended(stream: IO[bytes], offset: int) -> None:
    """Refuse a chain of extended headers at ``offset`` whose data exceeds 1 MiB."""
    for _ in range(_MAX_CHAINED):
        stream.seek(offset)
        header = stream.read(_BLOCK)
        if len(header) < _BLOCK or header[156] not in _EXTENDED_TYPES:
            return
        size = _header_size(header)
        if size is None:
            return
        if size > _MAX_EXTENDED:
            raise ArchiveError(f"tar extended header at offset {offset} too large ({size} bytes)")
        offset += _BLOCK + -(-size // _BLOCK) * _BLOCK


def _check_end(stream: IO[bytes], offset: int, size: int) -> None:
    """Raise unless tarfile stopped at end-of-archive zeros or the end of the stream."""
    if offset > size:
        raise ArchiveError(f"tar archive truncated (data runs past the end at {size} bytes)")
    stream.seek(offset)
    if stream.read(_BLOCK).strip(b"\x00"):
        raise ArchiveError(f"corrupt tar header at offset {offset}")


def _next(archive: tarfile.TarFile, stream: IO[bytes], size: int) -> tarfile.TarInfo | None:
    """The next member in stream order, ``None`` at a clean end.

    Raises:
        ArchiveError: a corrupt or oversized header, or truncated data.
    """
    try:
        _check_extended(stream, archive.offset)
        entry = archive.next()
        if entry is None:
            _check_end(stream, archive.offset, size)
    except ArchiveError:
        raise
    except _TAR_ERRORS as exc:
        raise ArchiveError(f"corrupt tar archive ({type(exc).__name__}: {exc})") from exc
    return entry


def _open(stream: IO[bytes]) -> tarfile.TarFile:
    """Open ``stream`` as an uncompressed tar (tarfile reads the first header here).

    Raises:
        ArchiveError: the first header is not a tar header, or is oversized.
    """
    _check_extended(stream, 0)
    stream.seek(0)
    try:
        return tarfile.open(fileobj=stream, mode="r:", encoding="utf-8", errors="surrogateescape")
    except _TAR_ERRORS as exc:
        raise ArchiveError(f"unreadable tar archive ({type(exc).__name__}: {exc})") from exc


def member_info(entry: tarfile.TarInfo) -> MemberInfo:
    """What a tar header says about one member."""
    raw = entry.name.encode("utf-8", "surrogateescape")
    return MemberInfo(
        path=normalise_path(decode_name(raw, "latin-1")),
        name_raw=raw,
        size=entry.size,
        compressed_size=entry.size,
        modified=utc_iso(entry.mtime),
        is_dir=entry.isdir(),
    )


class TarReader:
    """Lists tar members in stream order and hands out regular files' bytes."""

    name = "tar"
    version = 1
    description = "tar (v7/ustar/GNU/pax) members via tarfile in stream order, bounded"
    emits: tuple[str, ...] = ("archive:member",)

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """Accept tar by ustar magic or v7 checksum (or by name/MIME without a signature)."""
        return archive_kind(name, mime, head) == "tar"

    def members(self, stream: IO[bytes], limits: ArchiveLimits) -> Iterator[Member]:
        """Yield ``(info, content, error)`` per member, in stream order.

        Raises:
            ArchiveError: not a tar, or a corrupt header (after the members before it).
        """
        size = stream.seek(0, io.SEEK_END)
        budget = ExpansionBudget(limits.max_total_bytes)
        listed = 0
        with _open(stream) as archive:
            while (entry := _next(archive, stream, size)) is not None:
                if listed == limits.max_members:
                    error = "member limit reached: further members not opened"
                    yield member_info(entry), None, error
                    return
                listed += 1
                yield from self._member(archive, entry, limits, budget)

    def _member(
        self,
        archive: tarfile.TarFile,
        entry: tarfile.TarInfo,
        limits: ArchiveLimits,
        budget: ExpansionBudget,
    ) -> Iterator[Member]:
        info = member_info(entry)
        if not entry.isreg():
            yield info, None, None
            return
        try:
            handle = archive.extractfile(entry)
        except _TAR_ERRORS as exc:
            yield info, None, f"cannot open member ({type(exc).__name__}: {exc})"
            return
        if handle is None:
            yield info, None, None
            return
        with handle:
            label = info.path
            content = limited(
                handle, label=label, limits=limits, compressed_size=None, budget=budget
            )
            yield info, content, None
