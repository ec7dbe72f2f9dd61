"""Small builders of DVR container bytes for the container and carving tests.

H.264 and JPEG payloads are real (PyAV libx264 / mjpeg at 64x48); the containers around
them (Hikvision-style PS, DHAV) and the H.265 units are built here from the documented
layouts, so a test can plant them at known offsets.
"""

from __future__ import annotations

import fractions
import functools
import struct

import av

from parsers.dvr.timeutil import pack_dhfs

WIDTH, HEIGHT = 64, 48


def _picture(seed: int, fmt: str) -> av.VideoFrame:
    frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
    for plane in frame.planes:
        plane.update(
            bytes((x * 7 + seed * 31 + (x * x) // 5) & 0xFF for x in range(plane.buffer_size))
        )
    return frame.reformat(format=fmt)


@functools.cache
def h264_access_units(count: int = 12, keyint: int = 4) -> tuple[tuple[bytes, bool], ...]:
    """(Annex-B access unit, is key frame) for ``count`` libx264 frames."""
    codec = av.CodecContext.create("libx264", "w")
    codec.width, codec.height, codec.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    codec.time_base = fractions.Fraction(1, 25)
    codec.options = {
        "preset": "ultrafast",
        "tune": "zerolatency",
        "x264-params": f"keyint={keyint}:min-keyint={keyint}:scenecut=0:repeat-headers=1",
    }
    units = []
    for index in range(count):
        picture = _picture(index, "yuv420p")
        picture.pts = index
        units += [(bytes(packet), bool(packet.is_keyframe)) for packet in codec.encode(picture)]
    units += [(bytes(packet), bool(packet.is_keyframe)) for packet in codec.encode(None)]
    return tuple(units)


def h264_stream(count: int = 12, keyint: int = 4) -> bytes:
    """A raw H.264 Annex-B elementary stream."""
    return b"".join(unit for unit, _ in h264_access_units(count, keyint))


@functools.cache
def jpeg_image(seed: int = 1) -> bytes:
    """A real 64x48 baseline JPEG (with DRI and restart markers)."""
    codec = av.CodecContext.create("mjpeg", "w")
    codec.width, codec.height, codec.pix_fmt = WIDTH, HEIGHT, "yuvj420p"
    codec.time_base = fractions.Fraction(1, 25)
    picture = _picture(seed, "yuvj420p")
    picture.pts = 0
    packets = [bytes(packet) for packet in codec.encode(picture)]
    return packets[0] if packets else b"".join(bytes(p) for p in codec.encode(None))


def hevc_stream(pictures: int = 6) -> bytes:
    """A hand-made H.265 stream: VPS, SPS, PPS, IDR, then trailing pictures (no zeros inside)."""
    body = bytes(range(0x10, 0x50))

    def unit(nal_type: int, payload: bytes) -> bytes:
        return b"\x00\x00\x00\x01" + bytes((nal_type << 1, 1)) + payload + b"\x80"

    units = [unit(32, body[:20]), unit(33, body[:40]), unit(34, body[:8]), unit(19, body * 8)]
    units += [unit(1, body * 2) for _ in range(pictures)]
    return b"".join(units)


def hk44(year: int, month: int, day: int, hour: int, minute: int, second: int, ms: int) -> int:
    """Hikvision's 44-bit PSM time."""
    return (
        (year - 2000) << 36
        | month << 32
        | day << 27
        | hour << 22
        | minute << 16
        | second << 10
        | ms
    )


def pack_header(scr: int, counter: int | None) -> bytes:
    """An MPEG-2 pack header; Hikvision stuffing ``FF FF`` + counter when ``counter`` is set."""
    head = bytes(
        (
            0x44 | ((scr >> 30) & 7) << 3 | ((scr >> 28) & 3),
            (scr >> 20) & 0xFF,
            ((scr >> 15) & 0x1F) << 3 | 0x04 | ((scr >> 13) & 3),
            (scr >> 5) & 0xFF,
            (scr & 0x1F) << 3 | 0x04,
            0x01,
            0x01,
            0x89,
            0xC3,
        )
    )
    if counter is None:
        return b"\x00\x00\x01\xba" + head + b"\xf8"
    return b"\x00\x00\x01\xba" + head + b"\xfe\xff\xff" + struct.pack(">I", counter)


SYSTEM_HEADER = bytes.fromhex("000001BB001283A23F04E17FE0E080C0C008BDE080BFE080")


def psm(hk_time: int | None, *, stream_type: int = 0x1B) -> bytes:
    """A Hikvision-style program stream map (HK time 0x40, video size 0x42)."""
    program = b""
    if hk_time is not None:
        program = b"\x40\x0e" + b"HK\x01\x00" + (hk_time << 4 | 0xF).to_bytes(6, "big")
        program += b"\x00\xff\xff\xff"
    video_info = b"\x42\x0e" + b"\x07\x10\x10\xea" + struct.pack(">HH", WIDTH, HEIGHT) + bytes(6)
    es_map = bytes((stream_type, 0xE0)) + struct.pack(">H", len(video_info)) + video_info
    body = b"\xf2\xff" + struct.pack(">H", len(program)) + program
    body += struct.pack(">H", len(es_map)) + es_map + b"\x00\x00\x00\x00"
    return b"\x00\x00\x01\xbc" + struct.pack(">H", len(body)) + body


def pes(payload: bytes, pts: int | None, stream_id: int = 0xE0) -> bytes:
    """One PES packet (MPEG-2 header, optional PTS)."""
    if pts is None:
        header = b"\x8c\x00\x00"
    else:
        header = b"\x8c\x80\x05" + bytes(
            (
                0x21 | ((pts >> 30) & 7) << 1,
                (pts >> 22) & 0xFF,
                ((pts >> 15) & 0x7F) << 1 | 1,
                (pts >> 7) & 0xFF,
                (pts & 0x7F) << 1 | 1,
            )
        )
    body = header + payload
    return b"\x00\x00\x01" + bytes((stream_id,)) + struct.pack(">H", len(body)) + body


def ps_stream(
    units: tuple[tuple[bytes, bool], ...],
    *,
    start_ms: int = 0,
    counter: int | None = 1000,
    hk: tuple[int, int, int, int, int, int] = (2025, 4, 28, 16, 6, 18),
    piece: int = 4000,
    scr_start: int = 90_000,
) -> bytes:
    """A Hikvision-style PS: one pack per frame, PSM with HK time before key frames."""
    out = []
    base_ms = ((hk[4] * 60 + hk[5]) * 1000) + start_ms
    for index, (unit, key) in enumerate(units):
        at_ms = base_ms + index * 40
        scr = scr_start + index * 3600
        out.append(pack_header(scr, None if counter is None else counter + index))
        if key:
            minute, rest = divmod(at_ms, 60_000)
            time = hk44(*hk[:4], minute, rest // 1000, rest % 1000)
            out += [SYSTEM_HEADER, psm(time)]
        pieces = [unit[at : at + piece] for at in range(0, len(unit), piece)]
        out += [pes(chunk, scr if n == 0 else None) for n, chunk in enumerate(pieces)]
    return b"".join(out)


def dhav_frame(
    payload: bytes,
    *,
    kind: int = 0xFC,
    channel: int = 0,
    seq: int = 0,
    date: int = pack_dhfs(2024, 3, 5, 10, 20, 30),
    ms: int = 0,
    ext: bytes = b"",
) -> bytes:
    """One DHAV frame with its ``dhav`` trailer (``channel`` is the raw 0-based byte)."""
    length = 24 + len(ext) + len(payload) + 8
    head = struct.pack(
        "<4sBBBBIIIHBB", b"DHAV", kind, 0, channel, 0, seq, length, date, ms, len(ext), 0
    )
    return head + ext + payload + b"dhav" + struct.pack("<I", length)


def video_ext(fps: int = 25) -> bytes:
    """Extension records 0x80 (size / 8) and 0x81 (H.264, fps)."""
    return bytes((0x80, 0, WIDTH // 8, HEIGHT // 8, 0x81, 0, 2, fps))


def dhav_stream(
    units: tuple[tuple[bytes, bool], ...],
    *,
    channel: int = 0,
    second: int = 30,
    seq: int = 0,
    per_second: int = 4,
) -> list[bytes]:
    """DHAV frames for ``units`` (key frames as 0xFD with size records), dates advancing."""
    frames = []
    for index, (unit, key) in enumerate(units):
        date = pack_dhfs(2024, 3, 5, 10, 20, second + index // per_second)
        frames.append(
            dhav_frame(
                unit,
                kind=0xFD if key else 0xFC,
                channel=channel,
                seq=seq + index,
                date=date,
                ms=index * 40,
                ext=video_ext() if key else b"",
            )
        )
    return frames
