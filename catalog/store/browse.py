"""Read-side queries for browsing a case: ordered file views, directory trees, file details.

A case may hold millions of file rows; a browser must never load them all. ``build_order``
runs the filter and the sort once and keeps only the rowids, in order (eight bytes a row,
in an ``array``); ``file_page`` then fetches any window of that order by rowid, so
scrolling to row 900,000 costs the same as scrolling to row 10. Directory listings use the
partial index on directories (migration ``0005_browse``), so a tree opens node by node.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

KNOWN_STATUSES = ("known-good", "known-bad", "unknown")
"""What the known-status filter can ask for (``unknown``: hashed, no set matched)."""

SORT_KEYS: dict[str, tuple[str, ...]] = {
    "path": ("f.evidence_id", "f.fs_id", "f.path"),
    "name": ("f.name",),
    "size": ("coalesce(f.size, -1)",),
    "modified": ("coalesce(f.modified, '')",),
    "created": ("coalesce(f.created, '')",),
    "accessed": ("coalesce(f.accessed, '')",),
    "changed": ("coalesce(f.changed, '')",),
    "category": ("coalesce(f.category, '')",),
    "mime": ("coalesce(f.mime, '')",),
    "type": ("f.type",),
    "allocated": ("f.is_allocated",),
    "exhibit": ("f.evidence_id",),
    "inode": ("coalesce(f.meta_addr, -1)",),
    "sha256": ("coalesce(f.sha256, '')",),
    "findings": ("(SELECT count(*) FROM findings g WHERE g.file_id = f.file_id)",),
    "known": ("coalesce(k.status, '')",),
}
"""Every column a file view can be sorted by, and the SQL terms it sorts on (NULLs first)."""


@dataclass(frozen=True, slots=True)
class FileFilter:
    """Which file rows a view shows; every field left at its default lets all through."""

    exhibit: str | None = None
    fs_id: str | None = None
    directory: str | None = None
    """Only the direct children of this directory (``/`` for the root) of ``fs_id``;
    archive members are listed beside their archive (``/a.zip!/m.txt`` is in ``/``)."""
    category: str | None = None
    deleted_only: bool = False
    mismatch_only: bool = False
    known_status: str | None = None
    has_findings: bool = False
    tagged_only: bool = False


@dataclass(frozen=True, slots=True)
class FileSort:
    """A sort key of ``SORT_KEYS`` and its direction; ties break on the file id."""

    key: str = "path"
    descending: bool = False

    def __post_init__(self) -> None:
        """Refuse a key the view cannot sort by."""
        if self.key not in SORT_KEYS:
            raise ValueError(f"cannot sort files by {self.key!r}")


def _directory_range(directory: str) -> tuple[str, str]:
    """The path range holding a directory's descendants: [``d/``, ``d0``)."""
    prefix = directory.rstrip("/") + "/"
    return prefix, prefix[:-1] + "0"


def _where(file_filter: FileFilter) -> tuple[str, dict[str, Any]]:
    clauses = ["1"]
    params: dict[str, Any] = {}
    if file_filter.exhibit is not None:
        clauses.append("f.evidence_id = :exhibit")
        params["exhibit"] = file_filter.exhibit
    if file_filter.fs_id is not None:
        clauses.append("f.fs_id = :fs_id")
        params["fs_id"] = file_filter.fs_id
    if file_filter.directory is not None:
        low, high = _directory_range(file_filter.directory)
        clauses.append(
            "f.path >= :low AND f.path < :high AND instr(CASE WHEN instr(substr(f.path, :cut),"
            " '!/') > 0 THEN substr(f.path, :cut, instr(substr(f.path, :cut), '!/') - 1)"
            " ELSE substr(f.path, :cut) END, '/') = 0"
        )
        params.update(low=low, high=high, cut=len(low) + 1)
    if file_filter.category is not None:
        clauses.append("f.category IS :category")
        params["category"] = file_filter.category
    if file_filter.deleted_only:
        clauses.append("f.is_allocated = 0")
    if file_filter.mismatch_only:
        clauses.append("f.extension_mismatch = 1")
    if file_filter.known_status == "unknown":
        clauses.append("k.status IS NULL AND f.sha256 IS NOT NULL")
    elif file_filter.known_status is not None:
        clauses.append("k.status = :known")
        params["known"] = file_filter.known_status
    if file_filter.has_findings:
        clauses.append("EXISTS (SELECT 1 FROM findings g WHERE g.file_id = f.file_id)")
    if file_filter.tagged_only:
        clauses.append("EXISTS (SELECT 1 FROM tags t WHERE t.file_id = f.file_id)")
    return " AND ".join(clauses), params


def build_order(
    db: Database,
    file_filter: FileFilter,
    sort: FileSort,
    *,
    cancelled: Callable[[], bool] = lambda: False,
) -> array[int]:
    """The rowids of the files ``file_filter`` selects, in ``sort`` order (a snapshot).

    ``cancelled`` is polled every few thousand rows; when it says so, the order built so
    far is returned (the caller throws it away).
    """
    where, params = _where(file_filter)
    direction = "DESC" if sort.descending else "ASC"
    keys = ", ".join(f"{part} {direction}" for part in SORT_KEYS[sort.key])
    sql = (
        "SELECT f.rowid FROM files f LEFT JOIN known_files k ON k.file_id = f.file_id"
        f" WHERE {where} ORDER BY {keys}, f.file_id {direction}"
    )
    order: array[int] = array("q")
    cursor = db.execute(sql, params)
    while batch := cursor.fetchmany(4096):
        order.extend(rowid for (rowid,) in batch)
        if cancelled():
            break
    return order


_PAGE_SQL = """
SELECT f.rowid AS row_number, f.file_id, f.evidence_id AS exhibit, f.path, f.name, f.type,
       f.size, f.is_allocated, f.is_orphan, f.is_virtual, f.is_ads, f.origin,
       f.modified, f.created, f.category, f.mime, f.extension_mismatch, f.meta_addr,
       f.inode, f.sha256, f.content_status, k.status AS known_status,
       (SELECT count(*) FROM findings g WHERE g.file_id = f.file_id) AS finding_count,
       EXISTS (SELECT 1 FROM tags t WHERE t.file_id = f.file_id) AS tagged
FROM files f LEFT JOIN known_files k ON k.file_id = f.file_id
WHERE f.rowid IN (SELECT value FROM json_each(:rowids))
"""


def file_page(db: Database, order: array[int], start: int, count: int) -> list[dict[str, Any]]:
    """Rows ``start`` to ``start + count`` of a view's order (rows gone since are skipped)."""
    window = order[max(start, 0) : max(start, 0) + max(count, 0)]
    if not window:
        return []
    by_rowid = {
        row["row_number"]: row for row in db.query(_PAGE_SQL, {"rowids": json.dumps(list(window))})
    }
    return [by_rowid[rowid] for rowid in window if rowid in by_rowid]


def child_directories(db: Database, fs_id: str, directory: str) -> list[dict[str, Any]]:
    """The directories directly inside ``directory`` of a file system, by path."""
    low, high = _directory_range(directory)
    return list(
        db.query(
            "SELECT file_id, path, name, is_allocated, is_virtual FROM files"
            " WHERE fs_id = :fs_id AND type IN ('dir', 'virtual_dir') AND path >= :low"
            " AND path < :high AND instr(substr(path, :cut), '/') = 0"
            " ORDER BY path, file_id",
            {"fs_id": fs_id, "low": low, "high": high, "cut": len(low) + 1},
        )
    )


def categories(db: Database) -> list[str]:
    """Every category some file of the case has, sorted."""
    return [
        str(value)
        for (value,) in db.execute(
            "SELECT DISTINCT category FROM files WHERE category IS NOT NULL ORDER BY category"
        )
    ]


def file_detail(db: Database, file_id: str) -> dict[str, Any] | None:
    """One file row with its exhibit, file system and known-file status, or None."""
    return next(
        db.query(
            "SELECT f.*, e.exhibit AS exhibit, fs.offset AS fs_offset, fs.fs_type AS fs_type,"
            " k.status AS known_status, k.sets AS known_sets FROM files f"
            " JOIN filesystems fs ON fs.fs_id = f.fs_id"
            " JOIN evidence e ON e.evidence_id = f.evidence_id"
            " LEFT JOIN known_files k ON k.file_id = f.file_id WHERE f.file_id = ?",
            [file_id],
        ),
        None,
    )


def file_annotations(db: Database, file_id: str) -> list[dict[str, Any]]:
    """The file's tags and notes, oldest first, each with who added it and when."""
    return list(
        db.query(
            "SELECT 'tag' AS kind, tag AS text, added, examiner, custody_seq FROM tags"
            " WHERE file_id = :id UNION ALL SELECT 'note', note, added, examiner, custody_seq"
            " FROM notes WHERE file_id = :id ORDER BY custody_seq, kind",
            {"id": file_id},
        )
    )


def file_problems(db: Database, file_id: str) -> list[dict[str, Any]]:
    """Problems recorded against the file's locator (or its archive members' own)."""
    return list(
        db.query(
            "SELECT p.stage, p.message, p.created, p.offset FROM problems p"
            " JOIN files f ON f.locator = p.locator AND f.evidence_id IS p.evidence_id"
            " WHERE f.file_id = ? ORDER BY p.problem_id",
            [file_id],
        )
    )


def file_findings(db: Database, file_id: str) -> list[dict[str, Any]]:
    """The file's findings by offset, with their snippets."""
    return list(
        db.query(
            "SELECT kind, value, normalized, score, rules, snippet, offset, offset_basis"
            " FROM findings WHERE file_id = ? ORDER BY coalesce(offset, -1), kind, finding_id",
            [file_id],
        )
    )


def file_text(db: Database, file_id: str, max_chars: int) -> str | None:
    """The first ``max_chars`` characters of the file's extracted text, if it has any."""
    row = db.execute(
        "SELECT substr(text, 1, ?) FROM texts WHERE file_id = ?", [max_chars, file_id]
    ).fetchone()
    return None if row is None else str(row[0])


def archive_members(db: Database, file_id: str, limit: int) -> list[dict[str, Any]]:
    """The members catalogued inside an archive file (first ``limit``, by path)."""
    return list(
        db.query(
            "SELECT file_id, path, size, category FROM files WHERE parent_file_id = ?"
            " ORDER BY path, file_id LIMIT ?",
            [file_id, limit],
        )
    )
