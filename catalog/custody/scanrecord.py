"""The custody entries of a scan: started, each exhibit scanned (sealed), finished."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from catalog.custody import log
from catalog.custody.seal import seal_files, table_digests

if TYPE_CHECKING:
    from sqlite_utils import Database

    from catalog.custody.log import Actor

FIRST_PROBLEMS = 20
"""How many problem messages the ``problems.summary`` entry quotes."""

_MEDIA_COLUMNS = ("media_md5", "media_sha1", "media_sha256", "media_blake3", "media_hash_status")


def media_record(db: Database, exhibit: str) -> dict[str, Any] | None:
    """The exhibit's media facts as the evidence table holds them now."""
    row = next(
        db.query(
            "SELECT path, format, media_size, stored_md5, stored_sha1, stored_sha256,"
            f" {', '.join(_MEDIA_COLUMNS)} FROM evidence WHERE evidence_id = ?",
            [exhibit],
        ),
        None,
    )
    return dict(row) if row else None


def record_exhibit_scanned(
    db: Database, exhibit: str, run_id: str, counts: dict[str, int], status: str, actor: Actor
) -> None:
    """Seal the exhibit's rows and append ``exhibit.scanned`` and ``problems.summary``."""
    details = {
        "exhibit": exhibit,
        "run_id": run_id,
        "status": status,
        "counts": counts,
        "media": media_record(db, exhibit),
        "files": seal_files(db, exhibit, run_id),
        "tables": table_digests(db, exhibit),
    }
    log.append(db, "exhibit.scanned", actor, details)
    log.append(db, "problems.summary", actor, problems_summary(db, exhibit, run_id))


def problems_summary(db: Database, exhibit: str, run_id: str) -> dict[str, Any]:
    """How many problems the exhibit has, per stage, and the first few messages."""
    by_stage = {
        str(stage): int(count)
        for stage, count in db.execute(
            "SELECT stage, count(*) FROM problems WHERE evidence_id = ? GROUP BY stage"
            " ORDER BY stage",
            [exhibit],
        )
    }
    first = [
        str(message)
        for (message,) in db.execute(
            "SELECT message FROM problems WHERE evidence_id = ? ORDER BY problem_id LIMIT ?",
            [exhibit, FIRST_PROBLEMS],
        )
    ]
    return {
        "exhibit": exhibit,
        "run_id": run_id,
        "total": sum(by_stage.values()),
        "by_stage": by_stage,
        "first": first,
    }
