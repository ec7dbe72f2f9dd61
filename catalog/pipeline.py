"""The scan pipeline: evidence -> volumes -> file systems -> entries -> catalog rows.

Both front-ends call :func:`scan`. Each evidence item is opened read-only, its media hashed
in a background thread, its volume system and file systems walked, and every entry
catalogued with one streaming read of its content. Recoverable trouble becomes a problem
row; an evidence item that cannot be read at all is recorded and the next one goes on.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.case import (
    CaseFacts,
    ExhibitFacts,
    case_facts,
    check_not_beside_evidence,
    create_case,
    exhibit_for_path,
    register_exhibit,
)
from catalog.csvsafe import clean_text
from catalog.custody import log
from catalog.custody.log import Actor
from catalog.errors import ScanCancelled, UsageError
from catalog.evidencescan import EvidenceScan, EvidenceSummary
from catalog.knownfiles import KnownFileMatcher
from catalog.options import ScanOptions
from catalog.progress import NullProgress, ScanProgress
from catalog.provenance import run_row
from catalog.store import queries
from catalog.store.writer import CatalogWriter
from catalog.workers import WorkerPool, default_workers, make_pool

if TYPE_CHECKING:
    import threading

    from sqlite_utils import Database

__all__ = ["ScanOptions", "ScanSummary", "scan"]

AUTO_WORKERS_MIN_SIZE = 256 << 20


@dataclass(slots=True)
class ScanSummary:
    """The outcome of one ``scan`` call."""

    run_id: str
    evidence: list[EvidenceSummary] = field(default_factory=list)
    elapsed: float = 0.0
    case_created: bool = False
    """The case did not exist and this scan created it."""
    cancelled: bool = False
    """The examiner cancelled the scan; later images were not scanned."""

    @property
    def status(self) -> str:
        """``success``, ``partial`` (problems), ``error`` (an item failed) or ``cancelled``."""
        if self.cancelled:
            return "cancelled"
        if any(item.status == "error" for item in self.evidence):
            return "error"
        if any(item.problems for item in self.evidence):
            return "partial"
        return "success"

    def totals(self) -> dict[str, Any]:
        """Files, bytes, deleted entries, problems, elapsed seconds and throughput."""
        n_bytes = sum(item.bytes_hashed for item in self.evidence)
        return {
            "files": sum(item.n_files for item in self.evidence),
            "deleted": sum(item.n_deleted for item in self.evidence),
            "bytes": n_bytes,
            "problems": sum(item.problems for item in self.evidence),
            "archive_members": sum(item.n_members for item in self.evidence),
            "findings": sum(item.n_findings for item in self.evidence),
            "known_good": sum(item.n_known_good for item in self.evidence),
            "known_bad": sum(item.n_known_bad for item in self.evidence),
            "video_segments": sum(item.n_video for item in self.evidence),
            "carved": sum(item.n_carved for item in self.evidence),
            "carved_duplicates": sum(item.n_carved_duplicates for item in self.evidence),
            "elapsed": round(self.elapsed, 3),
            "mb_per_s": round(n_bytes / 1e6 / self.elapsed, 2) if self.elapsed else 0.0,
        }


def scan(
    images: list[Path],
    case: Path,
    options: ScanOptions,
    progress: ScanProgress | None = None,
    cancel: threading.Event | None = None,
) -> ScanSummary:
    """Catalogue every file of every image into the case catalog at ``case``.

    The case is created if it does not exist; images not yet registered become exhibits
    (ids from ``options.exhibits``, else the file name). Every step is a custody entry.
    Setting ``cancel`` (from another thread) stops the scan after the current file: the
    exhibit being scanned is sealed as ``cancelled`` with the rows it has, later images
    are skipped, and the run and its ``scan.finished`` entry say ``cancelled``.

    Raises:
        UsageError: bad arguments (exhibit ids, case path beside the evidence).
        CatalogError: the catalog cannot be opened or written.
        KeyboardInterrupt: after marking the run ``interrupted``.
    """
    progress = progress or NullProgress()
    actor = Actor(options.examiner, signing_key=options.signing_key)
    _check_arguments(images, options)
    check_not_beside_evidence(case, images)
    case.parent.mkdir(parents=True, exist_ok=True)
    known = None
    if options.hash_set_store is not None:
        known = KnownFileMatcher(options.hash_set_store, options.hash_set_names)
    hash_sets = known.identities() if known else []
    writer = CatalogWriter(case)
    summary = ScanSummary(run_id=uuid.uuid4().hex)
    started = time.monotonic()
    try:
        started_run = writer.call(
            lambda db: _start(db, summary.run_id, images, options, actor, hash_sets)
        )
    except BaseException:
        writer.close()
        if known is not None:
            known.close()
        raise
    summary.case_created = started_run.case_created
    exhibits = started_run.exhibits
    status = "interrupted"
    pool: WorkerPool | None = None
    try:
        for image in images:
            if cancel is not None and cancel.is_set():
                summary.cancelled = True
                break
            if pool is None and _wants_workers(image, options):
                pool = make_pool(options.workers or default_workers())
            scan_item = EvidenceScan(
                image, exhibits[str(image)], writer, summary.run_id, options, progress, actor,
                known, cancel,
            )  # fmt: skip
            try:
                summary.evidence.append(scan_item.run(pool))
            except ScanCancelled:
                summary.evidence.append(scan_item.result)
                summary.cancelled = True
                break
        status = "cancelled" if summary.cancelled else "completed"
    finally:
        if pool is not None:
            pool.shutdown()
        if known is not None:
            known.close()
        summary.elapsed = time.monotonic() - started
        writer.call(lambda db: _finish(db, summary, status, actor))
        writer.close()
    return summary


@dataclass(frozen=True, slots=True)
class _StartedRun:
    """What opening a run settled: each image's exhibit id, and whether the case is new."""

    exhibits: dict[str, str]
    case_created: bool


def _check_arguments(images: list[Path], options: ScanOptions) -> None:
    if len(options.exhibits) > len(images):
        raise UsageError("more --exhibit ids than images")
    seen: set[str] = set()
    for image in images:
        key = str(image.resolve())
        if key in seen:
            raise UsageError(f"{image}: given twice")
        seen.add(key)


def _start(
    db: Database,
    run_id: str,
    images: list[Path],
    options: ScanOptions,
    actor: Actor,
    hash_sets: list[dict[str, Any]],
) -> _StartedRun:
    """Create the case if needed, resolve each image's exhibit, open the run (one transaction).

    The exhibit ids are keyed by ``str(image)``.
    """
    exhibits: dict[str, str] = {}
    case_created = case_facts(db) is None
    if case_created:
        create_case(db, CaseFacts(), actor)
    for index, image in enumerate(images):
        given = clean_text(options.exhibits[index]) if index < len(options.exhibits) else None
        registered = exhibit_for_path(db, image) if image.exists() else None
        if given is not None and registered is not None and given != registered:
            raise UsageError(f"{image}: registered as exhibit {registered!r}, not {given!r}")
        exhibit = registered or given or clean_text(image.name)
        if registered is None and image.exists():
            register_exhibit(db, exhibit, image, ExhibitFacts(), actor)
        exhibits[str(image)] = exhibit
    command = clean_text("scan " + " ".join(str(image) for image in images))
    row = run_row(run_id, command, options.examiner)
    queries.start_run(db, row)
    log.append(
        db,
        "scan.started",
        actor,
        {
            "run_id": run_id,
            "command": row["command"],
            "exhibits": [exhibits[str(image)] for image in images],
            "options": {
                "media_hash": options.media_hash,
                "classify": options.classify,
                "extract_text": options.extract_text,
                "workers": options.workers,
                "carve": options.carve,
            },
            "hash_sets": hash_sets,
        },
    )
    return _StartedRun(exhibits, case_created)


def _finish(db: Database, summary: ScanSummary, status: str, actor: Actor) -> None:
    totals = summary.totals()
    final = json.dumps({**totals, "status": summary.status}, sort_keys=True)
    queries.finish_run(db, summary.run_id, status, final)
    log.append(
        db,
        "scan.finished",
        actor,
        {
            "run_id": summary.run_id,
            "run_status": status,
            "status": summary.status,
            "files": totals["files"],
            "deleted": totals["deleted"],
            "bytes": totals["bytes"],
            "problems": totals["problems"],
            "elapsed_ms": round(summary.elapsed * 1000),
        },
    )


def _wants_workers(image: Path, options: ScanOptions) -> bool:
    """Worker processes pay off only for big images (or when asked for explicitly)."""
    if options.workers:
        return options.workers > 1
    try:
        return image.stat().st_size >= AUTO_WORKERS_MIN_SIZE and default_workers() > 1
    except OSError:
        return False
