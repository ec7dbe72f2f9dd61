"""Word documents (DOCX, DOCM, DOTX): paragraphs, tables, headers, footnotes and comments.

Call scripts, victim lists and payment instructions are written in Word. The text is read
straight from the package's XML (no macro or field is evaluated): the body, then headers,
footers, footnotes, endnotes and comments. Tables become lines of tab-separated cells
and are also returned as ``Table`` records for contact-list detection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO

from parsers.extractor import Extraction, ExtractionError, Table, TextLimits
from parsers.extractors._common import (
    TextBuffer,
    base_mime,
    build_table,
    extension,
    require_size,
)
from parsers.extractors._ooxml import Package

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
WORD_EXTENSIONS = frozenset({".docx", ".docm", ".dotx", ".dotm"})
WORD_MIMES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
        "application/vnd.ms-word.document.macroenabled.12",
        "application/vnd.ms-word.template.macroenabled.12",
    }
)
_SIDE_PARTS = re.compile(r"word/(header\d*|footer\d*|footnotes|endnotes|comments)\.xml")
_SKIPPED = frozenset({MC_FALLBACK, f"{W}delText", f"{W}instrText"})
_INLINE = {f"{W}tab": "\t", f"{W}br": "\n", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}


@dataclass
class _TableFrame:
    rows: list[list[str]] = field(default_factory=list)
    row: list[str] = field(default_factory=list)
    cell: list[str] = field(default_factory=list)


class _WordText:
    """Turns WordprocessingML events into lines of text and tables."""

    def __init__(self, out: TextBuffer) -> None:
        self.out = out
        self.tables: list[list[list[str]]] = []
        self._paragraphs: list[list[str]] = []
        self._frames: list[_TableFrame] = []
        self._skip = 0
        self._in_text = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if self._skip or tag in _SKIPPED:
            self._skip += 1
        elif tag == f"{W}t":
            self._in_text = True
        elif tag == f"{W}p":
            self._paragraphs.append([])
        elif tag == f"{W}tbl":
            self._frames.append(_TableFrame())
        elif tag in _INLINE and self._paragraphs:
            self._paragraphs[-1].append(_INLINE[tag])

    def end(self, tag: str) -> None:
        if self._skip:
            self._skip -= 1
        elif tag == f"{W}t":
            self._in_text = False
        elif tag == f"{W}p" and self._paragraphs:
            self._emit("".join(self._paragraphs.pop()).strip())
        elif tag == f"{W}tc" and self._frames:
            frame = self._frames[-1]
            frame.row.append(" ".join(" ".join(frame.cell).split()))
            frame.cell = []
        elif tag == f"{W}tr" and self._frames:
            frame = self._frames[-1]
            frame.rows.append(frame.row)
            frame.row = []
        elif tag == f"{W}tbl" and self._frames:
            self._close_table(self._frames.pop())

    def data(self, text: str) -> None:
        if self._in_text and not self._skip and self._paragraphs:
            self._paragraphs[-1].append(text)

    def _emit(self, line: str) -> None:
        if self._frames:
            self._frames[-1].cell.append(line)
        elif line:
            self.out.line(line)

    def _close_table(self, frame: _TableFrame) -> None:
        lines = ["\t".join(row) for row in frame.rows]
        if self._frames:
            self._frames[-1].cell.extend(lines)
            return
        for line in lines:
            self.out.line(line)
        self.tables.append(frame.rows)


class DocxExtractor:
    """Word 2007+ documents read from their XML parts."""

    name = "docx"
    version = 1
    description = "Word 2007+ documents (.docx/.docm/.dotx): body, tables, headers, notes, comments"
    emits: tuple[str, ...] = ("text", "table")

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """Word extensions or MIME types."""
        return extension(name) in WORD_EXTENSIONS or base_mime(mime) in WORD_MIMES

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Read the document body, then the side parts, within the limits.

        Raises:
            ExtractionError: not a ZIP package, no ``word/document.xml``, malformed XML or a
                DTD in a part.
        """
        require_size(self.name, size, limits)
        package = Package(stream, self.name, limits.max_input_bytes)
        try:
            if "word/document.xml" not in package.names:
                raise ExtractionError("docx: word/document.xml missing (not a Word document)")
            out = TextBuffer(limits.max_text_chars)
            reader = _WordText(out)
            for part in [
                "word/document.xml",
                *sorted(filter(_SIDE_PARTS.fullmatch, package.names)),
            ]:
                package.parse(part, reader, stop=lambda: out.is_full)
                out.add("\n")
        finally:
            package.close()
        tables: list[Table] = []
        cut = False
        for rows in reader.tables[: limits.max_tables]:
            table, table_cut = build_table("", rows, limits)
            tables.append(table)
            cut = cut or table_cut
        return Extraction(
            kind=self.name,
            text=out.text().strip("\n"),
            tables=tuple(tables),
            truncated=out.truncated
            or package.truncated
            or cut
            or len(reader.tables) > limits.max_tables,
        )
