from __future__ import annotations

import struct

from tests.carvesynth import sleuthkit
from tests.carvesynth.fixtures import partitioned_gap
from tests.carvesynth.partitioned import PART_SECTORS, PART_START, SECTOR, decoys, mbr
from tests.carvesynth.truth import GAP, intersects
from tests.unit.carvesynth import checks

__all__ = ["partitioned_gap"]


def test_mbr_holds_one_partition_and_the_boot_signature():
    record = mbr(2048, 8192)
    assert len(record) == 512
    assert record[510:] == b"\x55\xaa"
    assert record[450] == 0x06
    assert struct.unpack_from("<II", record, 454) == (2048, 8192)
    assert record[462:510] == bytes(48)


def test_gap_payloads_are_planted_past_the_partition(partitioned_gap):
    assert sorted(item.kind for item in partitioned_gap.planted) == ["png", "text-utf8"]
    end = (PART_START + PART_SECTORS) * SECTOR
    assert all(item.region == GAP and item.offset >= end for item in partitioned_gap.planted)
    assert partitioned_gap.fs_offset == PART_START * SECTOR
    checks.assert_planted_bytes(partitioned_gap)
    checks.assert_texts_decode(partitioned_gap)


def test_mmls_shows_the_payloads_in_unallocated_disk_space(partitioned_gap):
    checks.require_sleuthkit()
    gaps = sleuthkit.unallocated_partition_gaps(partitioned_gap)
    assert gaps == ((0, PART_START * SECTOR), ((PART_START + PART_SECTORS) * SECTOR, 512 * SECTOR))
    for item in partitioned_gap.planted:
        assert intersects(gaps[1:], item.offset, item.length)


def test_fls_lists_the_partition_decoys(partitioned_gap):
    checks.require_sleuthkit()
    files = {entry.path for entry in sleuthkit.fls(partitioned_gap) if entry.type == "r/r"}
    assert {item.name for item in decoys()} <= files
    checks.assert_sleuthkit_agrees(partitioned_gap)
