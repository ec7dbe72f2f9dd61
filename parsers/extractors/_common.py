"""Helpers every extractor shares: matching names, reading bounded input, cleaning text.

Extractors must agree on what their output looks like (no control characters, text capped
at the same limit, tables capped the same way), so the conventions live here once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import IO

from parsers.extractor import ExtractionError, Table, TextLimits

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_C1 = re.compile(r"[\x80-\x9f]")
_CR_BEFORE_LF = re.compile(r"\r(?=\n)")
_LABEL_DIGITS_SHARE = 4
"""A header cell has at most one digit in this many characters."""


def extension(name: str) -> str:
    """Lower-case extension of a file name or path, with its dot (``""`` when none)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    return f".{ext.lower()}" if dot and stem else ""


def base_mime(mime: str | None) -> str:
    """MIME type without parameters, lower-case (``""`` when unknown)."""
    return (mime or "").split(";", 1)[0].strip().lower()


def read_text_input(stream: IO[bytes], size: int, limits: TextLimits) -> tuple[bytes, bool]:
    """Bytes of a text file up to ``limits.max_input_bytes``, and whether some were cut."""
    data = stream.read(min(max(size, 0), limits.max_input_bytes))
    return data, size > limits.max_input_bytes


def require_size(kind: str, size: int, limits: TextLimits) -> None:
    """Refuse a binary document larger than ``limits.max_input_bytes``.

    Raises:
        ExtractionError: the file is over the limit.
    """
    if size > limits.max_input_bytes:
        raise ExtractionError(
            f"{kind}: {size} bytes is over the {limits.max_input_bytes} byte extraction limit"
        )


def clean_text(text: str) -> str:
    """Text with line breaks normalised to LF and other control characters removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def clean_in_place(text: str) -> str:
    """Text with control characters replaced by characters of the same encoded width.

    Used where indices into the text map to file bytes (``offset_basis="file"``): CR before
    LF becomes a space, a lone CR a newline, other C0 controls a space and C1 controls a
    no-break space, so every index still points at the same character.
    """
    text = _CR_BEFORE_LF.sub(" ", text).replace("\r", "\n")
    return _C1.sub("\xa0", _C0.sub(" ", text))


def tidy_lines(text: str) -> str:
    """Text with runs of spaces collapsed, tab-separated cells kept, empty lines dropped."""
    lines = []
    for line in text.split("\n"):
        cells = [" ".join(cell.split()) for cell in line.split("\t")]
        tidy = "\t".join(cell for cell in cells if cell)
        if tidy:
            lines.append(tidy)
    return "\n".join(lines)


def cap_text(text: str, limits: TextLimits) -> tuple[str, bool]:
    """Text cut at ``limits.max_text_chars``, and whether it was cut."""
    if len(text) > limits.max_text_chars:
        return text[: limits.max_text_chars], True
    return text, False


class TextBuffer:
    """Collects pieces of text until ``max_chars``; later pieces are dropped and counted."""

    def __init__(self, max_chars: int) -> None:
        self._parts: list[str] = []
        self._room = max_chars
        self.truncated = False

    @property
    def is_full(self) -> bool:
        """Whether nothing more will be kept."""
        return self._room <= 0

    def add(self, piece: str) -> None:
        """Append ``piece`` (cut at the limit)."""
        if len(piece) > self._room:
            piece = piece[: max(self._room, 0)]
            self.truncated = True
        self._parts.append(piece)
        self._room -= len(piece)

    def line(self, piece: str) -> None:
        """Append ``piece`` followed by a newline."""
        self.add(piece + "\n")

    def text(self) -> str:
        """Everything kept, control characters removed."""
        return clean_text("".join(self._parts))


def looks_like_header(row: Sequence[str]) -> bool:
    """Whether a first row names its columns (labels, not values such as numbers or mail)."""
    cells = [cell.strip() for cell in row]
    filled = [cell for cell in cells if cell]
    if not filled or len(filled) * 2 < len(cells):
        return False
    return len(set(filled)) == len(filled) and all(_is_label(cell) for cell in filled)


def _is_label(cell: str) -> bool:
    digits = sum(ch.isdigit() for ch in cell)
    return (
        len(cell) <= 40
        and "@" not in cell
        and digits * _LABEL_DIGITS_SHARE <= len(cell)
        and not cell.lower().startswith(("http", "+", "www."))
    )


def build_table(
    name: str, rows: Iterable[Sequence[str]], limits: TextLimits, *, header: bool | None = None
) -> tuple[Table, bool]:
    """A ``Table`` from raw rows: empty rows skipped, cells and rows capped.

    Args:
        name: sheet or table name.
        rows: rows as read; the first non-empty one may be the header.
        limits: caps on rows and cell length.
        header: ``True`` when the first row is known to name the columns, ``False`` when
            it is known not to, ``None`` to guess with ``looks_like_header``.

    Returns:
        The table and whether rows or cells were dropped.
    """
    head: tuple[str, ...] | None = None
    kept: list[tuple[str, ...]] = []
    count = 0
    cut = False
    first = True
    for raw in rows:
        cells = [_clean_cell(cell) for cell in raw]
        if not any(cells):
            continue
        cut = cut or any(len(cell) > limits.max_cell_chars for cell in cells)
        row = tuple(cell[: limits.max_cell_chars] for cell in cells)
        if first:
            first = False
            if looks_like_header(row) if header is None else header:
                head = row
                continue
        count += 1
        if len(kept) < limits.max_table_rows:
            kept.append(row)
    table = Table(name=name, header=head, rows=tuple(kept), row_count=count)
    return table, cut or count > len(kept)


def _clean_cell(cell: str) -> str:
    return " ".join(clean_text(cell).split())


def table_lines(table: Table) -> list[str]:
    """The table as tab-separated lines, header first."""
    rows = ([table.header] if table.header else []) + list(table.rows)
    return ["\t".join(row) for row in rows]
