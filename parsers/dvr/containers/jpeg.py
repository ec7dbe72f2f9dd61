"""JPEG snapshots on DVR disks: a bounded SOI..EOI carve that walks the marker segments.

Recorders store event snapshots and ``.pic`` files as plain JPEGs. A carve that merely
searches for ``FF D9`` after ``FF D8`` would take any stray bytes; walking the segments
(APPn, DQT, DHT, SOF, SOS), then the entropy-coded data to the next real marker, accepts only
images with a frame header, a scan and an end marker, within a length bound (§5.1 of
dvr-formats.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parsers.dvr.containers.window import Window

SIGNATURE = b"\xff\xd8\xff"
MAX_LENGTH = 32 << 20
MAX_SEGMENTS = 1 << 16
ENTROPY_BLOCK = 1 << 20
SOI, EOI, SOS, DNL = 0xD8, 0xD9, 0xDA, 0xDC
SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_MARKER_AFTER_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
"""A marker inside entropy-coded data: not a stuffed ``FF 00``, not a restart marker."""


@dataclass(frozen=True, slots=True)
class JpegItem:
    """One complete JPEG (SOI through EOI)."""

    offset: int
    end: int
    width: int
    height: int

    @property
    def length(self) -> int:
        """Bytes from SOI to the end of EOI."""
        return self.end - self.offset


def _marker(window: Window, pos: int, limit: int) -> tuple[int, int] | None:
    """(marker byte, offset after it) at ``pos``, skipping fill bytes ``FF``."""
    data = window.get(pos, min(64, limit - pos))
    fill = len(data) - len(data.lstrip(b"\xff"))
    if fill == 0 or fill >= len(data):
        return None
    return data[fill], pos + fill + 1


def _frame_size(segment: bytes) -> tuple[int, int] | None:
    """(width, height) of a SOF segment body (after the length), or None if malformed."""
    if len(segment) < 6 or segment[0] not in (8, 12, 16):
        return None
    height, width, components = (
        segment[1] << 8 | segment[2],
        segment[3] << 8 | segment[4],
        segment[5],
    )
    if width == 0 or not 1 <= components <= 4 or len(segment) != 6 + 3 * components:
        return None
    return width, height


def _scan_header_ok(segment: bytes) -> bool:
    return len(segment) >= 1 and 1 <= segment[0] <= 4 and len(segment) == 4 + 2 * segment[0]


def entropy_end(window: Window, pos: int, limit: int) -> int | None:
    """Where the marker that ends the entropy-coded data from ``pos`` starts, or None."""
    while pos < limit:
        block = window.get(pos, min(ENTROPY_BLOCK, window.chunk_size, limit - pos))
        found = _MARKER_AFTER_SCAN.search(block)
        if found:
            return pos + found.start()
        step = len(block) - block.endswith(b"\xff")
        if step <= 0 or pos + len(block) >= limit:
            return None
        pos += step
    return None


def carve_jpeg(
    window: Window, offset: int, stop: int, *, max_length: int = MAX_LENGTH
) -> JpegItem | None:
    """The complete JPEG whose SOI is at ``offset``, or None.

    Args:
        window: The bytes to read.
        offset: Where ``FF D8 FF`` is.
        stop: The image must end by this offset.
        max_length: Longest image accepted.

    Returns:
        The image when its segments parse and it has a frame header (SOF), a scan (SOS)
        and an end marker (EOI); None otherwise.
    """
    limit = min(stop, offset + max_length)
    if window.get(offset, 3) != SIGNATURE:
        return None
    size: tuple[int, int] | None = None
    scans, pos = 0, offset + 2
    for _ in range(MAX_SEGMENTS):
        found = _marker(window, pos, limit)
        if found is None:
            return None
        marker, pos = found
        if marker == EOI:
            return JpegItem(offset, pos, *size) if size and scans else None
        length_bytes = window.get(pos, 2)
        if marker < 0xC0 or marker in (SOI, *range(0xD0, 0xD8)) or len(length_bytes) < 2:
            return None
        seg_end = pos + (length_bytes[0] << 8 | length_bytes[1])
        if seg_end - pos < 2 or seg_end > limit:
            return None
        body = window.get(pos + 2, seg_end - pos - 2) if marker in (*SOF, SOS) else b""
        if marker in SOF:
            size = None if size else _frame_size(body)
            if size is None:
                return None
        if marker == SOS:
            end = entropy_end(window, seg_end, limit) if size and _scan_header_ok(body) else None
            if end is None:
                return None
            scans, seg_end = scans + 1, end
        pos = seg_end
    return None
