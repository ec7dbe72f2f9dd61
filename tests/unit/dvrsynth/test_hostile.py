from __future__ import annotations

import struct

import pytest

from tests.dvrsynth.dahua import DESCRIPTORS, build_dhfs_disk
from tests.dvrsynth.hikbtree import ALL_FF
from tests.dvrsynth.hikvision import TREE1, TREE2, build_hikvision_disk
from tests.dvrsynth.hostile import HOSTILE
from tests.dvrsynth.wfs import build_wfs_disk
from tests.unit.dvrsynth.test_hikvision import entries, root_leaves

MAGIC = {
    "mpeg-ps": b"\x00\x00\x01\xba",
    "dhav": b"DHAV",
    "h264-annexb": b"\x00\x00\x00\x01",
}


def u(fmt: str, data: bytes, at: int) -> int:
    return struct.unpack_from(fmt, data, at)[0]


def bounded_chain(data: bytes, tree: int) -> tuple[list[int], int]:
    """Leaves met before the walk stops, and the pointer that stopped it."""
    seen, page = [], u("<Q", data, tree + 0x58)
    while page != ALL_FF and page not in seen and page + 0x1000 <= len(data):
        seen.append(page)
        page = u("<Q", data, page + 0x20)
    return seen, page


@pytest.fixture(scope="module")
def good():
    return {"hik": build_hikvision_disk(), "dhfs": build_dhfs_disk(), "wfs": build_wfs_disk()}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_variant_is_deterministic_and_its_extents_are_sound(name):
    disk = HOSTILE[name]()
    assert HOSTILE[name]().data == disk.data
    assert disk.notes["problems"]
    for seg in disk.expected:
        for offset, length in seg.extents:
            assert offset >= 0
            assert length > 0
            assert offset + length <= len(disk.data)
        if seg.n_frames is not None:
            assert disk.data[seg.offset : seg.offset + 4] == MAGIC[seg.kind]


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("hik_leaf_cycle", "hik"),
        ("hik_next_past_end", "hik"),
        ("dhfs_chain_cycle", "dhfs"),
        ("dhfs_next_past_count", "dhfs"),
        ("wfs_cycle", "wfs"),
    ],
)
def test_pointer_damage_keeps_the_truth_and_changes_few_bytes(good, name, family):
    disk, base = HOSTILE[name](), good[family]
    assert disk.expected == base.expected
    changed = sum(a != b for a, b in zip(disk.data, base.data, strict=True))
    assert 0 < changed <= 16


@pytest.mark.parametrize("tree", [TREE1, TREE2], ids=["tree1", "tree2"])
def test_leaf_cycle_returns_to_the_first_leaf(good, tree):
    disk = HOSTILE["hik_leaf_cycle"]()
    leaves, stop = bounded_chain(disk.data, tree)
    assert leaves == good["hik"].notes["trees"][tree]["leaves"]
    assert stop == leaves[0]


@pytest.mark.parametrize("tree", [TREE1, TREE2], ids=["tree1", "tree2"])
def test_past_end_pointer_leaves_the_rest_to_the_root_walk(good, tree):
    disk = HOSTILE["hik_next_past_end"]()
    leaves, stop = bounded_chain(disk.data, tree)
    assert len(leaves) == 1
    assert stop > len(disk.data)
    from_root = root_leaves(disk.data, u("<Q", disk.data, tree + 0x50))
    assert from_root == good["hik"].notes["trees"][tree]["leaves"]
    blocks = {row[5] for leaf in from_root for row in entries(disk.data, leaf)}
    assert blocks == {seg.offset for seg in disk.expected if seg.status != "orphan"}


def test_truncated_image_clips_and_drops_past_the_end(good):
    disk = HOSTILE["hik_truncated"]()
    assert len(disk.data) < u("<Q", disk.data, 0x248)
    assert disk.data == good["hik"].data[: len(disk.data)]
    assert max(seg.offset + seg.length for seg in disk.expected) == len(disk.data)
    kept = {seg.key_hint for seg in disk.expected}
    assert kept.isdisjoint(disk.notes["beyond_end"])
    assert kept | set(disk.notes["beyond_end"]) == set(good["hik"].by_key())


def test_dhfs_damage_points_where_documented():
    cycle, wild = HOSTILE["dhfs_chain_cycle"](), HOSTILE["dhfs_next_past_count"]()
    table = (cycle.notes["partitions"][0][0] + DESCRIPTORS) * 512
    chain = cycle.notes["chains"]["dhfs:p0:c9"]
    assert u("<I", cycle.data, table + 32 * chain[-1] + 0x0C) == chain[0]
    chain = wild.notes["chains"]["dhfs:p0:c40"]
    assert u("<I", wild.data, table + 32 * chain[-1] + 0x0C) >= wild.notes["n_clusters"][0]


def test_wfs_cycle_points_back_to_the_main():
    disk = HOSTILE["wfs_cycle"]()
    chain = disk.notes["chains"]["wfs:f5"]
    assert u("<I", disk.data, 32 * 512 + 32 * chain[-1] + 8) == chain[0]
