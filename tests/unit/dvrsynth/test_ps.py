from __future__ import annotations

import struct

import pytest

from parsers.dvr.model import MPEG_PS
from tests.dvrsynth.ps import (
    COUNTER_START,
    MAX_PES_PACKET,
    PTS_START,
    hik_ps_stream,
    key_times,
    mpeg_crc32,
)
from tests.dvrsynth.times import from_hk44, hk44, moment
from tests.dvrsynth.video import HAS_H265, count_frames, encode_h264, encode_h265

START = (2025, 4, 28, 16, 6, 18, 557)


def walk(data: bytes) -> list[tuple[int, int, bytes]]:
    """(offset, start-code byte, whole unit) of every pack, header, PSM and PES."""
    units, at = [], 0
    while at < len(data):
        assert data[at : at + 3] == b"\x00\x00\x01", f"no start code at {at:#x}"
        code = data[at + 3]
        size = (
            14 + (data[at + 13] & 7)
            if code == 0xBA
            else 6 + struct.unpack_from(">H", data, at + 4)[0]
        )
        units.append((at, code, data[at : at + size]))
        at += size
    return units


def pts_of(pes: bytes) -> int | None:
    if not pes[7] & 0x80:
        return None
    b = pes[9:14]
    return (
        (b[0] >> 1 & 7) << 30
        | (struct.unpack(">H", b[1:3])[0] >> 1) << 15
        | struct.unpack(">H", b[3:5])[0] >> 1
    )


def hk_descriptor(psm: bytes) -> bytes:
    info_length = struct.unpack_from(">H", psm, 8)[0]
    info = psm[10 : 10 + info_length]
    assert info[0] == 0x40
    return info[2 : 2 + info[1]]


@pytest.fixture(scope="module")
def frames():
    return encode_h264(30, seed=9)


@pytest.fixture(scope="module")
def stream(frames):
    return hik_ps_stream(frames, start=START)


def test_mpeg_crc32_check_value_and_residue():
    assert mpeg_crc32(b"123456789") == 0x0376E6E7
    message = b"\x00\x00\x01\xbcpsm"
    assert mpeg_crc32(message + struct.pack(">I", mpeg_crc32(message))) == 0


def test_pyav_decodes_every_frame(stream):
    assert count_frames(stream, MPEG_PS) == 30


def test_stream_is_a_clean_walk_of_packs_psms_and_pes(stream):
    units = walk(stream)
    codes = [code for _, code, _ in units]
    assert set(codes) == {0xBA, 0xBB, 0xBC, 0xE0}
    assert codes[:4] == [0xBA, 0xBB, 0xBC, 0xE0]
    assert codes.count(0xBC) == 3  # 30 frames, GOP 10


def test_pack_headers_validate_and_count(stream):
    packs = [unit for _, code, unit in walk(stream) if code == 0xBA]
    for number, pack in enumerate(packs):
        assert pack[4] & 0xC4 == 0x44
        assert pack[12] & 3 == 3
        assert pack[13] & 7 == 6
        assert pack[14:16] == b"\xff\xff"
        assert struct.unpack(">I", pack[16:20])[0] == COUNTER_START + number


def test_psm_crc_and_descriptors(stream, frames):
    psms = [unit for _, code, unit in walk(stream) if code == 0xBC]
    for psm, raw in zip(psms, key_times(frames, start=START), strict=True):
        assert mpeg_crc32(psm) == 0
        data = hk_descriptor(psm)
        assert len(data) == 14
        assert data[:2] == b"HK"
        assert int.from_bytes(data[4:10], "big") >> 4 == raw
        assert data[9] & 0x0F == 0x0F
        assert data[10:] == b"\x00\xff\xff\xff"
    assert [from_hk44(raw) for raw in key_times(frames, start=START)] == [
        moment(START),
        moment((2025, 4, 28, 16, 6, 18, 957)),
        moment((2025, 4, 28, 16, 6, 19, 357)),
    ]


def test_psm_maps_h264_video_with_its_size(stream):
    psm = next(unit for _, code, unit in walk(stream) if code == 0xBC)
    info_length = struct.unpack_from(">H", psm, 8)[0]
    es_map = psm[12 + info_length : -4]
    assert es_map[:2] == b"\x1b\xe0"
    assert es_map[4] == 0x42
    assert struct.unpack(">HH", es_map[6 + 4 : 6 + 8]) == (64, 48)


def test_pes_carry_pts_at_90khz(stream):
    pts = [pts_of(unit) for _, code, unit in walk(stream) if code == 0xE0]
    assert pts == [PTS_START + 3600 * index for index in range(30)]


def test_big_access_units_split_into_bounded_pes():
    frames = encode_h264(4, width=320, height=240)
    assert len(frames[0]) > MAX_PES_PACKET
    data = hik_ps_stream(frames, start=START, width=320, height=240)
    pes = [unit for _, code, unit in walk(data) if code == 0xE0]
    assert len(pes) > 4
    assert max(len(unit) for unit in pes) <= MAX_PES_PACKET
    assert [pts_of(unit) is not None for unit in pes].count(True) == 4
    assert count_frames(data, MPEG_PS) == 4


def test_start_as_packed_hk44_equals_fields(frames):
    assert hik_ps_stream(frames, start=hk44(moment(START))) == hik_ps_stream(frames, start=START)


@pytest.mark.skipif(not HAS_H265, reason="libx265 not in this PyAV build")
def test_hevc_stream_type_and_decode():
    frames = encode_h265(12)
    data = hik_ps_stream(frames, start=START, hevc=True)
    psm = next(unit for _, code, unit in walk(data) if code == 0xBC)
    info_length = struct.unpack_from(">H", psm, 8)[0]
    assert psm[12 + info_length] == 0x24
    assert count_frames(data, MPEG_PS) == 12
