"""Hash byte ranges of the media from the media hash's own sequential read.

A DVR disk is almost all recordings, so hashing each recording by reading its extents
would read the disk a second time. Instead each segment whose extents ascend without
overlapping gets a tap: the media pass hands every chunk to ``ExtentTaps.feed``, which
passes each tap the part of the chunk it is waiting for. A heap keyed by the next offset
each tap waits for keeps the cost per chunk to the taps that chunk touches.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence

from catalog.hashing import MultiHasher
from catalog.model import Hashes

Extent = tuple[int, int]


class _Tap:
    __slots__ = ("done", "extents", "hasher", "index")

    def __init__(self, extents: Sequence[Extent]) -> None:
        self.extents = extents
        self.index = 0
        self.done = 0
        self.hasher = MultiHasher()

    @property
    def wants(self) -> int:
        """The next absolute offset this tap needs."""
        return self.extents[self.index][0] + self.done

    @property
    def is_complete(self) -> bool:
        return self.index == len(self.extents)

    def take(self, offset: int, chunk: memoryview) -> None:
        """Feed the bytes of ``chunk`` (at ``offset``) that this tap wants next."""
        end = offset + len(chunk)
        while not self.is_complete and offset <= self.wants < end:
            start, length = self.extents[self.index]
            stop = min(start + length, end)
            self.hasher.update(chunk[self.wants - offset : stop - offset])
            self.done = stop - start
            if self.done == length:
                self.index, self.done = self.index + 1, 0


def tappable(extents: Sequence[Extent]) -> bool:
    """True when ``extents`` ascend without overlapping (one sequential pass can feed them)."""
    position = -1
    for offset, length in extents:
        if length <= 0 or offset < position:
            return False
        position = offset + length
    return bool(extents)


class ExtentTaps:
    """The taps of many segments, fed by one sequential pass over the media."""

    def __init__(self, wanted: Iterable[tuple[str, Sequence[Extent]]]) -> None:
        """One tap per ``(key, extents)`` whose extents a sequential pass can feed."""
        self._taps = {key: _Tap(extents) for key, extents in wanted if tappable(extents)}
        self._heap = [(tap.wants, key) for key, tap in self._taps.items()]
        heapq.heapify(self._heap)

    def feed(self, offset: int, chunk: bytes) -> None:
        """Pass the chunk read at ``offset`` to every tap waiting for bytes in it."""
        view, end = memoryview(chunk), offset + len(chunk)
        while self._heap and self._heap[0][0] < end:
            wants, key = heapq.heappop(self._heap)
            tap = self._taps[key]
            if wants < offset:
                continue  # bytes it needed were passed before it could take them: it drops out
            tap.take(offset, view)
            if not tap.is_complete:
                heapq.heappush(self._heap, (tap.wants, key))

    def finish(self) -> None:
        """The pass is over; taps that did not get all their bytes stay incomplete."""

    def hashes(self) -> dict[str, Hashes]:
        """The digests of every tap that received all its bytes."""
        return {key: tap.hasher.hashes() for key, tap in self._taps.items() if tap.is_complete}
