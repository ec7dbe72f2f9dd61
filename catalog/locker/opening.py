"""Opening a locker run: record what the locker holds, register exhibits, queue their plans.

Runs in one transaction at the start of every ``evcat locker scan``. A previous run that
died without finishing (killed, power cut) is closed as ``interrupted`` in the custody
log; items seen for the first time are recorded (sidecars with their SHA-256); images new
to the job become exhibits with a ``plan`` unit each. Units left pending by earlier runs
stay queued: the new run does them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from catalog.case import CaseFacts, case_facts, create_case, exhibit_for_path, register_exhibit
from catalog.csvsafe import clean_text
from catalog.custody import log
from catalog.errors import UsageError
from catalog.locker.commit import unit_row
from catalog.locker.discovery import SIDECAR, sidecar_sha256
from catalog.locker.units import PLAN, ScanSettings, UnitTask, unit_id
from catalog.provenance import run_row
from catalog.rows import stable_id
from catalog.store import queries, workqueue
from catalog.timeutil import utc_now

if TYPE_CHECKING:
    from pathlib import Path

    from sqlite_utils import Database

    from catalog.custody.log import Actor
    from catalog.locker.discovery import LockerItem
    from catalog.locker.naming import ExhibitPlan

COMMAND = "locker scan "
"""How a locker run's command starts in the ``runs`` table (followed by the locker path)."""


@dataclass(frozen=True, slots=True)
class OpenedRun:
    """What the opening settled."""

    case_created: bool
    exhibits: list[str]
    """Every exhibit of the locker, in path order."""
    new_exhibits: list[str]
    interrupted_runs: list[str]


def command_for(locker: Path) -> str:
    """The ``runs.command`` of a locker run."""
    return f"{COMMAND}{locker}"


def open_run(
    db: Database,
    run_id: str,
    locker: Path,
    items: list[LockerItem],
    plans: list[ExhibitPlan],
    settings: ScanSettings,
    actor: Actor,
    options: dict[str, Any],
) -> OpenedRun:
    """Record the locker's state and start run ``run_id`` (inside one transaction).

    Raises:
        UsageError: an image is registered under another exhibit id than the manifest's,
            or an id is taken by another image.
    """
    case_created = case_facts(db) is None
    if case_created:
        create_case(db, CaseFacts(), actor)
    interrupted = _close_abandoned(db, locker, run_id, actor)
    exhibit_of, new_exhibits = _register(db, locker, plans, settings, run_id, actor)
    exhibits = list(dict.fromkeys(exhibit_of.values()))
    new_items = _record_items(db, locker, items, exhibit_of, run_id)
    queries.start_run(db, run_row(run_id, command_for(locker), actor.examiner))
    log.append(
        db,
        "scan.started",
        actor,
        {
            "run_id": run_id,
            "command": command_for(locker),
            "exhibits": exhibits,
            "options": options,
            "locker": str(locker),
            "resumes": interrupted,
        },
    )
    if new_items:
        log.append(
            db,
            "locker.discovered",
            actor,
            {"run_id": run_id, "locker": str(locker), "items": new_items},
        )
    return OpenedRun(case_created, exhibits, new_exhibits, interrupted)


def _close_abandoned(db: Database, locker: Path, run_id: str, actor: Actor) -> list[str]:
    abandoned = workqueue.abandoned_runs(db, command_for(locker))
    for old in abandoned:
        workqueue.mark_run(db, old, "interrupted")
        log.append(
            db,
            "scan.finished",
            actor,
            {
                "run_id": old,
                "run_status": "interrupted",
                "status": "interrupted",
                "closed_by_run": run_id,
                "reason": "the run ended without finishing (killed or crashed);"
                " the next run resumes its pending units",
            },
        )
    return abandoned


def _record_items(
    db: Database, locker: Path, items: list[LockerItem], exhibit_of: dict[str, str], run_id: str
) -> list[dict[str, Any]]:
    """Record items seen for the first time; ``exhibit_of`` maps image paths to exhibits."""
    known = workqueue.known_item_ids(db, str(locker))
    rows = []
    for item in items:
        item_id = stable_id(str(locker), "item", item.relpath)
        if item_id in known:
            continue
        exhibit = exhibit_of.get(item.first_segment or item.relpath)
        rows.append(
            {
                "item_id": item_id,
                "locker": str(locker),
                "relpath": item.relpath,
                "role": item.role,
                "reason": item.reason,
                "exhibit": exhibit if item.role in ("image", "segment") else None,
                "size": item.size,
                "sha256": sidecar_sha256(item.path) if item.role == SIDECAR else None,
                "first_seen": utc_now(),
                "run_id": run_id,
            }
        )
    workqueue.append_rows(db, "locker_items", rows)
    return [
        {key: row[key] for key in ("relpath", "role", "reason", "exhibit", "size", "sha256")}
        for row in rows
    ]


def _register(
    db: Database,
    locker: Path,
    plans: list[ExhibitPlan],
    settings: ScanSettings,
    run_id: str,
    actor: Actor,
) -> tuple[dict[str, str], list[str]]:
    """Each image's exhibit (by path in the locker), and the exhibits new to the job."""
    states = workqueue.locker_exhibit_states(db)
    exhibit_of: dict[str, str] = {}
    new: list[str] = []
    for plan in plans:
        exhibit = _exhibit_id(db, plan, actor)
        seen = exhibit in exhibit_of.values()
        exhibit_of[plan.item.relpath] = exhibit
        if seen or exhibit in states:
            continue  # a second path to one image (a link), or queued by an earlier run
        new.append(exhibit)
        workqueue.append_rows(
            db,
            "locker_exhibits",
            [
                {
                    "exhibit": exhibit,
                    "locker": str(locker),
                    "image": clean_text(str(plan.item.path)),
                    "state": "planning",
                    "status": None,
                    "run_id": run_id,
                    "updated": utc_now(),
                }
            ],
        )
        task = UnitTask(
            unit_id(exhibit, PLAN), exhibit, PLAN, str(plan.item.path), run_id, settings
        )
        workqueue.add_units(db, [unit_row(task, str(locker))])
    return exhibit_of, new


def _exhibit_id(db: Database, plan: ExhibitPlan, actor: Actor) -> str:
    registered = exhibit_for_path(db, plan.item.path)
    if registered is None:
        register_exhibit(db, plan.exhibit, plan.item.path, plan.facts, actor)
        return plan.exhibit
    if plan.source == "manifest" and registered != plan.exhibit:
        raise UsageError(
            f"{plan.item.path}: registered as exhibit {registered!r}, the manifest says"
            f" {plan.exhibit!r}"
        )
    return registered
