"""Where carving looks: each file system's free space and the disk space no file system owns.

A region is catalogued under a file system row: the real one for its free space (items sit
under ``/$CarvedFiles`` beside its live files, as TSK puts orphans under
``$OrphanFiles``), or a stand-in row of type ``unallocated`` for an unpartitioned gap, a
partition in which no file system was recognised, or a whole medium with none at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.model import FileSystemRecord, VolumeKind

if TYPE_CHECKING:
    from catalog.model import VolumeRecord
    from parsers.filesystem import OpenFileSystem

Extent = tuple[int, int]

UNALLOCATED = "unallocated"
"""A file system's free blocks or clusters."""
UNPARTITIONED = "unpartitioned"
"""Space the volume system leaves outside every partition."""
UNRECOGNISED = "unrecognised-partition"
"""A partition in which no file system was recognised."""
WHOLE_MEDIA = "whole-media"
"""A medium with no volume system and no file system."""
SLACK = "slack"
"""Bytes between a file's end and the end of its last cluster."""

STAND_IN_TYPE = "unallocated"
"""``filesystems.fs_type`` of the stand-in rows for space outside any file system."""


@dataclass(frozen=True, slots=True)
class CarveRegion:
    """One region to carve and the file system row its items are catalogued under."""

    kind: str
    record: FileSystemRecord
    offset: int
    length: int
    extents: tuple[Extent, ...]
    """Absolute ``(offset, length)`` ranges to carve, sorted, inside the region."""

    @property
    def is_stand_in(self) -> bool:
        """Whether ``record`` is a stand-in row rather than a file system the scan walked."""
        return self.record.fs_type == STAND_IN_TYPE


def file_system_region(fs: OpenFileSystem) -> CarveRegion | None:
    """The free space of ``fs`` read from its allocation structures, or None if unknown."""
    reader = getattr(fs, "unallocated_extents", None)
    extents = reader() if reader is not None else None
    if extents is None:
        return None
    record = fs.record
    length = record.block_size * record.block_count
    return CarveRegion(UNALLOCATED, record, record.offset, length, tuple(sorted(extents)))


def _stand_in(kind: str, offset: int, length: int, volume: VolumeRecord | None) -> CarveRegion:
    record = FileSystemRecord(
        offset=offset,
        fs_type=STAND_IN_TYPE,
        detection=f"carve:{kind}",
        block_size=volume.sector_size if volume else 512,
        block_count=volume.length_sectors if volume else (length + 511) // 512,
        volume_index=volume.index if volume else None,
        label=kind,
    )
    return CarveRegion(kind, record, offset, length, ((offset, length),))


def volume_regions(
    volumes: Sequence[VolumeRecord],
    walked: Iterable[int | None],
    media_size: int,
    *,
    has_file_system: bool,
) -> list[CarveRegion]:
    """Unpartitioned gaps, partitions no file system was found in, or the whole medium.

    ``walked`` holds the volume index of every file system opened. The whole medium is a
    region only when there is neither a partition nor a file system on it.
    """
    opened = set(walked)
    regions: list[CarveRegion] = []
    for volume in volumes:
        start = min(volume.offset, media_size)
        length = min(volume.size, media_size - start)
        if length <= 0:
            continue
        if volume.kind is VolumeKind.UNALLOCATED:
            regions.append(_stand_in(UNPARTITIONED, start, length, volume))
        elif volume.kind is VolumeKind.PARTITION and volume.index not in opened:
            regions.append(_stand_in(UNRECOGNISED, start, length, volume))
    has_partition = any(v.kind is VolumeKind.PARTITION for v in volumes)
    if not regions and not has_partition and not has_file_system and media_size > 0:
        regions.append(_stand_in(WHOLE_MEDIA, 0, media_size, None))
    return regions
