"""Streaming the bytes of a segment's extents: for hashing and for export, never whole."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from catalog.hashing import MultiHasher
from catalog.model import Hashes

CHUNK = 4 << 20


def stream_extents(
    read: Callable[[int, int], bytes], extents: Sequence[tuple[int, int]], chunk: int = CHUNK
) -> Iterator[bytes]:
    """The bytes of ``extents`` in order, ``chunk`` at a time.

    Raises:
        OSError: the medium ended before an extent did.
    """
    for offset, length in extents:
        done = 0
        while done < length:
            data = read(offset + done, min(chunk, length - done))
            if not data:
                raise OSError(f"media ends at byte {offset + done}, inside a segment")
            done += len(data)
            yield data


def hash_extents(read: Callable[[int, int], bytes], extents: Sequence[tuple[int, int]]) -> Hashes:
    """The four digests of the concatenated extents.

    Raises:
        OSError: the bytes could not be read.
    """
    hasher = MultiHasher()
    for data in stream_extents(read, extents):
        hasher.update(data)
    return hasher.hashes()
