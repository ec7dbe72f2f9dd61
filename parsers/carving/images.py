"""Carvers for the three image formats: JPEG (segment walk), PNG (chunk CRCs), GIF (blocks).

Each accepts an image only when its whole structure walks from signature to end marker
inside the bound it is given, so a stray signature in other data yields nothing.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from parsers.carving.model import GIF, JPEG, PNG, Found, be32, le16
from parsers.dvr.containers import jpeg

if TYPE_CHECKING:
    from parsers.dvr.containers.window import Window

JPEG_SIGNATURE = jpeg.SIGNATURE
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GIF_SIGNATURES = (b"GIF87a", b"GIF89a")
MAX_CHUNKS = 1 << 20
MAX_BLOCKS = 1 << 22
CRC_PIECE = 1 << 20
"""Bytes of a large chunk read at a time while its CRC is checked."""


def carve_jpeg(window: Window, offset: int, stop: int) -> Found | None:
    """The JPEG at ``offset`` (SOI, segments with SOF and SOS, EOI), reusing the DVR walker."""
    item = jpeg.carve_jpeg(window, offset, stop, max_length=stop - offset)
    if item is None:
        return None
    return Found(item.end, JPEG, "jpg", f"{item.width}x{item.height}")


def _chunk_crc_ok(window: Window, pos: int, length: int, expected: int) -> bool:
    """True when the CRC-32 of type and data (``4 + length`` bytes at ``pos``) is ``expected``."""
    crc, done = 0, 0
    while done < length + 4:
        piece = window.get(pos + done, min(CRC_PIECE, length + 4 - done))
        if not piece:
            return False
        crc, done = zlib.crc32(piece, crc), done + len(piece)
    return crc == expected


def carve_png(window: Window, offset: int, stop: int) -> Found | None:
    """The PNG at ``offset``: IHDR first, every chunk's CRC right, through IEND."""
    if window.get(offset, 8) != PNG_SIGNATURE:
        return None
    pos, size = offset + 8, ""
    for index in range(MAX_CHUNKS):
        length, kind = be32(window, pos), window.get(pos + 4, 4)
        if length is None or len(kind) < 4 or not kind.isalpha() or length >= 1 << 31:
            return None
        end = pos + 12 + length
        crc = be32(window, end - 4) if end <= stop else None
        if crc is None or (index == 0) != (kind == b"IHDR" and length == 13):
            return None
        if not _chunk_crc_ok(window, pos + 4, length, crc):
            return None
        if index == 0:
            size = f"{be32(window, pos + 8)}x{be32(window, pos + 12)}"
        if kind == b"IEND":
            return Found(end, PNG, "png", size)
        pos = end
    return None


def _skip_sub_blocks(window: Window, pos: int, stop: int) -> int | None:
    """Where the sub-block chain at ``pos`` ends (after its zero terminator), or None."""
    for _ in range(MAX_BLOCKS):
        size = window.byte(pos)
        if size is None or pos >= stop:
            return None
        pos += 1 + size
        if size == 0:
            return pos
    return None


def _color_table(flags: int) -> int:
    return 3 << ((flags & 7) + 1) if flags & 0x80 else 0


def _gif_image(window: Window, pos: int, stop: int) -> int | None:
    """Where the image starting with its descriptor (``0x2C``) at ``pos`` ends, or None."""
    descriptor = window.get(pos + 1, 9)
    if len(descriptor) < 9 or not le16(window, pos + 5) or not le16(window, pos + 7):
        return None
    pos += 10 + _color_table(descriptor[8])
    code_size = window.byte(pos)
    if code_size is None or not 2 <= code_size <= 11:
        return None
    return _skip_sub_blocks(window, pos + 1, stop)


def carve_gif(window: Window, offset: int, stop: int) -> Found | None:
    """The GIF at ``offset``: header, screen descriptor, blocks, at least one image, trailer."""
    header = window.get(offset, 13)
    if len(header) < 13 or header[:6] not in GIF_SIGNATURES:
        return None
    width, height = le16(window, offset + 6), le16(window, offset + 8)
    if not width or not height:
        return None
    pos, images = offset + 13 + _color_table(header[10]), 0
    for _ in range(MAX_BLOCKS):
        block = window.byte(pos) if pos < stop else None
        if block == 0x3B:
            return Found(pos + 1, GIF, "gif", f"{width}x{height}") if images else None
        if block == 0x2C:
            after, images = _gif_image(window, pos, stop), images + 1
        elif block == 0x21 and window.byte(pos + 1) is not None:
            after = _skip_sub_blocks(window, pos + 2, stop)
        else:
            return None
        if after is None:
            return None
        pos = after
    return None
