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
    for table in (
        "files", "findings", "texts", "known_files", "filesystems", "volumes", "problems",
        "dvr_volumes", "video_segments", "carved_files",
    ):  # fmt: skip
        db.execute(
            f"DELETE FROM {table} WHERE evidence_id = ? AND run_id != ?",
            [evidence_id, run_id],
        )


def clear_known_files(db: Database) -> None:
    """Forget every known-file row and known-bad finding (before hash sets are re-applied)."""
    db.execute("DELETE FROM known_files")
    db.execute("DELETE FROM findings WHERE kind = 'known_bad'")


def hashed_file_batches(db: Database, size: int) -> Iterator[list[dict[str, Any]]]:
    """The case's hashed files (id, exhibit, hashes), ``size`` at a time, by file id."""
    cursor = db.execute(
        "SELECT file_id, evidence_id, sha256, sha1, md5 FROM files"
        " WHERE sha256 IS NOT NULL ORDER BY file_id"
    )
    columns = [column[0] for column in cursor.description]
    while rows := cursor.fetchmany(size):
        yield [dict(zip(columns, row, strict=True)) for row in rows]


def insert_rows(db: Database, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert plain rows into a table (nothing when empty)."""
    if rows:
        db.table(table).insert_all(rows)


def scanned_exhibits(db: Database) -> list[str]:
    """Exhibits that have file rows, sorted."""
    return [row[0] for row in db.execute("SELECT DISTINCT evidence_id FROM files ORDER BY 1")]
