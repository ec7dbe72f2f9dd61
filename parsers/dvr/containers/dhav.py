"""Dahua DHAV frames: the self-delimiting video/audio frames of DHFS disks and ``.dav`` files.

Each frame carries its channel, a sequence number and the recorder's packed wall-clock date,
and ends with a ``dhav`` trailer repeating its length. That trailer is what makes carving
reliable: a candidate is accepted only when header, date and trailer agree (§3.7 of
dvr-formats.md).
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

from parsers.dvr.containers.window import Window
from parsers.dvr.timeutil import dhfs_fields, dhfs_time

if TYPE_CHECKING:
    from parsers.dvr.disk import DiskBytes
    from parsers.dvr.model import RawTime

MAGIC = b"DHAV"
TRAILER = b"dhav"
HEADER = 24
AUDIO, AUX, VIDEO, KEY = 0xF0, 0xF1, 0xFC, 0xFD
TYPES = frozenset((AUDIO, AUX, VIDEO, KEY))
MAX_LENGTH = 16 << 20
CODECS = {1: "mpeg4", 2: "h264", 3: "mjpeg", 4: "h264", 8: "h264", 0x0C: "hevc"}
EXT8 = frozenset((0x82, 0x88, 0x8C, 0x91, 0x92, 0x93, 0x95, 0x9A, 0x9B, 0xB3))
EXT4 = frozenset((0x80, 0x81, 0x83, 0x84, 0x85, 0x8B, 0x94, 0x96, 0xA0, 0xB2, 0xB4))
_HEAD = struct.Struct("<4sBBBBIIIHBB")


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What a key frame's extension records say about the video."""

    width: int | None = None
    height: int | None = None
    codec: str | None = None
    fps: int | None = None


@dataclass(frozen=True, slots=True)
class DhavFrame:
    """One DHAV frame whose header (and, once validated, trailer) were read."""

    offset: int
    length: int
    type: int
    channel: int
    """1-based (byte 6 + 1)."""
    seq: int
    date: int
    """Raw DHFS packed date."""
    ms: int
    ext_length: int
    video: VideoInfo

    @property
    def end(self) -> int:
        """One past the frame's last byte."""
        return self.offset + self.length

    @property
    def time(self) -> RawTime:
        """The frame's date as a recorder time."""
        return dhfs_time(self.date)

    @property
    def payload_offset(self) -> int:
        """Where the elementary-stream payload starts."""
        return self.offset + HEADER + self.ext_length


def parse_extensions(ext: bytes) -> VideoInfo:
    """Width, height, codec and frame rate from extension records 0x80, 0x81 and 0x82."""
    width = height = fps = None
    codec = None
    pos = 0
    while pos < len(ext):
        tag = ext[pos]
        size = 8 if tag in EXT8 else 4 if tag in EXT4 else 0
        record = ext[pos : pos + size]
        if not size or len(record) < size:
            break
        if tag == 0x80:
            width, height = record[2] * 8, record[3] * 8
        elif tag == 0x81:
            codec, fps = CODECS.get(record[2]), record[3]
        elif tag == 0x82:
            width, height = struct.unpack_from("<HH", record, 3)
        pos += size
    return VideoInfo(width or None, height or None, codec, fps or None)


def parse_header(data: bytes, pos: int = 0, offset: int | None = None) -> DhavFrame | None:
    """The DHAV header at ``data[pos:]`` if its type, length and date are valid.

    Args:
        data: Bytes holding the header and its extension records.
        pos: Where the header starts in ``data``.
        offset: Its absolute offset on the disk (default ``pos``).
    """
    if len(data) < pos + HEADER:
        return None
    magic, kind, _, chan, _, seq, length, date, ms, ext_len, _ = _HEAD.unpack_from(data, pos)
    if magic != MAGIC or kind not in TYPES or not HEADER + ext_len + 8 <= length <= MAX_LENGTH:
        return None
    ext = data[pos + HEADER : pos + HEADER + ext_len]
    if len(ext) < ext_len or dhfs_time(date).wallclock is None:
        return None
    at = pos if offset is None else offset
    return DhavFrame(at, length, kind, chan + 1, seq, date, ms, ext_len, parse_extensions(ext))


def _payload_ok(frame: DhavFrame, window: Window) -> bool:
    if frame.type not in (VIDEO, KEY):
        return True
    head = window.get(frame.payload_offset, 4)
    return head[:3] == b"\x00\x00\x01" or head == b"\x00\x00\x00\x01"


def read_frame(window: Window, offset: int, stop: int) -> DhavFrame | None:
    """The complete, valid DHAV frame at ``offset`` ending by ``stop``, or None."""
    frame = parse_header(window.get(offset, HEADER + 255), 0, offset)
    if frame is None or frame.end > stop:
        return None
    trailer = window.get(frame.end - 8, 8)
    if trailer != TRAILER + struct.pack("<I", frame.length):
        return None
    return frame if _payload_ok(frame, window) else None


def scan_chain(window: Window, offset: int, stop: int) -> list[DhavFrame]:
    """The contiguous valid frames from ``offset`` (each starting where the last ended)."""
    frames: list[DhavFrame] = []
    pos = offset
    while pos < stop:
        frame = read_frame(window, pos, stop)
        if frame is None:
            break
        frames.append(frame)
        pos = frame.end
    return frames


def walk_dhav(
    disk: DiskBytes,
    offset: int,
    *,
    end: int | None = None,
    max_bytes: int = 1 << 30,
    chunk_size: int = 1 << 20,
) -> list[DhavFrame]:
    """The contiguous valid DHAV frames on ``disk`` from ``offset``, read in chunks.

    Args:
        disk: The medium.
        offset: Where the first frame's ``DHAV`` is.
        end: Frames must end by this offset (default: the disk's end).
        max_bytes: The chain stops before this many bytes.
        chunk_size: Bytes per read.
    """
    stop = min(disk.size if end is None else end, offset + max_bytes)
    return scan_chain(Window(disk, offset, stop, chunk_size=chunk_size), offset, stop)


def date_seconds(raw: int) -> int | None:
    """Seconds since 2000-01-01 of a valid DHFS date (for measuring steps), else None."""
    if dhfs_time(raw).wallclock is None:
        return None
    moment = dt.datetime(*dhfs_fields(raw), tzinfo=dt.UTC)
    return int((moment - dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).total_seconds())
