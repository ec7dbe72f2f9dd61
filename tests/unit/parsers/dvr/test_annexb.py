from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.dvr.containers import annexb
from parsers.dvr.containers.window import Window
from parsers.dvr.disk import DiskBytes
from tests.unit.parsers.dvr import carve_builders as cb


def window_of(data: bytes, chunk_size: int = 1 << 20) -> Window:
    disk = DiskBytes.from_bytes(data)
    return Window(disk, 0, disk.size, chunk_size=chunk_size)


@pytest.fixture(scope="session")
def h264() -> bytes:
    return cb.h264_stream()


@pytest.mark.parametrize(
    ("byte", "ok"),
    [
        (0x67, True),  # SPS, nal_ref_idc 3
        (0x07, False),  # SPS must be a reference
        (0x68, True),  # PPS
        (0x65, True),  # IDR
        (0x41, True),  # non-IDR slice
        (0x06, True),  # SEI
        (0x26, False),  # SEI with nal_ref_idc 1
        (0x09, True),  # AUD
        (0x00, False),  # type 0 is unspecified
        (0x78, False),  # type 24 is unspecified
        (0xE7, False),  # forbidden bit
    ],
    ids=lambda value: (
        f"{value:#04x}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
    ),
)
def test_h264_header_plausibility(byte: int, ok: bool) -> None:
    assert annexb.h264_header_ok(byte) is ok


@pytest.mark.parametrize(
    ("head", "ok"),
    [
        ("4001", True),  # VPS
        ("4201", True),  # SPS
        ("4401", True),  # PPS
        ("2601", True),  # IDR_W_RADL
        ("2a01", True),  # CRA
        ("0201", True),  # TRAIL_R
        ("0203", True),  # TRAIL_R at temporal id 2
        ("4002", False),  # VPS must have temporal id 0
        ("2602", False),  # IRAP must have temporal id 0
        ("4100", False),  # nuh_layer_id 32
        ("4009", False),  # nuh_layer_id 1
        ("0200", False),  # temporal_id_plus1 0
        ("1401", False),  # type 10 is reserved
        ("6001", False),  # type 48 is unspecified
        ("c001", False),  # forbidden bit
    ],
    ids=lambda value: str(value),
)
def test_hevc_header_plausibility(head: str, ok: bool) -> None:
    b0, b1 = bytes.fromhex(head)
    assert annexb.hevc_header_ok(b0, b1) is ok


def test_x264_stream_runs_to_its_last_unit(h264: bytes) -> None:
    data = h264 + bytes(100)
    run = annexb.scan_annexb(window_of(data), 1, len(data), floor=0)
    assert run is not None
    assert (run.offset, run.end, run.codec) == (0, len(h264), annexb.H264)
    assert run.n_idr == 3
    assert run.n_nals == 19  # 3 x (SPS, PPS, IDR) + the first SEI + 9 slices


def test_without_floor_the_run_starts_at_the_three_byte_start_code(h264: bytes) -> None:
    run = annexb.scan_annexb(window_of(h264 + bytes(8)), 1, len(h264) + 8)
    assert run is not None and run.offset == 1


def test_hevc_is_told_apart_by_its_parameter_sets() -> None:
    data = cb.hevc_stream() + bytes(16)
    window = window_of(data)
    assert annexb.stream_codec(window, 1, len(data)) == annexb.HEVC
    run = annexb.scan_annexb(window, 1, len(data), floor=0)
    assert run is not None
    assert (run.offset, run.end, run.codec, run.n_idr) == (0, len(data) - 16, annexb.HEVC, 1)


def test_h264_needs_pps_before_idr(h264: bytes) -> None:
    pps = h264.index(b"\x00\x00\x00\x01\x68")
    after = h264.index(b"\x00\x00\x01", pps + 5)
    data = h264[:pps] + h264[after:]
    assert annexb.scan_annexb(window_of(data), 1, len(data)) is None


def test_h264_must_start_with_sps(h264: bytes) -> None:
    pps = h264.index(b"\x00\x00\x00\x01\x68")
    assert annexb.stream_codec(window_of(h264), pps + 1, len(h264)) is None


def test_hevc_without_vps_is_no_stream() -> None:
    data = cb.hevc_stream()
    sps = data.index(b"\x00\x00\x00\x01\x42\x01")
    assert annexb.stream_codec(window_of(data), sps + 1, len(data)) is None


def test_run_ends_at_an_implausible_unit(h264: bytes) -> None:
    data = h264 + b"\x00\x00\x01\xba" + bytes(range(1, 200))
    run = annexb.scan_annexb(window_of(data), 1, len(data))
    assert run is not None and run.end == len(h264)


def test_run_ends_where_too_many_zeros_follow(h264: bytes) -> None:
    data = h264 + bytes(annexb.MAX_ZEROS + 10) + h264
    run = annexb.scan_annexb(window_of(data), 1, len(data))
    assert run is not None and run.end == len(h264)


def test_unit_longer_than_the_bound_ends_the_run(
    h264: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(annexb, "MAX_NAL", 5000)
    tail = b"\x00\x00\x01\x41" + bytes(range(1, 256)) * 40 + b"\x00\x00\x01\x41\x9a"
    data = h264 + tail
    run = annexb.scan_annexb(window_of(data), 1, len(data))
    assert run is not None and run.end == len(h264)


def test_last_unit_may_end_at_the_view_end(h264: bytes) -> None:
    run = annexb.scan_annexb(window_of(h264), 1, len(h264))
    assert run is not None and run.end == len(h264)


def test_chunked_reads_give_the_same_run(h264: bytes) -> None:
    data = h264 + bytes(32)
    whole = annexb.scan_annexb(window_of(data), 1, len(data), floor=0)
    small = annexb.scan_annexb(window_of(data, chunk_size=100), 1, len(data), floor=0)
    assert whole == small


def test_stop_bounds_the_run(h264: bytes) -> None:
    stop = len(h264) // 2
    run = annexb.scan_annexb(window_of(h264), 1, stop)
    assert run is not None and run.end <= stop


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32), flips=st.integers(0, 40), cut=st.integers(0, 40_000))
def test_mutated_streams_never_raise_and_stay_in_bounds(seed: int, flips: int, cut: int) -> None:
    rng = random.Random(seed)
    data = bytearray(cb.h264_stream() + cb.hevc_stream())[: max(cut, 8)]
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.choice((0, 1, rng.randrange(256)))
    window = window_of(bytes(data), chunk_size=rng.choice((64, 1000, 1 << 16)))
    starts = [at.start() for at in re.finditer(b"\x00\x00\x01", data)][:60]
    for offset in starts:
        run = annexb.scan_annexb(window, offset, len(data), floor=0)
        if run is not None:
            assert 0 <= run.offset <= offset < run.end <= len(data)


@settings(max_examples=200, deadline=None)
@given(head=st.sampled_from([b"\x67", b"\x27", b"\x40\x01"]), tail=st.binary(max_size=600))
def test_random_bytes_after_a_parameter_set_never_raise(head: bytes, tail: bytes) -> None:
    data = b"\x00\x00\x01" + head + tail
    run = annexb.scan_annexb(window_of(data), 0, len(data))
    assert run is None or 0 == run.offset < run.end <= len(data)
