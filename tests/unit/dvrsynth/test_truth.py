from __future__ import annotations

import pytest

from tests.dvrsynth.truth import (
    ExpectedSegment,
    Image,
    SynthDisk,
    filler,
    map_range,
    merge_extents,
)


def test_merge_extents_joins_only_touching_neighbours_in_order():
    assert merge_extents([(0, 4), (4, 4), (16, 2), (8, 1), (9, 0)]) == ((0, 8), (16, 2), (8, 1))


def test_map_range_follows_pieces_and_clips_both_ends():
    bases = [0x9000, 0x3000, 0x4000]
    assert map_range(bases, 0x1000, 0x400, 0x2800) == ((0x9400, 0xC00), (0x3000, 0x1800))


def test_image_refuses_overlap_and_writes_past_the_end():
    image = Image(16)
    assert image.put(4, b"abcd") == 8
    with pytest.raises(ValueError, match="overlaps"):
        image.put(6, b"xx")
    with pytest.raises(ValueError, match="outside"):
        image.put(14, b"xyz")
    image.put(6, b"XY", overwrite=True)
    assert image.bytes()[4:8] == b"abXY"


def test_filler_is_deterministic_and_holds_no_00_or_ff():
    noise = filler(1 << 16, 3)
    assert noise == filler(1 << 16, 3) != filler(1 << 16, 4)
    assert b"\x00" not in noise
    assert b"\xff" not in noise


def test_segment_reads_its_extents_in_play_order_and_disk_writes(tmp_path):
    segment = ExpectedSegment("v", 1, 0, 1, ((4, 2), (0, 2)), "k", "s", None, "key")
    assert segment.read(b"abcdef") == b"efab"
    assert (segment.offset, segment.length) == (4, 4)
    disk = SynthDisk(b"abcdef", [segment])
    assert disk.write(tmp_path / "d.img").read_bytes() == b"abcdef"
    assert disk.by_key() == {"key": segment}
