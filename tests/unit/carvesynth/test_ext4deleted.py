from __future__ import annotations

import time

from tests.carvesynth import payloads, sleuthkit
from tests.carvesynth.ext4deleted import DUPLICATE, build_ext4_deleted, decoys
from tests.carvesynth.fixtures import ext4_deleted, skip_without
from tests.carvesynth.tools import EXT4_TOOLS
from tests.carvesynth.truth import sha256
from tests.unit.carvesynth import checks

__all__ = ["ext4_deleted"]


def test_every_evidence_payload_is_recoverable(ext4_deleted):
    assert [item.name for item in ext4_deleted.planted] == [i.name for i in payloads.evidence()]
    assert ext4_deleted.overwritten == []
    assert ext4_deleted.fs_type == "ext4"


def test_planted_bytes_sit_at_their_offsets(ext4_deleted):
    checks.assert_planted_bytes(ext4_deleted)
    assert all(item.offset % 4096 == 0 for item in ext4_deleted.planted)


def test_text_payloads_decode_and_hold_their_markers(ext4_deleted):
    checks.assert_texts_decode(ext4_deleted)


def test_only_the_lead_list_duplicates_an_allocated_file(ext4_deleted):
    marked = {item.name: item.duplicate_of_path for item in ext4_deleted.planted}
    assert {name: path for name, path in marked.items() if path} == {
        DUPLICATE[0]: f"/{DUPLICATE[1]}"
    }
    allocated = {item.path: item.sha256 for item in ext4_deleted.allocated}
    assert allocated[f"/{DUPLICATE[1]}"] == ext4_deleted.by_name()[DUPLICATE[0]].sha256


def test_allocated_decoys_are_recorded_with_their_hashes(ext4_deleted):
    expected = {f"/{item.name}": sha256(item.data) for item in decoys()}
    assert {item.path: item.sha256 for item in ext4_deleted.allocated} == expected


def test_fls_lists_payloads_only_as_deleted_and_decoys_as_allocated(ext4_deleted):
    checks.require_sleuthkit()
    entries = sleuthkit.fls(ext4_deleted)
    allocated = {entry.path for entry in entries if entry.is_allocated}
    deleted = {entry.path for entry in entries if not entry.is_allocated}
    assert {item.name for item in decoys()} <= allocated
    assert not allocated & set(ext4_deleted.by_name())
    assert deleted == set(ext4_deleted.by_name())


def test_sleuthkit_allocation_matches_the_truth(ext4_deleted):
    checks.require_sleuthkit()
    checks.assert_sleuthkit_agrees(ext4_deleted)


def test_build_is_fast_and_repeatable(ext4_deleted, tmp_path):
    skip_without(EXT4_TOOLS)
    started = time.monotonic()
    again = build_ext4_deleted(tmp_path)
    assert time.monotonic() - started < 5
    assert again.planted == ext4_deleted.planted
    assert again.allocated == ext4_deleted.allocated
