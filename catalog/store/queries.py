"""Every query evcat runs against a case catalog.

Writes for the pipeline, reads for the exports and the front-ends. Values always go in as
parameters, never by string formatting.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from catalog.timeutil import utc_now

if TYPE_CHECKING:
    from sqlite_utils import Database

    from catalog.model import Hashes


def start_run(db: Database, row: dict[str, Any]) -> None:
    """Record a run as ``running``."""
    db.table("runs").insert(row)


def finish_run(db: Database, run_id: str, status: str, summary: str) -> None:
    """Close a run with its final status and summary JSON."""
    db.execute(
        "UPDATE runs SET finished = ?, status = ?, summary = ? WHERE run_id = ?",
        [utc_now(), status, summary, run_id],
    )


def upsert_evidence(db: Database, row: dict[str, Any]) -> None:
    """Insert or update an evidence row, keeping the run that first scanned it."""
    existing = db.execute(
        "SELECT first_run_id FROM evidence WHERE evidence_id = ?", [row["evidence_id"]]
    ).fetchone()
    first_run = existing[0] if existing and existing[0] else row["last_run_id"]
    db.table("evidence").upsert(
        {**row, "first_run_id": first_run, "status": "scanning"}, pk="evidence_id"
    )


def finish_evidence(db: Database, evidence_id: str, run_id: str, status: str) -> None:
    """Set an evidence item's status at the end of its scan."""
    db.execute(
        "UPDATE evidence SET status = ?, last_run_id = ? WHERE evidence_id = ?",
        [status, run_id, evidence_id],
    )


def set_media_hash(db: Database, evidence_id: str, hashes: Hashes | None, status: str) -> None:
    """Store the media digests and how they compare with the acquisition hashes."""
    db.execute(
        "UPDATE evidence SET media_md5 = ?, media_sha1 = ?, media_sha256 = ?,"
        " media_blake3 = ?, media_hash_status = ? WHERE evidence_id = ?",
        [
            hashes.md5 if hashes else None,
            hashes.sha1 if hashes else None,
            hashes.sha256 if hashes else None,
            hashes.blake3 if hashes else None,
            status,
            evidence_id,
        ],
    )


def purge_stale(db: Database, evidence_id: str, run_id: str) -> None:
    """After a complete re-scan, drop the evidence's rows that this run did not write."""
    for table in ("files", "filesystems", "volumes", "problems"):
        db.execute(
            f"DELETE FROM {table} WHERE evidence_id = ? AND run_id != ?",
            [evidence_id, run_id],
        )


EXPORT_COLUMNS = (
    "exhibit",
    "partition_offset",
    "path",
    "name",
    "inode",
    "type",
    "size",
    "allocated",
    "created",
    "modified",
    "accessed",
    "changed",
    "md5",
    "sha1",
    "sha256",
    "blake3",
    "mime",
    "category",
    "extension_mismatch",
    "reallocated",
    "orphan",
    "virtual",
    "ads",
    "fs_type",
    "time_zone_note",
    "content_status",
    "magic_description",
    "exif",
    "locator",
)

_EXPORT_SQL = """
SELECT e.exhibit AS exhibit, fs.offset AS partition_offset, f.path, f.name, f.inode, f.type,
       f.size, f.is_allocated, f.created, f.modified, f.accessed, f.changed, f.md5, f.sha1,
       f.sha256, f.blake3, f.mime, f.category, f.extension_mismatch, f.is_realloc,
       f.is_orphan, f.is_virtual, f.is_ads, fs.fs_type, f.time_zone_note, f.content_status,
       f.magic_description, f.exif, f.locator
FROM files f
JOIN filesystems fs ON fs.fs_id = f.fs_id
JOIN evidence e ON e.evidence_id = f.evidence_id
ORDER BY e.exhibit, fs.offset, fs.detection, f.path, f.inode, f.seq
"""


def export_rows(db: Database) -> Iterator[dict[str, Any]]:
    """Every catalogued entry in a stable order, as the CSV export needs it."""
    for row in db.query(_EXPORT_SQL):
        yield {
            **row,
            "allocated": "true" if row.pop("is_allocated") else "false",
            "extension_mismatch": "true" if row["extension_mismatch"] else "false",
            "reallocated": "true" if row.pop("is_realloc") else "false",
            "orphan": "true" if row.pop("is_orphan") else "false",
            "virtual": "true" if row.pop("is_virtual") else "false",
            "ads": "true" if row.pop("is_ads") else "false",
        }
