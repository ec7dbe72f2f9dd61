"""What writing the ``files`` rows costs, and what cheaper ways of writing them would save.

Takes the ``files`` rows of a catalog evcat wrote (default ``bench/out/tiny.db``, left by
``memory.py``: 100,322 rows), copies that catalog, empties its ``files`` table and writes
the same rows again, timed, in several ways:

* ``sqlite_utils (evcat today)``: what ``CatalogWriter.upsert`` does: batches of 500 rows,
  each ``db.table("files").insert_all(rows, pk=..., replace=True)`` inside ``db.atomic()``;
* ``executemany``: one prepared ``INSERT OR REPLACE`` per 500-row transaction, plain sqlite3;
* ``executemany + pragmas``: the same with ``synchronous=NORMAL`` (safe with WAL: a power
  cut can lose the last commits, never corrupt) and a 64 MiB page cache;
* ``... + 5,000-row transactions``;
* ``... + indexes built after the load``: the four secondary indexes dropped first and
  created at the end (included in the time).

The catalog's schema, foreign keys and WAL mode are kept as evcat sets them. Prints a table
and writes ``bench/out/sqlite_writes.json``.

Usage: python bench/sqlite_writes.py [--catalog bench/out/tiny.db]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlite_utils import Database

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import OUT, markdown_table, write_json

Row = dict[str, Any]


def load_rows(catalog: Path) -> tuple[list[str], list[Row]]:
    """Column names and every ``files`` row of ``catalog``."""
    with sqlite3.connect(catalog) as db:
        db.row_factory = sqlite3.Row
        rows = [dict(row) for row in db.execute("SELECT * FROM files ORDER BY seq")]
    if not rows:
        sys.exit(f"{catalog}: no files rows (run python bench/memory.py first)")
    return list(rows[0]), rows


def fresh_copy(catalog: Path, name: str) -> Path:
    """A copy of ``catalog`` with an empty ``files`` table."""
    target = OUT / f"sqlite-writes-{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(catalog) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    with sqlite3.connect(target) as db:
        db.execute("DELETE FROM files")
    with sqlite3.connect(target) as db:
        db.execute("VACUUM")
    return target


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA foreign_keys = ON")
    return db


def via_sqlite_utils(path: Path, columns: list[str], rows: list[Row]) -> None:
    """evcat's writer today: insert_all(replace=True) per 500-row batch in db.atomic()."""
    db = Database(_connect(path))
    for start in range(0, len(rows), 500):
        batch = rows[start : start + 500]
        with db.atomic():
            db.table("files").insert_all(batch, pk="file_id", replace=True)
    db.close()


def via_executemany(
    batch: int, pragmas: bool, late_indexes: bool
) -> Callable[[Path, list[str], list[Row]], None]:
    """Plain sqlite3: one prepared INSERT OR REPLACE, ``batch`` rows per transaction."""

    def write(path: Path, columns: list[str], rows: list[Row]) -> None:
        db = _connect(path)
        if pragmas:
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA cache_size = -65536")
        indexes: list[str] = []
        if late_indexes:
            indexes = [
                sql
                for (sql,) in db.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'files'"
                    " AND sql IS NOT NULL"
                )
            ]
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name = 'files' AND sql IS NOT NULL"
            ).fetchall():
                db.execute(f'DROP INDEX "{name}"')
        statement = (
            f"INSERT OR REPLACE INTO files ({', '.join(columns)})"
            f" VALUES ({', '.join('?' for _ in columns)})"
        )
        values = [tuple(row[c] for c in columns) for row in rows]
        for start in range(0, len(values), batch):
            db.execute("BEGIN")
            db.executemany(statement, values[start : start + batch])
            db.execute("COMMIT")
        for sql in indexes:
            db.execute(sql)
        db.close()

    return write


VARIANTS: list[tuple[str, Callable[[Path, list[str], list[Row]], None]]] = [
    ("sqlite_utils insert_all(replace) per 500 rows (evcat today)", via_sqlite_utils),
    ("executemany, 500-row transactions", via_executemany(500, False, False)),
    ("executemany + synchronous=NORMAL, 64 MiB cache", via_executemany(500, True, False)),
    ("... + 5,000-row transactions", via_executemany(5000, True, False)),
    ("... + secondary indexes built after the load", via_executemany(5000, True, True)),
]


def main() -> None:
    """Time every variant on the same rows."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--catalog", type=Path, default=OUT / "tiny.db")
    args = parser.parse_args()
    if not args.catalog.is_file():
        sys.exit(f"{args.catalog} is missing: run python bench/memory.py first")
    columns, rows = load_rows(args.catalog)
    results = []
    for index, (label, write) in enumerate(VARIANTS):
        path = fresh_copy(args.catalog, str(index))
        started = time.perf_counter()
        cpu = time.process_time()
        write(path, columns, rows)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
        with sqlite3.connect(path) as db:
            count = db.execute("SELECT count(*) FROM files").fetchone()[0]
        results.append(
            {
                "variant": label,
                "rows": count,
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "us_per_row": round(wall / len(rows) * 1e6, 1),
            }
        )
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    print(f"{len(rows):,} files rows from {args.catalog}")
    print(
        markdown_table(
            ["how", "rows", "wall s", "CPU s", "µs/row"],
            [
                [r["variant"], f"{r['rows']:,}", r["wall_s"], r["cpu_s"], r["us_per_row"]]
                for r in results
            ],
        )
    )
    write_json(
        "sqlite_writes.json", {"catalog": str(args.catalog), "rows": len(rows), "variants": results}
    )
    shutil.rmtree(OUT / "sqlite-writes", ignore_errors=True)


if __name__ == "__main__":
    main()
