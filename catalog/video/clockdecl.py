"""Declaring a recorder's clock: stored per exhibit and written to the custody log."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from catalog.csvsafe import clean_text
from catalog.custody import log
from catalog.errors import UsageError
from catalog.store import open_existing_catalog, video
from catalog.timeutil import utc_now
from catalog.video.clock import check_zone

if TYPE_CHECKING:
    from catalog.custody.log import Actor


def declare_clock(
    case: Path, exhibit: str, zone: str, skew_seconds: int, note: str | None, actor: Actor
) -> None:
    """Record that ``exhibit``'s recorder ran on ``zone``, ``skew_seconds`` fast.

    Raises:
        UsageError: unknown zone or exhibit.
        CatalogError: no case at ``case``.
    """
    check_zone(zone)
    db = open_existing_catalog(case)
    try:
        if not video.exhibit_exists(db, exhibit):
            raise UsageError(f"exhibit {exhibit!r} is not in this case")
        row = {
            "evidence_id": exhibit,
            "zone": zone,
            "skew_seconds": skew_seconds,
            "note": clean_text(note) if note else None,
            "declared": utc_now(),
            "examiner": actor.examiner,
        }
        with db.atomic():
            video.set_clock(db, row)
            log.append(db, "dvr.clock_declared", actor, row)
    finally:
        db.close()
