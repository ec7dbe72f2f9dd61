"""Carve from the media hash's own read: the regions' bytes are read once, not twice.

``evcat scan`` hashes the whole medium in one sequential pass. With ``--carve`` the free
space is then carved, which would read those bytes a second time. ``StreamedRegions`` is
a tap on the media pass (see ``catalog.mediahash``) that keeps the chunks touching the
carve regions in a bounded window, and serves the carver (running in its own thread)
from it. A carver that runs ahead of the pass waits for it; a chunk the carver asks for
after it left the window (a look back, a long look ahead when the window was full) is
read from the evidence again, and counted. The pass waits for the carver while the window
is full, unless the carver is itself waiting, so neither can block the other for good.
"""

from __future__ import annotations

import bisect
import threading
from collections import deque
from collections.abc import Callable, Sequence

from parsers.filesystems.unallocated import merge_extents

Extent = tuple[int, int]
Read = Callable[[int, int], bytes]

WINDOW = 64 << 20
"""Most bytes of the pass kept for the carver."""
BEHIND = 1 << 20
"""Bytes kept behind the carver's latest read (it looks back a little between chunks)."""


class StreamedRegions:
    """The bytes of the carve regions, as the media pass reads them (thread-safe)."""

    def __init__(
        self, read: Read, size: int, extents: Sequence[Extent], window: int = WINDOW
    ) -> None:
        """Serve reads of a medium of ``size`` bytes; keep the pass's chunks in ``extents``."""
        self.size = size
        self._read = read
        merged = merge_extents(extents)
        self._starts = [offset for offset, _ in merged]
        self._ends = [offset + length for offset, length in merged]
        self._window = window
        self._chunks: deque[tuple[int, bytes]] = deque()
        self._held = 0
        self._streamed = 0
        self._pass_over = False
        self._carver_over = False
        self._wanted = 0
        """The end of the read the carver waits for (0: it is not waiting)."""
        self._cancelled = False
        self._changed = threading.Condition()
        self.bytes_from_pass = 0
        """Bytes the carver got from the media pass."""
        self.bytes_reread = 0
        """Bytes the carver had to read from the evidence itself."""

    # The media pass's side.

    def feed(self, offset: int, chunk: bytes) -> None:
        """Take the chunk the pass read at ``offset`` (called by the media hash thread)."""
        end = offset + len(chunk)
        with self._changed:
            if not self._carver_over and self._touches(offset, end):
                self._chunks.append((offset, chunk))
                self._held += len(chunk)
            self._streamed = end
            self._changed.notify_all()
            while self._held > self._window and not self._carver_over:
                if self._wanted > self._streamed:  # the carver cannot go on: make room
                    self._drop_oldest()
                else:
                    self._changed.wait(timeout=1.0)

    def finish(self) -> None:
        """The pass is over (done, failed or cancelled): the carver reads for itself now."""
        with self._changed:
            self._pass_over = True
            self._changed.notify_all()

    # The carver's side.

    def read(self, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes at ``offset``; fewer only past the end of the medium."""
        length = max(0, min(length, self.size - offset))
        if length == 0 or offset < 0:
            return b""
        if self._cancelled:
            raise OSError("carving cancelled")
        with self._changed:
            while offset + length > self._streamed and not self._pass_over:
                self._wanted = offset + length
                self._changed.notify_all()
                self._changed.wait()
            self._wanted = 0
            data = self._assemble(offset, length)
            behind = min(BEHIND, self._window // 4)
            while self._chunks and _end(self._chunks[0]) <= offset - behind:
                self._drop_oldest()
            self._changed.notify_all()
        if data is None:
            self.bytes_reread += length
            return self._read(offset, length)
        self.bytes_from_pass += length
        return data

    def cancel(self) -> None:
        """Stop the carver: every later read fails at once (the scan is stopping)."""
        self._cancelled = True
        self.done()

    def done(self) -> None:
        """The carver has finished: the pass keeps nothing more and never waits."""
        with self._changed:
            self._pass_over = self._pass_over or self._cancelled
            self._carver_over = True
            self._chunks.clear()
            self._held = 0
            self._changed.notify_all()

    # Helpers (called with the lock held).

    def _touches(self, start: int, end: int) -> bool:
        index = bisect.bisect_right(self._starts, end - 1) - 1
        return index >= 0 and self._ends[index] > start

    def _drop_oldest(self) -> None:
        _, chunk = self._chunks.popleft()
        self._held -= len(chunk)

    def _assemble(self, offset: int, length: int) -> bytes | None:
        parts, position, end = [], offset, offset + length
        for start, chunk in self._chunks:
            chunk_end = start + len(chunk)
            if chunk_end <= position:
                continue
            if start > position:
                return None
            parts.append(chunk[position - start : min(end, chunk_end) - start])
            position = min(end, chunk_end)
            if position >= end:
                return b"".join(parts)
        return None


def _end(chunk: tuple[int, bytes]) -> int:
    return chunk[0] + len(chunk[1])
