"""H.264 and H.265 Annex-B byte streams: NAL scanning, stream starts and where a run ends.

Unknown DVRs write bare elementary streams, and Annex-B NAL units also fill the payloads of
PS and DHAV frames. Both codecs share the start codes ``00 00 01`` / ``00 00 00 01``; only
the order of parameter sets tells them apart (H.264: SPS, PPS, IDR; H.265: VPS, SPS, PPS,
IRAP). Emulation prevention guarantees that ``00 00 00``, ``00 00 01`` and ``00 00 02``
never occur inside a NAL unit, which is what delimits each unit (§5.1 of dvr-formats.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parsers.dvr.containers.window import Window

H264 = "h264"
HEVC = "hevc"
START = b"\x00\x00\x01"
MAX_NAL = 4 << 20
"""Longest NAL unit accepted (a high-resolution IDR slice fits)."""
MAX_PARAM = 1 << 16
"""Longest unit (parameter set, SEI) accepted before a stream's first IDR."""
MAX_ZEROS = 4096
"""Most zero bytes accepted between two NAL units (trailing_zero_8bits)."""
START_LOOKAHEAD = 24
"""How many NAL units a stream start may take to reach its first IDR."""

# H.264 nal_unit_type values.
H264_SLICE, H264_IDR, H264_SEI, H264_SPS, H264_PPS, H264_AUD = 1, 5, 6, 7, 8, 9
# H.265 nal_unit_type values.
HEVC_VPS, HEVC_SPS, HEVC_PPS, HEVC_AUD, HEVC_SEI_PREFIX = 32, 33, 34, 35, 39
HEVC_IRAP = range(16, 22)
_HEVC_TYPES = frozenset((*range(10), *HEVC_IRAP, *range(32, 41)))
_STREAM_START = {
    H264: (
        (H264_SPS, H264_PPS),
        frozenset((H264_SPS, H264_PPS, H264_SEI, H264_AUD)),
        frozenset((H264_IDR,)),
    ),
    HEVC: (
        (HEVC_VPS, HEVC_SPS, HEVC_PPS),
        frozenset((HEVC_VPS, HEVC_SPS, HEVC_PPS, HEVC_AUD, HEVC_SEI_PREFIX)),
        frozenset(HEVC_IRAP),
    ),
}
"""Per codec: the parameter sets in order, the units allowed among them, the IRAP types."""


@dataclass(frozen=True, slots=True)
class Nal:
    """One delimited NAL unit."""

    offset: int
    """Where its three-byte start code ``00 00 01`` starts."""
    end: int
    """One past its last byte."""
    type: int


@dataclass(frozen=True, slots=True)
class AnnexBRun:
    """A run of plausible NAL units that begins with a stream start."""

    offset: int
    end: int
    codec: str
    """``h264`` or ``hevc``."""
    n_nals: int
    n_idr: int

    @property
    def length(self) -> int:
        """Bytes from the first start code to the end of the last unit."""
        return self.end - self.offset


def h264_type(b0: int) -> int:
    """``nal_unit_type`` of an H.264 NAL header byte."""
    return b0 & 0x1F


def hevc_type(b0: int) -> int:
    """``nal_unit_type`` of an H.265 NAL header's first byte."""
    return (b0 >> 1) & 0x3F


def h264_header_ok(b0: int) -> bool:
    """True for an H.264 NAL header of a known type with a consistent ``nal_ref_idc``."""
    kind, ref = b0 & 0x1F, (b0 >> 5) & 3
    if b0 & 0x80 or not 1 <= kind <= 12:
        return False
    if kind in (H264_IDR, H264_SPS, H264_PPS):
        return ref != 0
    return not (kind >= H264_SEI and ref != 0)


def hevc_header_ok(b0: int, b1: int) -> bool:
    """True for an H.265 NAL header of base layer 0 with a valid temporal id."""
    kind, tid_plus1 = hevc_type(b0), b1 & 7
    if b0 & 0x80 or b0 & 1 or b1 >> 3 or tid_plus1 == 0 or kind not in _HEVC_TYPES:
        return False
    return tid_plus1 == 1 or kind not in (*HEVC_IRAP, HEVC_VPS, HEVC_SPS)


def _nal_type(codec: str, head: bytes) -> int | None:
    if codec == H264:
        return h264_type(head[0]) if h264_header_ok(head[0]) else None
    if len(head) < 2 or not hevc_header_ok(head[0], head[1]):
        return None
    return hevc_type(head[0])


def nal_end(window: Window, header: int, stop: int) -> int | None:
    """One past the last byte of the NAL unit whose header is at ``header``.

    Returns ``stop`` when the view ends inside the unit, and None when no delimiter
    follows within ``MAX_NAL`` bytes.
    """
    limit = min(stop, window.end, header + MAX_NAL)
    code = window.find(START, header + 1, limit)
    bound = limit if code < 0 else code + 2
    zeros = window.find(b"\x00\x00\x00", header + 1, bound)
    twos = window.find(b"\x00\x00\x02", header + 1, bound)
    ends = [hit for hit in (code, zeros, twos) if hit >= 0]
    if ends:
        return min(ends)
    return limit if limit == min(stop, window.end) else None


def read_nal(window: Window, offset: int, stop: int, codec: str) -> Nal | None:
    """The plausible, delimited NAL unit whose start code is at ``offset``, or None."""
    head = window.get(offset, 5)
    if len(head) < 5 or head[:3] != START:
        return None
    kind = _nal_type(codec, head[3:])
    if kind is None:
        return None
    end = nal_end(window, offset + 3, stop)
    header_size = 1 if codec == H264 else 2
    if end is None or end - (offset + 3) <= header_size:
        return None
    return Nal(offset, end, kind)


def next_start(window: Window, pos: int, stop: int) -> int | None:
    """Where the start code after a unit ending at ``pos`` lies (only zeros between)."""
    data = window.get(pos, min(MAX_ZEROS + 3, stop - pos))
    zeros = len(data) - len(data.lstrip(b"\x00"))
    if zeros < 2 or zeros >= len(data) or data[zeros] != 1:
        return None
    return pos + zeros - 2


def _param_ok(nal: Nal) -> bool:
    return nal.end - nal.offset <= MAX_PARAM + 3


def is_stream_start(window: Window, offset: int, stop: int, codec: str) -> bool:
    """True when parameter sets in order, then a random-access picture, begin at ``offset``."""
    order, allowed, irap = _STREAM_START[codec]
    seen = 0
    pos: int | None = offset
    for _ in range(START_LOOKAHEAD):
        nal = None if pos is None else read_nal(window, pos, stop, codec)
        if nal is None:
            return False
        if nal.type in irap:
            return seen == len(order)
        if nal.type not in allowed or (seen == 0 and nal.type != order[0]):
            return False
        if not _param_ok(nal):
            return False
        if seen < len(order) and nal.type == order[seen]:
            seen += 1
        pos = next_start(window, nal.end, stop)
    return False


def stream_codec(window: Window, offset: int, stop: int) -> str | None:
    """``hevc`` or ``h264`` when a stream starts at the start code at ``offset``, else None."""
    for codec in (HEVC, H264):
        if is_stream_start(window, offset, stop, codec):
            return codec
    return None


def scan_annexb(
    window: Window, offset: int, stop: int, *, floor: int | None = None
) -> AnnexBRun | None:
    """Walk the NAL units of a stream starting at ``offset`` until the run breaks.

    Args:
        window: The bytes to walk.
        offset: A three-byte start code that begins a parameter set.
        stop: Bytes at and after this are not part of the run.
        floor: When given and the byte before ``offset`` (at or after ``floor``) is zero,
            the run starts there (a four-byte start code).

    Returns:
        The run, or None when no stream starts at ``offset``.
    """
    codec = stream_codec(window, offset, stop)
    if codec is None:
        return None
    n_nals = n_idr = 0
    end = offset
    pos: int | None = offset
    irap = _STREAM_START[codec][2]
    while pos is not None and pos < stop:
        nal = read_nal(window, pos, stop, codec)
        if nal is None:
            break
        n_nals += 1
        n_idr += nal.type in irap
        end = nal.end
        pos = next_start(window, nal.end, stop)
    start = offset
    if floor is not None and floor <= offset - 1 and window.byte(offset - 1) == 0:
        start = offset - 1
    return AnnexBRun(start, end, codec, n_nals, n_idr)
