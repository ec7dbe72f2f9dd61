"""Importing one hash set: hash the source, parse or attach it, write it in one transaction.

The source's SHA-256 is computed before anything is written (it decides whether the set
is already there) and again over the bytes actually imported (in the same pass for a
text source, after the copy for an NSRL database); if they differ the source changed
under us and nothing is kept. A large load drops the digest indexes and rebuilds them at
the end of the same transaction: on 5 million NSRL rows 29 s in all instead of 122 s
with the indexes growing row by row.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import sqlite3
from typing import TYPE_CHECKING

from catalog.errors import UsageError
from catalog.hashsets import nsrl, schema
from catalog.hashsets.formats import FORMATS, detect_format, iter_text_rows
from catalog.hashsets.records import (
    KINDS,
    HashSetFormatError,
    HashSetStoreError,
    ProblemLog,
    type_names,
)
from catalog.provenance import tool_version
from catalog.timeutil import utc_now

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from catalog.hashsets.records import HashRow

CHUNK = 1 << 20
BATCH = 10_000
TEXT_BYTES_PER_ROW = 100
"""Rough size of a text row, to guess a source's row count before reading it."""
REBUILD_RATIO = 4
"""Rebuild the indexes when the new set has at least 1/4 as many rows as the store."""
INSERT = (
    "INSERT INTO hashes (set_id, types, sha256, sha1, md5, file_name, file_size, package)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


class _HashingReader(io.RawIOBase):
    """A raw reader that feeds every byte it returns to a SHA-256."""

    def __init__(self, fh: io.BufferedReader) -> None:
        self._fh = fh
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        """Always readable."""
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Read into ``buffer``, hashing what was read."""
        count = self._fh.readinto(buffer)
        self.digest.update(memoryview(buffer)[:count])
        return count


def check_arguments(name: str, kind: str, fmt: str) -> None:
    """Refuse an empty or multi-line set name, an unknown kind or format."""
    if not name.strip() or not name.isprintable():
        raise UsageError(f"hash-set name {name!r}: must be one printable line")
    if kind not in KINDS:
        raise UsageError(f"hash-set kind {kind!r}: must be one of {', '.join(KINDS)}")
    if fmt not in FORMATS:
        raise UsageError(f"hash-set format {fmt!r}: must be one of {', '.join(FORMATS)}")


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file at ``path``, streamed."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise HashSetFormatError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    return digest.hexdigest()


def resolve_format(path: Path, fmt: str) -> str:
    """``fmt``, or the detected format for ``auto``."""
    return detect_format(path) if fmt == "auto" else fmt


def add_set(
    db: sqlite3.Connection,
    source: Path,
    name: str,
    kind: str,
    fmt: str,
    examiner: str,
    sha256: str,
) -> int:
    """Insert the set's ``hash_sets`` row (no rows counted yet); its ``set_id``."""
    cursor = db.execute(
        "INSERT INTO hash_sets (name, kind, format, source_path, source_sha256, row_count,"
        " imported, examiner, tool, hash_types, row_types)"
        " VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, '', '')",
        (name, kind, fmt, str(source.resolve()), sha256, utc_now(), examiner, tool_version()),
    )
    return int(cursor.lastrowid or 0)


def finish_set(db: sqlite3.Connection, set_id: int, count: int, masks: set[int]) -> None:
    """Record the set's row count and the hash types (``masks``: of each row) it has."""
    union = 0
    for mask in masks:
        union |= mask
    db.execute(
        "UPDATE hash_sets SET row_count = ?, hash_types = ?, row_types = ? WHERE set_id = ?",
        (count, ",".join(type_names(union)), ",".join(map(str, sorted(masks))), set_id),
    )


def write_rows(
    db: sqlite3.Connection, source: Path, fmt: str, set_id: int, sha256: str
) -> tuple[int, set[int], ProblemLog]:
    """Load the source into ``hashes`` inside the open transaction.

    Returns:
        The rows written, the distinct ``types`` masks of those rows, the problems.

    Raises:
        HashSetFormatError: the source is unreadable, has no valid row, or changed.
    """
    problems = ProblemLog()
    existing = db.execute("SELECT coalesce(sum(row_count), 0) FROM hash_sets").fetchone()[0]
    if fmt == "nsrl-rdsv3":
        total = nsrl.row_count(db, source)
        rebuild = total * REBUILD_RATIO >= existing
        if rebuild:
            schema.drop_indexes(db)
        count, masks = nsrl.copy_rows(db, source, set_id, total, problems)
        seen = file_sha256(source)
    else:
        rebuild = _text_rows_estimate(source) * REBUILD_RATIO >= existing
        if rebuild:
            schema.drop_indexes(db)
        count, masks, seen = _copy_text(db, source, fmt, set_id, problems)
    if seen != sha256:
        raise HashSetFormatError(f"{source}: changed while being imported; import it again")
    if count == 0:
        raise HashSetFormatError(
            f"{source}: no valid {fmt} row ({problems.count:,} malformed lines)"
        )
    if rebuild:
        schema.create_indexes(db)
    return count, masks, problems


def _text_rows_estimate(source: Path) -> int:
    try:
        return source.stat().st_size // TEXT_BYTES_PER_ROW
    except OSError:
        return 0


def _copy_text(
    db: sqlite3.Connection, source: Path, fmt: str, set_id: int, problems: ProblemLog
) -> tuple[int, set[int], str]:
    """Parse and insert a text source: (rows, their types masks, SHA-256 of the bytes read)."""
    count = 0
    masks: set[int] = set()
    try:
        with source.open("rb") as fh:
            raw = _HashingReader(fh)
            rows = iter_text_rows(io.BufferedReader(raw, CHUNK), fmt, problems)
            for batch in _batches(rows):
                db.executemany(INSERT, [(set_id, *row) for row in batch])
                count += len(batch)
                masks.update(row[0] for row in batch)
    except OSError as exc:
        raise HashSetFormatError(f"{source}: cannot read ({exc.strerror or exc})") from exc
    return count, masks, raw.digest.hexdigest()


def _batches(rows: Iterator[HashRow]) -> Iterator[list[HashRow]]:
    while batch := list(itertools.islice(rows, BATCH)):
        yield batch


def store_error(path: Path, exc: sqlite3.Error) -> HashSetStoreError:
    """The project error for a SQLite failure while writing the store."""
    return HashSetStoreError(f"{path}: cannot write the hash-set store ({exc})")
