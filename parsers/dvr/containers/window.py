"""A buffered, bounded view of part of a DVR disk, shared by the container walkers.

Container walkers (PS packs, DHAV frames, NAL units, JPEG segments) step through structures
that may run for a gigabyte, but each step looks at a few bytes. ``Window`` keeps one
buffer of about ``chunk_size`` bytes, refills it through ``DiskBytes.read`` only when a
step leaves it, and never serves bytes outside ``[start, end)``, so memory stays bounded and
a walker cannot read past the range it was given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parsers.dvr.disk import MAX_READ

if TYPE_CHECKING:
    from parsers.dvr.disk import DiskBytes

DEFAULT_CHUNK = 1 << 20


class Window:
    """Reads of ``[start, end)`` of a disk through one refillable buffer."""

    def __init__(
        self,
        disk: DiskBytes,
        start: int,
        end: int,
        *,
        chunk_size: int = DEFAULT_CHUNK,
        seed: tuple[int, bytes] | None = None,
    ) -> None:
        """View ``[start, end)`` (clipped to the disk), optionally primed with bytes read at a base.

        Args:
            disk: The medium.
            start: First byte the view may serve.
            end: One past the last byte it may serve.
            chunk_size: Bytes read per refill.
            seed: ``(base, data)``: bytes already read at ``base`` (saves a re-read).
        """
        self.disk = disk
        self.start = max(0, start)
        self.end = max(self.start, min(end, disk.size))
        self.chunk_size = max(64, min(chunk_size, MAX_READ))
        self._base, self._buf = seed if seed is not None else (self.start, b"")

    def _fill(self, pos: int, length: int) -> None:
        size = min(max(length, self.chunk_size), MAX_READ, self.end - pos)
        self._base, self._buf = pos, self.disk.read(pos, size) if size > 0 else b""

    def get(self, pos: int, length: int) -> bytes:
        """Up to ``length`` bytes at ``pos``; fewer at the end of the view, none outside it."""
        if pos < self.start or pos >= self.end or length <= 0:
            return b""
        length = min(length, self.end - pos, MAX_READ)
        rel = pos - self._base
        if rel < 0 or rel + length > len(self._buf):
            self._fill(pos, length)
            rel = 0
        return self._buf[rel : rel + length]

    def byte(self, pos: int) -> int | None:
        """The byte at ``pos``, or None outside the view."""
        data = self.get(pos, 1)
        return data[0] if data else None

    def find(self, needle: bytes, pos: int, stop: int) -> int:
        """Where ``needle`` first lies wholly inside ``[pos, stop)``, or -1."""
        pos = max(pos, self.start)
        stop = min(stop, self.end)
        width = len(needle)
        while pos + width <= stop:
            rel = pos - self._base
            if rel < 0 or rel + width > len(self._buf):
                self._fill(pos, width)
                rel = 0
                if len(self._buf) < width:
                    return -1
            buf_end = self._base + len(self._buf)
            hit = self._buf.find(needle, rel, min(stop, buf_end) - self._base)
            if hit >= 0:
                return self._base + hit
            if buf_end >= stop:
                return -1
            pos = buf_end - width + 1
        return -1
