"""Read-side queries for the exports and the front-ends, each in a stable order.

Every function returns plain dicts keyed by column name. Orders are total (they end on a
unique key), so two reads of an unchanged case give the same sequence.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

_FILE_SQL = """
SELECT f.*, e.exhibit AS exhibit, fs.offset AS fs_offset, fs.fs_type AS fs_type,
       fs.block_size AS fs_block_size, fs.volume_index AS volume_index,
       (SELECT group_concat(tag, '; ') FROM
            (SELECT DISTINCT tag FROM tags t WHERE t.file_id = f.file_id ORDER BY tag)) AS tags,
       (SELECT group_concat(note, ' | ') FROM
            (SELECT note FROM notes n WHERE n.file_id = f.file_id ORDER BY note_id)) AS notes,
       CASE WHEN k.status IS NOT NULL THEN k.status
            WHEN f.sha256 IS NOT NULL AND :hash_sets_used THEN 'unknown' END AS known_status,
       k.sets AS known_sets
FROM files f
JOIN filesystems fs ON fs.fs_id = f.fs_id
JOIN evidence e ON e.evidence_id = f.evidence_id
LEFT JOIN known_files k ON k.file_id = f.file_id
WHERE NOT (:hide_known AND k.status IS 'known-good')
ORDER BY e.exhibit, fs.offset, fs.detection, f.path, f.inode, f.seq, f.file_id
"""


def hash_sets_used(db: Database) -> bool:
    """Whether any scan or ``hashset apply`` of the case looked files up in hash sets."""
    row = db.execute(
        "SELECT 1 FROM custody_log WHERE action IN ('scan.started', 'hashsets.applied')"
        " AND json_array_length(body, '$.details.hash_sets') > 0 LIMIT 1"
    ).fetchone()
    return row is not None


def file_records(db: Database, *, hide_known: bool = False) -> Iterator[dict[str, Any]]:
    """Every file row with its exhibit, file system, tags, notes and known-file status.

    ``known_status`` is ``known-good``/``known-bad`` for a file that matched a hash set,
    ``unknown`` for a hashed file that did not (once any set was used), else empty.
    ``hide_known`` leaves out the known-good files.
    """
    params = {"hide_known": hide_known, "hash_sets_used": hash_sets_used(db)}
    yield from db.query(_FILE_SQL, params)


def case_record(db: Database) -> dict[str, Any] | None:
    """The case's own facts (``case_info``), or None before ``case init``."""
    return next(db.query("SELECT * FROM case_info"), None)


_EXHIBIT_SQL = """
SELECT x.exhibit AS exhibit, x.path AS registered_path, x.description, x.seized_from,
       x.seized_where, x.seized_when, x.seized_by, x.acquisition_tool, x.acquisition_md5,
       x.acquisition_sha1, x.acquisition_sha256, x.added, x.added_by,
       e.path AS scanned_path, e.format, e.media_size, e.sector_size, e.volume_scheme,
       e.stored_md5, e.stored_sha1, e.stored_sha256, e.media_md5, e.media_sha1,
       e.media_sha256, e.media_blake3, e.media_hash_status, e.status, e.first_run_id,
       e.last_run_id,
       (SELECT count(*) FROM files f WHERE f.evidence_id = x.exhibit) AS file_count,
       (SELECT count(*) FROM problems p WHERE p.evidence_id = x.exhibit) AS problem_count
FROM exhibits x LEFT JOIN evidence e ON e.evidence_id = x.exhibit
ORDER BY x.exhibit
"""


def exhibit_records(db: Database) -> list[dict[str, Any]]:
    """Each registered exhibit: seizure facts, acquisition hashes, media hashes, counts."""
    return list(db.query(_EXHIBIT_SQL))


def volume_records(db: Database, exhibit: str) -> list[dict[str, Any]]:
    """The exhibit's partitions, gaps and table slots, by position."""
    return list(
        db.query(
            "SELECT * FROM volumes WHERE evidence_id = ? ORDER BY offset, idx, volume_id",
            [exhibit],
        )
    )


def filesystem_records(db: Database, exhibit: str) -> list[dict[str, Any]]:
    """The exhibit's file systems, by offset."""
    return list(
        db.query(
            "SELECT * FROM filesystems WHERE evidence_id = ? ORDER BY offset, detection, fs_id",
            [exhibit],
        )
    )


def problem_records(db: Database) -> list[dict[str, Any]]:
    """Every problem row, by exhibit then the order recorded."""
    return list(
        db.query(
            "SELECT p.*, coalesce(p.evidence_id, '') AS exhibit FROM problems p"
            " ORDER BY coalesce(p.evidence_id, ''), p.problem_id"
        )
    )


def category_counts(db: Database) -> list[dict[str, Any]]:
    """Number of files and bytes per exhibit and category (``uncategorised`` for none)."""
    return list(
        db.query(
            "SELECT evidence_id AS exhibit, coalesce(category, 'uncategorised') AS category,"
            " count(*) AS files, coalesce(sum(size), 0) AS bytes FROM files"
            " GROUP BY evidence_id, coalesce(category, 'uncategorised')"
            " ORDER BY evidence_id, category"
        )
    )


def run_records(db: Database) -> list[dict[str, Any]]:
    """Every run, oldest first."""
    return list(db.query("SELECT * FROM runs ORDER BY started, run_id"))


_SOURCE_SQL = """
SELECT ids.exhibit AS exhibit, x.path AS registered_path, e.path AS scanned_path,
       e.format, e.media_size, e.sector_size, e.media_md5, e.media_sha1, e.media_sha256,
       e.media_blake3, e.media_hash_status
FROM (SELECT exhibit FROM exhibits UNION SELECT evidence_id FROM evidence) ids
LEFT JOIN exhibits x ON x.exhibit = ids.exhibit
LEFT JOIN evidence e ON e.evidence_id = ids.exhibit
ORDER BY ids.exhibit
"""


def source_records(db: Database) -> list[dict[str, Any]]:
    """Every exhibit registered, scanned or both: its image path, size and media hashes.

    Unlike ``exhibit_records`` this also lists evidence scanned without ``exhibit add``,
    in the order ``file_records`` visits exhibits (the evidence id is the exhibit id).
    """
    return list(db.query(_SOURCE_SQL))


def problem_stage_counts(db: Database) -> list[dict[str, Any]]:
    """Number of problems per exhibit (``''`` for case-wide ones) and stage."""
    return list(
        db.query(
            "SELECT coalesce(evidence_id, '') AS exhibit, stage, count(*) AS problems"
            " FROM problems GROUP BY coalesce(evidence_id, ''), stage ORDER BY exhibit, stage"
        )
    )


def first_problem_records(db: Database, limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` rows of ``problem_records``, in the same order."""
    return list(
        db.query(
            "SELECT p.*, coalesce(p.evidence_id, '') AS exhibit FROM problems p"
            " ORDER BY coalesce(p.evidence_id, ''), p.problem_id LIMIT ?",
            [limit],
        )
    )


_NOTABLE_SQL = """
SELECT e.exhibit AS exhibit, min(f.path) AS path, f.size AS size, f.md5 AS md5,
       f.sha256 AS sha256
FROM files f
JOIN evidence e ON e.evidence_id = f.evidence_id
WHERE f.sha256 IS NOT NULL AND f.size > 0 AND (
      EXISTS (SELECT 1 FROM tags t WHERE t.file_id = f.file_id)
   OR EXISTS (SELECT 1 FROM findings g WHERE g.file_id = f.file_id)
   OR EXISTS (SELECT 1 FROM known_files k WHERE k.file_id = f.file_id
                                            AND k.status = 'known-bad'))
GROUP BY f.sha256
ORDER BY f.sha256
"""


def notable_file_records(db: Database) -> Iterator[dict[str, Any]]:
    """One row per distinct content that is tagged, has findings or is known-bad."""
    yield from db.query(_NOTABLE_SQL)
