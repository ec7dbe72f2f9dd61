"""Carvers for PDF (header to the last ``%%EOF``) and SQLite (size from the header).

A PDF has no length field: its end is the last ``%%EOF`` (incremental updates append more)
before the next PDF header, the bound or the range end, and a ``startxref`` must precede it.
An SQLite database states its page size and, when the header's "version-valid-for" number
matches its change counter, its page count.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from parsers.carving.model import PDF, SQLITE, CarveProblem, Found, be16, be32

if TYPE_CHECKING:
    from parsers.dvr.containers.window import Window

PDF_SIGNATURE = b"%PDF-"
SQLITE_SIGNATURE = b"SQLite format 3\x00"
_PDF_HEADER = re.compile(rb"%PDF-[12]\.[0-9]")
_EOF = b"%%EOF"
PIECE = 1 << 20
TRAILER_WINDOW = 1024
"""``startxref`` must lie this close before the final ``%%EOF``."""


def _last_eof(window: Window, offset: int, stop: int) -> int | None:
    """Where the last ``%%EOF`` before the next PDF header (or ``stop``) starts, or None."""
    last, pos = None, offset + len(PDF_SIGNATURE)
    while pos < stop:
        piece = window.get(pos, min(PIECE, stop - pos))
        if not piece:
            break
        header = piece.find(PDF_SIGNATURE)
        scope = piece if header < 0 else piece[:header]
        found = scope.rfind(_EOF)
        last = pos + found if found >= 0 else last
        if header >= 0 or pos + len(piece) >= stop:
            break
        pos += len(piece) - len(_EOF) + 1
    return last


def _after_eol(window: Window, pos: int, stop: int) -> int:
    tail = window.get(pos, min(2, stop - pos))
    if tail.startswith(b"\r\n"):
        return pos + 2
    return pos + 1 if tail[:1] in (b"\r", b"\n") else pos


def carve_pdf(window: Window, offset: int, stop: int) -> Found | None:
    """The PDF at ``offset``: ``%PDF-x.y`` through the last ``%%EOF`` and its end of line."""
    header = window.get(offset, 8)
    if not _PDF_HEADER.match(header):
        return None
    eof = _last_eof(window, offset, stop)
    if eof is None:
        return None
    before = max(offset, eof - TRAILER_WINDOW)
    if b"startxref" not in window.get(before, eof - before):
        return None
    version = header[5:8].decode("ascii")
    return Found(_after_eol(window, eof + len(_EOF), stop), PDF, "pdf", f"PDF {version}")


def _page_size(window: Window, offset: int) -> int | None:
    raw = be16(window, offset + 16)
    size = 65536 if raw == 1 else raw
    if size is None or size < 512 or size & (size - 1):
        return None
    return size


def carve_sqlite(window: Window, offset: int, stop: int) -> Found | CarveProblem | None:
    """The SQLite database at ``offset``: ``page size * page count`` bytes.

    Returns:
        The database; a problem when the header is sound but states no usable page count
        or the database does not fit the range and bound; None for a bad header.
    """
    header = window.get(offset, 100)
    page_size = _page_size(window, offset)
    if len(header) < 100 or page_size is None or header[18] not in (1, 2):
        return None
    if header[19] not in (1, 2) or header[21:24] != b"\x40\x20\x20":
        return None
    if window.byte(offset + 100) not in (0x05, 0x0D):
        return None
    pages, counter, valid_for = be32(window, offset + 28), header[24:28], header[92:96]
    if not pages or counter != valid_for:
        return CarveProblem("SQLite header without a valid page count; not carved", offset)
    end = offset + page_size * pages
    if end > stop:
        return CarveProblem(
            f"SQLite database of {page_size * pages} bytes does not fit the region or the "
            "item bound; not carved",
            offset,
        )
    return Found(end, SQLITE, "sqlite", f"{pages} pages of {page_size} bytes")
