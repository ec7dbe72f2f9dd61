"""Hikvision master sector, HIKBTREE walks, orphan blocks and RATS logs on hand-built disks."""

from __future__ import annotations

import struct
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.dvr.disk import DiskBytes
from parsers.dvr.hikvision import read_hikvision, read_rats_logs
from parsers.dvr.model import COMPLETE, HIKVISION, MPEG_PS, RECORDING, UNALLOCATED, DvrListing
from tests.unit.parsers.dvr.listings import by_key, messages

NO = 0xFFFF_FFFF_FFFF_FFFF
BLOCK = 0x10000
VIDEO = 0x40000
LOG, LOG_SIZE = 0x1000, 0x3000
TREE1, TREE2 = 0x4000, 0x20000
T0 = 1_700_000_000


def entry(block, channel=1, start=T0, end=T0 + 3600, alloc=0, size=BLOCK) -> bytes:
    return struct.pack("<QQBB6xIIQ8x", NO, alloc, 0, channel, start, end, VIDEO + block * size)


def page(entries: Sequence[bytes], *, next_ptr: int = NO, leftmost: int = 0, count=None):
    head = bytearray(0x60)
    struct.pack_into("<I", head, 0x10, len(entries) if count is None else count)
    struct.pack_into("<QQ", head, 0x18, leftmost, next_ptr)
    return bytes(head) + b"".join(entries)


def leaf_at(tree: int, index: int) -> int:
    return tree + 0x2000 + 0x1000 * index


def put(img: bytearray, at: int, data: bytes) -> None:
    img[at : at + len(data)] = data


def write_tree(img, at, leaves, *, root=None, nexts=None) -> None:
    """Header at ``at``, root index page at +0x1000, leaf i at +0x2000 + 0x1000 i."""
    head = bytearray(0x60)
    head[0x10:0x18] = b"HIKBTREE"
    struct.pack_into("<QQ", head, 0x50, at + 0x1000, leaf_at(at, 0))
    put(img, at, bytes(head))
    for index, entries in enumerate(leaves):
        following = leaf_at(at, index + 1) if index + 1 < len(leaves) else NO
        if nexts and index in nexts:
            following = nexts[index]
        put(img, leaf_at(at, index), page(entries, next_ptr=following))
    children = list(range(len(leaves))) if root is None else root
    keys = [struct.pack("<Q", leaf_at(at, i)) + leaves[i][0][8:] for i in children]
    put(img, at + 0x1000, page(keys, leftmost=leaf_at(at, children[0])))


def master(*, size, block_count=8, version=b"HIK.2011.03.08", block_size=BLOCK) -> bytes:
    raw = bytearray(512)
    raw[0x10:0x22] = b"HIKVISION@HANGZHOU"
    raw[0x30 : 0x30 + len(version)] = version
    struct.pack_into("<Q", raw, 0x48, size)
    struct.pack_into("<QQ", raw, 0x60, LOG, LOG_SIZE)
    struct.pack_into("<Q", raw, 0x78, VIDEO)
    struct.pack_into("<QI", raw, 0x88, block_size, block_count)
    struct.pack_into("<QIxxxxQI", raw, 0x98, TREE1, 0x10000, TREE2, 0x10000)
    struct.pack_into("<I", raw, 0xF0, T0 - 86400)
    return bytes(raw)


LEAVES = [
    [entry(0, 1), entry(1, 2)],
    [entry(2, 1), entry(3, 3)],
    [
        entry(4, 2, start=0x7FFFFFFF, end=0),
        entry(5, 4, alloc=NO),
        struct.pack("<QQ32x", NO, NO),
    ],
]


def build(leaves=LEAVES, *, leaves2=None, block_count=8, version=b"HIK.2011.03.08", **tree):
    size = VIDEO + block_count * BLOCK
    img = bytearray(size)
    put(img, 0x200, master(size=size, block_count=block_count, version=version))
    write_tree(img, TREE1, leaves, **tree)
    write_tree(img, TREE2, leaves if leaves2 is None else leaves2, **tree)
    return img


def listing_of(img: bytes | bytearray) -> DvrListing:
    result = read_hikvision(DiskBytes.from_bytes(bytes(img)))
    assert result is not None
    return result


def keys(listing: DvrListing) -> list[str]:
    return [segment.key for segment in listing.segments]


def blk(index: int) -> str:
    return f"hik:blk:0x{VIDEO + index * BLOCK:x}"


def test_good_disk_lists_every_entry_once_with_no_problem() -> None:
    listing = listing_of(build())
    assert listing.problems == []
    assert keys(listing) == [blk(i) for i in range(6)]
    segments = by_key(listing)
    first = segments[blk(0)]
    assert (first.vendor, first.source, first.kind, first.status) == (
        HIKVISION,
        "hikbtree1",
        MPEG_PS,
        COMPLETE,
    )
    assert first.extents == ((VIDEO, BLOCK),)
    assert first.start is not None and first.start.wallclock == "2023-11-14T22:13:20"
    assert [s.channel for s in listing.segments] == [1, 2, 1, 3, 2, 4]
    assert segments[blk(4)].status == RECORDING
    assert segments[blk(5)].status == UNALLOCATED
    assert listing.uncovered == [(VIDEO + 6 * BLOCK, BLOCK), (VIDEO + 7 * BLOCK, BLOCK)]


def test_geometry_reports_the_master_sector_and_leaf_counts() -> None:
    listing = listing_of(build())
    geometry = listing.volume.geometry
    assert listing.volume.version == "HIK.2011.03.08"
    assert listing.volume.offset == 0x210
    assert geometry["block_size"] == BLOCK
    assert geometry["block_count"] == 8
    assert geometry["video_area"] == VIDEO
    assert (geometry["log_area_offset"], geometry["log_area_size"]) == (LOG, LOG_SIZE)
    assert (geometry["hikbtree1_offset"], geometry["hikbtree2_offset"]) == (TREE1, TREE2)
    assert geometry["init_time"] == T0 - 86400
    assert geometry["base_offset"] == 0
    assert (geometry["hikbtree1_leaf_pages"], geometry["hikbtree2_leaf_pages"]) == (3, 3)


def test_disk_without_signature_is_not_hikvision() -> None:
    assert read_hikvision(DiskBytes.from_bytes(bytes(1 << 20))) is None
    assert read_hikvision(DiskBytes.from_bytes(b"")) is None


def test_master_sector_at_an_offset_becomes_the_base() -> None:
    shift = 0x100000
    listing = listing_of(bytes(shift) + build())
    assert listing.problems == []
    assert listing.volume.geometry["base_offset"] == shift
    assert listing.volume.offset == shift + 0x210
    assert listing.segments[0].extents == ((shift + VIDEO, BLOCK),)
    assert listing.uncovered[-1] == (shift + VIDEO + 7 * BLOCK, BLOCK)


def test_leaf_chain_finds_leaves_the_root_does_not_list() -> None:
    listing = listing_of(build(root=[0]))
    assert keys(listing) == [blk(i) for i in range(6)]
    assert messages(listing) == [
        f"hikbtree{n}: leaf chain finds 3 leaves, the root walk 1; "
        "0 leaves reached only from the root are kept"
        for n in (1, 2)
    ]


def test_deeper_tree_walked_from_the_root_agrees_with_the_chain() -> None:
    img = build()
    for tree in (TREE1, TREE2):
        mid = [tree + 0x6000, tree + 0x7000]
        put(img, mid[0], page([struct.pack("<Q", leaf_at(tree, 0)) + bytes(40)]))
        put(img, mid[1], page([struct.pack("<Q", leaf_at(tree, i)) + bytes(40) for i in (1, 2)]))
        put(img, tree + 0x1000, page([struct.pack("<Q", p) + bytes(40) for p in mid]))
    listing = listing_of(img)
    assert listing.problems == []
    assert len(listing.segments) == 6


def test_leaf_reached_only_from_the_root_is_kept_with_a_note() -> None:
    listing = listing_of(build(nexts={1: NO}))
    assert keys(listing) == [blk(i) for i in range(6)]
    assert listing.segments[4].notes == ("leaf reached only from the root",)
    assert messages(listing)[0] == (
        "hikbtree1: leaf chain finds 2 leaves, the root walk 3; "
        "1 leaves reached only from the root are kept"
    )


def test_leaf_chain_cycle_is_cut_and_reported() -> None:
    listing = listing_of(build(nexts={2: leaf_at(TREE1, 0)}))
    assert keys(listing) == [blk(i) for i in range(6)]
    assert listing.problems[0].message == "hikbtree1: leaf chain loops back to 0x6000"
    assert listing.problems[0].offset == leaf_at(TREE1, 0)


def test_next_pointer_past_the_end_is_reported_and_the_root_walk_recovers() -> None:
    far = 0x7FFF_0000_0000
    listing = listing_of(build(nexts={1: far}))
    assert keys(listing) == [blk(i) for i in range(6)]
    assert messages(listing)[:2] == [
        f"hikbtree1: leaf page 0x{far:x} lies outside the image",
        "hikbtree1: leaf chain finds 2 leaves, the root walk 3; "
        "1 leaves reached only from the root are kept",
    ]


def test_truncated_image_clips_and_drops_blocks() -> None:
    img = build()[: VIDEO + 3 * BLOCK + BLOCK // 2]
    listing = listing_of(img)
    segments = by_key(listing)
    assert segments[blk(2)].extents == ((VIDEO + 2 * BLOCK, BLOCK),)
    assert segments[blk(3)].extents == ((VIDEO + 3 * BLOCK, BLOCK // 2),)
    assert segments[blk(4)].extents == ()
    assert segments[blk(4)].notes == ("block outside the image",)
    assert listing.uncovered == []
    assert messages(listing) == [
        f"image is {len(img)} bytes, smaller than the capacity {VIDEO + 8 * BLOCK}",
        f"block 0x{VIDEO + 3 * BLOCK:x} runs past the image end",
        f"block 0x{VIDEO + 4 * BLOCK:x} lies outside the image",
        f"block 0x{VIDEO + 5 * BLOCK:x} lies outside the image",
    ]


def test_image_cut_inside_the_index_yields_problems_not_errors() -> None:
    img = build()[: leaf_at(TREE1, 1) + 0x70]
    listing = listing_of(img)
    assert keys(listing) == [blk(0), blk(1)]
    assert "hikbtree1: page 0x7000 is cut short by the image end" in messages(listing)
    assert "hikbtree2: no HIKBTREE signature at 0x20000" in messages(listing)
    assert all(segment.extents == () for segment in listing.segments)


def test_bad_first_signature_falls_back_to_the_backup() -> None:
    img = build()
    img[TREE1 + 0x10 : TREE1 + 0x18] = b"XXXXXXXX"
    listing = listing_of(img)
    assert messages(listing) == ["hikbtree1: no HIKBTREE signature at 0x4000"]
    assert len(listing.segments) == 6
    assert {segment.source for segment in listing.segments} == {"hikbtree2"}


def test_copies_that_differ_are_reported_and_united() -> None:
    leaves2 = [[entry(0, 9), entry(1, 2)], LEAVES[1], [*LEAVES[2], entry(6, 1)]]
    listing = listing_of(build(leaves2=leaves2))
    assert messages(listing) == [
        "HIKBTREE copies differ: 0 entries only in #1, 1 only in #2, 1 changed; listing the union"
    ]
    segments = by_key(listing)
    assert segments[blk(0)].channel == 1
    assert segments[blk(6)].source == "hikbtree2"
    assert listing.uncovered == [(VIDEO + 7 * BLOCK, BLOCK)]


def test_count_disagreeing_with_used_entries_is_reported() -> None:
    bad = bytearray(entry(1, 2))
    bad[0:8] = bytes(8)
    leaves = [[entry(0, 1), bytes(bad)], LEAVES[1], LEAVES[2]]
    listing = listing_of(build(leaves=leaves))
    assert blk(1) not in keys(listing)
    assert messages(listing)[0] == (
        "hikbtree1: leaf 0x6000 counts 2 entries, entry 1 is not in use"
    )


def test_other_version_is_parsed_with_a_warning() -> None:
    listing = listing_of(build(version=b"HIK.2010.11.09"))
    assert messages(listing) == ["unverified layout: version HIK.2010.11.09"]
    assert len(listing.segments) == 6


def test_listing_reads_only_index_bytes() -> None:
    count, per_leaf, block_size = 64, 20, 1 << 20
    blocks = [entry(i, 1 + i % 4, size=block_size) for i in range(count)]
    leaves = [blocks[i : i + per_leaf] for i in range(0, count, per_leaf)]
    size = VIDEO + count * block_size
    head = bytearray(VIDEO)
    put(head, 0x200, master(size=size, block_count=count, block_size=block_size))
    for tree in (TREE1, TREE2):
        write_tree(head, tree, leaves)
    disk = DiskBytes(lambda offset, n: bytes(head[offset : offset + n]).ljust(n, b"\0"), size)
    listing = read_hikvision(disk)
    assert listing is not None
    assert listing.problems == []
    assert len(listing.segments) == count
    assert listing.segments[-1].extents == ((VIDEO + 63 * block_size, block_size),)
    assert listing.uncovered == []
    assert disk.bytes_read < 64 * 1024


def rats(time: int, major: int, minor: int, user: bytes = b"", ip: bytes = bytes(4)) -> bytes:
    return b"RATS" + struct.pack("<IIHH", 0x14, time, major, minor) + user.ljust(16, b"\0") + ip


def test_rats_records_are_read_from_the_log_area() -> None:
    img = build()
    log = rats(T0, 3, 0x70, b"admin", bytes([192, 168, 1, 20])) + rats(T0 + 5, 4, 0xA1)
    put(img, LOG + 0x40, log)
    records = read_rats_logs(DiskBytes.from_bytes(bytes(img)), listing_of(img))
    assert [(r.offset, r.major, r.minor, r.user, r.ip) for r in records] == [
        (LOG + 0x40, 3, 0x70, "admin", "192.168.1.20"),
        (LOG + 0x40 + 36, 4, 0xA1, None, None),
    ]
    assert records[0].time.raw == T0


def test_rats_records_past_the_log_area_are_not_read() -> None:
    img = build()
    put(img, LOG + LOG_SIZE + 0x10, rats(T0, 3, 0x50, b"admin"))
    assert read_rats_logs(DiskBytes.from_bytes(bytes(img)), listing_of(img)) == []


GOOD = bytes(build())
REGIONS = [(0x228, 0x300), (TREE1, TREE1 + 0x3100), (TREE2, TREE2 + 0x3100)]
POINTERS = [
    0,
    NO,
    0x7FFFFFFF,
    TREE1,
    TREE1 + 0x1000,
    *(leaf_at(TREE1, i) for i in range(3)),
    VIDEO,
    VIDEO + 7 * BLOCK + 1,
    len(GOOD) - 8,
    1 << 62,
]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_index_never_raises_and_stays_inside_the_image(data: st.DataObject) -> None:
    img = bytearray(GOOD)
    for _ in range(data.draw(st.integers(1, 24))):
        low, high = data.draw(st.sampled_from(REGIONS))
        at = data.draw(st.integers(low, high - 8))
        if data.draw(st.booleans()):
            img[at] = data.draw(st.integers(0, 255))
        else:
            at -= at % 8
            struct.pack_into("<Q", img, at, data.draw(st.sampled_from(POINTERS)))
    cut = data.draw(st.sampled_from([len(img), len(img) // 2, TREE2 + 0x2100, 0x400]))
    disk = DiskBytes.from_bytes(bytes(img[:cut]))
    listing = read_hikvision(disk)
    assert listing is not None
    for segment in listing.segments:
        assert all(disk.contains(offset, length) for offset, length in segment.extents)
    assert all(disk.contains(offset, length) for offset, length in listing.uncovered)
    read_rats_logs(disk, listing)


@pytest.mark.parametrize("offset", [0x10, 0x213, 0x1003], ids=["sector0", "odd", "page"])
def test_signature_outside_a_master_sector_position_is_ignored(offset: int) -> None:
    img = bytearray(0x4000)
    put(img, offset, b"HIKVISION@HANGZHOU")
    assert read_hikvision(DiskBytes.from_bytes(bytes(img))) is None
