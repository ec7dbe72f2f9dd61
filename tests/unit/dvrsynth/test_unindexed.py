from __future__ import annotations

import pytest

from parsers.dvr.model import CARVED, DHAV, H265, JPEG, MPEG_PS, STATUS_CARVED
from tests.dvrsynth.unindexed import GUARD, build_unindexed_disk
from tests.dvrsynth.video import HAS_H265, count_frames

MAGIC = {
    MPEG_PS: b"\x00\x00\x01\xba",
    DHAV: b"DHAV",
    "h264-annexb": b"\x00\x00\x00\x01",
    H265: b"\x00\x00\x00\x01",
    JPEG: b"\xff\xd8\xff",
}


@pytest.fixture(scope="module")
def disk():
    return build_unindexed_disk(interleave=True)


def test_deterministic_and_small(disk):
    assert build_unindexed_disk(interleave=True).data == disk.data
    assert len(disk.data) <= 16 << 20


def test_every_kind_is_planted(disk):
    kinds = [seg.kind for seg in disk.expected]
    assert kinds.count(MPEG_PS) == 2
    assert kinds.count(JPEG) == 2
    assert kinds.count("h264-annexb") == 1
    assert kinds.count(H265) == (1 if HAS_H265 else 0)
    assert {seg.channel for seg in disk.expected if seg.kind == DHAV} == {1, 2, 3, 4}
    assert {(seg.vendor, seg.status) for seg in disk.expected} == {(CARVED, STATUS_CARVED)}


def check_item(data: bytes, seg) -> None:
    for offset, length in seg.extents:
        assert offset >= 0
        assert offset + length <= len(data)
    assert data[seg.offset : seg.offset + len(MAGIC[seg.kind])] == MAGIC[seg.kind]
    assert count_frames(seg.read(data), seg.kind) == seg.n_frames
    if len(seg.extents) == 1:
        end = seg.offset + seg.length
        assert data[seg.offset - GUARD : seg.offset] == bytes(GUARD)
        assert data[end : end + GUARD] == bytes(GUARD)
        assert seg.kind == DHAV or data[end - 1] != 0


def test_items_sit_at_their_extents_and_decode(disk):
    for seg in disk.expected:
        check_item(disk.data, seg)


def test_no_stray_signatures_outside_the_planted_items(disk):
    data = bytearray(disk.data)
    for seg in disk.expected:
        for offset, length in seg.extents:
            data[offset : offset + length] = bytes(length)
    for magic in (b"\x00\x00\x01", b"DHAV", b"dhav", b"\xff\xd8", b"\xff\xd9"):
        assert bytes(data).find(magic) == -1, magic


def test_interleaved_channels_alternate_frame_by_frame(disk):
    two, three = [seg for seg in disk.expected if seg.channel in (2, 3)]
    assert len(two.extents) == len(three.extents) == 10
    assert sum(two.extents[0]) == three.extents[0][0]
    assert build_unindexed_disk().expected == disk.expected[:-2]
