r"""Make evidence-derived text safe, and honest, to show in a terminal.

File names, archive member paths and file contents come from seized media, so they are
hostile: an ``ESC [ 2 J`` clears the examiner's screen, a right-to-left override (U+202E)
makes ``invoice‮fdp.exe`` read as ``invoiceexe.pdf``, and a zero-width space makes two
different names look the same. Every such character is shown as a visible escape here,
before any front-end draws the text.

The escapes, chosen so that the mapping stays one-to-one (two different inputs never
display alike, not even when they differ only in invisible characters):

* ``\xNN``: an ASCII control character (U+0000-U+001F, U+007F), or, for NN >= 80, a byte
  that was not valid UTF-8 (a lone surrogate U+DC80-U+DCFF, as ``surrogateescape`` makes).
  This matches ``catalog.csvsafe.clean_text``, so an undecodable byte reads the same
  everywhere.
* ``\uNNNN`` / ``\UNNNNNNNN``: any other character that draws nothing or changes how its
  neighbours draw: C1 controls (U+0080-U+009F, written ``\u0085`` so that they never look
  like the undecodable byte 0x85), format characters (category Cf: bidi controls, zero-width
  joiners, U+FEFF...), the line and paragraph separators, other lone surrogates, unassigned
  code points, Unicode's default-ignorable code points (variation selectors, Hangul fillers,
  tag characters) and U+2800. In one-line text every space but U+0020 is escaped too
  (U+00A0, U+3000...), since it looks like a plain space.
* A literal backslash is left alone, so Windows paths stay readable (``C:\Users\Bob``),
  *except* where it could be read as the start of an escape: before another backslash,
  an escaped character (or any character past U+FFFF), or text of an escape's shape
  (``x`` and 2 hex digits, ``u`` and 4, ``U`` and 8) it is written ``\\``. Reading left
  to right, ``\\`` is then always one backslash, ``\xNN``/``\uNNNN``/``\UNNNNNNNN``
  always an escape, and any other ``\`` a backslash. (So a name the catalog already
  stores with ``\xff`` for an undecodable byte shows as ``\\xff``: pass the raw name
  decoded with ``surrogateescape`` to get ``\xff``.)

Letters of every script (Japanese, Arabic, Hebrew...), combining marks, private-use
characters and U+FFFD are kept. Lengths are counted in characters, not terminal cells.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache

ELLIPSIS = "…"

_ALWAYS_ESCAPED = frozenset({"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"})
_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x2800, 0x2800), (0x3164, 0x3164), (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)  # fmt: skip
"""Unicode's Default_Ignorable_Code_Point ranges (drawn as nothing), plus the blank U+2800."""

_ESCAPE_LIKE = r"\\|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}"
"""What, after a literal backslash, would read as an escape (or as an escaped backslash)."""

_KEPT_IN_TEXT = frozenset({"\n", "\t"})
"""Characters ``multiline_text`` lays out itself instead of escaping."""


_ASTRAL = "[\\U00010000-\\U0010ffff]"
"""Characters past the BMP: matched by one range and judged by ``_is_escaped`` one by one
(``re`` tests a set holding them range by range, which is slow for every character)."""


def _is_escaped(cp: int, one_line: bool) -> bool:
    if not one_line and chr(cp) in _KEPT_IN_TEXT:
        return False
    category = unicodedata.category(chr(cp))
    return (
        category in _ALWAYS_ESCAPED
        or any(start <= cp <= end for start, end in _DEFAULT_IGNORABLE)
        or (one_line and category == "Zs" and cp != 0x20)
    )


def _bmp_class(one_line: bool) -> str:
    """A character set of the escaped BMP characters (``re`` tests it as a bitmap)."""
    ranges: list[list[int]] = []
    for cp in range(0x10000):
        if not _is_escaped(cp, one_line):
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    parts = (
        f"\\u{start:04x}" if start == end else f"\\u{start:04x}-\\u{end:04x}"
        for start, end in ranges
    )
    return "[" + "".join(parts) + "]"


@cache
def _pattern(one_line: bool) -> re.Pattern[str]:
    """What may need escaping: characters, and backslashes that precede an escape."""
    escaped = f"{_bmp_class(one_line)}|{_ASTRAL}"
    return re.compile(rf"\\(?={_ESCAPE_LIKE}|{escaped})|{escaped}")


def _escape(char: str) -> str:
    cp = ord(char)
    if char == "\\":
        return "\\\\"
    if cp < 0x80:
        return f"\\x{cp:02x}"
    if 0xDC80 <= cp <= 0xDCFF:
        return f"\\x{cp - 0xDC00:02x}"
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def _pieces(text: str, one_line: bool) -> Iterator[tuple[str, bool]]:
    """The output in pieces: (run of kept text, False) and (one whole escape, True)."""
    start = 0
    for match in _pattern(one_line).finditer(text):
        char = match.group()
        if char > "\uffff" and not _is_escaped(ord(char), one_line):
            continue  # an ordinary character past the BMP (an emoji, a rare ideograph)
        if match.start() > start:
            yield text[start : match.start()], False
        yield _escape(char), True
        start = match.end()
    if start < len(text):
        yield text[start:], False


def _joined(text: str, one_line: bool) -> str:
    return "".join(piece for piece, _ in _pieces(text, one_line))


def display_text(text: str, max_chars: int | None = None) -> str:
    r"""One line of evidence text with every control and invisible character made visible.

    Args:
        text: any string, including lone surrogates from ``surrogateescape``.
        max_chars: when given, the result has at most this many characters; a longer one
            is cut (never inside an escape) and ends in ``…``.

    Returns:
        The text with the escapes described in the module docstring; newlines and tabs
        are escaped too (``\x0a``, ``\x09``).

    Raises:
        ValueError: ``max_chars`` is below 1.
    """
    if max_chars is None:
        return _joined(text, True)
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, not {max_chars}")
    # Each input character gives at least one output character, and a backslash's escape
    # depends on at most the next nine: this prefix decides the whole visible result.
    pieces = list(_pieces(text[: max_chars + 10], True))
    if sum(len(piece) for piece, _ in pieces) <= max_chars:
        return "".join(piece for piece, _ in pieces)
    return _cut(pieces, max_chars - 1) + ELLIPSIS


def _cut(pieces: list[tuple[str, bool]], room: int) -> str:
    """As many whole escapes and kept characters as fit in ``room`` characters."""
    kept: list[str] = []
    for piece, is_escape in pieces:
        if len(piece) > room:
            if not is_escape:
                kept.append(piece[:room])
            break
        kept.append(piece)
        room -= len(piece)
    return "".join(kept)


def multiline_text(text: str, tab_size: int = 4) -> str:
    r"""Evidence text for a preview: like ``display_text`` but keeping the line breaks.

    ``\n`` stays a line break, a tab becomes spaces up to the next multiple of
    ``tab_size`` columns (counted in characters), and ``\r`` shows as ``\x0d``. Other
    spaces (U+00A0, U+3000...) are kept, as running text uses them.
    """
    return "\n".join(_expand_tabs(line, tab_size) for line in text.split("\n"))


def _expand_tabs(line: str, tab_size: int) -> str:
    segments = line.split("\t")
    out = _joined(segments[0], False)
    for segment in segments[1:]:
        out += " " * (tab_size - len(out) % tab_size) + _joined(segment, False)
    return out


def hex_dump(data: bytes, base_offset: int = 0, width: int = 16) -> list[str]:
    """Classic hex dump lines: ``00000000  48 65 6c 6c 6f ...  |Hello...|``.

    Args:
        data: the bytes to show.
        base_offset: the absolute offset of ``data[0]`` (in the file or the image).
        width: bytes per line; a 16-byte line has an extra space after its 8th byte.

    Returns:
        One line per ``width`` bytes. The offset column has at least 8 hex digits and
        more when the offsets need them (the same for every line); the ASCII column shows
        bytes 0x20-0x7e as themselves and everything else as ``.``.

    Raises:
        ValueError: ``width`` is below 1 or ``base_offset`` is negative.
    """
    if width < 1:
        raise ValueError(f"width must be at least 1, not {width}")
    if base_offset < 0:
        raise ValueError(f"base_offset must not be negative, not {base_offset}")
    if not data:
        return []
    digits = max(8, len(f"{base_offset + len(data) - 1:x}"))
    hex_width = len(_hex_column(bytes(width), width))
    lines = []
    for start in range(0, len(data), width):
        row = data[start : start + width]
        ascii_column = "".join(chr(b) if 0x20 <= b <= 0x7E else "." for b in row)
        lines.append(
            f"{base_offset + start:0{digits}x}  "
            f"{_hex_column(row, width):<{hex_width}}  |{ascii_column}|"
        )
    return lines


def _hex_column(row: bytes, width: int) -> str:
    cells = [f"{b:02x}" for b in row]
    if width == 16 and len(cells) > 8:
        return " ".join(cells[:8]) + "  " + " ".join(cells[8:])
    return " ".join(cells)
