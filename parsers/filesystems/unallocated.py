"""Where a file system's unallocated space lies: its extent minus every allocated run.

pytsk3 has no block walk, so the unallocated blocks are computed rather than asked for:
the file system's byte range minus the data runs of every allocated entry TSK shows
(files, directories, streams, and the virtual files that cover metadata such as ``$FAT1``
or ``$MFT``). What remains is the space a carver may examine without touching a live file.
"""

from __future__ import annotations

from collections.abc import Iterable

Extent = tuple[int, int]
"""``(offset, length)`` in bytes, absolute in the image."""


def merge_extents(extents: Iterable[Extent]) -> list[Extent]:
    """Sorted, non-overlapping extents covering exactly the bytes of ``extents``."""
    merged: list[Extent] = []
    for offset, length in sorted(extent for extent in extents if extent[1] > 0):
        if merged and offset <= merged[-1][0] + merged[-1][1]:
            last_offset, last_length = merged[-1]
            merged[-1] = (last_offset, max(last_length, offset + length - last_offset))
        else:
            merged.append((offset, length))
    return merged


def unallocated_extents(start: int, size: int, allocated: Iterable[Extent]) -> list[Extent]:
    """The parts of ``[start, start + size)`` that no allocated extent covers, in order."""
    end = start + size
    gaps: list[Extent] = []
    position = start
    for offset, length in merge_extents(allocated):
        if offset + length <= position:
            continue
        if offset >= end:
            break
        if offset > position:
            gaps.append((position, offset - position))
        position = max(position, offset + length)
    if position < end:
        gaps.append((position, end - position))
    return gaps
