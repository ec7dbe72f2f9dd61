"""The case catalog: one SQLite file per case. All SQL of evcat lives in this package."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from catalog.errors import CatalogError
from catalog.store.schema import migrate


def open_catalog(path: Path, *, create: bool = True) -> Database:
    """Open (and migrate) a case catalog; WAL is enabled outside any transaction.

    Raises:
        CatalogError: the file is not a catalog, is unwritable, or is missing and
            ``create`` is False.
    """
    if not path.exists() and not create:
        raise CatalogError(f"{path}: no such case catalog")
    try:
        connection = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        db = Database(connection)
        db.execute("PRAGMA busy_timeout = 30000")
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: consistent after a crash
        db.execute("PRAGMA cache_size = -65536")
        db.execute("PRAGMA foreign_keys = ON")
        migrate(db, str(path))
    except sqlite3.DatabaseError as exc:
        raise CatalogError(f"{path}: not a usable case catalog ({exc})") from exc
    return db
