"""The locker tables: items found in a locker, its exhibits, and the resumable work queue.

A unit's rows and its ``done`` state are written in one transaction by the coordinator,
so a job killed at any point leaves every unit either fully recorded or still pending.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from catalog.store.writer import row_batch
from catalog.timeutil import utc_now

if TYPE_CHECKING:
    from sqlite_utils import Database

Row = dict[str, Any]

COUNT_NAMES = (
    "files", "deleted", "filesystems", "bytes_hashed", "archive_members", "findings",
    "known_good", "known_bad",
)  # fmt: skip
"""The per-unit counts an exhibit's ``exhibit.scanned`` entry sums."""


def replace_rows(db: Database, table: str, rows: Sequence[Row]) -> None:
    """Insert complete rows, replacing any with the same primary key."""
    if rows:
        row_batch(table, rows, "INSERT OR REPLACE")(db)


def append_rows(db: Database, table: str, rows: Sequence[Row]) -> None:
    """Append rows (tables with their own row ids, such as ``problems``)."""
    if rows:
        row_batch(table, rows, "INSERT")(db)


def known_item_ids(db: Database, locker: str) -> set[str]:
    """Ids of the items already recorded for the locker."""
    return {
        row[0] for row in db.execute("SELECT item_id FROM locker_items WHERE locker = ?", [locker])
    }


def locker_exhibit_states(db: Database) -> dict[str, str]:
    """Every locker exhibit's state (``planning``, ``scanning``, ``sealed``), by exhibit."""
    return {str(e): str(s) for e, s in db.execute("SELECT exhibit, state FROM locker_exhibits")}


def set_exhibit_state(
    db: Database, exhibit: str, state: str, run_id: str, status: str | None = None
) -> None:
    """Move a locker exhibit to ``state`` (and record its final ``status`` when sealed)."""
    db.execute(
        "UPDATE locker_exhibits SET state = ?, status = COALESCE(?, status), run_id = ?,"
        " updated = ? WHERE exhibit = ?",
        [state, status, run_id, utc_now(), exhibit],
    )


def add_units(db: Database, rows: Sequence[Row]) -> None:
    """Queue units; a unit already known (same id) is left as it is."""
    if rows:
        row_batch("work_units", rows, "INSERT OR IGNORE")(db)


def pending_units(db: Database, locker: str) -> list[Row]:
    """The locker's units still to do, in dispatch order (plans first)."""
    return [
        dict(row)
        for row in db.query(
            "SELECT * FROM work_units WHERE locker = ? AND state = 'pending'"
            " ORDER BY CASE kind WHEN 'plan' THEN 0 WHEN 'files' THEN 1 ELSE 2 END,"
            " exhibit, unit_id",
            [locker],
        )
    ]


def complete_unit(
    db: Database, unit_id: str, counts: dict[str, int], run_id: str, worker: str | None
) -> None:
    """Mark a unit done by ``run_id`` on ``worker`` (its Dask address), with its counts."""
    db.execute(
        "UPDATE work_units SET state = 'done', counts = ?, run_id = ?, worker = ?, updated = ?"
        " WHERE unit_id = ?",
        [json.dumps(counts, sort_keys=True), run_id, worker, utc_now(), unit_id],
    )


def record_failure(db: Database, unit_id: str, error: str, max_attempts: int) -> tuple[str, int]:
    """Count a failed attempt; after ``max_attempts`` the unit is ``failed``.

    Returns the unit's new state and its number of attempts.
    """
    db.execute(
        "UPDATE work_units SET attempts = attempts + 1, last_error = ?, updated = ?,"
        " state = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE state END WHERE unit_id = ?",
        [error, utc_now(), max_attempts, unit_id],
    )
    state, attempts = db.execute(
        "SELECT state, attempts FROM work_units WHERE unit_id = ?", [unit_id]
    ).fetchone()
    return str(state), int(attempts)


def open_unit_count(db: Database, exhibit: str) -> int:
    """Units of the exhibit still pending."""
    row = db.execute(
        "SELECT count(*) FROM work_units WHERE exhibit = ? AND state = 'pending'", [exhibit]
    ).fetchone()
    return int(row[0])


def exhibit_totals(db: Database, exhibit: str) -> dict[str, int]:
    """The exhibit's counts summed over its done units, plus failed units and problems."""
    totals = dict.fromkeys(COUNT_NAMES, 0)
    for (counts,) in db.execute(
        "SELECT counts FROM work_units WHERE exhibit = ? AND state = 'done'", [exhibit]
    ):
        for name, value in json.loads(counts or "{}").items():
            if name in totals:
                totals[name] += int(value)
    failed = db.execute(
        "SELECT count(*) FROM work_units WHERE exhibit = ? AND state = 'failed'", [exhibit]
    ).fetchone()
    problems = db.execute(
        "SELECT count(*) FROM problems WHERE evidence_id = ?", [exhibit]
    ).fetchone()
    totals["failed_units"] = int(failed[0])
    totals["problems"] = int(problems[0])
    return totals


def abandoned_runs(db: Database, command: str) -> list[str]:
    """Runs of exactly ``command`` still marked ``running`` (their process is gone)."""
    return [
        str(row[0])
        for row in db.execute(
            "SELECT run_id FROM runs WHERE status = 'running' AND command = ? ORDER BY started",
            [command],
        )
    ]


def mark_run(db: Database, run_id: str, status: str) -> None:
    """Set a run's status (an abandoned run becomes ``interrupted``)."""
    db.execute(
        "UPDATE runs SET status = ?, finished = ? WHERE run_id = ?", [status, utc_now(), run_id]
    )


def locker_status(db: Database, locker: str | None = None) -> list[Row]:
    """Per exhibit: state, status, units by state, planned and done bytes, files done."""
    where, params = ("WHERE e.locker = ?", [locker]) if locker else ("", [])
    return [
        dict(row)
        for row in db.query(
            "SELECT e.exhibit, e.locker, e.image, e.state, e.status,"
            " count(u.unit_id) AS units,"
            " coalesce(sum(u.state = 'done'), 0) AS done,"
            " coalesce(sum(u.state = 'failed'), 0) AS failed,"
            " coalesce(sum(u.state = 'pending'), 0) AS pending,"
            " coalesce(sum(u.planned_bytes), 0) AS bytes_total,"
            " coalesce(sum(CASE WHEN u.state != 'pending' THEN u.planned_bytes END), 0)"
            " AS bytes_done,"
            " coalesce(sum(json_extract(u.counts, '$.files')), 0) AS files,"
            " (SELECT count(*) FROM problems p WHERE p.evidence_id = e.exhibit) AS problems"
            f" FROM locker_exhibits e LEFT JOIN work_units u ON u.exhibit = e.exhibit {where}"
            " GROUP BY e.exhibit ORDER BY e.exhibit",
            params,
        )
    ]


def locker_items(db: Database, locker: str | None = None) -> list[Row]:
    """The items recorded for a locker (or every locker), by path."""
    where, params = ("WHERE locker = ?", [locker]) if locker else ("", [])
    return [
        dict(row)
        for row in db.query(f"SELECT * FROM locker_items {where} ORDER BY locker, relpath", params)
    ]


def latest_run(db: Database, command: str, *, prefix: bool = False) -> Row | None:
    """The most recent run of exactly ``command`` (or of any command it is a prefix of)."""
    if prefix:
        match, params = "substr(command, 1, ?) = ?", [len(command), command]
    else:
        match, params = "command = ?", [command]
    sql = f"SELECT * FROM runs WHERE {match} ORDER BY started DESC LIMIT 1"
    row = next(db.query(sql, params), None)
    return dict(row) if row else None


def bytes_done_by_run(db: Database, run_id: str) -> int:
    """Planned bytes of the units ``run_id`` completed."""
    row = db.execute(
        "SELECT coalesce(sum(planned_bytes), 0) FROM work_units WHERE run_id = ?", [run_id]
    ).fetchone()
    return int(row[0])


def item_roles(db: Database, locker: str | None = None) -> dict[str, int]:
    """How many items of each role (image, segment, sidecar, unrecognised) were found."""
    where, params = ("WHERE locker = ?", [locker]) if locker else ("", [])
    return {
        str(role): int(count)
        for role, count in db.execute(
            f"SELECT role, count(*) FROM locker_items {where} GROUP BY role ORDER BY role", params
        )
    }
