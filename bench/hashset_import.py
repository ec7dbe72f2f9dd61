"""How fast an NSRL-sized hash set imports into the hash-set store, and how fast lookups are.

Builds ``bench/images/rdsv3-synthetic-N.db`` (git-ignored) once: a SQLite file shaped like
NSRL RDSv3, a ``FILE`` view over a ``FILE_DATA`` table (sha256, sha1, md5, crc32 as
upper-case hex, file_name, file_size, package_id) plus ``PKG``. Of the N rows, 80% have
their own random digests, 19.6% repeat an earlier file's digests under another name and
package (NSRL lists a file once per package holding it), and 0.4% are the empty file
(one digest in thousands of rows, the worst case of a lookup). Content comes from
SQLite's ``randomblob`` and differs between builds; the counts do not.

Then, timed, into a fresh store ``bench/out/hashset-bench.db``:

* the import (``HashSetStore.import_set``: source SHA-256 twice, the copy, three index
  builds, the commit and the WAL checkpoint) in rows/s;
* importing it again (a no-op: only the source is hashed);
* 100,000 single ``lookup`` calls (half hits, half misses, all three digests given, as
  a scan gives them), and the same 100,000 as ``lookup_many`` batches of 500.

Writes ``bench/out/hashset_import.json``.

Usage: python bench/hashset_import.py [--rows 5000000] [--force]

Last run, 2026-11-22: 2 vCPU AMD EPYC (KVM), Python 3.11.7, SQLite 3.40.1, warm page cache,
other load 0.01 cores at the start; source 959 MB (built in 8 s), store 1,101 MB:

| step | time | rate |
| --- | --- | --- |
| import of 5,000,000 rows | 29.8 s | 167,697 rows/s (target: under 120 s) |
| import again (no-op) | 0.58 s | source hashed only |
| 100,000 lookup() | 2.46 s | 25 µs each |
| 100,000 in lookup_many(500) | 1.04 s | 10 µs per file |

Of the import, the copy (two Python SQL functions per row) takes about 14 s, the three
index builds 9 s, hashing the source twice 1 s. With the indexes left in place and
grown row by row the same import took 122 s. With both cores busy with another
benchmark the import took 37 s and lookup_many 13-15 µs per file.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchlib import IMAGES, OUT, markdown_table, wait_for_quiet, write_json

from catalog.hashsets import HashSetStore

LOOKUPS = 100_000
BATCH = 500
EMPTY = (
    "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
    "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
    "D41D8CD98F00B204E9800998ECF8427E",
)
SCHEMA = """
CREATE TABLE PKG (package_id INTEGER PRIMARY KEY, name TEXT NOT NULL, version TEXT NOT NULL);
CREATE TABLE FILE_DATA (
    sha256 VARCHAR NOT NULL, sha1 VARCHAR NOT NULL, md5 VARCHAR NOT NULL, crc32 VARCHAR,
    file_name VARCHAR NOT NULL, file_size INTEGER NOT NULL, package_id INTEGER NOT NULL
);
CREATE VIEW FILE AS
    SELECT sha256, sha1, md5, crc32, file_name, file_size, package_id FROM FILE_DATA;
"""
UNIQUE_ROWS = """
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
INSERT INTO FILE_DATA
SELECT hex(randomblob(32)), hex(randomblob(20)), hex(randomblob(16)), hex(randomblob(4)),
       printf('%s%d.%s', substr('kernelbase_msvcrt_mfc140u_setupapi', 1 + abs(random()) % 20,
       4 + abs(random()) % 12), i, substr('dllexesysmuitxt', 1 + 3 * (i % 5), 3)),
       abs(random()) % 4000000, 1 + i % 20000
FROM c
"""
REPEATED_ROWS = """
INSERT INTO FILE_DATA
SELECT sha256, sha1, md5, crc32, 'copy_' || file_name, file_size, 1 + (package_id + 7) % 20000
FROM FILE_DATA WHERE rowid % 4 = 0 LIMIT ?
"""
EMPTY_ROWS = """
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
INSERT INTO FILE_DATA SELECT ?, ?, ?, '00000000', 'empty' || i || '.txt', 0, 1 + i % 20000 FROM c
"""


def build_source(rows: int, force: bool) -> Path:
    """The synthetic RDSv3 database with ``rows`` rows, built if missing."""
    path = IMAGES / f"rdsv3-synthetic-{rows}.db"
    if path.exists() and not force:
        return path
    IMAGES.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    unique, empty = rows * 80 // 100, rows * 4 // 1000
    started = time.perf_counter()
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + SCHEMA)
    db.execute("BEGIN")
    db.execute(
        "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000)"
        " INSERT INTO PKG SELECT i, 'Package ' || i, '1.' || (i % 50) FROM c"
    )
    db.execute(UNIQUE_ROWS, (unique,))
    db.execute(REPEATED_ROWS, (rows - unique - empty,))
    db.execute(EMPTY_ROWS, (empty, *EMPTY))
    db.execute("COMMIT")
    db.close()
    size = path.stat().st_size / 1e6
    print(
        f"built {path.name}: {rows:,} rows, {size:,.0f} MB in {time.perf_counter() - started:.1f} s"
    )
    return path


def sample_queries(source: Path, rows: int) -> list[tuple[str, str, str, str]]:
    """``LOOKUPS`` (key, sha256, sha1, md5): half hits drawn from the source, half misses."""
    rng = random.Random(5)
    rowids = rng.sample(range(1, rows + 1), LOOKUPS // 2)
    db = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    hits = []
    for start in range(0, len(rowids), BATCH):
        chunk = rowids[start : start + BATCH]
        hits += db.execute(
            f"SELECT lower(sha256), lower(sha1), md5 FROM FILE_DATA"
            f" WHERE rowid IN ({', '.join('?' * len(chunk))})",
            chunk,
        ).fetchall()
    db.close()
    misses = [(os.urandom(32).hex(), os.urandom(20).hex(), os.urandom(16).hex()) for _ in hits]
    queries = [(f"f{i}", *digests) for i, digests in enumerate(hits + misses)]
    rng.shuffle(queries)
    return queries


def fresh_store() -> Path:
    """An empty path for the bench store."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "hashset-bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--force", action="store_true", help="rebuild the source database")
    parser.add_argument("--wait", type=float, default=90, help="max s to wait for a quiet machine")
    args = parser.parse_args()
    source = build_source(args.rows, args.force)
    store_path = fresh_store()
    other_load = wait_for_quiet(args.wait)
    store = HashSetStore(store_path)
    started = time.perf_counter()
    result = store.import_set(source, "nsrl-synthetic", "known-good", "auto", "bench")
    import_s = time.perf_counter() - started
    store.close()
    store = HashSetStore(store_path)
    started = time.perf_counter()
    again = store.import_set(source, "nsrl-synthetic", "known-good", "auto", "bench")
    again_s = time.perf_counter() - started
    assert again.already_present, "the second import must be a no-op"
    queries = sample_queries(source, args.rows)
    started = time.perf_counter()
    single_hits = sum(bool(store.lookup(*query[1:])) for query in queries)
    single_s = time.perf_counter() - started
    started = time.perf_counter()
    batch_hits = 0
    for start in range(0, len(queries), BATCH):
        answers = store.lookup_many(queries[start : start + BATCH])
        batch_hits += sum(bool(matches) for matches in answers.values())
    batch_s = time.perf_counter() - started
    store.close()
    store_mb = store_path.stat().st_size / 1e6
    rows = result.info.row_count
    table = [
        ("import", f"{import_s:.1f} s", f"{rows / import_s:,.0f} rows/s"),
        ("import again (no-op)", f"{again_s:.2f} s", "source hashed only"),
        (f"{LOOKUPS:,} lookup()", f"{single_s:.2f} s", f"{single_s / LOOKUPS * 1e6:.0f} µs each"),
        (
            f"{LOOKUPS:,} in lookup_many({BATCH})",
            f"{batch_s:.2f} s",
            f"{batch_s / LOOKUPS * 1e6:.0f} µs per file",
        ),
    ]
    print(f"other load before the run: {other_load} cores")
    print(f"source {source.name}: {source.stat().st_size / 1e6:,.0f} MB; store {store_mb:,.0f} MB")
    print(f"rows imported {rows:,}, problems {result.problem_count}")
    print(f"hits: {single_hits:,} by lookup(), {batch_hits:,} by lookup_many()")
    print(markdown_table(("step", "time", "rate"), table))
    write_json(
        "hashset_import.json",
        {
            "rows": rows,
            "source_mb": source.stat().st_size / 1e6,
            "store_mb": store_mb,
            "import_s": import_s,
            "rows_per_s": rows / import_s,
            "reimport_s": again_s,
            "lookup_us": single_s / LOOKUPS * 1e6,
            "lookup_many_us_per_file": batch_s / LOOKUPS * 1e6,
            "hits": [single_hits, batch_hits],
            "sqlite": sqlite3.sqlite_version,
            "other_load_cores": other_load,
        },
    )


if __name__ == "__main__":
    main()
