r"""The files CSV for prosecutors and spreadsheets.

UTF-8 with a byte-order mark (so spreadsheets show Japanese names), CRLF rows, a fixed
column order documented in ``docs/exports.md``. A cell that a spreadsheet would evaluate
(leading ``=``, ``+``, ``-``, ``@``, tab, CR) gets a ``'`` prefix and control characters
become ``\xNN``; such rows name the altered columns in ``neutralised`` and are listed in
the manifest. The catalog keeps the exact values, and ``name_bytes_hex`` gives a name's
exact bytes whenever its display form is not them. Every row carries the custody head the
export reflects (``custody_head``), so a sorted or filtered sheet still names its record.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

from catalog.csvsafe import neutralise_cell
from catalog.exports.base import ExportSnapshot, ExportStats, raw_name_hex
from catalog.store import reads

if TYPE_CHECKING:
    from sqlite_utils import Database

COLUMNS = (
    "exhibit",
    "partition_offset",
    "fs_type",
    "path",
    "name",
    "name_bytes_hex",
    "extension",
    "inode",
    "type",
    "size",
    "allocated",
    "reallocated",
    "orphan",
    "virtual",
    "ads",
    "created",
    "modified",
    "accessed",
    "changed",
    "time_zone_note",
    "md5",
    "sha1",
    "sha256",
    "blake3",
    "content_status",
    "mime",
    "magic_description",
    "category",
    "extension_mismatch",
    "origin",
    "parent_file_id",
    "text_status",
    "known_status",
    "known_sets",
    "tags",
    "notes",
    "exif",
    "locator",
    "file_id",
    "custody_head",
    "neutralised",
)

_FLAGS = {
    "allocated": "is_allocated",
    "reallocated": "is_realloc",
    "orphan": "is_orphan",
    "virtual": "is_virtual",
    "ads": "is_ads",
    "extension_mismatch": "extension_mismatch",
}


def csv_values(record: dict[str, Any], custody_head: str) -> dict[str, Any]:
    """One catalog record as the CSV's raw (not yet neutralised) values."""
    values = {column: record.get(column) for column in COLUMNS}
    values["custody_head"] = custody_head
    values["partition_offset"] = record["fs_offset"]
    values["name_bytes_hex"] = raw_name_hex(record.get("name_raw"), neutralise_cell(record["name"]))
    values["known_status"] = record.get("known_status")
    for column, source in _FLAGS.items():
        values[column] = "true" if record[source] else "false"
    return values


def write_csv(db: Database, handle: BinaryIO, snapshot: ExportSnapshot) -> ExportStats:
    """Write every catalogued entry as one CSV row (see the module docstring)."""
    rows = (
        csv_values(record, snapshot.record_head)
        for record in reads.file_records(db, hide_known=snapshot.hide_known)
    )
    return write_safe_csv(handle, COLUMNS, rows)


def write_safe_csv(
    handle: BinaryIO, columns: Sequence[str], rows: Iterable[dict[str, Any]]
) -> ExportStats:
    """BOM, header, CRLF rows of neutralised cells; the last column names altered cells.

    ``columns`` ends with ``neutralised``, which this function fills in.
    """
    stats = ExportStats()
    handle.write(codecs.BOM_UTF8)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for values in rows:
        cells, altered = [], []
        for column in columns[:-1]:
            raw = values[column]
            cell = neutralise_cell(raw)
            if raw is not None and cell != str(raw):
                altered.append(column)
            cells.append(cell)
        cells.append(" ".join(altered))
        stats.rows += 1
        if altered:
            stats.neutralised_rows.append(stats.rows)
        writer.writerow(cells)
        if buffer.tell() > 1 << 16:
            _drain(buffer, handle)
    _drain(buffer, handle)
    return stats


def _drain(buffer: io.StringIO, handle: BinaryIO) -> None:
    handle.write(buffer.getvalue().encode("utf-8"))
    buffer.seek(0)
    buffer.truncate()
