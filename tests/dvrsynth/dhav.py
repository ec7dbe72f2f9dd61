"""Dahua DHAV frames (reference §3.7) around real Annex-B access units.

Key frames are type 0xFD and carry the 0x80 (size) and 0x81 (codec, fps) extension
records; other frames are 0xFC without extension. Each frame's date is the packed DHFS time
of the frame, the millisecond counter runs freely (wrapping at 65536), and the trailer is
``dhav`` + the frame length. Channel arguments are 1-based camera numbers; byte 6 holds
``channel - 1``.
"""

from __future__ import annotations

import struct
from typing import Any

from tests.dvrsynth.times import dhfs, frame_time, from_dhfs
from tests.dvrsynth.video import is_key_frame

KEY = 0xFD
NON_KEY = 0xFC
AUX = 0xF1
HEADER = 24
TRAILER = 8
CODEC_H264 = 2
CODEC_HEVC = 0x0C


def checksum(header: bytes) -> int:
    """Byte 23: the real algorithm is unknown (nobody checks it); we write the byte sum."""
    return sum(header[:23]) & 0xFF


def dhav_frame(
    payload: bytes, *, kind: int, channel: int, seq: int, date: int, ms: int, ext: bytes = b""
) -> bytes:
    """One DHAV frame: 24-byte header, extension, payload, ``dhav`` + length trailer."""
    length = HEADER + len(ext) + len(payload) + TRAILER
    head = b"DHAV" + bytes([kind, 0, channel - 1, 0])
    head += struct.pack("<IIIHB", seq, length, date, ms & 0xFFFF, len(ext))
    head += bytes([checksum(head)])
    return head + ext + payload + b"dhav" + struct.pack("<I", length)


def key_extension(*, width: int, height: int, fps: int, hevc: bool) -> bytes:
    """Records 0x80 (width/8, height/8) and 0x81 (codec, fps)."""
    codec = CODEC_HEVC if hevc else CODEC_H264
    return bytes([0x80, 0, width // 8, height // 8, 0x81, 0, codec, fps])


def dhav_aux_frame(size: int, *, channel: int, seq: int, date: int, ms: int) -> bytes:
    """A 0xF1 auxiliary frame of exactly ``size`` bytes (≥ 32), padded text payload."""
    if size < HEADER + TRAILER:
        raise ValueError(f"an aux frame needs at least {HEADER + TRAILER} bytes, not {size}")
    payload = b'{"synth":"pad"}'.ljust(size - HEADER - TRAILER, b" ")[: size - HEADER - TRAILER]
    return dhav_frame(payload, kind=AUX, channel=channel, seq=seq, date=date, ms=ms)


def dhav_stream(frames: list[bytes], **options: Any) -> bytes:
    """DHAV frames for the access units, concatenated (options as ``dhav_frames``)."""
    return b"".join(dhav_frames(frames, **options))


def dhav_frames(
    frames: list[bytes],
    *,
    channel: int,
    start_packed: int,
    fps: int = 25,
    hevc: bool = False,
    width: int = 64,
    height: int = 48,
    seq_start: int = 1,
    ms_start: int = 0,
) -> list[bytes]:
    """DHAV frames for the access units, one bytes object each; frame ``i`` is dated
    ``start + i/fps`` seconds.

    Args:
        frames: Annex-B access units in decode order.
        channel: 1-based camera number.
        start_packed: DHFS packed time of frame 0.
        fps: frame rate (also written in record 0x81).
        hevc: codec byte 0x0C instead of 2.
        width: picture width for record 0x80.
        height: picture height for record 0x80.
        seq_start: frame sequence number of frame 0 (+1 per frame).
        ms_start: millisecond counter of frame 0 (+1000/fps per frame, mod 65536).
    """
    first = from_dhfs(start_packed)
    ext = key_extension(width=width, height=height, fps=fps, hevc=hevc)
    out = []
    for index, unit in enumerate(frames):
        key = is_key_frame(unit, hevc=hevc)
        out.append(
            dhav_frame(
                unit,
                kind=KEY if key else NON_KEY,
                channel=channel,
                seq=seq_start + index,
                date=dhfs(frame_time(first, index, fps)),
                ms=ms_start + index * 1000 // fps,
                ext=ext if key else b"",
            )
        )
    return out


def last_date(n_frames: int, *, start_packed: int, fps: int = 25) -> int:
    """The packed date of the last frame of an ``n_frames`` stream."""
    return dhfs(frame_time(from_dhfs(start_packed), n_frames - 1, fps))
