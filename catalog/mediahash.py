"""The media hash: the four digests of the whole logical media, computed beside the walk.

Runs in its own thread over the evidence source while the file system walk proceeds, then is
compared with the hashes stored in the container at acquisition (EWF, AFF).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from catalog.hashing import MultiHasher
from catalog.model import Hashes
from parsers.source import EvidenceSource

MEDIA_CHUNK = 4 << 20


@dataclass(frozen=True, slots=True)
class MediaHashResult:
    """The media digests, or why they could not be computed."""

    hashes: Hashes | None
    bytes_read: int
    error: str | None = None


def _check_not_short(chunk: bytes, offset: int, size: int) -> None:
    if not chunk:
        raise OSError(f"media ends early at byte {offset} of {size}")


class ChunkTap(Protocol):
    """Something fed every chunk of the media pass, in order (from the pass's thread)."""

    def feed(self, offset: int, chunk: bytes) -> None:
        """Take the chunk read at ``offset``."""
        ...

    def finish(self) -> None:
        """The pass is over: complete, failed or cancelled."""
        ...


class MediaHasher:
    """Hash an evidence source's media in a background thread."""

    def __init__(self, source: EvidenceSource, taps: Sequence[ChunkTap] = ()) -> None:
        """Start hashing at once; each of ``taps`` is fed every chunk as it passes."""
        self._source = source
        self._taps = taps
        self._result: MediaHashResult | None = None
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="media-hash", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._hash()
        finally:
            for tap in self._taps:
                tap.finish()

    def _hash(self) -> None:
        hasher = MultiHasher()
        size = self._source.info.media_size
        offset = 0
        try:
            while offset < size and not self._cancel.is_set():
                chunk = self._source.read(offset, min(MEDIA_CHUNK, size - offset))
                _check_not_short(chunk, offset, size)
                hasher.update(chunk)
                for tap in self._taps:
                    tap.feed(offset, chunk)
                offset += len(chunk)
        except OSError as exc:
            message = str(exc).split(". ")[0][:300]
            self._result = MediaHashResult(None, offset, message)
            return
        if self._cancel.is_set():
            self._result = MediaHashResult(None, offset, "cancelled")
            return
        self._result = MediaHashResult(hasher.hashes(), offset)

    def result(self) -> MediaHashResult:
        """Wait for the hash and return it."""
        self._thread.join()
        assert self._result is not None
        return self._result

    def cancel(self) -> None:
        """Stop early (Ctrl-C); ``result`` then reports ``cancelled``."""
        self._cancel.set()
        self._thread.join()


def compare_stored(stored: dict[str, str], computed: Hashes) -> list[str]:
    """Messages for every stored acquisition hash that differs from the computed one."""
    mismatches = []
    for algorithm, value in sorted(stored.items()):
        actual = getattr(computed, algorithm, None)
        if actual is not None and actual != value.lower():
            mismatches.append(f"stored {algorithm.upper()} {value} != computed {actual}")
    return mismatches
