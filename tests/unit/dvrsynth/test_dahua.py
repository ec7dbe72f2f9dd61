from __future__ import annotations

import struct

import pytest

from parsers.dvr.model import CARVED, COMPLETE, DHAV, DIRTY, STATUS_CARVED
from tests.dvrsynth.dahua import CLUSTER, DATA, DESCRIPTORS, build_dhfs_disk
from tests.dvrsynth.video import count_frames

SECTOR = 512


def u(fmt: str, data: bytes, at: int) -> int:
    return struct.unpack_from(fmt, data, at)[0]


def partitions(data: bytes) -> list[tuple[int, int, int]]:
    """(start sector, length, boot offset) from the table at 0x3C00."""
    out, entry = [], 0x3C40
    while True:
        out.append(
            (u("<Q", data, entry + 0x24), u("<I", data, entry + 0x2C), u("<I", data, entry + 8))
        )
        if u("<I", data, entry + 0x34) == 0x55AA55AA:
            return out
        entry += 64


def descriptor(data: bytes, start: int, cid: int) -> tuple[int, ...]:
    return struct.unpack_from("<BBHIIIIII", data, (start + DESCRIPTORS) * SECTOR + 32 * cid)


def cluster(start: int, cid: int) -> int:
    return (start + DATA + 8 * cid) * SECTOR


@pytest.fixture(scope="module")
def disk():
    return build_dhfs_disk()


def test_deterministic_and_small(disk):
    assert build_dhfs_disk().data == disk.data
    assert len(disk.data) <= 16 << 20


def test_signature_partition_table_and_boot_sectors(disk):
    data = disk.data
    assert data[:7] == b"DHFS4.1"
    parts = partitions(data)
    assert [(start, length) for start, length, _ in parts] == disk.notes["partitions"]
    assert u("<I", data, 0x3C40 + 0x34) != 0x55AA55AA
    for (start, _, boot_offset), count in zip(parts, disk.notes["n_clusters"], strict=True):
        boot = data[(start + boot_offset) * SECTOR : (start + boot_offset + 1) * SECTOR]
        assert struct.unpack_from("<II", boot, 0x2C) == (512, 8)
        assert struct.unpack_from("<III", boot, 0x44) == (DESCRIPTORS, DATA, count)
        assert u("<I", boot, 0x148) == 0x55AA55AA
        assert u("<I", boot, 0x10) < u("<I", boot, 0x14)
        spare = u("<I", boot, 0xF0)
        assert data[(start + spare) * SECTOR : (start + spare + 1) * SECTOR] == boot
        logs = (start + u("<I", boot, 0xF8)) * SECTOR
        assert u("<I", data, logs + 0x1FC) == 0x55AA55AA
        length = u("<I", data, logs)
        assert data[logs + 1024 : logs + 1024 + length].decode().count("\n") == u(
            "<I", data, logs + 8
        )


def test_live_chains_follow_the_descriptor_rules(disk):
    data = disk.data
    starts = [start for start, _ in disk.notes["partitions"]]
    for key, chain in disk.notes["chains"].items():
        part = int(key.split(":")[1][1:])
        seg = disk.by_key()[key]
        main = descriptor(data, starts[part], chain[0])
        if seg.status == DIRTY:
            assert main[0] in (0xFE, 0x00)
        else:
            kind, channel_byte, count, start, end, nxt, last, prev, owner = main
            assert (kind, count, nxt, prev, owner) == (1, len(chain) - 1, chain[1], 0, chain[0])
            assert (channel_byte & 0x0F) + 1 == seg.channel == channel_byte - 0x30 + 1
            assert (start, end) == (seg.start_raw, seg.end_raw)
            end_of_stream = cluster(starts[part], chain[-1]) + last * SECTOR
            assert sum(seg.extents[-1]) == end_of_stream
        for number, cid in enumerate(chain[1:], start=1):
            kind, _, index, _, _, nxt, _, prev, owner = descriptor(data, starts[part], cid)
            assert (kind, index, prev, owner) == (2, number, chain[number - 1], chain[0])
            assert nxt == (chain[number + 1] if number + 1 < len(chain) else 0)
        assert 0 not in chain


def test_chains_are_fragmented_and_out_of_order(disk):
    chain = disk.notes["chains"]["dhfs:p0:c9"]
    assert chain != sorted(chain)
    assert len(disk.by_key()["dhfs:p0:c9"].extents) < len(chain)  # some neighbours merge


def test_dhii_entry_zero_gives_the_first_frame(disk):
    data = disk.data
    start = disk.notes["partitions"][0][0]
    for key, lead in (("dhfs:p0:c9", 0x400), ("dhfs:p0:c40", CLUSTER)):
        main = cluster(start, disk.notes["chains"][key][0])
        assert data[main : main + 4] == b"DHII"
        assert u("<I", data, main + 0x40) == lead
        assert u("<I", data, main + 0x14) == u("<I", data, main + 0x18) > 0
    stale = cluster(start, 40)
    assert b"DHAV" not in data[stale : stale + CLUSTER]
    assert disk.by_key()["dhfs:p0:c40"].offset == cluster(start, 41)


def test_expected_segments_decode(disk):
    data = disk.data
    for seg in disk.expected:
        assert all(offset >= 0 and offset + length <= len(data) for offset, length in seg.extents)
        assert seg.kind == DHAV
        if seg.status == DIRTY:
            assert seg.n_frames is None
            assert b"DHAV" in seg.read(data)
            continue
        assert data[seg.offset : seg.offset + 4] == b"DHAV"
        assert count_frames(seg.read(data), DHAV) == seg.n_frames
        assert seg.status in (COMPLETE, STATUS_CARVED)


def test_old_clips_sit_in_free_clusters(disk):
    data = disk.data
    carved = [seg for seg in disk.expected if seg.status == STATUS_CARVED]
    assert len(carved) == 2
    for seg, (start, _) in zip(carved, disk.notes["partitions"], strict=True):
        assert seg.vendor == CARVED
        first = (seg.offset - cluster(start, 0)) // CLUSTER
        last = (seg.offset + seg.length - 1 - cluster(start, 0)) // CLUSTER
        markers = {descriptor(data, start, cid)[0] for cid in range(first, last + 1)}
        assert markers <= {0xFE, 0x00}
    assert {descriptor(data, start, 1)[0] for start, _ in disk.notes["partitions"]} == {0xFE, 0x00}
