"""Carved files as the carved CSV lists them, in the columns of the DVR segments.

``evcat export carved`` lists recorder segments and carved files in one table (issue 9
asks for the same columns): ``exhibit, offset, length, kind, channel, start, end, status,
sha256``, then the segment columns, then the columns only a carved file has. A carved
file has no channel or times; its status is ``carved``, or ``duplicate`` when a
catalogued file holds the same bytes (``duplicate_of`` names it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from catalog.store import carved

if TYPE_CHECKING:
    from sqlite_utils import Database

FILE_COLUMNS = (
    "region",
    "region_offset",
    "file_id",
    "path",
    "mime",
    "category",
    "duplicate_of",
)
"""Columns after the segment columns, empty on segment rows."""

CARVED = "carved"
DUPLICATE = "duplicate"


def carved_record(row: dict[str, Any]) -> dict[str, Any]:
    """One ``carved_listing`` row as a listing record."""
    notes = [part for part in (row["note"], row["content_error"]) if part]
    return {
        "exhibit": row["evidence_id"],
        "offset": row["offset"],
        "length": row["length"],
        "kind": row["kind"],
        "channel": None,
        "start": None,
        "end": None,
        "status": DUPLICATE if row["duplicate_of"] else CARVED,
        "sha256": row["sha256"],
        "vendor": None,
        "source": row["region"],
        "start_raw": None,
        "end_raw": None,
        "time_basis": "",
        "extents": f"{row['offset']}+{row['length']}",
        "md5": row["md5"],
        "sha1": row["sha1"],
        "blake3": row["blake3"],
        "segment_id": None,
        "notes": "; ".join(notes) or None,
        "region": row["region"],
        "region_offset": row["region_offset"],
        "file_id": row["file_id"],
        "path": row["path"],
        "mime": row["mime"],
        "category": row["category"],
        "duplicate_of": row["duplicate_of"],
    }


def carved_records(db: Database, exhibit: str | None = None) -> Iterator[dict[str, Any]]:
    """Every carved file's record, by exhibit and offset."""
    for row in carved.carved_listing(db, exhibit):
        yield carved_record(row)
