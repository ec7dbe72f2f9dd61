"""The known-file hash-set store: import sets once, look files up in all of them.

Lookup rule (per row of a set): a file and a row are compared by the strongest digest
both have, SHA-256, then SHA-1, then MD5. A set with only MD5 is matched by MD5; a row
with a SHA-256 is never matched by a colliding MD5 or SHA-1 alone when the file's SHA-256
is known (an MD5 collision cannot turn a known-bad file into a known-good one). Rows
with a weaker digest only (a CSV whose rows lack SHA-256) still match on that digest.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from catalog.errors import UsageError
from catalog.hashsets import importer, nsrl, schema
from catalog.hashsets.lineparsers import HEX_DIGITS
from catalog.hashsets.records import (
    HASH_TYPES,
    MD5,
    SHA1,
    SHA256,
    HashSetInfo,
    HashSetNameConflict,
    HashSetNotFound,
    ImportResult,
    Match,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

LOOKUP_BATCH = 500
_INFO_COLUMNS = (
    "set_id, name, kind, format, source_path, source_sha256, row_count, imported, examiner,"
    " tool, hash_types"
)
Wanted = dict[bytes, list[tuple[str, int]]]
"""Per digest value: the keys (and their digest masks) of the files that have it."""


class HashSetStore:
    """A SQLite file of known-file hash sets, shared by every case.

    One instance is one connection: use it from one thread at a time (it may be handed
    to another thread, e.g. a writer thread); open one per process.
    """

    def __init__(self, path: Path) -> None:
        """Open the store at ``path``, creating the file and its schema if missing.

        Raises:
            HashSetStoreError: not a hash-set store, or written by a newer evcat.
        """
        self.path = path
        self._db = schema.connect(path)
        self._names: dict[int, tuple[str, str]] = {}

    def import_set(
        self, source: Path, name: str, kind: str, fmt: str, examiner: str
    ) -> ImportResult:
        """Import the set at ``source`` as ``name``; a no-op if that content already is.

        Raises:
            UsageError: an empty or multi-line name, an unknown kind or format.
            HashSetFormatError: unreadable or unknown source, no valid row.
            HashSetNameConflict: ``name`` is taken by a set with other content or kind.
            HashSetStoreError: the store cannot be written.
        """
        importer.check_arguments(name, kind, fmt)
        sha256 = importer.file_sha256(source)
        found = self._find(name)
        if found is not None:
            return _already(found, source, sha256, kind)
        chosen = importer.resolve_format(source, fmt)
        attach = (
            nsrl.attached(self._db, source) if chosen == "nsrl-rdsv3" else contextlib.nullcontext()
        )
        try:
            with schema.bulk_pragmas(self._db), attach:
                return self._import(source, name, kind, chosen, examiner, sha256)
        except sqlite3.Error as exc:
            raise importer.store_error(self.path, exc) from exc

    def _import(
        self, source: Path, name: str, kind: str, fmt: str, examiner: str, sha256: str
    ) -> ImportResult:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            found = self._find(name)
            if found is not None:
                db.execute("ROLLBACK")
                return _already(found, source, sha256, kind)
            set_id = importer.add_set(db, source, name, kind, fmt, examiner, sha256)
            count, masks, problems = importer.write_rows(db, source, fmt, set_id, sha256)
            importer.finish_set(db, set_id, count, masks)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return ImportResult(self.get(name), False, tuple(problems.kept), problems.count)

    def sets(self) -> list[HashSetInfo]:
        """Every set in the store, by name."""
        return [
            _info(row)
            for row in self._db.execute(f"SELECT {_INFO_COLUMNS} FROM hash_sets ORDER BY name")
        ]

    def get(self, name: str) -> HashSetInfo:
        """The set called ``name``.

        Raises:
            HashSetNotFound: no such set.
        """
        found = self._find(name)
        if found is None:
            raise HashSetNotFound(f"{self.path}: no hash set called {name!r}")
        return found

    def _find(self, name: str) -> HashSetInfo | None:
        row = self._db.execute(
            f"SELECT {_INFO_COLUMNS} FROM hash_sets WHERE name = ?", (name,)
        ).fetchone()
        return None if row is None else _info(row)

    def lookup(self, sha256: str | None, sha1: str | None, md5: str | None) -> list[Match]:
        """The sets that hold a file with these digests (lower- or upper-case hex), by name.

        Raises:
            UsageError: a digest is not hex of its length.
        """
        return self.lookup_many([("", sha256, sha1, md5)])[""]

    def lookup_many(
        self, rows: Sequence[tuple[str, str | None, str | None, str | None]]
    ) -> dict[str, list[Match]]:
        """``lookup`` for many files: ``(key, sha256, sha1, md5)`` rows, every key answered.

        Queries run ``LOOKUP_BATCH`` digests at a time, index-only, then one more query
        fetches the file names of the matching rows.
        """
        wanted = _wanted(rows, self._row_masks())
        best: dict[str, dict[int, int]] = {key: {} for key, *_ in rows}
        for name, bit in HASH_TYPES:
            for value, set_id, types, rowid in self._candidates(name, list(wanted[name])):
                for key, mask in wanted[name][value]:
                    if _strongest(types & mask) == bit:
                        chosen = best[key]
                        chosen[set_id] = min(rowid, chosen.get(set_id, rowid))
        return self._matches(best)

    def _candidates(self, name: str, values: list[bytes]) -> Iterator[tuple[bytes, int, int, int]]:
        """(digest, set, row types, first row id) of every group of rows with a wanted digest."""
        for start in range(0, len(values), LOOKUP_BATCH):
            chunk = values[start : start + LOOKUP_BATCH]
            yield from self._db.execute(
                f"SELECT {name}, set_id, types, min(rowid) FROM hashes"
                f" WHERE {name} IN ({', '.join('?' * len(chunk))}) GROUP BY {name}, set_id, types",
                chunk,
            )

    def _matches(self, best: dict[str, dict[int, int]]) -> dict[str, list[Match]]:
        rowids = sorted({rowid for chosen in best.values() for rowid in chosen.values()})
        names: dict[int, str | None] = {}
        for start in range(0, len(rowids), LOOKUP_BATCH):
            chunk = rowids[start : start + LOOKUP_BATCH]
            names.update(
                self._db.execute(
                    "SELECT rowid, file_name FROM hashes"
                    f" WHERE rowid IN ({', '.join('?' * len(chunk))})",
                    chunk,
                )
            )
        result: dict[str, list[Match]] = {}
        for key, chosen in best.items():
            matches = [Match(s, *self._set_name(s), names.get(r)) for s, r in chosen.items()]
            if len(matches) > 1:
                matches.sort(key=lambda match: match.name)
            result[key] = matches
        return result

    def _row_masks(self) -> set[int]:
        """The distinct digest masks of the rows of every set."""
        masks: set[int] = set()
        for (row_types,) in self._db.execute("SELECT row_types FROM hash_sets"):
            masks.update(int(mask) for mask in row_types.split(",") if mask)
        return masks

    def _set_name(self, set_id: int) -> tuple[str, str]:
        if set_id not in self._names:
            self._names = {
                row[0]: (row[1], row[2])
                for row in self._db.execute("SELECT set_id, name, kind FROM hash_sets")
            }
        return self._names[set_id]

    def close(self) -> None:
        """Close the store."""
        self._db.close()


def _wanted(
    rows: Sequence[tuple[str, str | None, str | None, str | None]], row_masks: set[int]
) -> dict[str, Wanted]:
    """Per digest name, the files to look up by it, by value (with the digests they have).

    A digest is looked up only if it is the strongest one the file shares with some row
    of the store (``row_masks``): only then can it decide a match.
    """
    wanted: dict[str, Wanted] = {name: defaultdict(list) for name, _bit in HASH_TYPES}
    by_sha256, by_sha1, by_md5 = wanted["sha256"], wanted["sha1"], wanted["md5"]
    deciding_for: dict[int, int] = {}
    for key, sha256, sha1, md5 in rows:
        mask = (SHA256 if sha256 else 0) | (SHA1 if sha1 else 0) | (MD5 if md5 else 0)
        deciding = deciding_for.get(mask)
        if deciding is None:
            deciding = deciding_for[mask] = _deciding(mask, row_masks)
        for bit, value, name, by_value in (
            (SHA256, sha256, "sha256", by_sha256),
            (SHA1, sha1, "sha1", by_sha1),
            (MD5, md5, "md5", by_md5),
        ):
            if value:
                raw = _digest(name, value)
                if deciding & bit:
                    by_value[raw].append((key, mask))
    return wanted


def _deciding(mask: int, row_masks: set[int]) -> int:
    """The digests of a file (``mask``) that can decide a match with some row."""
    deciding = 0
    for row_mask in row_masks:
        deciding |= _strongest(mask & row_mask)
    return deciding


def _already(found: HashSetInfo, source: Path, sha256: str, kind: str) -> ImportResult:
    if found.source_sha256 != sha256:
        raise HashSetNameConflict(
            f"{source}: a hash set called {found.name!r} was imported from other content"
            f" (SHA-256 {found.source_sha256}); choose another name"
        )
    if found.kind != kind:
        raise HashSetNameConflict(
            f"{source}: already imported as {found.name!r}, {found.kind}, not {kind}"
        )
    return ImportResult(found, True, (), 0)


def _info(row: tuple[Any, ...]) -> HashSetInfo:
    set_id, name, kind, fmt, path, sha256, count, imported, examiner, tool, types = row
    hash_types = tuple(types.split(",")) if types else ()
    return HashSetInfo(
        set_id, name, kind, fmt, path, sha256, count, imported, examiner, tool, hash_types
    )


def _digest(name: str, value: str) -> bytes:
    digits = HEX_DIGITS[name]
    try:
        raw = bytes.fromhex(value)
    except (TypeError, ValueError):
        raw = b""
    if len(raw) * 2 != digits or len(value) != digits:
        raise UsageError(f"not a {name} digest: {str(value)[:80]!r}")
    return raw


def _strongest(mask: int) -> int:
    """The strongest digest bit of ``mask`` (0 for none)."""
    for _name, bit in HASH_TYPES:
        if mask & bit:
            return bit
    return 0
