"""Every query about carved files: where each lay, duplicates, replacing an earlier carving.

A carved item is a ``files`` row (origin ``carved``) plus a ``carved_files`` row with the
same id saying which region of the disk it came from, at which absolute offset, and
whether an allocated file holds the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

ORIGIN = "carved"
"""``files.origin`` of carved items (and of the folder rows that hold them)."""

_DUPLICATES = """
UPDATE carved_files SET duplicate_of = (
    SELECT f.file_id FROM files f, files c
    WHERE c.file_id = carved_files.file_id AND c.sha256 IS NOT NULL
      AND f.sha256 = c.sha256 AND f.evidence_id = carved_files.evidence_id
      AND f.origin != 'carved'
    ORDER BY f.is_allocated DESC, f.file_id LIMIT 1
)
WHERE evidence_id = ?
"""

_LISTING = """
SELECT c.evidence_id, c.offset, c.length, c.kind, c.region, c.region_offset, c.note,
       c.duplicate_of, c.file_id, f.path, f.mime, f.category, f.md5, f.sha1, f.sha256,
       f.blake3, f.content_status, f.content_error
FROM carved_files c JOIN files f ON f.file_id = c.file_id
WHERE (? IS NULL OR c.evidence_id = ?)
ORDER BY c.evidence_id, c.offset, c.file_id
"""


def upsert_carved(db: Database, rows: list[dict[str, Any]]) -> None:
    """Record where carved items lay (a re-carve replaces rows with the same id)."""
    if rows:
        db.table("carved_files").upsert_all(rows, pk="file_id")


def mark_duplicates(db: Database, exhibit: str) -> int:
    """Point each carved item of ``exhibit`` at a catalogued file with the same SHA-256.

    An allocated file is preferred over a deleted one. Returns how many are duplicates.
    """
    db.execute(_DUPLICATES, [exhibit])
    row = db.execute(
        "SELECT count(*) FROM carved_files WHERE evidence_id = ? AND duplicate_of IS NOT NULL",
        [exhibit],
    ).fetchone()
    return int(row[0])


def carved_id(fs_id: str, offset: int | None = None) -> str:
    """The ``files`` id of the item carved at absolute ``offset`` (None: the folder row).

    Walked files are ``<fs>-<seq>`` and archive members extend their archive's id, so
    every row a carving adds (items, their members, folders) has ``-c`` at ``CARVED_MARK``.
    """
    return f"{fs_id[:16]}-c" if offset is None else f"{fs_id[:16]}-c{offset:014x}"


CARVED_MARK = 17
"""1-based position of ``-c`` in the id of every row a carving adds."""

_STALE = f"evidence_id = ? AND run_id != ? AND substr(file_id, {CARVED_MARK}, 2) = '-c'"


def purge_earlier_carving(db: Database, exhibit: str, run_id: str) -> None:
    """Drop the carved rows (and their members, text, findings) an earlier carving wrote."""
    params = [exhibit, run_id]
    for table in ("findings", "texts", "known_files", "files", "carved_files"):
        db.execute(f"DELETE FROM {table} WHERE {_STALE}", params)
    db.execute(
        "DELETE FROM problems WHERE evidence_id = ? AND run_id != ? AND stage = 'carve'", params
    )
    db.execute(
        "DELETE FROM filesystems WHERE evidence_id = ? AND run_id != ?"
        " AND detection LIKE 'carve:%'",
        params,
    )


def scanned_exhibits(db: Database) -> list[dict[str, Any]]:
    """Every scanned exhibit with its image path, in exhibit order."""
    return [dict(row) for row in db.query("SELECT exhibit, path FROM evidence ORDER BY exhibit")]


def walked_file_systems(db: Database, exhibit: str) -> list[dict[str, Any]]:
    """The file systems a scan walked in ``exhibit`` (not carving's stand-in rows)."""
    return [
        dict(row)
        for row in db.query(
            "SELECT *, offset AS fs_offset, label AS fs_label FROM filesystems"
            " WHERE evidence_id = ? AND detection NOT LIKE 'carve:%'"
            " ORDER BY offset, detection, fs_id",
            [exhibit],
        )
    ]


def has_recorder(db: Database, exhibit: str) -> bool:
    """Whether a DVR recorder index was found on ``exhibit``."""
    row = db.execute("SELECT 1 FROM dvr_volumes WHERE evidence_id = ? LIMIT 1", [exhibit])
    return row.fetchone() is not None


def carved_listing(db: Database, exhibit: str | None = None) -> Iterator[dict[str, Any]]:
    """Carved items joined with their file rows, by exhibit and offset."""
    cursor = db.execute(_LISTING, [exhibit, exhibit])
    columns = [column[0] for column in cursor.description]
    for values in cursor:
        yield dict(zip(columns, values, strict=True))


def allocated_files(db: Database, fs_id: str, after: str, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` allocated, non-empty files of one file system with ids after ``after``.

    File slack pages through a file system this way, so memory does not grow with it.
    """
    return [
        dict(row)
        for row in db.query(
            "SELECT file_id, path, meta_addr, size, attr_type, attr_id, is_ads FROM files"
            " WHERE fs_id = ? AND file_id > ? AND origin = 'fs' AND type = 'file'"
            " AND is_allocated = 1 AND is_virtual = 0 AND size > 0 ORDER BY file_id LIMIT ?",
            [fs_id, after, limit],
        )
    ]
