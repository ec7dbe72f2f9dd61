"""Append to and read the custody log.

Each entry is one canonical JSON body holding its sequence number, the previous entry's
hash, the UTC time, the action, who did it (examiner, host, evcat and library versions) and
the action's details. Its hash is the SHA-256 of the previous entry's hash, a newline and
the body (STYLE 9). The caller appends inside the transaction that performs the action, so
the record and the act commit together; SQLite triggers make the table append-only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from catalog.custody.canonical import canonical_json, sha256_hex
from catalog.errors import UsageError
from catalog.provenance import host_name, library_versions, tool_version
from catalog.timeutil import utc_now

if TYPE_CHECKING:
    from pathlib import Path

    from sqlite_utils import Database

GENESIS = "0" * 64
"""The ``prev_hash`` of the first entry."""


@lru_cache(maxsize=1)
def _libraries() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(library_versions().items()))


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts on a case, from where, with what: stamped on every entry."""

    examiner: str
    host: str = field(default_factory=host_name)
    tool: str = field(default_factory=tool_version)
    libraries: tuple[tuple[str, str], ...] = field(default_factory=_libraries)
    signing_key: Path | None = None
    """An Ed25519 private key (PEM): when set, each new head is signed as a checkpoint."""

    def __post_init__(self) -> None:
        """Refuse an empty examiner: every change to a case names who made it."""
        if not self.examiner or not self.examiner.strip():
            raise UsageError("the examiner's name is required for every change to a case")


@dataclass(frozen=True, slots=True)
class CustodyEntry:
    """One stored entry: its sequence number, hashes and the body they cover."""

    seq: int
    prev_hash: str
    entry_hash: str
    body: str

    @property
    def fields(self) -> dict[str, Any]:
        """The body parsed (raises ``ValueError`` on a body that is not JSON)."""
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    @property
    def action(self) -> str:
        """The action this entry records, e.g. ``exhibit.scanned``."""
        return str(self.fields.get("action"))

    @property
    def details(self) -> dict[str, Any]:
        """The action's details."""
        details: dict[str, Any] = self.fields.get("details") or {}
        return details


def head(db: Database) -> CustodyEntry | None:
    """The last entry, or None for an empty log."""
    row = db.execute(
        "SELECT seq, prev_hash, entry_hash, body FROM custody_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return CustodyEntry(*row) if row else None


def entries(db: Database, actions: tuple[str, ...] = ()) -> Iterator[CustodyEntry]:
    """Every entry in order (only those of ``actions`` when given)."""
    sql = "SELECT seq, prev_hash, entry_hash, body FROM custody_log"
    parameters: list[str] = []
    if actions:
        sql += f" WHERE action IN ({', '.join('?' * len(actions))})"
        parameters = list(actions)
    for row in db.execute(sql + " ORDER BY seq", parameters):
        yield CustodyEntry(*row)


def case_id_of(db: Database) -> str | None:
    """The case's id, or None before ``case init``."""
    row = db.execute("SELECT case_id FROM case_info").fetchone()
    return str(row[0]) if row else None


def entry_hash(prev_hash: str, body: str) -> str:
    """SHA-256 of ``prev_hash``, a newline and ``body``: what chains an entry to the last."""
    return sha256_hex(prev_hash + "\n" + body)


def entry_body(
    seq: int, prev_hash: str, case_id: str, action: str, actor: Actor, details: dict[str, Any]
) -> str:
    """The canonical body of an entry (everything its hash covers)."""
    return canonical_json(
        {
            "seq": seq,
            "prev_hash": prev_hash,
            "case_id": case_id,
            "time": utc_now(),
            "action": action,
            "examiner": actor.examiner,
            "host": actor.host,
            "tool_version": actor.tool,
            "libraries": dict(actor.libraries),
            "details": details,
        }
    )


def append(db: Database, action: str, actor: Actor, details: dict[str, Any]) -> CustodyEntry:
    """Append one entry; call inside the transaction of the action it records.

    When the actor carries a signing key, the new head is signed as a checkpoint in the
    same transaction.
    """
    last = head(db)
    seq = last.seq + 1 if last else 1
    prev_hash = last.entry_hash if last else GENESIS
    case_id = case_id_of(db) or ""
    body = entry_body(seq, prev_hash, case_id, action, actor, details)
    entry = CustodyEntry(seq, prev_hash, entry_hash(prev_hash, body), body)
    db.execute(
        "INSERT INTO custody_log (seq, prev_hash, entry_hash, body) VALUES (?, ?, ?, ?)",
        [entry.seq, entry.prev_hash, entry.entry_hash, entry.body],
    )
    if actor.signing_key is not None:
        from catalog.custody.signing import sign_checkpoint

        sign_checkpoint(db, entry, actor.signing_key, actor.examiner)
    return entry
