"""Every query about DVR volumes, video segments and the recorders' declared clocks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

    from catalog.model import Hashes

SEGMENT_ORDER = "evidence_id, COALESCE(channel, 1 << 30), offset, segment_id"
"""Listing order: exhibit, channel (unknown last), position on the disk."""


def upsert_dvr_volumes(db: Database, rows: list[dict[str, Any]]) -> None:
    """Record recognised recorder file systems."""
    if rows:
        db.table("dvr_volumes").upsert_all(rows, pk="dvr_volume_id")


def upsert_segments(db: Database, rows: list[dict[str, Any]]) -> None:
    """Record video segments (a rescan replaces rows with the same id)."""
    if rows:
        db.table("video_segments").upsert_all(rows, pk="segment_id")


def set_segment_hashes(
    db: Database, segment_id: str, hashes: Hashes | None, error: str | None
) -> None:
    """Store a segment's four digests, or why its bytes could not be read."""
    db.execute(
        "UPDATE video_segments SET md5 = ?, sha1 = ?, sha256 = ?, blake3 = ?, hash_error = ?"
        " WHERE segment_id = ?",
        [
            hashes.md5 if hashes else None,
            hashes.sha1 if hashes else None,
            hashes.sha256 if hashes else None,
            hashes.blake3 if hashes else None,
            error,
            segment_id,
        ],
    )


def segments(
    db: Database,
    exhibit: str | None = None,
    channel: int | None = None,
) -> list[dict[str, Any]]:
    """Video segments in listing order, optionally of one exhibit and channel."""
    where: list[str] = ["1 = 1"]
    params: list[str | int] = []
    if exhibit is not None:
        where.append("evidence_id = ?")
        params.append(exhibit)
    if channel is not None:
        where.append("channel = ?")
        params.append(channel)
    cursor = db.execute(
        f"SELECT * FROM video_segments WHERE {' AND '.join(where)} ORDER BY {SEGMENT_ORDER}",
        params,
    )
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def clocks(db: Database) -> dict[str, dict[str, Any]]:
    """Declared recorder clocks by exhibit."""
    cursor = db.execute("SELECT * FROM dvr_clocks")
    columns = [column[0] for column in cursor.description]
    return {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}


def set_clock(db: Database, row: dict[str, Any]) -> None:
    """Declare (or re-declare) an exhibit's recorder clock."""
    db.table("dvr_clocks").upsert(row, pk="evidence_id")


def exhibit_exists(db: Database, exhibit: str) -> bool:
    """True when the exhibit is registered in the case."""
    found = db.execute("SELECT 1 FROM evidence WHERE evidence_id = ?", [exhibit]).fetchone()
    return found is not None
