"""Where carving looks outside file systems: gaps, unrecognised partitions, a bare medium."""

from __future__ import annotations

from catalog.carving.regions import (
    STAND_IN_TYPE,
    UNPARTITIONED,
    UNRECOGNISED,
    WHOLE_MEDIA,
    volume_regions,
)
from catalog.model import VolumeKind, VolumeRecord


def volume(index: int, kind: VolumeKind, start: int, length: int) -> VolumeRecord:
    return VolumeRecord(index, kind, start, length, 512, kind.value)


LAYOUT = [
    volume(0, VolumeKind.META, 0, 1),
    volume(1, VolumeKind.UNALLOCATED, 0, 2048),
    volume(2, VolumeKind.PARTITION, 2048, 4096),
    volume(3, VolumeKind.PARTITION, 6144, 4096),
    volume(4, VolumeKind.UNALLOCATED, 10240, 100),
]


def test_gaps_and_partitions_without_a_file_system_are_regions() -> None:
    regions = volume_regions(LAYOUT, [2], 20 << 20, has_file_system=True)
    assert [(r.kind, r.offset, r.length) for r in regions] == [
        (UNPARTITIONED, 0, 2048 * 512),
        (UNRECOGNISED, 6144 * 512, 4096 * 512),
        (UNPARTITIONED, 10240 * 512, 100 * 512),
    ]
    assert all(r.is_stand_in and r.record.fs_type == STAND_IN_TYPE for r in regions)
    assert len({(r.record.offset, r.record.detection) for r in regions}) == 3
    assert all(r.extents == ((r.offset, r.length),) for r in regions)


def test_regions_are_clipped_to_the_medium() -> None:
    regions = volume_regions(LAYOUT, [2, 3], 10240 * 512 + 1000, has_file_system=True)
    assert [(r.offset, r.length) for r in regions] == [(0, 2048 * 512), (10240 * 512, 1000)]


def test_a_bare_medium_is_one_region_unless_something_accounts_for_it() -> None:
    whole = [volume(0, VolumeKind.WHOLE, 0, 8192)]
    (region,) = volume_regions(whole, [], 8192 * 512, has_file_system=False)
    assert (region.kind, region.offset, region.length) == (WHOLE_MEDIA, 0, 8192 * 512)
    assert volume_regions(whole, [None], 8192 * 512, has_file_system=True) == []
