"""Import an NSRL RDSv3 database (itself SQLite) straight into the store, in one statement.

RDSv3 ships a ``FILE`` table or view (sha256, sha1, md5, file_name, file_size, package_id;
hashes upper-case hex). It is attached read-only and immutable, and one ``INSERT ...
SELECT`` copies it: two small Python functions validate each row's hex (a row with a bad
or no hash is skipped and counted) and turn it into bytes; SQL's ``GLOB``/``ltrim``
checks measured four times slower than the Python ones on 5 million rows. A skipped row
is reported as ``row N`` of ``FILE`` in scan order (rowid order for a table).

The attached file is untrusted: the connection runs with ``trusted_schema=OFF`` so a view
in it cannot call these functions, and names are cut to ``MAX_NAME`` characters.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from catalog.hashsets.records import (
    MAX_PROBLEMS,
    MD5,
    SHA1,
    SHA256,
    HashSetFormatError,
    ProblemLog,
)

if TYPE_CHECKING:
    from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
SCHEMA = "rds"
MAX_NAME = 4096
_COLUMNS = (("sha256", 64, SHA256), ("sha1", 40, SHA1), ("md5", 32, MD5))


def source_uri(path: Path) -> str:
    """The read-only, immutable URI SQLite opens the source with (no locks, no journal)."""
    return f"{path.resolve().as_uri()}?mode=ro&immutable=1"


def has_file_table(path: Path) -> bool:
    """Whether the SQLite database at ``path`` has a ``FILE`` table or view."""
    try:
        db = sqlite3.connect(source_uri(path), uri=True)
    except sqlite3.Error:
        return False
    try:
        row = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = 'FILE'"
            " COLLATE NOCASE"
        ).fetchone()
    except sqlite3.DatabaseError:
        return False
    finally:
        db.close()
    return row is not None


@contextmanager
def attached(db: sqlite3.Connection, path: Path) -> Iterator[None]:
    """Attach the source as schema ``rds`` for the duration (outside any transaction)."""
    try:
        db.execute(f"ATTACH DATABASE ? AS {SCHEMA}", (source_uri(path),))
    except sqlite3.Error as exc:
        raise HashSetFormatError(f"{path}: cannot open as SQLite ({exc})") from exc
    try:
        yield
    finally:
        db.execute(f"DETACH DATABASE {SCHEMA}")


class _RowChecker:
    """The two SQL functions of the import, and the hash types of the rows they accepted."""

    def __init__(self) -> None:
        self.masks: set[int] = set()

    def mask(self, sha256: object, sha1: object, md5: object) -> int:
        """The row's hash types, or 0 if any hash is malformed or none is present."""
        mask = 0
        for value, (_name, digits, bit) in zip((sha256, sha1, md5), _COLUMNS, strict=True):
            if value is None or value == "":
                continue
            if not _is_hex(value, digits):
                return 0
            mask |= bit
        self.masks.add(mask)
        return mask

    @staticmethod
    def unhex(value: object) -> bytes | None:
        """The bytes of a hex value already validated by ``mask`` (``None`` if absent)."""
        return bytes.fromhex(value) if isinstance(value, str) and value else None


def problem(sha256: object, sha1: object, md5: object) -> str | None:
    """Why a row was skipped, or ``None`` if it was not."""
    values = (sha256, sha1, md5)
    if all(value is None or value == "" for value in values):
        return "no sha256, sha1 or md5 value"
    for value, (name, digits, _bit) in zip(values, _COLUMNS, strict=True):
        if value is not None and value != "" and not _is_hex(value, digits):
            return f"{name} is not {digits} hex digits"
    return None


def _is_hex(value: object, digits: int) -> bool:
    if not isinstance(value, str) or len(value) != digits:
        return False
    try:
        return len(bytes.fromhex(value)) * 2 == digits
    except ValueError:
        return False


def file_columns(db: sqlite3.Connection, path: Path) -> set[str]:
    """The lower-cased column names of the attached ``FILE`` (at least one hash column)."""
    try:
        columns = {row[1].lower() for row in db.execute(f"PRAGMA {SCHEMA}.table_info(FILE)")}
    except sqlite3.DatabaseError as exc:
        raise HashSetFormatError(f"{path}: cannot read its FILE table ({exc})") from exc
    if not columns & {name for name, _digits, _bit in _COLUMNS}:
        raise HashSetFormatError(f"{path}: FILE has no sha256, sha1 or md5 column (not RDSv3)")
    return columns


def _column(columns: set[str], name: str) -> str:
    return f'"{name}"' if name in columns else "NULL"


def _types_sql(sha256: str, sha1: str, md5: str) -> str:
    """SQL for a row's types mask (``hs_mask`` has checked the values; not called twice)."""
    return " | ".join(
        f"(CASE WHEN {column} IS NULL OR {column} = '' THEN 0 ELSE {bit} END)"
        for column, bit in ((sha256, SHA256), (sha1, SHA1), (md5, MD5))
    )


def row_count(db: sqlite3.Connection, path: Path) -> int:
    """How many rows the attached ``FILE`` has (valid or not)."""
    try:
        return int(db.execute(f"SELECT count(*) FROM {SCHEMA}.FILE").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise HashSetFormatError(f"{path}: cannot read its FILE table ({exc})") from exc


def copy_rows(
    db: sqlite3.Connection, path: Path, set_id: int, total: int, problems: ProblemLog
) -> tuple[int, set[int]]:
    """Copy the attached ``FILE`` (``total`` rows) into ``hashes`` as set ``set_id``.

    Runs inside the caller's transaction; skipped rows are added to ``problems``.

    Returns:
        The rows copied and the distinct masks of the hash types they have.
    """
    columns = file_columns(db, path)
    sha256, sha1, md5 = (_column(columns, name) for name, _digits, _bit in _COLUMNS)
    name, size, package = (_column(columns, c) for c in ("file_name", "file_size", "package_id"))
    checker = _RowChecker()
    db.create_function("hs_mask", 3, checker.mask)
    db.create_function("hs_unhex", 1, checker.unhex)
    try:
        inserted = db.execute(
            "INSERT INTO hashes (set_id, types, sha256, sha1, md5, file_name, file_size, package)"
            f" SELECT ?, {_types_sql(sha256, sha1, md5)},"
            f" hs_unhex({sha256}), hs_unhex({sha1}), hs_unhex({md5}),"
            f" substr(CAST({name} AS TEXT), 1, {MAX_NAME}),"
            f" CASE WHEN typeof({size}) = 'integer' THEN {size} END,"
            f" substr(CAST({package} AS TEXT), 1, {MAX_NAME})"
            f" FROM {SCHEMA}.FILE WHERE hs_mask({sha256}, {sha1}, {md5}) > 0",
            (set_id,),
        ).rowcount
        if total > inserted:
            _skipped_rows(db, (sha256, sha1, md5), problems, total - inserted)
    except sqlite3.DatabaseError as exc:
        raise HashSetFormatError(f"{path}: import failed ({exc})") from exc
    return inserted, checker.masks


def _skipped_rows(
    db: sqlite3.Connection, hashes: tuple[str, str, str], problems: ProblemLog, skipped: int
) -> None:
    """Add the first skipped rows to ``problems`` (with their row numbers), count the rest."""
    db.create_function("hs_problem", 3, problem)
    listed = db.execute(
        f"SELECT n, why FROM (SELECT row_number() OVER () AS n,"
        f" hs_problem({', '.join(hashes)}) AS why FROM {SCHEMA}.FILE)"
        " WHERE why IS NOT NULL LIMIT ?",
        (min(skipped, MAX_PROBLEMS),),
    ).fetchall()
    for number, why in listed:
        problems.add(number, why)
    problems.count += skipped - len(listed)
