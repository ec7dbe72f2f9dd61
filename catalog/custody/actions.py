"""Case actions that are pure custody: verify, tag, note, sign.

Each opens the case, acts, and records itself in the custody log in the same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from catalog.csvsafe import clean_text
from catalog.custody import log
from catalog.custody.signing import sign_checkpoint
from catalog.custody.verify import VerifyOptions, VerifyReport, summary_details, verify_case
from catalog.errors import CatalogError, UsageError
from catalog.store import open_catalog_readonly, open_existing_catalog
from catalog.timeutil import utc_now

if TYPE_CHECKING:
    from pathlib import Path

    from sqlite_utils import Database

    from catalog.custody.log import Actor


def _require_case(path: Path) -> None:
    if not path.is_file():
        raise CatalogError(f"{path}: no such case catalog")


def verify_case_file(path: Path, options: VerifyOptions, actor: Actor | None) -> VerifyReport:
    """Verify the case at ``path``; log a ``verify.run`` entry unless ``actor`` is None.

    Raises:
        CatalogError: the case cannot be opened.
        UsageError: a public key given cannot be read.
    """
    _require_case(path)
    db = open_existing_catalog(path) if actor is not None else open_catalog_readonly(path)
    try:
        report = verify_case(db, options)
        if actor is not None:
            with db.atomic():
                log.append(db, "verify.run", actor, summary_details(report, options))
    finally:
        db.close()
    return report


def current_head(path: Path) -> log.CustodyEntry | None:
    """The last custody entry of the case at ``path`` (read-only), or None.

    Raises:
        CatalogError: the case cannot be opened.
    """
    db = open_catalog_readonly(path)
    try:
        return log.head(db)
    finally:
        db.close()


def _file_exists(db: Database, file_id: str) -> bool:
    return db.execute("SELECT 1 FROM files WHERE file_id = ?", [file_id]).fetchone() is not None


def _annotate(path: Path, table: str, file_id: str, text: str, actor: Actor) -> dict[str, Any]:
    _require_case(path)
    text = clean_text(text).strip()
    if not text:
        raise UsageError(f"an empty {table[:-1]} is not recorded")
    db = open_existing_catalog(path)
    try:
        with db.atomic():
            if not _file_exists(db, file_id):
                raise UsageError(f"{path}: no catalogued file with id {file_id!r}")
            last = log.head(db)
            row = {
                "file_id": file_id,
                table[:-1]: text,
                "added": utc_now(),
                "examiner": actor.examiner,
                "custody_seq": (last.seq if last else 0) + 1,
            }
            db.table(table).insert(row)
            log.append(db, f"{table[:-1]}.added", actor, {table[:-1]: row})
    finally:
        db.close()
    return row


def add_tag(path: Path, file_id: str, tag: str, actor: Actor) -> dict[str, Any]:
    """Tag a catalogued file (e.g. ``call-script``), logged.

    Raises:
        CatalogError: no case at ``path``.
        UsageError: unknown file id or empty tag.
    """
    return _annotate(path, "tags", file_id, tag, actor)


def add_note(path: Path, file_id: str, note: str, actor: Actor) -> dict[str, Any]:
    """Attach an examiner's note to a catalogued file, logged.

    Raises:
        CatalogError: no case at ``path``.
        UsageError: unknown file id or empty note.
    """
    return _annotate(path, "notes", file_id, note, actor)


def sign_head(path: Path, key: Path, actor: Actor) -> tuple[int, str]:
    """Sign the current head of the custody log with ``key``; return (seq, hash).

    Raises:
        CatalogError: no case at ``path``, or an empty log.
        UsageError: ``key`` is not an Ed25519 private key.
    """
    _require_case(path)
    db = open_existing_catalog(path)
    try:
        with db.atomic():
            last = log.head(db)
            if last is None:
                raise CatalogError(f"{path}: the custody log is empty; nothing to sign")
            sign_checkpoint(db, last, key, actor.examiner)
    finally:
        db.close()
    return last.seq, last.entry_hash
