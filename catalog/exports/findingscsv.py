"""The findings CSV: every artefact found, traceable to its exhibit, file and byte offset.

Columns start with exactly ``exhibit, partition_offset, path, offset, kind, value,
normalized, score, rules, snippet`` (issue 4); ``path`` is written as in the files CSV, so
archive members read ``/dir/archive.zip!/member``. The cells are neutralised as in the
files CSV (scam text is attacker-written). More columns follow: where the offset points
(``offset_basis``: ``file`` for a byte offset in the file, ``text``/``markup`` for an index
into the extracted text), the detector, the file's id and SHA-256, the custody head.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, BinaryIO

from catalog.exports.csvfile import write_safe_csv
from catalog.store.findings import finding_records

if TYPE_CHECKING:
    from sqlite_utils import Database

    from catalog.exports.base import ExportSnapshot, ExportStats

COLUMNS = (
    "exhibit",
    "partition_offset",
    "path",
    "offset",
    "kind",
    "value",
    "normalized",
    "score",
    "rules",
    "snippet",
    "offset_basis",
    "detector",
    "file_id",
    "file_sha256",
    "custody_head",
    "neutralised",
)


def finding_values(record: dict[str, Any], custody_head: str) -> dict[str, Any]:
    """One findings row as the CSV's raw values."""
    values = {column: record.get(column) for column in COLUMNS}
    values["score"] = f"{record['score']:.3f}"
    values["custody_head"] = custody_head
    return values


def write_findings_csv(db: Database, handle: BinaryIO, snapshot: ExportSnapshot) -> ExportStats:
    """Write every finding as one CSV row (see the module docstring)."""
    records = finding_records(db, hide_known=snapshot.hide_known)
    rows = (finding_values(r, snapshot.record_head) for r in records)
    return write_safe_csv(handle, COLUMNS, rows)
