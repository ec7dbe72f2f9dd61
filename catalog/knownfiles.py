"""Known files: hash-set matches turned into catalog rows, during a scan and after it.

A ``KnownFileMatcher`` holds the hash sets chosen for a run (all sets of the store, or the
named ones) and, for a batch of ``files`` rows, returns the ``known_files`` rows (status
``known-good`` or ``known-bad``, with the names of the sets that matched; known-bad wins
when both do) and one ``known_bad`` finding per known-bad set matched. Files without a
match get no row: their status is ``unknown``. ``identities`` is what the custody log
records of the sets: name, kind, format, source SHA-256, row count, import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from catalog.errors import UsageError
from catalog.hashsets import HashSetStore

if TYPE_CHECKING:
    from pathlib import Path

    from catalog.hashsets import HashSetInfo, Match

Row = dict[str, Any]
KNOWN_BAD = "known-bad"
KNOWN_GOOD = "known-good"
DETECTOR = "hashset"


@dataclass(slots=True)
class KnownRows:
    """The rows one batch of files adds: known-file rows and known-bad findings."""

    known: list[Row] = field(default_factory=list)
    findings: list[Row] = field(default_factory=list)


class KnownFileMatcher:
    """Looks up files in the chosen hash sets of a store."""

    def __init__(self, store_path: Path, names: Sequence[str] = ()) -> None:
        """Use every set of the store at ``store_path``, or only those called ``names``.

        Raises:
            UsageError: no store at that path, or a named set is not in it.
        """
        if not store_path.is_file():
            raise UsageError(f"{store_path}: no hash-set store (import a set first)")
        self.store = HashSetStore(store_path)
        known = {info.name: info for info in self.store.sets()}
        missing = [name for name in names if name not in known]
        if missing:
            self.store.close()
            raise UsageError(f"{store_path}: no hash set called {', '.join(missing)}")
        self.sets: list[HashSetInfo] = [known[n] for n in names] if names else list(known.values())
        self._ids = {info.set_id for info in self.sets}

    def identities(self) -> list[dict[str, Any]]:
        """The sets in use, as the custody log records them."""
        return [
            {
                "name": info.name,
                "kind": info.kind,
                "format": info.format,
                "source_sha256": info.source_sha256,
                "rows": info.row_count,
                "imported": info.imported,
                "imported_by": info.examiner,
            }
            for info in sorted(self.sets, key=lambda info: info.name)
        ]

    def match(self, files: Sequence[Row], run_id: str) -> KnownRows:
        """Known-file rows and known-bad findings for the hashed rows among ``files``."""
        rows = KnownRows()
        keys = [
            (row["file_id"], row["sha256"], row["sha1"], row["md5"])
            for row in files
            if row.get("sha256") or row.get("md5")
        ]
        if not keys or not self.sets:
            return rows
        by_file = {row["file_id"]: row for row in files}
        for file_id, matches in self.store.lookup_many(keys).items():
            chosen = [m for m in matches if m.set_id in self._ids]
            if chosen:
                _add(rows, by_file[file_id], chosen, run_id)
        return rows

    def close(self) -> None:
        """Close the store."""
        self.store.close()


def _add(rows: KnownRows, file_row: Row, matches: list[Match], run_id: str) -> None:
    bad = sorted({m.name for m in matches if m.kind == KNOWN_BAD})
    rows.known.append(
        {
            "file_id": file_row["file_id"],
            "evidence_id": file_row["evidence_id"],
            "status": KNOWN_BAD if bad else KNOWN_GOOD,
            "sets": "; ".join(sorted({m.name for m in matches})),
            "run_id": run_id,
        }
    )
    for match in (m for m in matches if m.kind == KNOWN_BAD):
        rows.findings.append(
            {
                "finding_id": f"{file_row['file_id']}:known:{match.set_id}",
                "file_id": file_row["file_id"],
                "evidence_id": file_row["evidence_id"],
                "run_id": run_id,
                "kind": "known_bad",
                "value": match.name,
                "normalized": match.name,
                "score": 1.0,
                "rules": "hashset:known-bad",
                "snippet": match.file_name or "",
                "offset": None,
                "offset_basis": "file",
                "detector": DETECTOR,
                "detector_version": 1,
            }
        )
