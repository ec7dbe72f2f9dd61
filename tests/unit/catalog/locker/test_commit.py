from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from catalog.case import CaseFacts, ExhibitFacts, create_case, register_exhibit
from catalog.custody import log
from catalog.custody.log import Actor
from catalog.custody.verify import VerifyOptions, verify_case
from catalog.locker import commit, discovery, faults, naming, walkcache
from catalog.locker.opening import open_run
from catalog.locker.tasks import run_unit
from catalog.locker.units import (
    FILES,
    MEDIA,
    PLAN,
    ProblemRecord,
    ScanSettings,
    UnitResult,
    UnitTask,
)
from catalog.store import open_catalog, workqueue
from catalog.store.findings import search_text
from tests.conftest import EXAMINER, PROJECT_ROOT, SAMPLE_IMAGES

ACTOR = Actor(EXAMINER)
RUN = "run-1"
EXHIBIT = "EX1"
SETTINGS = ScanSettings(unit_files=5)
ROW_TABLES = ("files", "findings", "texts", "volumes", "filesystems")
UNDECODABLE = os.fsdecode(b"\xff")


@dataclass(slots=True)
class Job:
    db: Database
    locker: str
    case: Path

    def pending(self) -> list[UnitTask]:
        return [
            UnitTask.from_row(row, RUN) for row in workqueue.pending_units(self.db, self.locker)
        ]

    def commit(self, task: UnitTask, result: UnitResult) -> None:
        with self.db.atomic():
            commit.commit_result(self.db, task, result, self.locker)

    def run(self, task: UnitTask) -> UnitResult:
        result = run_unit(task)
        self.commit(task, result)
        return result

    def run_all(self) -> list[tuple[UnitTask, UnitResult]]:
        done: list[tuple[UnitTask, UnitResult]] = []
        while tasks := self.pending():
            done.extend((task, self.run(task)) for task in tasks)
        return done

    def fail(self, task: UnitTask, error: str, max_attempts: int) -> tuple[str, int]:
        with self.db.atomic():
            return commit.commit_failure(self.db, task, error, max_attempts)

    def seal(self) -> str:
        with self.db.atomic():
            return commit.seal_exhibit(self.db, EXHIBIT, RUN, ACTOR)

    def unit(self, task: UnitTask) -> dict[str, Any]:
        return dict(
            next(self.db.query("SELECT * FROM work_units WHERE unit_id = ?", [task.unit_id]))
        )

    def count(self, table: str, where: str = "1", *params: object) -> int:
        return int(
            self.db.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]
        )

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        return sorted(self.db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


@pytest.fixture(autouse=True)
def _close_walks() -> Iterator[None]:
    yield
    walkcache.close_all()


def _open_job(tmp_path: Path, image: Path) -> Job:
    locker = tmp_path / "locker"
    locker.mkdir()
    shutil.copy(image, locker / "usb.img")
    (tmp_path / "case").mkdir()
    case = tmp_path / "case" / "c.db"
    db = open_catalog(case)
    with db.atomic():
        create_case(db, CaseFacts(case_number="C-1"), ACTOR)
        register_exhibit(db, EXHIBIT, locker / "usb.img", ExhibitFacts(), ACTOR)
    root = locker.resolve()
    items = discovery.discover(root)
    with db.atomic():
        open_run(db, RUN, root, items, naming.plan_exhibits(items), SETTINGS, ACTOR, {})
    return Job(db, str(root), case)


@pytest.fixture
def job(tmp_path: Path) -> Iterator[Job]:
    opened = _open_job(tmp_path, SAMPLE_IMAGES / "usb_fat.img")
    yield opened
    opened.db.close()


def _planned(job: Job) -> list[UnitTask]:
    (plan,) = job.pending()
    assert plan.kind == PLAN
    job.run(plan)
    return job.pending()


def test_plan_commit_records_layout_and_queues_its_units(job: Job) -> None:
    (plan,) = job.pending()
    job.run(plan)
    done = job.unit(plan)
    assert done["state"] == "done"
    assert json.loads(done["counts"]) == {"filesystems": 1, "problems": 0}
    assert done["run_id"] == RUN
    units = job.pending()
    assert sorted(task.kind for task in units) == [FILES] * 4 + [MEDIA]
    assert sum(job.unit(task)["planned_files"] for task in units) == 18
    (media,) = [task for task in units if task.kind == MEDIA]
    assert job.unit(media)["planned_bytes"] == (SAMPLE_IMAGES / "usb_fat.img").stat().st_size
    assert job.db.execute("SELECT state, status FROM locker_exhibits").fetchall() == [
        ("scanning", None)
    ]
    assert job.db.execute("SELECT evidence_id, status FROM evidence").fetchall() == [
        (EXHIBIT, "scanning")
    ]
    assert job.db.execute("SELECT file_count FROM filesystems").fetchall() == [(18,)]


def test_files_commit_writes_rows_and_counts_with_the_done_state(job: Job) -> None:
    task = next(task for task in _planned(job) if task.kind == FILES)
    result = job.run(task)
    done = job.unit(task)
    assert done["state"] == "done"
    assert json.loads(done["counts"])["files"] == 5
    assert job.count("files") == 5 == len(result.rows["files"])
    assert job.count("files", "run_id = ?", RUN) == 5


class _Killed(BaseException):
    """Stands in for SIGKILL at a crash point."""


@pytest.mark.parametrize("kind", [PLAN, FILES, MEDIA], ids=[PLAN, FILES, MEDIA])
def test_a_commit_stopped_at_its_crash_point_leaves_nothing_behind(
    job: Job, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    units = job.pending() if kind == PLAN else _planned(job)
    task = next(task for task in units if task.kind == kind)
    result = run_unit(task)
    before = {table: job.rows(table) for table in (*ROW_TABLES, "evidence", "work_units")}

    def die(pid: int, sig: int) -> None:
        raise _Killed

    monkeypatch.setenv(faults.ENV, f"commit-{kind}:1")
    monkeypatch.setattr(faults, "_passes", {})
    monkeypatch.setattr(os, "kill", die)
    with pytest.raises(_Killed):
        job.commit(task, result)
    assert {table: job.rows(table) for table in before} == before
    assert job.unit(task)["state"] == "pending"


def test_a_coordinator_killed_inside_a_files_commit_leaves_the_unit_pending(
    job: Job, tmp_path: Path
) -> None:
    task = next(task for task in _planned(job) if task.kind == FILES)
    result = run_unit(task)
    (tmp_path / "unit.pickle").write_bytes(pickle.dumps((task, result)))
    script = (
        "import pickle, sys\n"
        "from pathlib import Path\n"
        "from catalog.locker.commit import commit_result\n"
        "from catalog.store import open_catalog\n"
        "task, result = pickle.loads(Path(sys.argv[1]).read_bytes())\n"
        "db = open_catalog(Path(sys.argv[2]))\n"
        "with db.atomic():\n"
        "    commit_result(db, task, result, sys.argv[3])\n"
        "print('committed', flush=True)\n"
    )
    env = {**os.environ, faults.ENV: "commit-files:1"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "unit.pickle"), str(job.case), job.locker],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert done.stdout == ""
    assert job.count("files") == 0
    assert job.unit(task)["state"] == "pending"
    job.commit(task, result)
    assert job.count("files") == 5
    assert job.unit(task)["state"] == "done"


def test_committing_the_same_results_twice_leaves_the_same_rows(job: Job) -> None:
    done = job.run_all()
    once = {table: job.rows(table) for table in ROW_TABLES}
    assert all(once[table] for table in ROW_TABLES), "the fixture must produce every kind of row"
    for task, result in done:
        job.commit(task, result)
    assert {table: job.rows(table) for table in ROW_TABLES} == once
    assert job.count("work_units") == len(done)
    assert job.count("work_units", "state != 'done'") == 0


def test_text_index_stays_consistent_when_a_unit_is_committed_twice(job: Job) -> None:
    """REPLACE on ``texts`` must fire the FTS delete trigger (sqlite-utils turns on
    ``recursive_triggers``); without it the index keeps entries for rows that are gone."""
    assert job.db.execute("PRAGMA recursive_triggers").fetchone() == (1,)
    done = job.run_all()
    hits = search_text(job.db, "AnyDesk")
    assert len(hits) == 2
    for task, result in done:
        if task.kind == FILES:
            job.commit(task, result)
    assert search_text(job.db, "AnyDesk") == hits
    try:
        job.db.execute("INSERT INTO texts_fts(texts_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        pytest.fail(f"texts_fts no longer matches texts: {exc}")


def test_problems_are_appended_once_per_commit(job: Job) -> None:
    """Documented: problems have no stable id, so a unit committed twice doubles them.

    This is unreachable on a real resume: a unit's problems, rows and ``done`` state are
    written in one transaction, and only ``pending`` units are ever dispatched again.
    """
    task = next(task for task in _planned(job) if task.kind == FILES)
    result = run_unit(task)
    result.problems.append(ProblemRecord("content", "unreadable cluster", "EX1@0#8", 4096))
    job.commit(task, result)
    assert job.count("problems") == 1
    job.commit(task, result)
    assert job.count("problems") == 2


def test_commit_failure_counts_attempts_then_gives_up_with_one_problem(job: Job) -> None:
    task = next(task for task in _planned(job) if task.kind == FILES)
    assert task.range is not None
    error = f"OSError: read failed at {UNDECODABLE}"
    assert [job.fail(task, error, 3) for _ in range(3)] == [
        ("pending", 1),
        ("pending", 2),
        ("failed", 3),
    ]
    unit = job.unit(task)
    assert (unit["state"], unit["attempts"]) == ("failed", 3)
    assert unit["last_error"] == "OSError: read failed at \\xff"
    problems = list(job.db.query("SELECT * FROM problems"))
    assert len(problems) == 1
    (problem,) = problems
    assert (problem["stage"], problem["exception_type"]) == ("locker", "UnitFailed")
    assert (problem["evidence_id"], problem["run_id"]) == (EXHIBIT, RUN)
    assert problem["message"] == (
        f"files unit (FAT12 at byte 0, entries {task.range.seq_start}-{task.range.seq_end - 1})"
        " failed 3 times, given up: OSError: read failed at \\xff"
    )
    assert job.db.execute("SELECT status FROM locker_exhibits").fetchone() == (None,)


def test_a_plan_out_of_attempts_marks_the_exhibit_error(job: Job) -> None:
    (plan,) = job.pending()
    assert job.fail(plan, "EvidenceError: gone", 2) == ("pending", 1)
    assert job.db.execute("SELECT status FROM locker_exhibits").fetchone() == (None,)
    assert job.fail(plan, "EvidenceError: gone", 2) == ("failed", 2)
    assert job.db.execute("SELECT state, status FROM locker_exhibits").fetchone() == (
        "scanning",
        "error",
    )
    assert job.count("problems", "stage = 'locker'") == 1
    assert job.seal() == "error"


def test_a_fatal_plan_marks_the_exhibit_error(tmp_path: Path) -> None:
    zeros = tmp_path / "zeros.img"
    zeros.write_bytes(bytes(64 * 1024))
    fatal = _open_job(tmp_path, zeros)
    try:
        (plan,) = fatal.pending()
        result = fatal.run(plan)
        assert result.fatal is not None
        assert fatal.db.execute("SELECT status FROM locker_exhibits").fetchone() == ("error",)
        assert fatal.count("problems", "stage = 'evidence'") == 1
        (media,) = fatal.pending()  # the media is still hashed, as ``evcat scan`` does
        assert media.kind == MEDIA
        fatal.run(media)
        assert fatal.seal() == "error"
        assert fatal.db.execute("SELECT status, media_hash_status FROM evidence").fetchone() == (
            "error",
            "computed",
        )
    finally:
        fatal.db.close()


def _last_entries(db: Database, count: int) -> list[log.CustodyEntry]:
    return list(log.entries(db))[-count:]


@pytest.mark.parametrize("outcome", ["ok", "problem", "failed-unit"])
def test_seal_sets_status_writes_custody_and_verifies(job: Job, outcome: str) -> None:
    (plan,) = job.pending()
    job.run(plan)
    for task in job.pending():
        first_range = task.range is not None and task.range.seq_start == 1
        if outcome == "failed-unit" and first_range:
            job.fail(task, "RuntimeError: worker lost", 1)
            continue
        result = run_unit(task)
        if outcome == "problem" and task.kind == MEDIA:
            result.problems.append(ProblemRecord("volume", "slack past the end"))
        job.commit(task, result)
    assert job.pending() == []
    expected = "ok" if outcome == "ok" else "partial"
    assert job.seal() == expected
    assert job.db.execute("SELECT state, status FROM locker_exhibits").fetchone() == (
        "sealed",
        expected,
    )
    assert job.db.execute("SELECT status FROM evidence").fetchone() == (expected,)
    scanned, summary = _last_entries(job.db, 2)
    assert (scanned.action, summary.action) == ("exhibit.scanned", "problems.summary")
    details = scanned.details
    assert (details["exhibit"], details["run_id"], details["status"]) == (EXHIBIT, RUN, expected)
    files = 13 if outcome == "failed-unit" else 18
    assert details["counts"]["files"] == details["files"]["count"] == files
    assert details["counts"]["failed_units"] == (1 if outcome == "failed-unit" else 0)
    assert summary.details["total"] == (0 if outcome == "ok" else 1)
    report = verify_case(job.db, VerifyOptions())
    assert report.ok, report.failures
