"""Hikvision-style MPEG-2 program streams (reference §2.8), built byte by byte.

Every pack header carries Hikvision's 6 stuffing bytes (``FF FF`` + a 32-bit big-endian
pack counter); each key frame is preceded by a system header and a PSM whose program
descriptor 0x40 holds the 44-bit ``HK`` time of that frame. PES packets carry the PTS at
90 kHz and are at most ``MAX_PES_PACKET`` bytes long, so a big access unit spans several.
"""

from __future__ import annotations

import datetime as dt
import struct

from tests.dvrsynth.times import Fields, frame_time, from_hk44, hk44, moment
from tests.dvrsynth.video import is_key_frame

MAX_PES_PACKET = 65_000
"""Longest PES packet written, start code included."""
PTS_START = 90_000
COUNTER_START = 0x1833
"""First pack counter (as in a real sample's ``ff ff 00 00 18 33``)."""
MUX_RATE = 0x3FFF
STREAM_TYPE_H264 = 0x1B
STREAM_TYPE_HEVC = 0x24
HK_DESCRIPTOR_PREFIX = b"HK\x01\x00"
"""``HK`` and the two unknown bytes that follow it in descriptor 0x40."""
DESCRIPTOR_41 = b"HK" + bytes(range(16))
DESCRIPTOR_42_PREFIX = b"\x00\x00\x00\x00"
"""Descriptor 0x42 data bytes 0-3 (unknown); width and height follow at data bytes 4-7."""


def mpeg_crc32(data: bytes) -> int:
    """CRC-32/MPEG-2: polynomial 0x04C11DB7, MSB first, initial 0xFFFFFFFF, no final XOR."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = (crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def pack_header(scr: int, counter: int) -> bytes:
    """``00 00 01 BA``, MPEG-2 SCR (extension 0), mux rate, 6 stuffing bytes."""
    bits = 0b01
    for value, width in ((scr >> 30 & 7, 3), (scr >> 15 & 0x7FFF, 15), (scr & 0x7FFF, 15)):
        bits = (bits << width | value) << 1 | 1
    bits = (bits << 9) << 1 | 1
    stuffing = b"\xff\xff" + struct.pack(">I", counter)
    assert b"\x00\x00\x01" not in stuffing, "the pack counter would emulate a start code"
    mux = (MUX_RATE << 2 | 3).to_bytes(3, "big")
    return b"\x00\x00\x01\xba" + bits.to_bytes(6, "big") + mux + b"\xfe" + stuffing


def system_header() -> bytes:
    """``00 00 01 BB`` with rate bound, one video stream (0xE0), buffer bound 128 KiB."""
    body = ((1 << 23) | (MUX_RATE << 1) | 1).to_bytes(3, "big")
    body += b"\x00\xe1\x7f" + b"\xe0" + struct.pack(">H", 0xC000 | 0x2000 | 128)
    return b"\x00\x00\x01\xbb" + struct.pack(">H", len(body)) + body


def hk_time_descriptor(raw_hk44: int) -> bytes:
    """Program descriptor 0x40 (length 14): HK, 2 bytes, 44-bit time, 0xF, 00, FF FF FF."""
    data = HK_DESCRIPTOR_PREFIX + (raw_hk44 << 4 | 0xF).to_bytes(6, "big") + b"\x00\xff\xff\xff"
    return bytes([0x40, len(data)]) + data


def psm(raw_hk44: int, *, width: int, height: int, stream_type: int) -> bytes:
    """A program stream map with the HK descriptors, one video ES and a valid CRC."""
    info = hk_time_descriptor(raw_hk44) + bytes([0x41, len(DESCRIPTOR_41)]) + DESCRIPTOR_41
    d42 = DESCRIPTOR_42_PREFIX + struct.pack(">HH", width, height) + bytes(6)
    es_info = bytes([0x42, len(d42)]) + d42
    es_map = bytes([stream_type, 0xE0]) + struct.pack(">H", len(es_info)) + es_info
    body = b"\xe0\xff" + struct.pack(">H", len(info)) + info
    body += struct.pack(">H", len(es_map)) + es_map
    head = b"\x00\x00\x01\xbc" + struct.pack(">H", len(body) + 4) + body
    return head + struct.pack(">I", mpeg_crc32(head))


def _pts_bytes(pts: int) -> bytes:
    return bytes([0x21 | (pts >> 29 & 0x0E)]) + struct.pack(
        ">HH", (pts >> 14 & 0xFFFE) | 1, (pts << 1 & 0xFFFE) | 1
    )


def pes_packets(access_unit: bytes, pts: int) -> list[bytes]:
    """Video PES packets (0xE0) for one access unit; only the first carries the PTS."""
    packets: list[bytes] = []
    position = 0
    while position < len(access_unit) or not packets:
        first = not packets
        header = (b"\x84\x80\x05" + _pts_bytes(pts)) if first else b"\x80\x00\x00"
        room = MAX_PES_PACKET - 6 - len(header)
        chunk = access_unit[position : position + room]
        position += len(chunk)
        body = header + chunk
        packets.append(b"\x00\x00\x01\xe0" + struct.pack(">H", len(body)) + body)
    return packets


def start_moment(start: Fields | int) -> dt.datetime:
    """``start`` as broken-down fields (ms optional) or as a packed 44-bit HK time."""
    return from_hk44(start) if isinstance(start, int) else moment(start)


def key_times(
    frames: list[bytes], *, start: Fields | int, fps: int = 25, hevc: bool = False
) -> list[int]:
    """The HK 44-bit times written before each key frame, in stream order."""
    first = start_moment(start)
    return [
        hk44(frame_time(first, index, fps))
        for index, unit in enumerate(frames)
        if is_key_frame(unit, hevc=hevc)
    ]


def hik_ps_stream(
    frames: list[bytes],
    *,
    start: Fields | int,
    fps: int = 25,
    hevc: bool = False,
    width: int = 64,
    height: int = 48,
    counter_start: int = COUNTER_START,
) -> bytes:
    """A Hikvision-style PS of the given Annex-B access units.

    Args:
        frames: access units in decode order (from ``encode_h264``/``encode_h265``).
        start: time of frame 0 as (y, mo, d, h, mi, s[, ms]) or a packed HK44 value.
        fps: frame rate; frame ``i`` is at ``start + i/fps`` and PTS ``90000 + i·90000/fps``.
        hevc: write stream type 0x24 instead of 0x1B.
        width: picture width for descriptor 0x42.
        height: picture height for descriptor 0x42.
        counter_start: pack counter of the first pack; +1 per pack.

    Returns:
        Pack + system header + PSM + PES before each key frame; pack + PES otherwise.
    """
    first = start_moment(start)
    stream_type = STREAM_TYPE_HEVC if hevc else STREAM_TYPE_H264
    out: list[bytes] = []
    counter = counter_start
    for index, unit in enumerate(frames):
        pts = PTS_START + index * 90_000 // fps
        for number, packet in enumerate(pes_packets(unit, pts)):
            out.append(pack_header(pts - 3_600 + number, counter))
            counter += 1
            if number == 0 and is_key_frame(unit, hevc=hevc):
                raw = hk44(frame_time(first, index, fps))
                out += [
                    system_header(),
                    psm(raw, width=width, height=height, stream_type=stream_type),
                ]
            out.append(packet)
    return b"".join(out)
