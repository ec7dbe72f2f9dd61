"""``evcat locker scan``: catalogue every image of a locker on a Dask cluster, resumably.

The coordinator (this process) discovers the locker, opens a run, and sends the catalog's
pending units to Dask workers, a bounded number at a time. Workers open the evidence
themselves and return rows; the coordinator is the only writer, committing each unit's
rows and its ``done`` state in one transaction. An exhibit whose units are all finished
is sealed (``exhibit.scanned``). A unit that raises is retried up to ``max_attempts``
times, then recorded as a problem. Killed at any point, the next run of the same command
closes the dead run as ``interrupted`` and does what is still pending.
"""

from __future__ import annotations

import fcntl
import json
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from distributed import Future, as_completed

from catalog.custody import log
from catalog.errors import CatalogError, UsageError
from catalog.locker import commit, discovery, faults, naming
from catalog.locker.cluster import Cluster, check_workers, connect
from catalog.locker.opening import command_for, open_run
from catalog.locker.status import LockerStatus, StatusFile, snapshot
from catalog.locker.tasks import run_unit
from catalog.locker.units import FILES, KIND_ORDER, ScanSettings, UnitResult, UnitTask
from catalog.store import queries, workqueue
from catalog.store.writer import CatalogWriter

if TYPE_CHECKING:
    from sqlite_utils import Database

    from catalog.custody.log import Actor
    from catalog.knownfiles import KnownFileMatcher

MAX_ATTEMPTS = 3
STATUS_SECONDS = 1.0
"""Least time between two progress snapshots."""


@dataclass(frozen=True, slots=True)
class LockerOptions:
    """What the caller asks of a locker scan."""

    scheduler: str | None = None
    """``tcp://HOST:PORT`` of an existing Dask scheduler (None: an embedded LocalCluster)."""
    workers: int = 0
    """Embedded cluster size (0: one worker per core)."""
    rule: str = naming.DEFAULT_RULE
    manifest: Path | None = None
    settings: ScanSettings = field(default_factory=ScanSettings)
    max_attempts: int = MAX_ATTEMPTS
    status_file: Path | None = None


class LockerProgress(Protocol):
    """What the job reports while it runs."""

    def update(self, status: LockerStatus) -> None:
        """A new snapshot (at most about once a second, and at the end)."""

    def message(self, text: str) -> None:
        """A line for the examiner (an exhibit sealed, a unit retried or given up)."""


@dataclass(slots=True)
class LockerSummary:
    """The outcome of one ``evcat locker scan`` run."""

    run_id: str
    locker: Path
    status: LockerStatus
    elapsed: float = 0.0
    case_created: bool = False
    units_run: int = 0
    interrupted_runs: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """``success``, ``partial`` (problems, failed units) or ``error`` (an image unreadable)."""
        statuses = {row["status"] for row in self.status.exhibits}
        if "error" in statuses:
            return "error"
        if "partial" in statuses or self.status.total("failed"):
            return "partial"
        return "success"


def scan_locker(
    locker: Path,
    case: Path,
    options: LockerOptions,
    actor: Actor,
    progress: LockerProgress,
    known: KnownFileMatcher | None = None,
) -> LockerSummary:
    """Catalogue every image under ``locker`` into ``case``, resuming earlier runs.

    Raises:
        UsageError: the locker is not a directory, the case or status file would be
            written inside it, the manifest or naming rule is wrong, or the cluster
            cannot take the job.
        CatalogError: the case is locked by another locker scan, or cannot be written.
        KeyboardInterrupt: after marking the run ``interrupted``.
    """
    root = locker.resolve()
    if not root.is_dir():
        raise UsageError(f"{locker}: not a directory (give the evidence locker's folder)")
    _check_outside(root, case, "case catalog")
    if options.status_file is not None:
        _check_outside(root, options.status_file, "status file")
    items = discovery.discover(root)
    manifest = naming.read_manifest(options.manifest, root) if options.manifest else None
    plans = naming.plan_exhibits(items, options.rule, manifest)
    case.parent.mkdir(parents=True, exist_ok=True)
    with _CaseLock(case):
        job = _Job(root, case, options, actor, progress, known)
        return job.run(items, plans)


def _check_outside(root: Path, target: Path, what: str) -> None:
    if target.resolve().is_relative_to(root):
        raise UsageError(
            f"{target}: the {what} would be written inside the evidence locker {root};"
            " evidence is read-only, choose a path outside it"
        )


class _CaseLock:
    """One locker scan per case at a time (an advisory lock, released when the process dies)."""

    def __init__(self, case: Path) -> None:
        self._path = case.with_name(case.name + ".lock")
        self._stream: Any = None

    def __enter__(self) -> _CaseLock:
        self._stream = self._path.open("a")
        try:
            fcntl.flock(self._stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self._stream.close()
            raise CatalogError(
                f"{self._path.with_suffix('')}: another locker scan is running on this case"
            ) from exc
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._stream, fcntl.LOCK_UN)
        self._stream.close()


class _Job:
    """One run of a locker job: the writer, the cluster, the queue and the reporting."""

    def __init__(
        self,
        root: Path,
        case: Path,
        options: LockerOptions,
        actor: Actor,
        progress: LockerProgress,
        known: KnownFileMatcher | None,
    ) -> None:
        self.root = root
        self.locker = str(root)
        self.case = case
        self.options = options
        self.actor = actor
        self.progress = progress
        self.known = known
        self.run_id = uuid.uuid4().hex
        self.started = time.monotonic()
        self.last_report = 0.0
        self.units_run = 0
        self.status_file = StatusFile(options.status_file) if options.status_file else None

    def run(
        self, items: list[discovery.LockerItem], plans: list[naming.ExhibitPlan]
    ) -> LockerSummary:
        self.writer = CatalogWriter(self.case)
        try:
            opened = self.writer.call(
                lambda db: open_run(
                    db, self.run_id, self.root, items, plans, self.options.settings,
                    self.actor, self._options_record(),
                )
            )  # fmt: skip
        except BaseException:
            self.writer.close()
            raise
        for exhibit in opened.new_exhibits:
            self.progress.message(f"queued {exhibit}")
        state = "interrupted"
        try:
            self._report(force=True)
            pending = self.writer.call(lambda db: workqueue.pending_units(db, self.locker))
            if pending:
                self._dispatch([UnitTask.from_row(row, self.run_id) for row in pending])
            self._seal_finished(opened.exhibits)
            state = "finished"
        finally:
            final = self._close(state)
        return LockerSummary(
            self.run_id,
            self.root,
            final,
            time.monotonic() - self.started,
            opened.case_created,
            self.units_run,
            opened.interrupted_runs,
        )

    def _options_record(self) -> dict[str, Any]:
        options = self.options
        return {
            **options.settings.to_json(),
            "scheduler": options.scheduler,
            "workers": options.workers,
            "rule": options.rule,
            "manifest": str(options.manifest) if options.manifest else None,
            "max_attempts": options.max_attempts,
            "hash_sets": self.known.identities() if self.known else [],
        }

    def _dispatch(self, tasks: list[UnitTask]) -> None:
        cluster = connect(self.options.scheduler, self.options.workers)
        try:
            check_workers(cluster, self.root, self.options.settings.extract_text)
            self._drain(cluster, deque(tasks))
        finally:
            cluster.close()

    def _drain(self, cluster: Cluster, queue: deque[UnitTask]) -> None:
        window = 2 * cluster.workers + 1
        in_flight: dict[Future[UnitResult], UnitTask] = {}
        completed = as_completed()
        while queue or in_flight:
            while queue and len(in_flight) < window:
                task = queue.popleft()
                future = cluster.client.submit(
                    run_unit, task, pure=False, priority=-KIND_ORDER[task.kind]
                )
                in_flight[future] = task
                completed.add(future)
            future = next(completed)
            task = in_flight.pop(future)
            if future.status == "finished":
                result: UnitResult = future.result()
                queue.extend(self._commit(task, result))
            else:
                retry = self._failed(task, _failure_of(future))
                if retry is not None:
                    queue.append(retry)
            future.release()
            self._report()

    def _commit(self, task: UnitTask, result: UnitResult) -> list[UnitTask]:
        matched = None
        if self.known is not None and task.kind == FILES:
            matched = self.known.match(result.rows.get("files", []), task.run_id)
        self.writer.call(lambda db: commit.commit_result(db, task, result, self.locker, matched))
        faults.crash_point("committed")
        self.units_run += 1
        for problem in result.problems:
            self.progress.message(f"{task.exhibit}: problem: {problem.message}")
        follow_ups = sorted(result.follow_ups, key=lambda unit: KIND_ORDER[unit.kind])
        if not follow_ups:
            self._seal_if_done(task.exhibit)
        return follow_ups

    def _failed(self, task: UnitTask, exc: BaseException | None) -> UnitTask | None:
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        max_attempts = self.options.max_attempts
        state, attempts = self.writer.call(
            lambda db: commit.commit_failure(db, task, error, max_attempts)
        )
        if state == "failed":
            self.progress.message(
                f"{task.exhibit}: {task.kind} unit given up after {attempts} tries: {error}"
            )
            self._seal_if_done(task.exhibit)
            return None
        self.progress.message(f"{task.exhibit}: {task.kind} unit failed ({error}); retrying")
        return task

    def _seal_if_done(self, exhibit: str) -> None:
        def seal(db: Database) -> str | None:
            if workqueue.open_unit_count(db, exhibit):
                return None
            return commit.seal_exhibit(db, exhibit, self.run_id, self.actor)

        status = self.writer.call(seal)
        if status is not None:
            self.progress.message(f"sealed {exhibit}: {status}")

    def _seal_finished(self, exhibits: list[str]) -> None:
        """Seal exhibits whose last unit was committed by a run that died before sealing."""
        states = self.writer.call(workqueue.locker_exhibit_states)
        for exhibit in exhibits:
            if states.get(exhibit) != "sealed":
                self._seal_if_done(exhibit)

    def _report(self, *, force: bool = False, state: str = "running") -> None:
        now = time.monotonic()
        if not force and now - self.last_report < STATUS_SECONDS:
            return
        self.last_report = now
        status = self.writer.call(lambda db: snapshot(db, self.locker, command_for(self.root)))
        self.progress.update(status)
        if self.status_file is not None:
            self.status_file.write(status, state)

    def _close(self, state: str) -> LockerStatus:
        """End the run (``completed`` or ``interrupted``), log it, report, close the writer."""
        run_status = "completed" if state == "finished" else "interrupted"
        elapsed_ms = round((time.monotonic() - self.started) * 1000)

        def finish(db: Database) -> None:
            current = snapshot(db, self.locker, command_for(self.root))
            totals = current.to_json()
            summary = {
                "units": totals["units"],
                "bytes": totals["bytes"],
                "files": totals["files"],
                "problems": totals["problems"],
                "units_run": self.units_run,
            }
            outcome = LockerSummary(self.run_id, self.root, current).outcome
            queries.finish_run(db, self.run_id, run_status, json.dumps(summary, sort_keys=True))
            details = {"run_id": self.run_id, "run_status": run_status, "elapsed_ms": elapsed_ms}
            status = outcome if run_status == "completed" else run_status
            log.append(db, "scan.finished", self.actor, {**details, "status": status, **summary})

        try:
            self.writer.call(finish)
            final = self.writer.call(lambda db: snapshot(db, self.locker, command_for(self.root)))
            self.progress.update(final)
            if self.status_file is not None:
                self.status_file.write(final, state)
        finally:
            if self.status_file is not None:
                self.status_file.close()
            self.writer.close()
        return final


def _failure_of(future: Future[UnitResult]) -> BaseException:
    """Why a future did not finish (a cancelled or lost one raises when asked)."""
    try:
        return future.exception() or RuntimeError(f"task {future.status}")
    except Exception as exc:  # broad by design: CancelledError and the scheduler's own errors
        return exc
