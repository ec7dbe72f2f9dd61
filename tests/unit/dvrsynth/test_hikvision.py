from __future__ import annotations

import struct

import pytest

from parsers.dvr.model import COMPLETE, MPEG_PS, ORPHAN, RECORDING, UNALLOCATED
from tests.dvrsynth.hikbtree import ALL_FF
from tests.dvrsynth.hikvision import (
    MASTER,
    STILL_RECORDING,
    TREE1,
    TREE2,
    VIDEO_AREA,
    build_hikvision_disk,
)
from tests.dvrsynth.times import from_hk44, from_unix
from tests.dvrsynth.video import count_frames

MIB = 1 << 20


def u(fmt: str, data: bytes, at: int) -> int:
    return struct.unpack_from(fmt, data, at)[0]


def leaf_chain(data: bytes, tree: int) -> list[int]:
    pages, page = [], u("<Q", data, tree + 0x58)
    while page != ALL_FF:
        assert page not in pages
        pages.append(page)
        page = u("<Q", data, page + 0x20)
    return pages


def root_leaves(data: bytes, page: int, depth: int = 0) -> list[int]:
    """Descend from an index page: an entry whose +0x00 is all-FF marks a leaf."""
    assert depth < 8
    if u("<Q", data, page + 0x60) == ALL_FF:
        return [page]
    count = u("<I", data, page + 0x10)
    children = [u("<Q", data, page + 0x60 + 0x30 * k) for k in range(count)]
    assert children[0] == u("<Q", data, page + 0x18)
    return [leaf for child in children for leaf in root_leaves(data, child, depth + 1)]


def entries(data: bytes, leaf: int) -> list[tuple[int, int, int, int, int, int]]:
    rows = []
    for k in range(u("<I", data, leaf + 0x10)):
        at = leaf + 0x60 + 0x30 * k
        rows.append(struct.unpack_from("<QQxBxxxxxxIIQ", data, at))
    return rows


@pytest.fixture(scope="module")
def disk():
    return build_hikvision_disk()


def test_builder_is_deterministic_and_small(disk):
    assert build_hikvision_disk().data == disk.data
    assert len(disk.data) <= 16 * MIB


def test_master_sector_fields(disk):
    data = disk.data
    assert data[:0x200] == bytes(0x200)
    assert data[0x210:0x222] == b"HIKVISION@HANGZHOU"
    assert data[0x230:0x23E] == b"HIK.2011.03.08"
    assert u("<Q", data, 0x248) == len(data)
    assert u("<Q", data, 0x278) == VIDEO_AREA
    assert (u("<Q", data, 0x288), u("<I", data, 0x290)) == (MIB, 8)
    assert (u("<Q", data, 0x298), u("<Q", data, 0x2A8)) == (TREE1, TREE2)
    assert u("<I", data, 0x2A0) == u("<I", data, 0x2B0) > 0
    assert u("<I", data, MASTER + 0xF0) > 0


@pytest.mark.parametrize("tree", [TREE1, TREE2], ids=["tree1", "tree2"])
def test_leaf_chain_and_root_walk_agree(disk, tree):
    data = disk.data
    assert data[tree + 0x10 : tree + 0x18] == b"HIKBTREE"
    chain = leaf_chain(data, tree)
    assert len(chain) >= 3
    assert chain != sorted(chain), "leaves should not sit in chain order"
    assert root_leaves(data, u("<Q", data, tree + 0x50)) == chain
    size = u("<I", data, 0x2A0)
    assert all(tree < page < tree + size for page in chain)


def test_default_tree_has_three_levels(disk):
    data = disk.data
    root = u("<Q", data, TREE1 + 0x50)
    child = u("<Q", data, root + 0x18)
    assert u("<Q", data, child + 0x60) != ALL_FF  # an index page below the root
    assert disk.notes["trees"][TREE1]["index"][-1] == root


def test_index_entries_repeat_the_first_key_of_their_child(disk):
    data = disk.data
    for page in disk.notes["trees"][TREE1]["index"]:
        for k in range(u("<I", data, page + 0x10)):
            at = page + 0x60 + 0x30 * k
            child = u("<Q", data, at)
            first = child
            while u("<Q", data, first + 0x60) != ALL_FF:
                first = u("<Q", data, first + 0x18)
            assert data[at + 0x10 : at + 0x28] == data[first + 0x60 + 0x10 : first + 0x60 + 0x28]


def test_leaf_entries_match_the_expected_segments(disk):
    data = disk.data
    rows = [row for leaf in leaf_chain(data, TREE1) for row in entries(data, leaf)]
    assert all(row[0] == ALL_FF for row in rows)
    indexed = {seg.extents[0][0]: seg for seg in disk.expected if seg.status != ORPHAN}
    assert sorted(row[5] for row in rows) == sorted(indexed)
    for _, allocated, channel, start, end, block in rows:
        seg = indexed[block]
        assert (channel, start, end) == (seg.channel, seg.start_raw, seg.end_raw)
        assert allocated == (ALL_FF if seg.status == UNALLOCATED else 0)
    last_leaf = leaf_chain(data, TREE1)[-1]
    assert u("<Q", data, last_leaf + 0x20) == ALL_FF


def test_statuses_cover_every_case(disk):
    statuses = [seg.status for seg in disk.expected]
    assert statuses.count(COMPLETE) == 5
    assert statuses.count(RECORDING) == statuses.count(UNALLOCATED) == statuses.count(ORPHAN) == 1
    recording = next(seg for seg in disk.expected if seg.status == RECORDING)
    assert (recording.start_raw, recording.end_raw) == (STILL_RECORDING, 0)


def test_expected_extents_hold_decodable_ps(disk):
    for seg in disk.expected:
        ((offset, length),) = seg.extents
        assert offset + length <= len(disk.data)
        assert disk.data[offset : offset + 4] == b"\x00\x00\x01\xba"
        assert seg.kind == MPEG_PS
        assert count_frames(seg.read(disk.data), MPEG_PS) == seg.n_frames
        assert seg.key_hint == f"hik:blk:{offset:#x}"


def test_ps_time_agrees_with_the_index_start(disk):
    for seg in disk.expected:
        if seg.status in (COMPLETE, UNALLOCATED):
            offset = seg.offset
            psm = disk.data.index(b"\x00\x00\x01\xbc", offset)
            raw = int.from_bytes(disk.data[psm + 16 : psm + 22], "big") >> 4
            assert from_hk44(raw) == from_unix(seg.start_raw)
            assert seg.end_raw == seg.start_raw + 1


def test_orphan_extent_ends_with_the_stream(disk):
    orphan = next(seg for seg in disk.expected if seg.status == ORPHAN)
    offset, length = orphan.extents[0]
    assert disk.data[offset + length : offset + length + 4096] == bytes(4096)
    assert orphan.time_kind == "hk44"
    assert orphan.start_raw < orphan.end_raw


def test_log_records_sit_where_the_notes_say(disk):
    for offset, when, major, minor in disk.notes["rats"]:
        assert disk.data[offset : offset + 4] == b"RATS"
        assert struct.unpack_from("<IHH", disk.data, offset + 8) == (when, major, minor)


def test_variants_break_only_what_they_say(disk):
    bad = build_hikvision_disk(variant="bad-signature-1")
    assert bad.data[TREE1 + 0x10 : TREE1 + 0x18] != b"HIKBTREE"
    assert bad.data[TREE2:] == disk.data[TREE2:]
    assert bad.expected == disk.expected
    old = build_hikvision_disk(variant="old-version")
    assert old.data[0x230:0x23E] == b"HIK.2010.11.09"
    with pytest.raises(ValueError, match="unknown variant"):
        build_hikvision_disk(variant="nope")


def test_two_level_tree_and_wide_leaves():
    disk = build_hikvision_disk(entries_per_leaf=40, fanout=8)
    data = disk.data
    chain = leaf_chain(data, TREE1)
    assert len(chain) == 1
    assert root_leaves(data, u("<Q", data, TREE1 + 0x50)) == chain
    assert len(entries(data, chain[0])) == 7
