from __future__ import annotations

import time

from tests.carvesynth import payloads, sleuthkit
from tests.carvesynth.fatreformat import build_fat_reformatted, decoys
from tests.carvesynth.fixtures import fat_reformatted, skip_without
from tests.carvesynth.tools import FAT_TOOLS
from tests.carvesynth.truth import intersects, sha256
from tests.unit.carvesynth import checks

__all__ = ["fat_reformatted"]


def test_every_evidence_payload_but_the_sacrificial_one_is_recoverable(fat_reformatted):
    names = [item.name for item in fat_reformatted.planted]
    assert names == [item.name for item in payloads.evidence()]
    assert [item.name for item in fat_reformatted.overwritten] == ["old_invoice.pdf"]
    kinds = {item.kind for item in fat_reformatted.planted}
    assert kinds == {"jpeg", "png", "gif", "pdf", "zip", "sqlite"} | set(checks.ENCODINGS)
    assert {"docx", "xlsx", "html"} <= {item.extension for item in fat_reformatted.planted}


def test_planted_bytes_sit_at_their_offsets(fat_reformatted):
    checks.assert_planted_bytes(fat_reformatted)


def test_text_payloads_decode_and_hold_their_markers(fat_reformatted):
    checks.assert_texts_decode(fat_reformatted)


def test_overwritten_payload_lies_under_the_decoys(fat_reformatted):
    (old,) = fat_reformatted.overwritten
    data = fat_reformatted.path.read_bytes()
    assert data[old.offset : old.end] != payloads.old_invoice_pdf()
    assert data[old.offset : old.offset + 3] == b"\xff\xd8\xff"  # the decoy JPEG's head
    assert any(intersects(a.extents, old.offset, old.length) for a in fat_reformatted.allocated)


def test_fls_lists_the_decoys_and_none_of_the_payloads(fat_reformatted):
    checks.require_sleuthkit()
    entries = sleuthkit.fls(fat_reformatted)
    files = {entry.path for entry in entries if entry.type == "r/r"}
    assert {item.name for item in decoys()} <= files
    assert not files & set(fat_reformatted.by_name())
    assert all(entry.is_allocated for entry in entries)  # the reformat left no deleted names


def test_sleuthkit_allocation_matches_the_truth(fat_reformatted):
    checks.require_sleuthkit()
    checks.assert_sleuthkit_agrees(fat_reformatted)


def test_build_is_fast_and_repeatable(fat_reformatted, tmp_path):
    skip_without(FAT_TOOLS)
    started = time.monotonic()
    again = build_fat_reformatted(tmp_path)
    assert time.monotonic() - started < 5
    assert again.planted == fat_reformatted.planted
    assert again.allocated == fat_reformatted.allocated
    assert again.path.stat().st_size == 8 * 1024 * 1024
    assert sha256(again.path.read_bytes()) == sha256(fat_reformatted.path.read_bytes())
