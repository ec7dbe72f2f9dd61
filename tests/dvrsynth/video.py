"""Real, tiny, deterministic video payloads for the synthetic DVR disks.

The disks must carry streams that FFmpeg (through PyAV) really decodes, so that export tests
can count frames. Encoding is fast at 64x48 but still worth caching: every builder asks for
the same few streams, so each (codec, size, GOP, seed) is encoded once per process.
"""

from __future__ import annotations

import functools
import io
import random
from fractions import Fraction

import av

FPS = 25
HAS_H265 = "libx265" in av.codecs_available
"""libx265 ships in the PyAV wheels used here; builders skip H.265 streams without it."""

_X264 = "keyint={g}:min-keyint={g}:scenecut=0:bframes=0:repeat-headers=1:threads=1"
_X265 = (
    "keyint={g}:min-keyint={g}:scenecut=0:bframes=0:repeat-headers=1:"
    "pools=1:frame-threads=1:log-level=error"
)


def _plane_bytes(rows: list[bytes], line_size: int) -> bytes:
    return b"".join(row.ljust(line_size, b"\x80") for row in rows)


def _picture(width: int, height: int, seed: int, index: int, pix_fmt: str) -> av.VideoFrame:
    """Seeded noise that scrolls one column per frame: cheap, distinct per seed."""
    rng = random.Random(seed)
    luma = rng.randbytes(width * height)
    shift = index % width
    rows = [luma[y * width : (y + 1) * width] for y in range(height)]
    rows = [row[shift:] + row[:shift] for row in rows]
    frame = av.VideoFrame(width, height, pix_fmt)
    frame.planes[0].update(_plane_bytes(rows, frame.planes[0].line_size))
    for plane, value in zip(frame.planes[1:], rng.randbytes(2), strict=True):
        chroma = [bytes([value]) * plane.width] * plane.height
        plane.update(_plane_bytes(chroma, plane.line_size))
    return frame


def _context(codec: str, width: int, height: int, gop: int) -> av.VideoCodecContext:
    context = av.CodecContext.create(codec, "w")
    assert isinstance(context, av.VideoCodecContext)
    context.width, context.height = width, height
    context.pix_fmt = "yuv420p"
    context.time_base = Fraction(1, FPS)
    context.framerate = Fraction(FPS, 1)
    context.gop_size = gop
    context.thread_count = 1
    params = (_X264 if codec == "libx264" else _X265).format(g=gop)
    key = "x264-params" if codec == "libx264" else "x265-params"
    context.options = {"preset": "ultrafast", "tune": "zerolatency", key: params}
    return context


@functools.lru_cache(maxsize=64)
def _encode(
    codec: str, n_frames: int, width: int, height: int, gop: int, seed: int
) -> tuple[bytes, ...]:
    context = _context(codec, width, height, gop)
    units: list[bytes] = []
    for index in range(n_frames):
        frame = _picture(width, height, seed, index, "yuv420p")
        frame.pts = index
        units.extend(bytes(packet) for packet in context.encode(frame))
    units.extend(bytes(packet) for packet in context.encode(None))
    assert len(units) == n_frames, f"{codec} gave {len(units)} of {n_frames} frames"
    return tuple(units)


def encode_h264(
    n_frames: int, width: int = 64, height: int = 48, gop: int = 10, seed: int = 0
) -> list[bytes]:
    """Annex-B H.264 access units, one per frame; SPS and PPS precede every IDR.

    Every ``gop``-th frame (from frame 0) is an IDR; there are no B-frames, so decode order
    is display order.
    """
    return list(_encode("libx264", n_frames, width, height, gop, seed))


def encode_h265(
    n_frames: int, width: int = 64, height: int = 48, gop: int = 10, seed: int = 0
) -> list[bytes]:
    """Annex-B H.265 access units (VPS, SPS and PPS before every IDR); needs libx265."""
    if not HAS_H265:
        raise RuntimeError("libx265 is not in this PyAV build")
    return list(_encode("libx265", n_frames, width, height, gop, seed))


@functools.lru_cache(maxsize=16)
def encode_jpeg(width: int, height: int, seed: int) -> bytes:
    """One baseline JPEG (``FF D8 FF`` … ``FF D9``) of seeded noise, from FFmpeg's mjpeg."""
    context = av.CodecContext.create("mjpeg", "w")
    assert isinstance(context, av.VideoCodecContext)
    context.width, context.height = width, height
    context.pix_fmt = "yuvj420p"
    context.time_base = Fraction(1, FPS)
    context.thread_count = 1
    frame = _picture(width, height, seed, 0, "yuvj420p")
    packets = [bytes(packet) for packet in [*context.encode(frame), *context.encode(None)]]
    assert len(packets) == 1
    return packets[0]


def nal_units(access_unit: bytes) -> list[bytes]:
    """The NAL units of an Annex-B buffer, start codes removed."""
    parts = access_unit.split(b"\x00\x00\x01")
    return [part.rstrip(b"\x00") for part in parts[1:] if part]


def is_key_frame(access_unit: bytes, *, hevc: bool = False) -> bool:
    """True when the access unit holds an IDR (H.264 type 5; H.265 types 16-21)."""
    for nal in nal_units(access_unit):
        kind = (nal[0] >> 1) & 0x3F if hevc else nal[0] & 0x1F
        if (hevc and 16 <= kind <= 21) or (not hevc and kind == 5):
            return True
    return False


DEMUXERS = {
    "mpeg-ps": "mpeg",
    "dhav": "dhav",
    "h264-annexb": "h264",
    "h265-annexb": "hevc",
    "jpeg": "mjpeg",
}
"""FFmpeg demuxer of each ``parsers.dvr.model`` container kind."""


def count_frames(data: bytes, kind: str) -> int:
    """How many video frames FFmpeg decodes from ``data`` read as container ``kind``."""
    with av.open(io.BytesIO(data), format=DEMUXERS[kind]) as container:
        return sum(1 for packet in container.demux(video=0) for _ in packet.decode())
