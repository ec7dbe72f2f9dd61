from __future__ import annotations

import functools
import io
import itertools
import random

import av
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.dvr import model
from parsers.dvr.carve import OVERLAP, carve
from parsers.dvr.disk import DiskBytes
from parsers.dvr.timeutil import pack_dhfs
from tests.unit.parsers.dvr import carve_builders as cb

PS_AT, DHAV_AT, PAIR_AT, JPEG_AT = 0x1000, 0x20000, 0x40000, 0x60000
H264_AT, HEVC_AT, IMKH_AT = 0x70000, 0x7A000, 0x7C000
SIZE = 0x90000


def _plant(image: bytearray, offset: int, data: bytes) -> tuple[int, int]:
    image[offset : offset + len(data)] = data
    return offset, len(data)


@functools.cache
def planted() -> tuple[bytes, dict[str, tuple[tuple[int, int], ...]]]:
    """A random-filled image with one item of each kind; the expected extents by key."""
    units = cb.h264_access_units()
    image = bytearray(random.Random(7).randbytes(SIZE))
    channel_1, channel_2 = cb.dhav_stream(units[:8]), cb.dhav_stream(units[:8], channel=1)
    pair = [frame for two in zip(channel_1, channel_2, strict=True) for frame in two]
    pair_offsets = [PAIR_AT + sum(map(len, pair[:i])) for i in range(len(pair))]
    expected = {
        f"carve:mpeg-ps:{PS_AT:#x}": (_plant(image, PS_AT, cb.ps_stream(units)),),
        f"carve:dhav:{DHAV_AT:#x}": (_plant(image, DHAV_AT, b"".join(cb.dhav_stream(units))),),
        f"carve:dhav:{PAIR_AT:#x}": tuple(zip(pair_offsets[::2], map(len, pair[::2]), strict=True)),
        f"carve:dhav:{pair_offsets[1]:#x}": tuple(
            zip(pair_offsets[1::2], map(len, pair[1::2]), strict=True)
        ),
        f"carve:jpeg:{JPEG_AT:#x}": (_plant(image, JPEG_AT, cb.jpeg_image()),),
        f"carve:h264-annexb:{H264_AT:#x}": (_plant(image, H264_AT, cb.h264_stream() + bytes(64)),),
        f"carve:h265-annexb:{HEVC_AT:#x}": (_plant(image, HEVC_AT, cb.hevc_stream() + bytes(64)),),
        f"carve:mpeg-ps:{IMKH_AT:#x}": (
            _plant(image, IMKH_AT, b"IMKH" + bytes(range(1, 37)) + cb.ps_stream(units[:4])),
        ),
    }
    _plant(image, PAIR_AT, b"".join(pair))
    for key in ("h264-annexb", "h265-annexb"):  # the trailing zeros are not part of the stream
        name = next(name for name in expected if key in name)
        (offset, length), *_ = expected[name]
        expected[name] = ((offset, length - 64),)
    return bytes(image), expected


@pytest.mark.parametrize("chunk_size", [4096, 5000, 1 << 20], ids=["4k", "5000", "1m"])
def test_planted_items_are_found_with_exact_extents(chunk_size: int) -> None:
    image, expected = planted()
    result = carve(DiskBytes.from_bytes(image), [(0, len(image))], chunk_size=chunk_size)
    assert {segment.key: segment.extents for segment in result.segments} == expected
    assert result.problems == []
    assert result.bytes_scanned == len(image)


def test_segment_fields() -> None:
    image, _ = planted()
    by_kind: dict[str, list[model.Segment]] = {}
    for segment in carve(DiskBytes.from_bytes(image), [(0, len(image))]).segments:
        assert (segment.vendor, segment.source, segment.status) == ("carved", "carve", "carved")
        assert segment.kind in model.KINDS
        by_kind.setdefault(segment.kind, []).append(segment)
    ps_run, imkh_run = by_kind[model.MPEG_PS]
    assert ps_run.start is not None and ps_run.start.wallclock == "2025-04-28T16:06:18.000"
    assert ps_run.end is not None and ps_run.end.wallclock == "2025-04-28T16:06:18.320"
    assert ps_run.channel is None and "h264 64x48" in ps_run.notes
    assert "IMKH header" in imkh_run.notes
    single, first, second = by_kind[model.DHAV]
    assert (single.channel, first.channel, second.channel) == (1, 1, 2)
    assert single.start is not None and single.start.wallclock == "2024-03-05T10:20:30"
    assert single.end is not None and single.end.wallclock == "2024-03-05T10:20:32"
    for kind in (model.JPEG, model.H264, model.H265):
        (segment,) = by_kind[kind]
        assert (segment.channel, segment.start, segment.end) == (None, None, None)


def test_carved_dhav_clip_and_ps_run_decode_with_pyav() -> None:
    image, _ = planted()
    segments = carve(DiskBytes.from_bytes(image), [(0, len(image))]).segments
    for key, fmt, frames in (
        (f"carve:dhav:{PAIR_AT:#x}", "dhav", 8),
        (f"carve:mpeg-ps:{PS_AT:#x}", "mpeg", 12),
    ):
        (segment,) = [s for s in segments if s.key == key]
        data = b"".join(image[offset : offset + length] for offset, length in segment.extents)
        with av.open(io.BytesIO(data), format=fmt) as container:
            assert sum(1 for _ in container.decode(video=0)) == frames


def _dhav_image(frames: list[bytes]) -> DiskBytes:
    return DiskBytes.from_bytes(bytes(64) + b"".join(frames) + bytes(64))


def test_dhav_time_jump_splits_a_channel_into_two_clips() -> None:
    units = cb.h264_access_units()
    frames = cb.dhav_stream(units[:4], second=10) + cb.dhav_stream(units[4:8], second=13)
    clips = carve(_dhav_image(frames), [(0, 64 + sum(map(len, frames)) + 64)]).segments
    assert [clip.extents for clip in clips] == [
        ((64, sum(map(len, frames[:4]))),),
        ((64 + sum(map(len, frames[:4])), sum(map(len, frames[4:]))),),
    ]


def test_dhav_date_going_back_splits_and_mixed_frame_types_stay_together() -> None:
    units = cb.h264_access_units()
    audio = cb.dhav_frame(b"\xd5" * 64, kind=0xF0, date=pack_dhfs(2024, 3, 5, 10, 20, 31))
    frames = [*cb.dhav_stream(units[:4], second=30), audio, *cb.dhav_stream(units[4:8], second=20)]
    clips = carve(_dhav_image(frames), [(0, 64 + sum(map(len, frames)) + 64)]).segments
    assert [clip.length for clip in clips] == [sum(map(len, frames[:5])), sum(map(len, frames[5:]))]
    assert "5 frames" in clips[0].notes


def test_ranges_bound_the_items() -> None:
    image, expected = planted()
    disk = DiskBytes.from_bytes(image)
    ((ps_offset, ps_length),) = expected[f"carve:mpeg-ps:{PS_AT:#x}"]
    cut = ps_offset + ps_length // 2
    result = carve(disk, [(0, cut), (DHAV_AT, 0x100), (JPEG_AT - 16, 0x10000)])
    assert [segment.key for segment in result.segments] == [
        f"carve:mpeg-ps:{PS_AT:#x}",
        f"carve:jpeg:{JPEG_AT:#x}",
    ]
    (extent,) = result.segments[0].extents
    assert extent[0] == ps_offset and sum(extent) <= cut
    assert result.bytes_scanned == cut + 0x100 + 0x10000


def test_ranges_outside_the_disk_or_overlapping_are_clipped_with_problems() -> None:
    image, _ = planted()
    disk = DiskBytes.from_bytes(image)
    result = carve(disk, [(JPEG_AT - 16, 0x20000), (JPEG_AT, 0x100), (SIZE - 16, 64), (-5, 3)])
    assert len([s for s in result.segments if s.kind == model.JPEG]) == 1
    assert [problem.offset for problem in result.problems] == [-5, JPEG_AT, SIZE - 16]
    assert all(disk.contains(segment.offset, segment.length) for segment in result.segments)


@pytest.mark.parametrize("fill", ["random", "zeros"], ids=["random", "zeros"])
def test_no_items_in_random_or_zero_bytes(fill: str) -> None:
    size = 4 << 20
    data = random.Random(20260).randbytes(size) if fill == "random" else bytes(size)
    result = carve(DiskBytes.from_bytes(data), [(0, size)])
    assert (result.segments, result.problems, result.bytes_scanned) == ([], [], size)


def test_reads_are_bounded_by_the_chunk_size() -> None:
    image, _ = planted()
    sizes: list[int] = []

    def read(offset: int, size: int) -> bytes:
        sizes.append(size)
        return image[offset : offset + size]

    result = carve(DiskBytes(read, len(image)), [(0, len(image))], chunk_size=65536)
    assert len(result.segments) == 8
    assert max(sizes) <= 65536 + OVERLAP
    assert sum(sizes) < 3 * len(image)


def test_max_item_cuts_a_long_run_into_contiguous_pieces() -> None:
    image, expected = planted()
    ((ps_offset, ps_length),) = expected[f"carve:mpeg-ps:{PS_AT:#x}"]
    result = carve(DiskBytes.from_bytes(image), [(ps_offset, ps_length)], max_item=10_000)
    extents = [segment.extents[0] for segment in result.segments]
    assert len(extents) >= 4 and all(length <= 10_000 for _, length in extents)
    assert [offset for offset, _ in extents] == [ps_offset] + [sum(e) for e in extents[:-1]]
    assert sum(extents[-1]) == ps_offset + ps_length
    assert all("cut at the item size bound" in s.notes[-1] for s in result.segments[:-1])
    assert "cut" not in result.segments[-1].notes[-1]


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    flips=st.integers(0, 300),
    cuts=st.lists(st.integers(0, SIZE), min_size=0, max_size=6),
    chunk_size=st.sampled_from([4096, 20_000, 1 << 20]),
)
def test_mutated_images_never_raise_and_extents_stay_in_their_ranges(
    seed: int, flips: int, cuts: list[int], chunk_size: int
) -> None:
    rng = random.Random(seed)
    image = bytearray(planted()[0])
    for _ in range(flips):
        image[rng.randrange(SIZE)] = rng.choice((0, 1, 0xFF, rng.randrange(256)))
    for _ in range(rng.randrange(4)):  # shift the bytes after a random point
        at, width = rng.randrange(SIZE), rng.randrange(1, 5000)
        image[at:] = rng.randbytes(rng.randrange(9)) + image[at + width :] + bytes(width)
    del image[SIZE:]
    image.extend(bytes(SIZE - len(image)))
    disk = DiskBytes.from_bytes(bytes(image))
    bounds = sorted({0, SIZE, *cuts})
    ranges = [(a, b - a) for a, b in itertools.pairwise(bounds)] or [(0, SIZE)]
    result = carve(disk, ranges, chunk_size=chunk_size)
    assert result.problems == []
    keys = [segment.key for segment in result.segments]
    assert len(keys) == len(set(keys))
    covered = sorted(extent for segment in result.segments for extent in segment.extents)
    for (offset, length), following in zip(covered, [*covered[1:], (SIZE, 0)], strict=True):
        assert disk.contains(offset, length) and length > 0
        assert offset + length <= following[0]  # no byte is carved twice
        assert any(a <= offset and offset + length <= a + n for a, n in ranges)
