"""The hash-set store's SQLite file: schema, opening, and the pragmas of a bulk import.

WAL journal, ``synchronous=NORMAL``: readers (scans) never wait for an import, an import is
one transaction, and a power cut can lose the last commit but never damage the file.

One file shared by every case (``paths.default_store_path``). ``hash_sets`` holds one row
per imported set (its identity for the custody log); ``hashes`` one row per source row,
the digests as BLOBs (16/20/32 bytes: half the size of hex text, and smaller indexes) and
``types``, a mask of the digests the row has, so a lookup can tell from the index alone
which digest decides a match. Each digest column has a partial index on
``(digest, set_id, types)``: a lookup never reads the table except for one name per match.
``hash_sets.row_types`` lists the distinct ``types`` masks of a set's rows, so a lookup
skips the digests that cannot decide a match (with only NSRL in the store, a file whose
SHA-256 is known is looked up by SHA-256 alone).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from catalog.hashsets.records import HashSetStoreError

if TYPE_CHECKING:
    from pathlib import Path

APPLICATION_ID = 0x65766873
"""``evhs``: marks a SQLite file as an evcat hash-set store."""
SCHEMA_VERSION = 1

TABLES = """
CREATE TABLE IF NOT EXISTS hash_sets (
    set_id        INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('known-good', 'known-bad')),
    format        TEXT NOT NULL,
    source_path   TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    row_count     INTEGER NOT NULL,
    imported      TEXT NOT NULL,
    examiner      TEXT NOT NULL,
    tool          TEXT NOT NULL,
    hash_types    TEXT NOT NULL,
    row_types     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS hashes (
    set_id    INTEGER NOT NULL,
    types     INTEGER NOT NULL,
    sha256    BLOB,
    sha1      BLOB,
    md5       BLOB,
    file_name TEXT,
    file_size INTEGER,
    package   TEXT
);
"""
DIGESTS = ("sha256", "sha1", "md5")
INDEXES = tuple(
    f"CREATE INDEX IF NOT EXISTS hashes_{name} ON hashes ({name}, set_id, types)"
    f" WHERE {name} IS NOT NULL"
    for name in DIGESTS
)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def connect(path: Path) -> sqlite3.Connection:
    """Open the store at ``path``, creating it (and its folders) if missing.

    Raises:
        HashSetStoreError: not a SQLite file, not a hash-set store, or a newer schema.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(
            path.resolve().as_uri(),
            uri=True,
            isolation_level=None,
            timeout=60,
            check_same_thread=False,
        )
    except (OSError, sqlite3.Error) as exc:
        raise HashSetStoreError(f"{path}: cannot open the hash-set store ({exc})") from exc
    try:
        db.text_factory = _text
        db.execute("PRAGMA trusted_schema = OFF")
        _check_or_create(db, path)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise HashSetStoreError(f"{path}: cannot open the hash-set store ({exc})") from exc
    except HashSetStoreError:
        db.close()
        raise
    return db


def _check_or_create(db: sqlite3.Connection, path: Path) -> None:
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    has_tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    if has_tables and app_id != APPLICATION_ID:
        raise HashSetStoreError(f"{path}: not an evcat hash-set store")
    if version > SCHEMA_VERSION:
        raise HashSetStoreError(
            f"{path}: hash-set store written by a newer evcat (schema {version}); upgrade evcat"
        )
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    if has_tables and version == SCHEMA_VERSION:
        return
    try:
        db.executescript(
            f"BEGIN IMMEDIATE; {TABLES}; {'; '.join(INDEXES)};"
            f" PRAGMA application_id = {APPLICATION_ID};"
            f" PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
        )
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


@contextmanager
def bulk_pragmas(db: sqlite3.Connection) -> Iterator[None]:
    """Pragmas for one large import, restored afterwards: a second sorter thread.

    Measured on 5 million rows (2 cores): two sorter threads build the three indexes in 9 s
    instead of 11 s; a bigger page cache made them *slower* (21 s at 64 MiB), and
    ``synchronous=OFF`` gained nothing over ``NORMAL``, so the store keeps ``NORMAL``.
    """
    db.execute("PRAGMA threads = 2")
    try:
        yield
    finally:
        db.execute("PRAGMA threads = 0")


def drop_indexes(db: sqlite3.Connection) -> None:
    """Drop the digest indexes (inside the import's transaction) before a large load."""
    for name in DIGESTS:
        db.execute(f"DROP INDEX IF EXISTS hashes_{name}")


def create_indexes(db: sqlite3.Connection) -> None:
    """(Re)create the digest indexes: a sort, much faster than growing them row by row."""
    for statement in INDEXES:
        db.execute(statement)
