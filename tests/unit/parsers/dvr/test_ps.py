from __future__ import annotations

import io
import random

import av
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.dvr.containers import ps
from parsers.dvr.disk import DiskBytes
from parsers.dvr.timeutil import hk44_time
from tests.unit.parsers.dvr import carve_builders as cb

# The first bytes of two real Hikvision recordings (published by
# yrambler2001/hikvision-ezviz-sdcard-video-extractor, mpegPsValidator.js; §2.8).
REAL_1 = bytes.fromhex(
    "000001BA5F6C4F8EF40107447FFEFFFF072DFBEC000001BB001283A23F04E17FE0E080C0C008BDE080BFE080"
    "000001BC005EF2FF0024400E484B0100194E4064A2DF00FFFFFF4112484B000102030405060708090A0B0C0D"
    "0E0F003024E0001C420E071010EA0A8005F0191000001C212A0A7FFF000007081FFE50BE90C0000C430A0140"
    "FE007D0303E803FF337DB994000001E0002A8C800927DB13E3BDFFFFFFFC0000000140010C03FFFF01600000"
    "03008000000300000300960000BDE048"
)
REAL_2 = bytes.fromhex(
    "000001BA441DEC421401028F63FEFFFF00001833000001BB00128147B104E17FE0E080C0C008BDE080BFE080"
    "000001BC005EFDFF0024400E484B000219765424E80F00FFFFFF4112484B000102030405060708090A0B0C0D"
    "0E0F003024E0001C420E071010EA0A0005A0111F00001C202A0A7FFF000007081FFE40B40FC0000C430A0090"
    "FE00FA0301F403FF3C99A1C2"
)


@pytest.fixture(scope="session")
def units() -> tuple[tuple[bytes, bool], ...]:
    return cb.h264_access_units()


@pytest.fixture(scope="session")
def stream(units: tuple[tuple[bytes, bool], ...]) -> bytes:
    return cb.ps_stream(units)


@pytest.mark.parametrize(
    ("sample", "counter", "wallclock", "size"),
    [
        (REAL_1, 0x072DFBEC, "2025-04-28T16:06:18.557", (2688, 1520)),
        (REAL_2, 0x1833, "2025-07-12T21:02:19.640", (2560, 1440)),
    ],
    ids=["sample1", "sample2"],
)
def test_real_hikvision_headers(
    sample: bytes, counter: int, wallclock: str, size: tuple[int, int]
) -> None:
    pack = ps.parse_pack(sample)
    assert pack is not None and (pack.length, pack.counter) == (20, counter)
    psm = ps.parse_psm(sample, sample.index(b"\x00\x00\x01\xbc"))
    assert psm is not None and psm.hk_time is not None
    assert hk44_time(psm.hk_time).wallclock == wallclock
    assert (psm.codec, psm.width, psm.height) == ("hevc", *size)


def test_real_pes_pts_equals_the_pack_scr() -> None:
    pack = ps.parse_pack(REAL_1)
    pes = ps.parse_pes(REAL_1, REAL_1.index(b"\x00\x00\x01\xe0"))
    assert pack is not None and pes is not None
    assert (pes.stream_id, pes.length, pes.pts) == (0xE0, 48, pack.scr)


@pytest.mark.parametrize(
    ("index", "value"),
    [(4, 0x21), (4, 0x5B), (6, 0x4B), (8, 0xF0), (9, 0x00), (12, 0x7C), (13, 0xFD)],
    ids=["mpeg1", "marker4", "marker6", "marker8", "marker9", "mux-markers", "stuffing-5"],
)
def test_pack_rejects_bad_marker_bits(index: int, value: int) -> None:
    data = bytearray(REAL_1)
    data[index] = value
    assert ps.parse_pack(bytes(data)) is None


def test_pack_stuffing_is_ff_or_hikvision_counter() -> None:
    assert ps.parse_pack(cb.pack_header(1234, None)) == ps.Pack(1234, 14, None)
    assert ps.parse_pack(cb.pack_header(1234, 77)) == ps.Pack(1234, 20, 77)
    bad = bytearray(cb.pack_header(1234, 77))
    bad[15] = 0x00  # stuffing must start FF FF
    assert ps.parse_pack(bytes(bad)) is None


def test_pack_scr_round_trips() -> None:
    for scr in (0, 1, 90_000, (1 << 33) - 1, 0x123456789):
        pack = ps.parse_pack(cb.pack_header(scr, None))
        assert pack is not None and pack.scr == scr


def test_psm_lengths_must_add_up() -> None:
    good = cb.psm(cb.hk44(2024, 1, 2, 3, 4, 5, 6))
    assert ps.parse_psm(good) is not None
    bad = bytearray(good)
    bad[9] += 1  # program_stream_info_length one too long
    assert ps.parse_psm(bytes(bad)) is None
    assert ps.parse_psm(good[:-1]) is None


def test_pes_rejects_mpeg1_syntax_and_bad_pts() -> None:
    packet = cb.pes(b"\x00\x00\x00\x01\x09\xf0", 4500)
    assert ps.parse_pes(packet) == ps.Pes(0xE0, len(packet), 4500)
    for index, value in ((6, 0x0C), (7, 0x40), (9, 0x10)):
        bad = bytearray(packet)
        bad[index] = value
        assert ps.parse_pes(bytes(bad)) is None


def test_walk_reads_the_whole_planted_stream(stream: bytes) -> None:
    disk = DiskBytes.from_bytes(bytes(100) + stream + bytes(100))
    run = ps.walk_ps(disk, 100)
    assert run is not None
    assert (run.offset, run.end, run.n_packs, run.stop_reason) == (
        100,
        100 + len(stream),
        12,
        "no start code",
    )
    assert run.first_time is not None and run.first_time.wallclock == "2025-04-28T16:06:18.000"
    assert run.last_time is not None and run.last_time.wallclock == "2025-04-28T16:06:18.320"
    assert (run.codec, run.width, run.height, run.n_video_pes) == ("h264", 64, 48, 13)
    assert run.last_pack == 100 + stream.rindex(b"\x00\x00\x01\xba")


def test_walk_result_decodes_with_pyav(stream: bytes) -> None:
    run = ps.walk_ps(DiskBytes.from_bytes(stream + b"junk"), 0)
    assert run is not None
    with av.open(io.BytesIO(stream[run.offset : run.end]), format="mpeg") as container:
        assert sum(1 for _ in container.decode(video=0)) == 12


def test_walk_stops_when_hk_time_goes_backwards(units: tuple[tuple[bytes, bool], ...]) -> None:
    first = cb.ps_stream(units, start_ms=5000, counter=None)
    second = cb.ps_stream(units, start_ms=0, counter=None, scr_start=10**6)
    run = ps.walk_ps(DiskBytes.from_bytes(first + second), 0)
    assert run is not None
    assert (run.end, run.stop_reason, run.n_packs) == (len(first), "hk time backwards", 12)
    assert run.last_pack == first.rindex(b"\x00\x00\x01\xba")


def test_walk_stops_when_the_pack_counter_goes_backwards(
    units: tuple[tuple[bytes, bool], ...],
) -> None:
    first = cb.ps_stream(units, counter=500)
    second = cb.ps_stream(units, start_ms=5000, counter=10, scr_start=10**6)
    run = ps.walk_ps(DiskBytes.from_bytes(first + second), 0)
    assert run is not None and (run.end, run.stop_reason) == (len(first), "pack counter backwards")


def test_walk_stops_when_scr_goes_backwards(units: tuple[tuple[bytes, bool], ...]) -> None:
    first = cb.ps_stream(units, counter=None)
    second = cb.pack_header(10, None) + cb.pes(b"\x00\x00\x01\x09\xf0", None)
    run = ps.walk_ps(DiskBytes.from_bytes(first + second), 0)
    assert run is not None and (run.end, run.stop_reason) == (len(first), "scr backwards")


def test_walk_keeps_the_program_end_code(stream: bytes) -> None:
    data = stream + b"\x00\x00\x01\xb9" + cb.pack_header(10**9, None)
    run = ps.walk_ps(DiskBytes.from_bytes(data), 0)
    assert run is not None and (run.end, run.stop_reason) == (len(stream) + 4, "end code")


def test_walk_ends_at_a_packet_boundary_before_the_bound(stream: bytes) -> None:
    bound = len(stream) // 2
    run = ps.walk_ps(DiskBytes.from_bytes(stream), 0, end=bound)
    assert run is not None and run.end <= bound and run.stop_reason == "bound"
    assert stream[run.end : run.end + 3] == b"\x00\x00\x01"


def test_walk_reads_in_bounded_chunks(stream: bytes) -> None:
    sizes: list[int] = []

    def read(offset: int, size: int) -> bytes:
        sizes.append(size)
        return stream[offset : offset + size]

    run = ps.walk_ps(DiskBytes(read, len(stream)), 0, chunk_size=4096)
    assert run is not None and run.end == len(stream)
    assert max(sizes) <= 4096 and len(sizes) > 5


def test_imkh_header_then_pack_within_64_bytes(stream: bytes) -> None:
    data = b"IMKH" + bytes(range(1, 37)) + stream
    run = ps.walk_ps(DiskBytes.from_bytes(data), 0)
    assert run is not None
    assert (run.offset, run.end, run.has_imkh, run.n_packs) == (0, len(data), True, 12)


def test_imkh_without_a_pack_nearby_is_no_run(stream: bytes) -> None:
    data = b"IMKH" + bytes(range(1, 101)) + stream
    assert ps.walk_ps(DiskBytes.from_bytes(data), 0) is None


def test_no_run_without_a_valid_first_pack(stream: bytes) -> None:
    assert ps.walk_ps(DiskBytes.from_bytes(stream), 1) is None
    assert ps.walk_ps(DiskBytes.from_bytes(stream[:10]), 0) is None


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32), flips=st.integers(0, 60), cut=st.integers(14, 40_000))
def test_mutated_streams_never_raise_and_stay_in_bounds(seed: int, flips: int, cut: int) -> None:
    rng = random.Random(seed)
    data = bytearray(cb.ps_stream(cb.h264_access_units()) + REAL_1 + REAL_2)[:cut]
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    disk = DiskBytes.from_bytes(bytes(data))
    end = rng.randrange(len(data) + 1)
    for offset in [0, *(rng.randrange(len(data)) for _ in range(5))]:
        run = ps.walk_ps(disk, offset, end=end, chunk_size=rng.choice((64, 1000, 1 << 16)))
        if run is not None:
            assert offset == run.offset <= run.end <= max(end, offset)
            assert disk.contains(run.offset, run.length)


@settings(max_examples=200, deadline=None)
@given(tail=st.binary(max_size=400))
def test_random_bytes_after_a_pack_never_raise(tail: bytes) -> None:
    data = cb.pack_header(1000, 5) + tail
    run = ps.walk_ps(DiskBytes.from_bytes(data), 0)
    assert run is not None and 0 == run.offset < run.end <= len(data)
    assert ps.parse_psm(b"\x00\x00\x01\xbc" + tail) is None or len(tail) >= 12
    ps.parse_pes(b"\x00\x00\x01\xe0" + tail)
