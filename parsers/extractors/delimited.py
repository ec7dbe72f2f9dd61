"""Delimited text (CSV, TSV): the decoded file, and its rows as a table.

Lead lists move between call centres as CSV exports, often Shift_JIS from Japanese Excel,
separated by commas, semicolons, tabs or bars. The text stays the decoded file (indices
map to its bytes) and the rows go to a ``Table`` for contact-list detection.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from typing import IO

from parsers.extractor import Extraction, TextLimits
from parsers.extractors._common import base_mime, build_table, extension
from parsers.extractors.plain import decode_document

DELIMITERS = (",", ";", "\t", "|")
CSV_EXTENSIONS = frozenset({".csv", ".tsv", ".tab"})
CSV_MIMES = frozenset(
    {
        "text/csv",
        "text/tab-separated-values",
        "application/csv",
        "text/x-csv",
        "text/comma-separated-values",
    }
)
_SNIFF_LINES = 50


def sniff_delimiter(text: str, preferred: str = ",") -> str:
    """The delimiter that splits the first lines into the same number of fields most often.

    Candidates are comma, semicolon, tab and vertical bar; ``preferred`` wins ties and is
    the answer when no candidate appears at all.
    """
    lines = [line for line in text.split("\n", _SNIFF_LINES)[:_SNIFF_LINES] if line.strip()]
    best, best_score = preferred, (0, 0)
    for delimiter in (preferred, *[d for d in DELIMITERS if d != preferred]):
        counts = Counter(_field_count(line, delimiter) for line in lines)
        fields, agreeing = max(counts.items(), key=lambda item: (item[1], item[0]), default=(1, 0))
        score = (agreeing, fields) if fields > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _field_count(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except (csv.Error, StopIteration):
        return 0


def _rows(text: str, delimiter: str, problems: list[str]) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        problems.append(f"CSV parsing stopped at line {reader.line_num}: {exc}")


class CsvExtractor:
    """CSV and TSV files: decoded text, and the rows as a table (header guessed)."""

    name = "csv"
    version = 1
    description = "CSV/TSV files: decoded text and rows as a table (delimiter sniffed)"
    emits: tuple[str, ...] = ("text", "table")

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """CSV/TSV extensions or MIME types."""
        return extension(name) in CSV_EXTENSIONS or base_mime(mime) in CSV_MIMES

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Decode the file and parse its rows.

        Fields longer than the ``csv`` module's limit (128 KiB) end the table with a warning.

        Raises:
            ExtractionError: the bytes are not text in any charset.
        """
        doc = decode_document(self.name, stream, size, limits)
        delimiter = sniff_delimiter(doc.text)
        problems: list[str] = []
        table, cut = build_table("", _rows(doc.text, delimiter, problems), limits)
        return Extraction(
            kind=doc.kind,
            text=doc.text,
            encoding=doc.encoding,
            offset_basis=doc.offset_basis,
            bom_length=doc.bom_length,
            tables=(table,),
            truncated=doc.truncated or cut,
            warnings=tuple(problems),
        )
