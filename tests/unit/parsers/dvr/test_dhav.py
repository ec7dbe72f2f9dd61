from __future__ import annotations

import io
import itertools
import random
import struct

import av
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.dvr.containers import dhav
from parsers.dvr.containers.window import Window
from parsers.dvr.disk import DiskBytes
from parsers.dvr.timeutil import pack_dhfs
from tests.unit.parsers.dvr import carve_builders as cb

PAYLOAD = b"\x00\x00\x00\x01\x65" + bytes(range(1, 60))


def read(data: bytes, offset: int = 0) -> dhav.DhavFrame | None:
    disk = DiskBytes.from_bytes(data)
    return dhav.read_frame(Window(disk, 0, disk.size), offset, disk.size)


@pytest.fixture(scope="session")
def frames() -> list[bytes]:
    return cb.dhav_stream(cb.h264_access_units())


def test_frame_fields() -> None:
    date = pack_dhfs(2020, 4, 12, 10, 13, 54)
    data = cb.dhav_frame(
        PAYLOAD, kind=0xFD, channel=3, seq=77, date=date, ms=999, ext=cb.video_ext(15)
    )
    frame = read(bytes(5) + data, 5)
    assert frame is not None
    assert (frame.offset, frame.length, frame.end) == (5, len(data), 5 + len(data))
    assert (frame.type, frame.channel, frame.seq, frame.ms) == (0xFD, 4, 77, 999)
    assert frame.time.wallclock == "2020-04-12T10:13:54"
    assert frame.video == dhav.VideoInfo(64, 48, "h264", 15)
    assert frame.payload_offset == 5 + 24 + 8


def test_extension_0x82_gives_exact_size_and_unknown_tags_stop_the_walk() -> None:
    ext = bytes((0x82, 0, 0, 0x80, 0x07, 0x38, 0x04, 0)) + bytes((0x81, 0, 0x0C, 30))
    assert dhav.parse_extensions(ext) == dhav.VideoInfo(1920, 1080, "hevc", 30)
    assert dhav.parse_extensions(bytes((0x77, 1, 2, 3)) + ext) == dhav.VideoInfo()


def test_audio_frame_needs_no_start_code() -> None:
    frame = read(cb.dhav_frame(b"\xd5" * 320, kind=0xF0))
    assert frame is not None and frame.type == 0xF0 and frame.video == dhav.VideoInfo()


def _mutated(index: int, value: bytes) -> bytes:
    data = bytearray(cb.dhav_frame(PAYLOAD))
    data[index : index + len(value)] = value
    return bytes(data)


@pytest.mark.parametrize(
    "data",
    [
        _mutated(4, b"\xfe"),  # unknown frame type
        _mutated(16, struct.pack("<I", pack_dhfs(2020, 13, 1, 0, 0, 0))),  # month 13
        _mutated(16, struct.pack("<I", pack_dhfs(2021, 2, 30, 0, 0, 0))),  # 30 February
        _mutated(12, struct.pack("<I", 31)),  # shorter than header + trailer
        _mutated(12, struct.pack("<I", (16 << 20) + 1)),  # over the 16 MiB bound
        _mutated(-8, b"DHAV"),  # trailer magic
        _mutated(-4, struct.pack("<I", 1)),  # trailer length disagrees
        cb.dhav_frame(b"\x65" + bytes(range(1, 60))),  # video payload without start code
        cb.dhav_frame(PAYLOAD)[:-1],  # truncated
    ],
    ids=[
        "type",
        "month",
        "day",
        "too-short",
        "too-long",
        "trailer-magic",
        "trailer-length",
        "no-start-code",
        "truncated",
    ],
)
def test_invalid_frames_are_rejected(data: bytes) -> None:
    assert read(data) is None


def test_chain_is_the_contiguous_valid_frames(frames: list[bytes]) -> None:
    data = b"".join(frames)
    chain = dhav.walk_dhav(DiskBytes.from_bytes(data + b"DHAV" + bytes(40)), 0)
    assert [frame.offset for frame in chain] == [sum(map(len, frames[:i])) for i in range(12)]
    assert chain[-1].end == len(data)
    assert [frame.seq for frame in chain] == list(range(12))


def test_chain_stops_at_the_end_bound(frames: list[bytes]) -> None:
    data = b"".join(frames)
    chain = dhav.walk_dhav(DiskBytes.from_bytes(data), 0, end=len(data) - 1)
    assert len(chain) == 11 and chain[-1].end <= len(data) - 1


def test_chain_reads_in_bounded_chunks(frames: list[bytes]) -> None:
    data = b"".join(frames)
    sizes: list[int] = []

    def read_at(offset: int, size: int) -> bytes:
        sizes.append(size)
        return data[offset : offset + size]

    assert len(dhav.walk_dhav(DiskBytes(read_at, len(data)), 0, chunk_size=2048)) == 12
    assert max(sizes) <= 2048


def test_pyav_dhav_demuxer_agrees(frames: list[bytes]) -> None:
    with av.open(io.BytesIO(b"".join(frames)), format="dhav") as container:
        assert sum(1 for _ in container.decode(video=0)) == 12


def test_date_seconds_measures_steps() -> None:
    before = dhav.date_seconds(pack_dhfs(2024, 2, 28, 23, 59, 59))
    after = dhav.date_seconds(pack_dhfs(2024, 2, 29, 0, 0, 1))
    assert before is not None and after is not None and after - before == 2
    assert dhav.date_seconds(pack_dhfs(2024, 2, 30, 0, 0, 0)) is None


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32), flips=st.integers(0, 40), cut=st.integers(0, 40_000))
def test_mutated_chains_never_raise_and_stay_in_bounds(seed: int, flips: int, cut: int) -> None:
    rng = random.Random(seed)
    data = bytearray(b"".join(cb.dhav_stream(cb.h264_access_units())))[:cut]
    for _ in range(flips if data else 0):
        data[rng.randrange(len(data))] = rng.randrange(256)
    disk = DiskBytes.from_bytes(bytes(data))
    end = rng.randrange(len(data) + 1)
    for offset in [0, *(rng.randrange(len(data) + 1) for _ in range(5))]:
        chain = dhav.walk_dhav(disk, offset, end=end, chunk_size=rng.choice((64, 1000, 1 << 16)))
        assert all(disk.contains(frame.offset, frame.length) for frame in chain)
        assert all(frame.end <= end for frame in chain)
        assert all(a.end == b.offset for a, b in itertools.pairwise(chain))


@settings(max_examples=200, deadline=None)
@given(tail=st.binary(max_size=400))
def test_random_bytes_after_the_magic_never_raise(tail: bytes) -> None:
    frame = read(b"DHAV" + tail)
    assert frame is None or frame.end <= 4 + len(tail)
    dhav.parse_extensions(tail)
