"""``evcat carve``: carve the exhibits of a scanned case, after the fact.

The same stage as ``evcat scan --carve``, on the file systems the scan catalogued: each is
reopened read-only from its registered image, its free space carved, then the space no
file system owns. Carved rows of an earlier carving give way to this run's. The run is a
``runs`` row and a ``carve.started``/``carve.finished`` pair in the custody log; each
exhibit's rows are sealed again (``exhibit.scanned``), so ``evcat verify`` covers the
carved rows as it covers the walked ones.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import parsers
from catalog.carving.stage import CarveSettings, CarveStage
from catalog.csvsafe import clean_text, host_path
from catalog.custody import log
from catalog.custody.scanrecord import record_exhibit_scanned
from catalog.errors import EvidenceError, UsageError
from catalog.provenance import run_row
from catalog.rows import filesystem_record
from catalog.rowsink import RowSink
from catalog.runcontext import RunContext
from catalog.store import carved, queries
from catalog.store.writer import CatalogWriter
from parsers.evidence import open_evidence
from parsers.fsdetect import reopen_file_system
from parsers.tskimage import TskImage
from parsers.volumes.tsk import TskVolumeParser

if TYPE_CHECKING:
    from sqlite_utils import Database

    from catalog.custody.log import Actor
    from catalog.knownfiles import KnownFileMatcher
    from parsers.context import Limits
    from parsers.source import EvidenceSource

ACTION_STARTED = "carve.started"
ACTION_FINISHED = "carve.finished"


@dataclass(slots=True)
class ExhibitCarve:
    """What carving one exhibit did."""

    exhibit: str
    status: str = "ok"
    error: str | None = None
    items: int = 0
    duplicates: int = 0
    bytes_scanned: int = 0
    regions: int = 0
    problems: int = 0


@dataclass(slots=True)
class CarveSummary:
    """The outcome of one ``evcat carve``."""

    run_id: str
    exhibits: list[ExhibitCarve] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def status(self) -> str:
        """``success``, ``partial`` (problems) or ``error`` (an exhibit could not be read)."""
        if any(item.status == "error" for item in self.exhibits):
            return "error"
        return "partial" if any(item.problems for item in self.exhibits) else "success"


def carve_case(
    case: Path,
    actor: Actor,
    exhibits: tuple[str, ...],
    settings: CarveSettings,
    limits: Limits,
    known: KnownFileMatcher | None = None,
) -> CarveSummary:
    """Carve ``exhibits`` (all scanned ones when empty) of the case at ``case``.

    Raises:
        UsageError: no such case, or an exhibit the case has not scanned.
        CatalogError: the catalog cannot be opened or written.
    """
    if not case.is_file():
        raise UsageError(f"{case}: no case catalog there (scan evidence into it first)")
    writer = CatalogWriter(case)
    summary = CarveSummary(run_id=uuid.uuid4().hex)
    started = time.monotonic()
    status = "interrupted"
    try:
        chosen = writer.call(lambda db: _start(db, summary.run_id, exhibits, actor))
        for exhibit, image in chosen:
            job = _ExhibitJob(writer, summary.run_id, exhibit, actor, settings, limits, known)
            summary.exhibits.append(job.run(host_path(image)))
        status = "completed"
    finally:
        summary.elapsed = time.monotonic() - started
        if summary.exhibits or status == "completed":
            writer.call(lambda db: _finish(db, summary, status, actor))
        writer.close()
    return summary


def _start(
    db: Database, run_id: str, wanted: tuple[str, ...], actor: Actor
) -> list[tuple[str, str]]:
    registered = {row["exhibit"]: row["path"] for row in carved.scanned_exhibits(db)}
    unknown = [exhibit for exhibit in wanted if exhibit not in registered]
    if unknown:
        raise UsageError(
            f"exhibit {clean_text(unknown[0])!r} has not been scanned into this case"
            f" (scanned: {', '.join(sorted(registered)) or 'none'})"
        )
    chosen = [(exhibit, registered[exhibit]) for exhibit in (wanted or sorted(registered))]
    command = clean_text("carve " + " ".join(exhibit for exhibit, _ in chosen))
    queries.start_run(db, run_row(run_id, command, actor.examiner))
    log.append(
        db, ACTION_STARTED, actor,
        {"run_id": run_id, "command": command, "exhibits": [e for e, _ in chosen]},
    )  # fmt: skip
    return chosen


def _finish(db: Database, summary: CarveSummary, status: str, actor: Actor) -> None:
    totals = {
        "items": sum(item.items for item in summary.exhibits),
        "duplicates": sum(item.duplicates for item in summary.exhibits),
        "bytes_scanned": sum(item.bytes_scanned for item in summary.exhibits),
        "problems": sum(item.problems for item in summary.exhibits),
        "elapsed_ms": round(summary.elapsed * 1000),
    }
    final = json.dumps({**totals, "status": summary.status}, sort_keys=True)
    queries.finish_run(db, summary.run_id, status, final)
    details = {"run_id": summary.run_id, "run_status": status, "status": summary.status}
    log.append(db, ACTION_FINISHED, actor, {**details, **totals})


class _ExhibitJob:
    """Carving one exhibit within the run."""

    def __init__(
        self,
        writer: CatalogWriter,
        run_id: str,
        exhibit: str,
        actor: Actor,
        settings: CarveSettings,
        limits: Limits,
        known: KnownFileMatcher | None,
    ) -> None:
        self.writer, self.run_id, self.exhibit, self.actor = writer, run_id, exhibit, actor
        self.settings = settings
        self.ctx = RunContext(writer, run_id, exhibit, limits)
        self.sink = RowSink(writer, run_id, known)
        self.result = ExhibitCarve(exhibit)

    def run(self, image: Path) -> ExhibitCarve:
        try:
            source = open_evidence(image, parsers.SOURCES.all())
        except EvidenceError as exc:
            self.ctx.problem("carve", str(exc), exc=exc)
            self.result.status, self.result.error = "error", clean_text(str(exc))
        else:
            try:
                self._carve(source)
            finally:
                source.close()
        return self._seal()

    def _carve(self, source: EvidenceSource) -> None:
        exhibit = self.exhibit
        stage = CarveStage(
            source, exhibit, self.writer, self.ctx, self.run_id, self.sink.write, self.settings
        )
        tsk_image = TskImage(source)
        rows = self.writer.call(lambda db: carved.walked_file_systems(db, exhibit))
        for row in rows:
            record = filesystem_record(row)
            try:
                fs = reopen_file_system(source, tsk_image, record)
            except (OSError, RuntimeError, ValueError, KeyError) as exc:
                self.ctx.problem(
                    "carve",
                    f"{record.fs_type} at byte {record.offset} cannot be reopened ({exc})",
                    offset=record.offset,
                    exc=exc,
                )
                continue
            stage.file_system(fs)
        layout = TskVolumeParser().read_layout(tsk_image, source.info.media_size)
        recorder = self.writer.call(lambda db: carved.has_recorder(db, exhibit))
        walked = [row["volume_index"] for row in rows]
        stage.outside_file_systems(layout.volumes, walked, accounted=bool(rows) or recorder)
        counts = stage.finish()
        self.result.items, self.result.duplicates = counts.items, counts.duplicates
        self.result.bytes_scanned, self.result.regions = counts.bytes_scanned, counts.regions

    def _seal(self) -> ExhibitCarve:
        result = self.result
        result.problems = self.ctx.problem_count
        if result.status == "ok" and result.problems:
            result.status = "partial"
        exhibit, run_id, actor = self.exhibit, self.run_id, self.actor
        counts = {
            "carved": result.items,
            "carved_duplicates": result.duplicates,
            "carved_bytes_scanned": result.bytes_scanned,
            "problems": result.problems,
            "findings": self.sink.counts.findings,
            "known_good": self.sink.counts.known_good,
            "known_bad": self.sink.counts.known_bad,
        }

        def seal(db: Database) -> None:
            if result.status != "error":  # an unreadable image keeps the earlier carving
                carved.purge_earlier_carving(db, exhibit, run_id)
            record_exhibit_scanned(db, exhibit, run_id, counts, result.status, actor)

        self.writer.call(seal)
        return result
