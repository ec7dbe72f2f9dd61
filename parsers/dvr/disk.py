"""Bounded, counted reads of a DVR disk: the only way DVR parsers touch evidence bytes.

``DiskBytes`` wraps any ``read(offset, size)`` (an evidence source, a file, a buffer). Reads
outside the media are clipped rather than raised, so a hostile pointer yields short or empty
bytes that the parser then rejects. It counts the bytes read, which shows that listing a
DVR's index reads index bytes only.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

MAX_READ = 64 << 20
"""No parser asks for more than this in one read; larger requests are refused."""


class DiskBytes:
    """Read-only random access to a disk image of known size."""

    def __init__(self, read: Callable[[int, int], bytes], size: int) -> None:
        """Wrap ``read(offset, size)`` over a medium of ``size`` bytes."""
        self._read = read
        self.size = max(0, size)
        self.bytes_read = 0
        self.reads = 0

    @classmethod
    def from_bytes(cls, data: bytes) -> DiskBytes:
        """A disk held in memory (tests and fixtures)."""
        view = memoryview(data)
        return cls(lambda offset, size: bytes(view[offset : offset + size]), len(data))

    def contains(self, offset: int, length: int) -> bool:
        """True when ``[offset, offset + length)`` lies inside the medium."""
        return offset >= 0 and length >= 0 and offset + length <= self.size

    def read(self, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes at ``offset``; fewer (or none) past the end of the medium.

        Raises:
            ValueError: ``length`` is larger than ``MAX_READ`` (a parser bug, not evidence).
        """
        if length > MAX_READ:
            raise ValueError(f"read of {length} bytes is larger than the {MAX_READ} bound")
        if offset < 0 or length <= 0 or offset >= self.size:
            return b""
        length = min(length, self.size - offset)
        data = self._read(offset, length)
        self.bytes_read += len(data)
        self.reads += 1
        return data

    def read_exact(self, offset: int, length: int) -> bytes | None:
        """Exactly ``length`` bytes at ``offset``, or None when the medium is shorter."""
        data = self.read(offset, length)
        return data if len(data) == length else None

    def u32(self, offset: int) -> int | None:
        """A little-endian u32 at ``offset``, or None past the end."""
        data = self.read_exact(offset, 4)
        return None if data is None else int(struct.unpack("<I", data)[0])

    def u64(self, offset: int) -> int | None:
        """A little-endian u64 at ``offset``, or None past the end."""
        data = self.read_exact(offset, 8)
        return None if data is None else int(struct.unpack("<Q", data)[0])


@dataclass(frozen=True, slots=True)
class CarveRange:
    """One range a carver examines: ``[start, end)`` inside the disk, and why it was cut."""

    start: int
    end: int
    notes: tuple[tuple[str, int], ...] = ()
    """``(message, offset)`` for a range that was not wholly inside the disk or overlapped."""


def carve_ranges(disk: DiskBytes, ranges: Sequence[tuple[int, int]]) -> Iterator[CarveRange]:
    """``ranges`` (absolute ``(offset, length)``) in order, clipped to the disk, each byte once.

    Both carvers (files and DVR video) walk their ranges through this, so a hostile or
    stale range list never makes either read outside the disk or carve a byte twice.
    Ranges with nothing left (``start >= end``) are still yielded, for their notes.
    """
    floor = 0
    for offset, length in sorted(ranges):
        notes: list[tuple[str, int]] = []
        if not disk.contains(offset, length):
            notes.append(
                (f"range 0x{offset:x}+{length} is not inside the disk ({disk.size} bytes);"
                 " only its part inside is carved", offset)
            )  # fmt: skip
        if max(offset, 0) < floor:
            notes.append((f"range 0x{offset:x} overlaps an earlier one; carved once", offset))
        start, end = max(offset, 0, floor), min(offset + max(length, 0), disk.size)
        yield CarveRange(start, end, tuple(notes))
        floor = max(floor, end)
