"""The coordinator's writes: one unit's result, one failure, one exhibit's seal.

Each function runs inside one writer transaction, so a unit's rows and its ``done`` state
land together or not at all: killed at any point, the catalog holds whole units only, and
the rerun does the rest. Ids are stable, so a unit done twice writes the same rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from catalog.csvsafe import clean_text
from catalog.custody.scanrecord import record_exhibit_scanned
from catalog.locker import faults
from catalog.locker.units import MEDIA, PLAN, ProblemRecord, UnitResult, UnitTask
from catalog.mediahash import compare_stored
from catalog.store import queries, workqueue
from catalog.timeutil import utc_now

if TYPE_CHECKING:
    from sqlite_utils import Database

    from catalog.custody.log import Actor
    from catalog.knownfiles import KnownRows

Row = dict[str, Any]
_ROW_TABLES = (
    "volumes", "filesystems", "files", "findings", "texts", "dvr_volumes", "video_segments",
)  # fmt: skip
"""Tables a unit's rows go to, replaced by primary key (``evidence`` is upserted)."""


def problem_rows(run_id: str, exhibit: str, problems: list[ProblemRecord]) -> list[Row]:
    """``problems`` rows for a unit's problem records."""
    created = utc_now()
    return [
        {
            "run_id": run_id,
            "evidence_id": exhibit,
            "locator": problem.locator,
            "stage": problem.stage,
            "parser": problem.parser[0] if problem.parser else None,
            "parser_version": problem.parser[1] if problem.parser else None,
            "message": clean_text(problem.message),
            "exception_type": problem.exception_type,
            "offset": problem.offset,
            "created": created,
        }
        for problem in problems
    ]


def unit_row(task: UnitTask, locker: str, planned_bytes: int = 0) -> Row:
    """A ``work_units`` row for a new, pending unit."""
    planned_files = task.range.files if task.range else 0
    if task.range is not None:
        planned_bytes = task.range.content_bytes
    return {
        "unit_id": task.unit_id,
        "locker": locker,
        "exhibit": task.exhibit,
        "kind": task.kind,
        "task": task.to_json(),
        "planned_files": planned_files,
        "planned_bytes": planned_bytes,
        "state": "pending",
        "attempts": 0,
        "last_error": None,
        "counts": None,
        "run_id": None,
        "worker": None,
        "updated": utc_now(),
    }


def commit_result(
    db: Database,
    task: UnitTask,
    result: UnitResult,
    locker: str,
    known: KnownRows | None = None,
) -> None:
    """Write a unit's rows, problems and follow-up units, and mark it done."""
    exhibit, run_id = task.exhibit, task.run_id
    counts = dict(result.counts)
    if task.kind == PLAN:
        _commit_plan(db, task, result, locker)
    elif task.kind == MEDIA:
        _commit_media(db, task, result)
    for table in _ROW_TABLES:
        workqueue.replace_rows(db, table, result.rows.get(table, []))
    if known is not None:
        workqueue.replace_rows(db, "known_files", known.known)
        workqueue.replace_rows(db, "findings", known.findings)
        counts["known_good"] = sum(row["status"] == "known-good" for row in known.known)
        counts["known_bad"] = sum(row["status"] == "known-bad" for row in known.known)
        counts["findings"] = counts.get("findings", 0) + len(known.findings)
    workqueue.append_rows(db, "problems", problem_rows(run_id, exhibit, result.problems))
    counts["problems"] = len(result.problems)
    workqueue.complete_unit(db, task.unit_id, counts, run_id, result.worker)
    faults.crash_point(f"commit-{task.kind}")


def _commit_plan(db: Database, task: UnitTask, result: UnitResult, locker: str) -> None:
    exhibit, run_id = task.exhibit, task.run_id
    queries.purge_stale(db, exhibit, run_id)  # an earlier scan's rows give way to this job's
    for row in result.rows.get("evidence", []):
        queries.upsert_evidence(db, row)
    media_size = next((row["media_size"] for row in result.rows.get("evidence", [])), 0)
    workqueue.add_units(
        db,
        [
            unit_row(follow_up, locker, media_size if follow_up.kind == MEDIA else 0)
            for follow_up in result.follow_ups
        ],
    )
    status = "error" if result.fatal else None
    workqueue.set_exhibit_state(db, exhibit, "scanning", run_id, status)


def _commit_media(db: Database, task: UnitTask, result: UnitResult) -> None:
    media = result.media or {}
    hashes, stored = media.get("hashes"), dict(media.get("stored") or {})
    if hashes is None:
        result.problems.append(
            ProblemRecord("media_hash", f"media hash not computed: {media.get('error')}")
        )
        status = "unreadable"
    else:
        mismatches = compare_stored(stored, hashes)
        result.problems += [
            ProblemRecord("media_hash", f"acquisition hash mismatch: {message}")
            for message in mismatches
        ]
        status = "mismatch" if mismatches else ("verified" if stored else "computed")
    queries.set_media_hash(db, task.exhibit, hashes, status)


def commit_failure(db: Database, task: UnitTask, error: str, max_attempts: int) -> tuple[str, int]:
    """Count a failed attempt; a unit out of attempts becomes a problem row.

    Returns the unit's new state (``pending`` or ``failed``) and its attempts so far.
    """
    state, attempts = workqueue.record_failure(db, task.unit_id, clean_text(error), max_attempts)
    if state == "failed":
        where = ""
        if task.range is not None:
            where = (
                f" ({task.range.fs.fs_type} at byte {task.range.fs.offset},"
                f" entries {task.range.seq_start}-{task.range.seq_end - 1})"
            )
        message = f"{task.kind} unit{where} failed {attempts} times, given up: {error}"
        problem = ProblemRecord("locker", message, exception_type="UnitFailed")
        workqueue.append_rows(db, "problems", problem_rows(task.run_id, task.exhibit, [problem]))
        if task.kind == PLAN:
            workqueue.set_exhibit_state(db, task.exhibit, "scanning", task.run_id, "error")
    return state, attempts


def seal_exhibit(db: Database, exhibit: str, run_id: str, actor: Actor) -> str:
    """Close an exhibit whose units are all done or failed: status, seals, custody entries.

    Returns the exhibit's status: ``ok``, ``partial`` (problems or failed units) or ``error``.
    """
    totals = workqueue.exhibit_totals(db, exhibit)
    recorded = db.execute(
        "SELECT status FROM locker_exhibits WHERE exhibit = ?", [exhibit]
    ).fetchone()
    if recorded and recorded[0] == "error":
        status = "error"
    elif totals["problems"] or totals["failed_units"]:
        status = "partial"
    else:
        status = "ok"
    queries.finish_evidence(db, exhibit, run_id, status)
    record_exhibit_scanned(db, exhibit, run_id, totals, status, actor)
    workqueue.set_exhibit_state(db, exhibit, "sealed", run_id, status)
    faults.crash_point("seal")
    return status
