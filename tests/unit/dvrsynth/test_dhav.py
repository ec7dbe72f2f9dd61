from __future__ import annotations

import io
import struct

import av
import pytest

from parsers.dvr.model import DHAV
from parsers.dvr.timeutil import pack_dhfs
from tests.dvrsynth.dhav import dhav_aux_frame, dhav_stream, last_date
from tests.dvrsynth.video import count_frames, encode_h264

START = pack_dhfs(2020, 4, 12, 10, 13, 54)


def frames_of(data: bytes) -> list[bytes]:
    out, at = [], 0
    while at < len(data):
        assert data[at : at + 4] == b"DHAV"
        length = struct.unpack_from("<I", data, at + 12)[0]
        out.append(data[at : at + length])
        at += length
    assert at == len(data)
    return out


@pytest.fixture(scope="module")
def stream():
    return dhav_stream(encode_h264(30, seed=4), channel=3, start_packed=START)


def test_pyav_decodes_every_frame(stream):
    assert count_frames(stream, DHAV) == 30


def test_headers_trailers_and_channel(stream):
    frames = frames_of(stream)
    assert len(frames) == 30
    for number, frame in enumerate(frames):
        kind, _, channel = frame[4:7]
        seq, length = struct.unpack_from("<II", frame, 8)
        assert (channel, seq, length) == (2, 1 + number, len(frame))
        assert frame[-8:] == b"dhav" + struct.pack("<I", length)
        ext = frame[22]
        assert frame[24 + ext : 28 + ext] == b"\x00\x00\x00\x01"
        if number % 10 == 0:
            assert kind == 0xFD
            assert frame[24:32] == bytes([0x80, 0, 64 // 8, 48 // 8, 0x81, 0, 2, 25])
        else:
            assert (kind, ext) == (0xFC, 0)


def test_dates_and_millisecond_counter_advance(stream):
    frames = frames_of(stream)
    dates = [struct.unpack_from("<I", frame, 16)[0] for frame in frames]
    assert dates[0] == START
    assert dates[24] == START
    assert dates[25] == pack_dhfs(2020, 4, 12, 10, 13, 55) == last_date(30, start_packed=START)
    assert [struct.unpack_from("<H", frame, 20)[0] for frame in frames[:3]] == [0, 40, 80]


def test_pyav_timestamps_follow_the_dates(stream):
    with av.open(io.BytesIO(stream), format="dhav") as container:
        pts = [packet.pts for packet in container.demux(video=0) if packet.pts is not None]
    assert pts[1] - pts[0] == 40
    assert pts[25] - pts[0] == 1000


def test_aux_frame_has_exact_size_and_is_skipped(stream):
    aux = dhav_aux_frame(100, channel=3, seq=31, date=START, ms=1200)
    assert len(aux) == 100
    assert aux[4] == 0xF1
    assert count_frames(stream + aux, DHAV) == 30
    with pytest.raises(ValueError, match="at least"):
        dhav_aux_frame(31, channel=3, seq=31, date=START, ms=0)


def test_deterministic():
    again = dhav_stream(encode_h264(30, seed=4), channel=3, start_packed=START)
    assert again == dhav_stream(encode_h264(30, seed=4), channel=3, start_packed=START)
