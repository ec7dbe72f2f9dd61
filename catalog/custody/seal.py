"""Seals: fingerprints of what a scan wrote, so any later change to those rows shows.

Each file row gets a seal (SHA-256 of its canonical values), stored append-only in
``file_seals``; the seals, in file-id order, fold into one *files head* recorded in the
``exhibit.scanned`` custody entry. The exhibit's other rows (evidence, volumes, file
systems, problems) are digested per table. ``evcat verify`` recomputes all of them: a
changed file row is named by its seal, a changed seal table by the head.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from catalog.custody.canonical import canonical_json

if TYPE_CHECKING:
    from sqlite_utils import Database

SEAL_VERSION = 2
"""Bump when the sealed columns change; entries record the version they used."""

FILE_COLUMNS_V1 = (
    "file_id", "evidence_id", "fs_id", "seq", "locator", "path", "name", "name_raw", "inode",
    "meta_addr", "attr_type", "attr_id", "type", "size", "is_allocated", "is_realloc",
    "is_virtual", "is_orphan", "is_ads", "is_fs_metadata", "created", "modified", "accessed",
    "changed", "time_zone_note", "uid", "gid", "mode", "content_status", "content_error",
    "bytes_hashed", "md5", "sha1", "sha256", "blake3", "mime", "magic_description",
    "category", "extension", "extension_mismatch", "exif", "run_id",
)  # fmt: skip

FILE_COLUMNS = (
    *FILE_COLUMNS_V1, "origin", "parent_file_id", "text_status", "text_kind", "text_encoding",
)  # fmt: skip
"""The sealed columns of the current version (2 adds archive members and text extraction)."""

_COLUMNS_BY_VERSION = {1: FILE_COLUMNS_V1, 2: FILE_COLUMNS}

_EXHIBIT_TABLES = {
    "evidence": "SELECT * FROM evidence WHERE evidence_id = ?",
    "volumes": "SELECT * FROM volumes WHERE evidence_id = ? ORDER BY volume_id",
    "filesystems": "SELECT * FROM filesystems WHERE evidence_id = ? ORDER BY fs_id",
    "problems": "SELECT * FROM problems WHERE evidence_id = ? ORDER BY problem_id",
    "findings": "SELECT * FROM findings WHERE evidence_id = ? ORDER BY finding_id",
    "known_files": "SELECT * FROM known_files WHERE evidence_id = ? ORDER BY file_id",
    "dvr_volumes": "SELECT * FROM dvr_volumes WHERE evidence_id = ? ORDER BY dvr_volume_id",
    "video_segments": "SELECT * FROM video_segments WHERE evidence_id = ? ORDER BY segment_id",
    "carved_files": "SELECT * FROM carved_files WHERE evidence_id = ? ORDER BY file_id",
}


def _tagged(value: object) -> dict[str, str]:
    if isinstance(value, bytes):
        return {"hex": value.hex()}
    raise TypeError(f"a catalog row holds no {type(value).__name__}")


_encode_row = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_tagged
).encode


def row_seal(values: Sequence[Any]) -> str:
    """The seal of one row: SHA-256 of its values as a compact JSON array.

    Values are SQLite's: None, integers, floats, text, and BLOBs written as
    ``{"hex": "..."}``; the array holds them in column order, UTF-8, no white space.
    """
    return hashlib.sha256(_encode_row(list(values)).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class SealedFile:
    """A file row's id, path and the seal of its current values."""

    file_id: str
    path: str
    seal: str


def current_file_seals(
    db: Database, exhibit: str, version: int = SEAL_VERSION
) -> Iterator[SealedFile]:
    """Seals of the exhibit's file rows as they are now, in file-id order.

    ``version`` picks the sealed columns: the one the scan that stored the seals used.

    Raises:
        ValueError: a seal version this evcat does not know.
    """
    if version not in _COLUMNS_BY_VERSION:
        raise ValueError(f"unknown seal version {version}")
    columns = _COLUMNS_BY_VERSION[version]
    sql = f"SELECT {', '.join(columns)} FROM files WHERE evidence_id = ? ORDER BY file_id"
    for values in db.execute(sql, [exhibit]):
        yield SealedFile(values[0], values[5], row_seal(values))


def stored_file_seals(db: Database, run_id: str, exhibit: str) -> Iterator[tuple[str, str]]:
    """The ``(file_id, seal)`` pairs a run stored for an exhibit, in file-id order."""
    yield from db.execute(
        "SELECT file_id, seal FROM file_seals WHERE run_id = ? AND evidence_id = ?"
        " ORDER BY file_id",
        [run_id, exhibit],
    )


class FilesHead:
    """Folds ``(file_id, seal)`` pairs, in file-id order, into one digest."""

    def __init__(self) -> None:
        """Start an empty fold."""
        self._digest = hashlib.sha256(b"evcat files head v1\n")
        self.count = 0

    def add(self, file_id: str, seal: str) -> None:
        """Fold in the next pair."""
        self._digest.update(f"{file_id}:{seal}\n".encode())
        self.count += 1

    def hexdigest(self) -> str:
        """The head so far."""
        return self._digest.hexdigest()


def seal_files(db: Database, exhibit: str, run_id: str) -> dict[str, Any]:
    """Store the seal of each of the exhibit's file rows under ``run_id``.

    Returns the ``files`` part of the ``exhibit.scanned`` entry: count, head, seal version.
    """
    fold = FilesHead()
    batch: list[tuple[str, str, str, str]] = []
    for sealed in current_file_seals(db, exhibit):
        fold.add(sealed.file_id, sealed.seal)
        batch.append((run_id, exhibit, sealed.file_id, sealed.seal))
        if len(batch) >= 5000:
            _store(db, batch)
            batch = []
    _store(db, batch)
    return {"count": fold.count, "head": fold.hexdigest(), "seal_version": SEAL_VERSION}


def _store(db: Database, batch: list[tuple[str, str, str, str]]) -> None:
    if batch:
        db.conn.executemany(
            "INSERT INTO file_seals (run_id, evidence_id, file_id, seal) VALUES (?, ?, ?, ?)",
            batch,
        )


def table_digests(
    db: Database, exhibit: str, tables: Iterable[str] = tuple(_EXHIBIT_TABLES)
) -> dict[str, str]:
    """One digest per table of the exhibit's non-file rows (evidence, volumes, ...).

    ``tables`` limits the digests to those an older entry recorded.
    """
    digests = {}
    for table in tables:
        sql = _EXHIBIT_TABLES[table]
        digest = hashlib.sha256(f"evcat table {table} v1\n".encode())
        cursor = db.execute(sql, [exhibit])
        columns = [column[0] for column in cursor.description]
        digest.update(canonical_json(columns).encode() + b"\n")
        for values in cursor:
            digest.update(row_seal(values).encode() + b"\n")
        digests[table] = digest.hexdigest()
    return digests
