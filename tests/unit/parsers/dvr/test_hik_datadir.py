"""Hikvision SD-card/NAS ``index00.bin`` parsing and mapping onto container extents."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.dvr.hik_datadir import (
    datadir_segments,
    hiv_file_number,
    is_index_name,
    parse_index00,
)
from parsers.dvr.model import COMPLETE, HIK_DATADIR, MPEG_PS

T0 = 1_745_856_378


def header(av_files: int) -> bytes:
    return struct.pack("<QIIII", 7, 1, av_files, 2, 1).ljust(1280, b"\0")


def file_record(file_no: int, channel: int = 1) -> bytes:
    return struct.pack("<IHHIIBxH4x8x", file_no, channel, 2, T0, T0 + 600, 1, 0)


def segment(start: int, end: int, first: int, last: int) -> bytes:
    raw = struct.pack("<BB2x4xQQQIIII", 1, 0, start, end, start, 0, 0, first, last)
    return raw.ljust(80, b"\0")


def index(files: list[bytes], slots: dict[tuple[int, int], bytes]) -> bytes:
    area = bytearray(80 * 256 * len(files))
    for (file_index, slot), raw in slots.items():
        at = 80 * (256 * file_index + slot)
        area[at : at + 80] = raw
    return header(len(files)) + b"".join(files) + bytes(area)


GOOD = index(
    [file_record(0, 1), file_record(1, 2)],
    {
        (0, 0): segment(T0, T0 + 60, 0, 4000),
        (0, 1): segment((0xABCD << 32) | (T0 + 60), T0 + 120, 4000, 9000),
        (1, 0): segment(T0 + 200, T0 + 300, 100, 600),
    },
)
EXTENTS = {0: [(10_000, 3000), (20_000, 3000), (23_000, 4000)], 1: [(50_000, 1000)]}
DISK = 100_000


def test_index_records_are_read_and_empty_slots_skipped() -> None:
    parsed = parse_index00(GOOD)
    assert parsed.problems == ()
    assert parsed.header is not None and parsed.header.av_files == 2
    assert [(f.index, f.file_no, f.channel, f.start) for f in parsed.files] == [
        (0, 0, 1, T0),
        (1, 1, 2, T0),
    ]
    assert [(s.file_index, s.slot, s.start_offset, s.end_offset) for s in parsed.segments] == [
        (0, 0, 0, 4000),
        (0, 1, 4000, 9000),
        (1, 0, 100, 600),
    ]
    assert parsed.segments[1].record_offset == 1280 + 64 + 80


def test_segments_map_across_file_extents_and_merge_contiguous_runs() -> None:
    segments, problems = datadir_segments(parse_index00(GOOD), EXTENTS, disk_size=DISK)
    assert problems == []
    assert [s.key for s in segments] == [
        "hikdir:f00000:s000",
        "hikdir:f00000:s001",
        "hikdir:f00001:s000",
    ]
    assert segments[0].extents == ((10_000, 3000), (20_000, 1000))
    assert segments[1].extents == ((21_000, 5000),)
    assert segments[2].extents == ((50_100, 500),)
    first = segments[0]
    assert (first.vendor, first.source, first.kind, first.status, first.channel) == (
        HIK_DATADIR,
        "index00",
        MPEG_PS,
        COMPLETE,
        1,
    )
    assert segments[2].channel == 2
    assert segments[1].start is not None and segments[1].start.raw == T0 + 60
    assert segments[0].start is not None and segments[0].start.wallclock == "2025-04-28T16:06:18"


def test_missing_container_drops_its_segments_with_a_problem() -> None:
    segments, problems = datadir_segments(parse_index00(GOOD), {0: EXTENTS[0]}, disk_size=DISK)
    assert [s.key for s in segments] == ["hikdir:f00000:s000", "hikdir:f00000:s001"]
    assert [p.message for p in problems] == ["hikdir:f00001:s000: hiv00001.mp4 is missing"]


def test_range_past_the_container_is_clipped() -> None:
    short = {0: EXTENTS[0], 1: [(50_000, 300)]}
    segments, problems = datadir_segments(parse_index00(GOOD), short, disk_size=DISK)
    assert segments[2].extents == ((50_100, 200),)
    assert segments[2].notes == ("clipped at the container end",)
    assert [p.message for p in problems] == [
        "hikdir:f00001:s000: range ends at 600, past the container's 300 bytes"
    ]


def test_extents_past_the_image_are_clipped() -> None:
    segments, problems = datadir_segments(parse_index00(GOOD), EXTENTS, disk_size=50_300)
    assert segments[2].extents == ((50_100, 200),)
    assert segments[2].notes == ("clipped at the image end",)
    assert [p.message for p in problems] == [
        "hikdir:f00001:s000: part of the range lies outside the image"
    ]


def test_unused_channel_reads_as_unknown() -> None:
    data = index([file_record(0, 0xFFFF)], {(0, 3): segment(T0, T0 + 1, 0, 10)})
    segments, problems = datadir_segments(parse_index00(data), {0: [(0, 100)]}, disk_size=100)
    assert problems == []
    assert segments[0].channel is None
    assert segments[0].key == "hikdir:f00000:s003"


def test_reversed_range_is_a_problem() -> None:
    data = index([file_record(0)], {(0, 0): segment(T0, T0 + 1, 50, 10)})
    segments, problems = datadir_segments(parse_index00(data), {0: [(0, 100)]}, disk_size=100)
    assert segments == []
    assert [p.message for p in problems] == [
        "hikdir:f00000:s000: empty or reversed byte range [50, 10) in the container"
    ]


def test_short_file_has_no_header() -> None:
    parsed = parse_index00(b"\0" * 100)
    assert parsed.header is None
    assert [p.message for p in parsed.problems] == [
        "index00.bin is 100 bytes, shorter than its header"
    ]


def test_truncated_segment_area_keeps_what_is_readable() -> None:
    parsed = parse_index00(GOOD[: 1280 + 64 + 80 * 2 + 40])
    assert [s.slot for s in parsed.segments] == [0, 1]
    assert [p.message for p in parsed.problems] == [
        "index00.bin ends inside the segments of file 0"
    ]


def test_huge_file_count_is_bounded_by_the_data() -> None:
    data = bytearray(GOOD)
    struct.pack_into("<I", data, 12, 0xFFFFFFFF)
    parsed = parse_index00(bytes(data))
    assert parsed.segments == ()
    assert parsed.problems[0].message.startswith("index00.bin declares 4294967295 files")


def test_problems_of_the_index_come_first_in_the_mapping() -> None:
    parsed = parse_index00(GOOD[: 1280 + 64 + 80 * 2 + 40])
    _, problems = datadir_segments(parsed, EXTENTS, disk_size=DISK)
    assert [p.message for p in problems] == ["index00.bin ends inside the segments of file 0"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("index00.bin", True),
        ("INDEX01.BIN", True),
        ("datadir0/index00.bin", True),
        ("index00p.bin", False),
        ("index00.bin.bak", False),
        ("hiv00000.mp4", False),
    ],
    ids=["index00", "upper", "path", "pictures", "suffix", "video"],
)
def test_index_names(name: str, expected: bool) -> None:
    assert is_index_name(name) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("hiv00012.mp4", 12),
        ("HIV00000.MP4", 0),
        ("datadir1\\hiv00345.mp4", 345),
        ("hiv0012.mp4", None),
        ("hiv00012.pic", None),
    ],
    ids=["plain", "upper", "path", "short", "picture"],
)
def test_hiv_file_numbers(name: str, expected: int | None) -> None:
    assert hiv_file_number(name) == expected


extent_lists = st.lists(
    st.tuples(st.integers(-10, 120_000), st.integers(-5, 40_000)), min_size=0, max_size=5
)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_mutated_index_never_raises_and_stays_inside_the_image(data: st.DataObject) -> None:
    raw = bytearray(GOOD)
    for _ in range(data.draw(st.integers(0, 16))):
        at = data.draw(st.one_of(st.integers(0, 1400), st.integers(0, len(raw) - 1)))
        raw[at] = data.draw(st.integers(0, 255))
    raw = raw[: data.draw(st.integers(0, len(raw)))]
    extents = data.draw(st.dictionaries(st.integers(0, 3), extent_lists, max_size=3))
    disk_size = data.draw(st.integers(0, 120_000))
    segments, _ = datadir_segments(parse_index00(bytes(raw)), extents, disk_size=disk_size)
    for seg in segments:
        assert seg.extents
        assert all(
            off >= 0 and length > 0 and off + length <= disk_size for off, length in seg.extents
        )
