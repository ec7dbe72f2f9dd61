"""Bounding a ZIP central directory before zipfile reads it.

``zipfile.ZipFile`` reads the whole central directory into memory and builds a ``ZipInfo``
per entry: a hostile archive of millions of minimal entries costs gigabytes before the
first member is listed. When the directory could hold more than ``max_members`` entries,
this module walks just the first ``max_members + 1`` entry headers itself and shows zipfile
a view of the archive that ends after ``max_members`` entries with a rewritten end record;
the entry after them is returned raw, so the reader can name the first member it skipped.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

_END = struct.Struct("<4s4H2LH")
_LOCATOR = struct.Struct("<4sLQL")
_END64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END_SIG, _LOCATOR_SIG, _END64_SIG = b"PK\x05\x06", b"PK\x06\x07", b"PK\x06\x06"
_CENTRAL_SIG = b"PK\x01\x02"
_MAX_COMMENT = 0xFFFF


@dataclass(frozen=True, slots=True)
class EndRecord:
    """What the end of central directory record (ZIP64 one included) claims."""

    position: int
    entries: int
    size: int
    offset: int
    is_zip64: bool

    @property
    def start(self) -> int:
        """Absolute position of the first central directory entry."""
        return self.position - self.size - (_END64.size + _LOCATOR.size if self.is_zip64 else 0)


@dataclass(frozen=True, slots=True)
class SkippedEntry:
    """The first central directory entry beyond the member limit, as stored."""

    flags: int
    name: bytes
    extra: bytes
    more: int | None
    """Entries the end record claims beyond the listed ones (``None``: it claims fewer)."""


@dataclass(frozen=True, slots=True)
class BoundedDirectory:
    """The stream to give zipfile and the first entry left out of it, if any."""

    stream: IO[bytes]
    skipped: SkippedEntry | None


def _read_at(stream: IO[bytes], position: int, size: int) -> bytes:
    stream.seek(position)
    return stream.read(size)


def find_end(stream: IO[bytes], size: int) -> EndRecord | None:
    """Locate and parse the end record the way zipfile does, or ``None`` without one."""
    if size < _END.size:
        return None
    tail_size = min(size, _END.size + _MAX_COMMENT)
    tail = _read_at(stream, size - tail_size, tail_size)
    at = tail_size - _END.size
    if not (tail[at : at + 4] == _END_SIG and tail[-2:] == b"\x00\x00"):
        at = tail.rfind(_END_SIG)
        if at < 0 or at + _END.size > len(tail):
            return None
    fields = _END.unpack_from(tail, at)
    position = size - tail_size + at
    end = EndRecord(position, fields[4], fields[5], fields[6], is_zip64=False)
    return _zip64(stream, end) or end


def _zip64(stream: IO[bytes], end: EndRecord) -> EndRecord | None:
    where = end.position - _LOCATOR.size - _END64.size
    if where < 0:
        return None
    data = _read_at(stream, where, _END64.size + _LOCATOR.size)
    if len(data) != _END64.size + _LOCATOR.size or data[_END64.size :][:4] != _LOCATOR_SIG:
        return None
    fields = _END64.unpack_from(data)
    if fields[0] != _END64_SIG:
        return None
    return EndRecord(end.position, fields[7], fields[8], fields[9], is_zip64=True)


def _entry_header(stream: IO[bytes], position: int) -> tuple[int, int, int, int] | None:
    """(flags, name length, extra length, comment length) of the entry at ``position``."""
    header = _read_at(stream, position, _CENTRAL.size)
    if len(header) != _CENTRAL.size or header[:4] != _CENTRAL_SIG:
        return None
    fields = _CENTRAL.unpack(header)
    return fields[5], fields[12], fields[13], fields[14]


def _walk(stream: IO[bytes], end: EndRecord, keep: int) -> tuple[int, SkippedEntry] | None:
    """Skip ``keep`` entries; return where the next starts and that entry, if it exists."""
    position, stop = end.start, end.start + end.size
    for _ in range(keep):
        header = _entry_header(stream, position)
        if header is None:
            return None
        position += _CENTRAL.size + sum(header[1:])
    header = _entry_header(stream, position)
    if header is None or position + _CENTRAL.size > stop:
        return None
    name = stream.read(header[1])
    extra = stream.read(header[2])
    more = end.entries - keep if end.entries > keep else None
    return position, SkippedEntry(header[0], name, extra, more)


def _end_records(entries: int, size: int, offset: int, position: int) -> bytes:
    """End records for a directory of ``entries`` entries, ZIP64 ones when needed."""
    if entries < 0xFFFF and size < 0xFFFFFFFF and offset < 0xFFFFFFFF:
        return _END.pack(_END_SIG, 0, 0, entries, entries, size, offset, 0)
    record = _END64.pack(_END64_SIG, 44, 45, 45, 0, 0, entries, entries, size, offset)
    locator = _LOCATOR.pack(_LOCATOR_SIG, 0, position, 1)
    end = _END.pack(_END_SIG, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return record + locator + end


class _CutView(io.RawIOBase):
    """The first ``cut`` bytes of a stream followed by ``tail`` (read-only, seekable)."""

    def __init__(self, stream: IO[bytes], cut: int, tail: bytes) -> None:
        super().__init__()
        self._stream, self._cut, self._tail = stream, cut, tail
        self._size = cut + len(tail)
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise OSError("negative seek position")
        self._position = base + offset
        return self._position

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        if self._position < self._cut:
            want = min(len(view), self._cut - self._position)
            data = _read_at(self._stream, self._position, want)
        else:
            start = self._position - self._cut
            data = self._tail[start : start + len(view)]
        view[: len(data)] = data
        self._position += len(data)
        return len(data)


def bound_directory(stream: IO[bytes], max_members: int) -> BoundedDirectory:
    """Give zipfile at most ``max_members`` central directory entries to parse.

    Args:
        stream: the whole archive, seekable.
        max_members: entries to keep.

    Returns:
        The stream unchanged when its directory cannot hold more entries (or is not
        readable: zipfile then says why), else a view cut after ``max_members`` entries.
    """
    size = stream.seek(0, io.SEEK_END)
    end = find_end(stream, size)
    if end is None or end.start < 0 or end.size < _CENTRAL.size * (max_members + 1):
        return BoundedDirectory(stream, None)
    walked = _walk(stream, end, max_members)
    if walked is None:
        return BoundedDirectory(stream, None)
    cut, skipped = walked
    kept_size = cut - end.start
    tail = _end_records(max_members, kept_size, end.offset, cut)
    return BoundedDirectory(io.BufferedReader(_CutView(stream, cut, tail)), skipped)
