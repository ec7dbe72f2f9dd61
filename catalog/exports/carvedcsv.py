"""The carved CSV: every DVR segment, carved clip or snapshot, and carved file, one per row.

Columns start with exactly ``exhibit, offset, length, kind, channel, start, end, status,
sha256`` (issues 8 and 9); ``offset`` is absolute in the disk image. Times are the
recorder's wall-clock unless the exhibit's clock zone was declared (then UTC), and the
``time_basis`` column says which. Raw on-disk time values and every extent follow, then
the columns only carved files fill (region, file row, type, duplicate).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from catalog.carving.listing import FILE_COLUMNS, carved_records
from catalog.exports.csvfile import write_safe_csv
from catalog.video.listing import COLUMNS, records

if TYPE_CHECKING:
    from sqlite_utils import Database

    from catalog.exports.base import ExportSnapshot, ExportStats


def write_carved_csv(db: Database, handle: BinaryIO, snapshot: ExportSnapshot) -> ExportStats:
    """Write every video segment and carved file as one CSV row (see the module docstring)."""
    columns = (*COLUMNS, *FILE_COLUMNS, "custody_head", "neutralised")
    return write_safe_csv(handle, columns, _rows(db, snapshot.record_head))


def _rows(db: Database, head: str) -> Iterator[dict[str, Any]]:
    blank = dict.fromkeys(FILE_COLUMNS)
    for record in records(db):
        yield {**blank, **record, "custody_head": head}
    for record in carved_records(db):
        yield {**record, "custody_head": head}
