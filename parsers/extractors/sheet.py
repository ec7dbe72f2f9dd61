"""Excel workbooks (XLSX, XLSM): every sheet as a table and as tab-separated text.

Victim lists ("leads") are traded and worked as spreadsheets: names, phone numbers, ages,
prefectures. Cells are read by streaming each sheet's XML (no formula is evaluated; the
value Excel cached is used), shared strings resolved, date-formatted numbers written as
ISO dates so that birthdays read as such.
"""

from __future__ import annotations

import dataclasses
import re
from typing import IO

from parsers.extractor import Extraction, ExtractionError, Table, TextLimits
from parsers.extractors._common import TextBuffer, base_mime, build_table, extension, require_size
from parsers.extractors._ooxml import Package
from parsers.extractors._xlsx_parts import (
    InlineText,
    Relationships,
    S,
    SharedStrings,
    Styles,
    WorkbookList,
    serial_to_iso,
)

SHEET_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm"})
SHEET_MIMES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
        "application/vnd.ms-excel.sheet.macroenabled.12",
        "application/vnd.ms-excel.template.macroenabled.12",
    }
)
MAX_COLUMNS = 1024
"""Columns kept per row; a hostile ``r="XFD1"`` must not allocate 16,384 cells per row."""
_COLUMN = re.compile(r"[A-Z]{1,3}")
_LAST_ROW = re.compile(r"(\d{1,7})$")


def column_index(reference: str) -> int | None:
    """Zero-based column of a cell reference such as ``AB12`` (``None`` when malformed)."""
    match = _COLUMN.match(reference)
    if match is None:
        return None
    index = 0
    for letter in match.group():
        index = index * 26 + ord(letter) - 64
    return index - 1


@dataclasses.dataclass
class _Context:
    shared: list[str]
    date_styles: frozenset[int]
    date1904: bool


class _SheetReader(InlineText):
    """Rows of one worksheet: kept up to the row limit, all written to the text."""

    def __init__(self, context: _Context, out: TextBuffer, limits: TextLimits) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.extra_rows = 0
        self.declared_rows: int | None = None
        self.dropped_cells = False
        self._context = context
        self._out = out
        self._keep = limits.max_table_rows + 1
        self._row: list[str] = []
        self._cell: dict[str, str] = {}
        self._in_v = False
        self._value: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        super().start(tag, attrs)
        if tag == f"{S}c":
            self._cell, self._value = attrs, []
        elif tag == f"{S}v":
            self._in_v = True
        elif tag == f"{S}row":
            self._row = []
        elif tag == f"{S}dimension":
            last = _LAST_ROW.search(attrs.get("ref", ""))
            self.declared_rows = int(last.group(1)) if last else None

    def end(self, tag: str) -> None:
        super().end(tag)
        if tag == f"{S}v":
            self._in_v = False
        elif tag == f"{S}c":
            self._place(self._cell_value())
        elif tag == f"{S}row":
            self._finish_row()

    def data(self, text: str) -> None:
        super().data(text)
        if self._in_v:
            self._value.append(text)

    def is_done(self) -> bool:
        """Whether the text is full and the table has all the rows it keeps."""
        return self._out.is_full and len(self.rows) >= self._keep

    def _cell_value(self) -> str:
        kind = self._cell.get("t", "n")
        raw = "".join(self._value)
        if kind == "s":
            index = int(raw) if raw.strip().isdigit() else -1
            return self._context.shared[index] if 0 <= index < len(self._context.shared) else ""
        if kind == "inlineStr":
            return self.take()
        if kind == "b":
            return "TRUE" if raw.strip() == "1" else "FALSE"
        style = self._cell.get("s", "")
        if kind == "n" and style.isdigit() and int(style) in self._context.date_styles:
            return serial_to_iso(raw, self._context.date1904)
        return raw

    def _place(self, value: str) -> None:
        column = column_index(self._cell.get("r", "")) if "r" in self._cell else None
        column = len(self._row) if column is None or column < len(self._row) else column
        if column >= MAX_COLUMNS:
            self.dropped_cells = True
            return
        self._row.extend([""] * (column - len(self._row)))
        self._row.append(value)
        self.take()

    def _finish_row(self) -> None:
        while self._row and not self._row[-1]:
            self._row.pop()
        if not self._row:
            return
        if not self._out.is_full:
            self._out.line("\t".join(self._row))
        if len(self.rows) < self._keep:
            self.rows.append(self._row)
        else:
            self.extra_rows += 1


def _context(package: Package) -> tuple[_Context, list[tuple[str, str]]]:
    workbook = WorkbookList()
    package.parse("xl/workbook.xml", workbook)
    relations = Relationships("xl/")
    if "xl/_rels/workbook.xml.rels" in package.names:
        package.parse("xl/_rels/workbook.xml.rels", relations)
    shared = SharedStrings()
    if "xl/sharedStrings.xml" in package.names:
        package.parse("xl/sharedStrings.xml", shared)
    styles = Styles()
    if "xl/styles.xml" in package.names:
        package.parse("xl/styles.xml", styles)
    sheets = [(name, relations.targets.get(rid, "")) for name, rid in workbook.sheets]
    return _Context(shared.strings, styles.date_styles(), workbook.date1904), sheets


def _read_sheet(
    package: Package, name: str, part: str, context: _Context, out: TextBuffer, limits: TextLimits
) -> tuple[Table, bool]:
    """One worksheet as a table, and whether anything was dropped.

    Rows past the limits are counted, or estimated from the sheet's declared dimension
    when reading stopped early.
    """
    out.line(f"[{name}]")
    reader = _SheetReader(context, out, limits)
    package.parse(part, reader, stop=reader.is_done)
    table, cut = build_table(name, reader.rows, limits)
    count = table.row_count + reader.extra_rows
    if reader.is_done() and reader.declared_rows is not None:
        count = max(count, reader.declared_rows - (1 if table.header else 0))
    table = dataclasses.replace(table, row_count=count)
    return table, cut or reader.dropped_cells or count > len(table.rows)


class XlsxExtractor:
    """Excel 2007+ workbooks: one table per sheet, rows as tab-separated text."""

    name = "xlsx"
    version = 1
    description = "Excel 2007+ workbooks (.xlsx/.xlsm): each sheet as a table and as text"
    emits: tuple[str, ...] = ("text", "table")

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """Excel extensions or MIME types."""
        return extension(name) in SHEET_EXTENSIONS or base_mime(mime) in SHEET_MIMES

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Read every worksheet (up to ``limits.max_tables``).

        Raises:
            ExtractionError: not a ZIP package, no ``xl/workbook.xml``, malformed XML or a
                DTD in a part.
        """
        require_size(self.name, size, limits)
        package = Package(stream, self.name, limits.max_input_bytes)
        out = TextBuffer(limits.max_text_chars)
        tables: list[Table] = []
        warnings: list[str] = []
        cut = False
        try:
            if "xl/workbook.xml" not in package.names:
                raise ExtractionError("xlsx: xl/workbook.xml missing (not an Excel workbook)")
            context, sheets = _context(package)
            cut = len(sheets) > limits.max_tables
            for name, part in sheets[: limits.max_tables]:
                if part not in package.names:
                    warnings.append(f"sheet {name!r}: part {part or '(none)'} missing")
                    continue
                table, table_cut = _read_sheet(package, name, part, context, out, limits)
                tables.append(table)
                cut = cut or table_cut
        finally:
            package.close()
        return Extraction(
            kind=self.name,
            text=out.text().strip("\n"),
            tables=tuple(tables),
            truncated=cut or out.truncated or package.truncated,
            warnings=tuple(warnings),
        )
