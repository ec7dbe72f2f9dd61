"""The case catalog: one SQLite file per case. All SQL of evcat lives in this package."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

# sqlite-utils imports pandas and numpy when they are installed, only to accept their values
# in inserts, which evcat never passes: 47 MiB and 0.25 s in every process. Hiding them
# while it loads leaves both importable by anything else.
_HIDDEN = [name for name in ("pandas", "numpy") if name not in sys.modules]
sys.modules.update(dict.fromkeys(_HIDDEN))  # type: ignore[arg-type]
try:
    from sqlite_utils import Database
finally:
    for _name in _HIDDEN:
        del sys.modules[_name]

from catalog.errors import CatalogError  # noqa: E402
from catalog.store.schema import MIGRATIONS, check_not_newer, migrate  # noqa: E402

CACHE_KIB = 8192
"""SQLite's page cache per connection, which also bounds a sort's memory before it spills
to a temporary file: a fixed size, so memory does not grow with the number of rows."""


def open_catalog(path: Path) -> Database:
    """Open (and migrate) a case catalog; WAL is enabled outside any transaction.

    Raises:
        CatalogError: the file is not a catalog or cannot be written.
    """
    try:
        connection = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        db = Database(connection)
        db.execute("PRAGMA busy_timeout = 30000")
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: consistent after a crash
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        db.execute("PRAGMA foreign_keys = ON")
        migrate(db, str(path))
    except sqlite3.DatabaseError as exc:
        raise CatalogError(f"{path}: not a usable case catalog ({exc})") from exc
    return db


def open_existing_catalog(path: Path) -> Database:
    """Open an existing case catalog for a change (migrating it); never create one.

    Raises:
        CatalogError: the file is missing, or is a database that evcat did not make (it is
            left untouched).
    """
    if not path.is_file():
        raise CatalogError(f"{path}: no such case catalog")
    try:
        probe = Database(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True))
        try:
            applied = MIGRATIONS.applied(probe)
        finally:
            probe.close()
    except sqlite3.DatabaseError as exc:
        raise CatalogError(f"{path}: not a usable case catalog ({exc})") from exc
    if not applied:
        raise CatalogError(f"{path}: not an evcat case catalog")
    return open_catalog(path)


def open_catalog_readonly(path: Path) -> Database:
    """Open a case catalog for reading only (exports, browsing): no migration, no writes.

    Raises:
        CatalogError: the file is missing, not an evcat catalog, newer than this evcat, or
            older and in need of the upgrade any writing command performs.
    """
    if not path.is_file():
        raise CatalogError(f"{path}: no such case catalog")
    try:
        db = Database(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True))
        check_not_newer(db, str(path))
        applied = MIGRATIONS.applied(db)
        pending = MIGRATIONS.pending(db)
    except sqlite3.DatabaseError as exc:
        raise CatalogError(f"{path}: not a usable case catalog ({exc})") from exc
    if not applied:
        db.close()
        raise CatalogError(f"{path}: not an evcat case catalog")
    if pending:
        db.close()
        raise CatalogError(f"{path}: catalog is from an older evcat; run a scan on it to upgrade")
    return db
