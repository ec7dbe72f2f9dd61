"""MPEG-2 program streams as Hikvision recorders write them: packs, PSM ``HK`` time, PES.

Hikvision fills each data block (and each ``hivNNNNN.mp4``) with an MPEG-PS stream whose
program stream map carries the recorder's wall-clock in an ``HK`` descriptor. A recording
block that was being written, or a block reused after a re-initialisation, holds new data
up to a point and stale data after it, so the run is walked packet by packet and ends at the
first structural break or backwards step in time (§2.8 and §5.1 of dvr-formats.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from parsers.dvr.containers.window import Window
from parsers.dvr.timeutil import hk44_time

if TYPE_CHECKING:
    from parsers.dvr.disk import DiskBytes
    from parsers.dvr.model import RawTime

PACK = b"\x00\x00\x01\xba"
IMKH = b"IMKH"
IMKH_SEARCH = 64
"""The first pack lies within this many bytes after an ``IMKH`` header."""
START = b"\x00\x00\x01"
END_CODE, PACK_ID, SYSTEM_ID, PSM_ID = 0xB9, 0xBA, 0xBB, 0xBC
PES_IDS = frozenset((0xBD, *range(0xC0, 0xF0)))
VIDEO_IDS = range(0xE0, 0xF0)
OTHER_IDS = frozenset((0xBE, 0xBF))
"""Padding and private stream 2: length-delimited, not parsed."""
STREAM_TYPES = {0x1B: "h264", 0x24: "hevc", 0x10: "mpeg4", 0x02: "mpeg2"}
HK_TIME_TAG, HK_VIDEO_TAG = 0x40, 0x42
SCR_WRAP = 1 << 32
"""An SCR that drops by more than this wrapped round 2**33 rather than stepped back."""


@dataclass(frozen=True, slots=True)
class Pack:
    """An MPEG-2 pack header."""

    scr: int
    """System clock reference base (90 kHz)."""
    length: int
    counter: int | None
    """Hikvision's pack counter in the stuffing bytes (``FF FF`` + u32 BE), if present."""


@dataclass(frozen=True, slots=True)
class Psm:
    """What a program stream map says about the recording."""

    hk_time: int | None
    """Raw 44-bit time from the ``HK`` descriptor 0x40."""
    codec: str | None
    width: int | None
    height: int | None


@dataclass(frozen=True, slots=True)
class Pes:
    """A PES packet header."""

    stream_id: int
    length: int
    """Bytes including the six-byte start code and length field."""
    pts: int | None


@dataclass(frozen=True, slots=True)
class PsRun:
    """A structurally continuous run of PS packets."""

    offset: int
    end: int
    first_time: RawTime | None
    last_time: RawTime | None
    codec: str | None
    width: int | None
    height: int | None
    n_packs: int
    n_video_pes: int
    stop_reason: str
    has_imkh: bool = False
    last_pack: int | None = None
    """Where the run's last pack header starts (a cut run resumes there)."""

    @property
    def length(self) -> int:
        """Bytes in the run."""
        return self.end - self.offset


def _u16(data: bytes, pos: int) -> int:
    return data[pos] << 8 | data[pos + 1]


def parse_pack(data: bytes, pos: int = 0) -> Pack | None:
    """The MPEG-2 pack header at ``pos`` (stuffing included), or None when invalid."""
    b = data[pos : pos + 14]
    if len(b) < 14 or b[:4] != PACK or (b[4] & 0xC4) != 0x44:
        return None
    if not (b[6] & 0x04 and b[8] & 0x04 and b[9] & 0x01) or (b[12] & 3) != 3:
        return None
    stuffing = data[pos + 14 : pos + 14 + (b[13] & 7)]
    if len(stuffing) < (b[13] & 7):
        return None
    counter = None
    if stuffing.strip(b"\xff"):
        if len(stuffing) != 6 or stuffing[:2] != b"\xff\xff":
            return None
        counter = int.from_bytes(stuffing[2:], "big")
    bits = int.from_bytes(b[4:10], "big")
    scr = (bits >> 43 & 7) << 30 | (bits >> 27 & 0x7FFF) << 15 | (bits >> 11 & 0x7FFF)
    return Pack(scr, 14 + len(stuffing), counter)


def parse_descriptors(data: bytes, pos: int, end: int) -> list[tuple[int, bytes]] | None:
    """(tag, payload) of the descriptors filling ``data[pos:end]`` exactly, or None."""
    found = []
    while pos < end:
        if pos + 2 > end or pos + 2 + data[pos + 1] > end:
            return None
        found.append((data[pos], data[pos + 2 : pos + 2 + data[pos + 1]]))
        pos += 2 + data[pos + 1]
    return found


def _hk_fields(descriptors: list[tuple[int, bytes]]) -> tuple[int | None, int | None, int | None]:
    """(raw HK time, width, height) from Hikvision descriptors 0x40 and 0x42."""
    hk = width = height = None
    for tag, payload in descriptors:
        if tag == HK_TIME_TAG and len(payload) >= 10 and payload[:2] == b"HK":
            hk = int.from_bytes(payload[4:10], "big") >> 4
        elif tag == HK_VIDEO_TAG and len(payload) >= 8:
            width, height = _u16(payload, 4), _u16(payload, 6)
    return hk, width, height


def _es_entries(data: bytes, pos: int, end: int) -> list[tuple[int, int, bytes]] | None:
    """(stream_type, stream_id, descriptor bytes) of each ES map entry filling ``[pos, end)``."""
    entries = []
    while pos < end:
        info_end = pos + 4 + _u16(data, pos + 2) if pos + 4 <= end else end + 1
        if info_end > end:
            return None
        entries.append((data[pos], data[pos + 1], data[pos + 4 : info_end]))
        pos = info_end
    return entries


def parse_psm(data: bytes, pos: int = 0) -> Psm | None:
    """The program stream map at ``pos``, or None unless its lengths add up exactly."""
    total = 6 + _u16(data, pos + 4) if len(data) >= pos + 16 else 0
    body = data[pos : pos + total]
    if body[:4] != b"\x00\x00\x01\xbc" or len(body) < max(total, 16) or not body[7] & 1:
        return None
    es_at = 10 + _u16(body, 8)
    program = parse_descriptors(body, 10, es_at) if es_at + 2 <= total else None
    es_end = es_at + 2 + (_u16(body, es_at) if program is not None else 0)
    entries = _es_entries(body, es_at + 2, es_end) if es_end + 4 == total else None
    if program is None or entries is None:
        return None
    hk, width, height = _hk_fields(program)
    codec = None
    for stream_type, stream_id, info in entries:
        descriptors = parse_descriptors(info, 0, len(info))
        if descriptors is None:
            return None
        if stream_id in VIDEO_IDS and codec is None:
            codec = STREAM_TYPES.get(stream_type)
            _, es_width, es_height = _hk_fields(descriptors)
            width, height = width or es_width, height or es_height
    return Psm(hk, codec, width, height)


def _pts(b: bytes, prefix: int) -> int | None:
    if len(b) < 5 or b[0] >> 4 != prefix or not (b[0] & 1 and b[2] & 1 and b[4] & 1):
        return None
    bits = int.from_bytes(b[:5], "big")
    return (bits >> 33 & 7) << 30 | (bits >> 17 & 0x7FFF) << 15 | (bits >> 1 & 0x7FFF)


def parse_pes(data: bytes, pos: int = 0) -> Pes | None:
    """The header of the PES packet at ``pos`` (MPEG-2 syntax), or None when invalid."""
    b = data[pos : pos + 14]
    if len(b) < 9 or b[:3] != START or b[3] not in PES_IDS:
        return None
    length, flags, header_length = _u16(b, 4), b[7] >> 6, b[8]
    if (b[6] & 0xC0) != 0x80 or flags == 1 or 3 + header_length > length:
        return None
    pts = None
    if flags:
        pts = _pts(b[9:14], 2 if flags == 2 else 3)
        if pts is None or header_length < 5:
            return None
    return Pes(b[3], 6 + length, pts)


def imkh_pack(window: Window, offset: int) -> int | None:
    """Where the first valid pack after an ``IMKH`` header at ``offset`` starts, or None."""
    if window.get(offset, 4) != IMKH:
        return None
    hit = window.find(PACK, offset + 4, offset + 4 + IMKH_SEARCH)
    return hit if hit >= 0 and parse_pack(window.get(hit, 21)) else None


class _Walk:
    """State of one run walk: counts, the clocks seen so far and why it stopped."""

    def __init__(self) -> None:
        self.n_packs = self.n_video = 0
        self.last_pack: int | None = None
        self.previous_pack: int | None = None
        self.scr: int | None = None
        self.counter: int | None = None
        self.first_time: int | None = None
        self.last_time: int | None = None
        self.codec: str | None = None
        self.width: int | None = None
        self.height: int | None = None

    def pack(self, pack: Pack) -> str | None:
        wrapped = self.scr is not None and self.scr - pack.scr > SCR_WRAP
        if self.scr is not None and pack.scr < self.scr and not wrapped:
            return "scr backwards"
        if pack.counter is not None:
            if self.counter is not None and pack.counter < self.counter:
                return "pack counter backwards"
            self.counter = pack.counter
        self.scr = pack.scr
        self.n_packs += 1
        return None

    def psm(self, psm: Psm) -> str | None:
        raw = psm.hk_time
        if raw is not None and hk44_time(raw).wallclock is not None:
            if self.last_time is not None and raw < self.last_time:
                return "hk time backwards"
            self.first_time = raw if self.first_time is None else self.first_time
            self.last_time = raw
        self.codec = self.codec or psm.codec
        self.width, self.height = self.width or psm.width, self.height or psm.height
        return None


def _packet(window: Window, pos: int, walk: _Walk) -> tuple[int, str | None]:
    """(size of the packet at ``pos``, why the run breaks there or None)."""
    head = window.get(pos, 24)
    if len(head) < 6 or head[:3] != START:
        return 0, "no start code"
    code = head[3]
    if code == PACK_ID:
        pack = parse_pack(head)
        return (0, "bad pack") if pack is None else (pack.length, walk.pack(pack))
    if code == END_CODE:
        return 4, "end code"
    size = 6 + _u16(head, 4)
    if code == PSM_ID:
        psm = parse_psm(window.get(pos, size))
        return (0, "bad psm") if psm is None else (size, walk.psm(psm))
    if code == SYSTEM_ID:
        has_marker = size >= 12 and len(head) > 6 and head[6] & 0x80
        return (size, None) if has_marker else (0, "bad system header")
    if code in PES_IDS:
        pes = parse_pes(head)
        if pes is None:
            return 0, "bad pes"
        walk.n_video += pes.stream_id in VIDEO_IDS
        return size, None
    return (size, None) if code in OTHER_IDS else (0, "unexpected start code")


def _walk(window: Window, first: int, stop: int, walk: _Walk) -> tuple[int, str]:
    """(end of the run of packets from ``first``, why it stopped)."""
    pos = pack_at = first
    while pos < stop:
        size, reason = _packet(window, pos, walk)
        if reason == "end code":
            return (pos + size if pos + size <= stop else pos), reason
        if reason is not None:
            if reason.endswith("backwards") and pack_at != first and window.get(pos, 4) != PACK:
                walk.n_packs -= 1
                walk.last_pack = walk.previous_pack
                return pack_at, reason
            return pos, reason
        if pos + size > stop:
            return pos, "bound"
        if window.get(pos, 4) == PACK:
            walk.previous_pack, walk.last_pack = walk.last_pack, pos
            pack_at = pos
        pos += size
    return pos, "bound"


def scan_ps(window: Window, offset: int, stop: int) -> PsRun | None:
    """Walk the PS run that starts with a pack (or an ``IMKH`` header) at ``offset``.

    The run ends before the first packet that is invalid, crosses ``stop``, or steps
    back in time (HK time, SCR or Hikvision pack counter); a program end code is kept.
    A backwards step inside a pack ends the run before that pack.

    Returns:
        The run, or None when no valid pack starts it.
    """
    first = imkh_pack(window, offset) if window.get(offset, 4) == IMKH else offset
    if first is None or parse_pack(window.get(first, 21)) is None:
        return None
    walk = _Walk()
    end, reason = _walk(window, first, stop, walk)
    first_time = None if walk.first_time is None else hk44_time(walk.first_time)
    last_time = None if walk.last_time is None else hk44_time(walk.last_time)
    return PsRun(
        offset,
        end,
        first_time,
        last_time,
        walk.codec,
        walk.width,
        walk.height,
        walk.n_packs,
        walk.n_video,
        reason,
        has_imkh=first != offset,
        last_pack=walk.last_pack,
    )


def walk_ps(
    disk: DiskBytes,
    offset: int,
    *,
    end: int | None = None,
    max_bytes: int = 1 << 30,
    chunk_size: int = 1 << 20,
) -> PsRun | None:
    """Walk a PS run on ``disk`` from ``offset``, reading ``chunk_size`` bytes at a time.

    Args:
        disk: The medium.
        offset: A pack start code, or an ``IMKH`` header followed by one.
        end: Bytes at and after this are not part of the run (default: the disk's end).
        max_bytes: The run stops after this many bytes.
        chunk_size: Bytes per read.

    Returns:
        The run, or None when ``offset`` holds no valid pack.
    """
    stop = min(disk.size if end is None else end, offset + max_bytes)
    return scan_ps(Window(disk, offset, stop, chunk_size=chunk_size), offset, stop)
