"""``evcat hashset apply``: re-evaluate a scanned case against the hash sets of a store.

One transaction replaces every known-file row and known-bad finding of the case with the
result of looking each hashed file up in the chosen sets, and appends ``hashsets.applied``
naming the sets (name, kind, source SHA-256, rows) and the new digests of the rewritten
tables per exhibit, so ``evcat verify`` keeps vouching for them.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.custody import log
from catalog.custody.seal import table_digests
from catalog.knownfiles import KnownFileMatcher
from catalog.store import open_existing_catalog, queries

if TYPE_CHECKING:
    from pathlib import Path

    from catalog.custody.log import Actor

REWRITTEN_TABLES = ("findings", "known_files")
BATCH = 500


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """What applying the sets found, over the whole case."""

    known_good: int
    known_bad: int
    findings: int
    custody_seq: int


def apply_hash_sets(case: Path, store: Path, names: Sequence[str], actor: Actor) -> ApplyResult:
    """Look every hashed file of ``case`` up in the sets, replacing earlier results (logged).

    Raises:
        UsageError: no store, or a named set missing from it.
        CatalogError: no case at ``case``.
    """
    matcher = KnownFileMatcher(store, names)
    apply_id = f"hashsets-{uuid.uuid4().hex}"
    try:
        db = open_existing_catalog(case)
        try:
            with db.atomic():
                queries.clear_known_files(db)
                statuses: Counter[str] = Counter()
                n_findings = 0
                for batch in queries.hashed_file_batches(db, BATCH):
                    rows = matcher.match(batch, apply_id)
                    queries.insert_rows(db, "known_files", rows.known)
                    queries.insert_rows(db, "findings", rows.findings)
                    statuses.update(row["status"] for row in rows.known)
                    n_findings += len(rows.findings)
                exhibits = queries.scanned_exhibits(db)
                entry = log.append(
                    db,
                    "hashsets.applied",
                    actor,
                    {
                        "apply_id": apply_id,
                        "hash_sets": matcher.identities(),
                        "known_good": statuses["known-good"],
                        "known_bad": statuses["known-bad"],
                        "findings": n_findings,
                        "tables": {
                            exhibit: table_digests(db, exhibit, REWRITTEN_TABLES)
                            for exhibit in exhibits
                        },
                    },
                )
        finally:
            db.close()
    finally:
        matcher.close()
    return ApplyResult(statuses["known-good"], statuses["known-bad"], n_findings, entry.seq)
