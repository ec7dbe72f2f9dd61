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

from catalog.csvsafe import clean_text
from catalog.errors import UsageError
from catalog.evidencescan import EvidenceScan, EvidenceSummary
from catalog.options import ScanOptions
from catalog.progress import NullProgress, ScanProgress
from catalog.provenance import host_name, library_versions, tool_version
from catalog.store import queries
from catalog.store.writer import CatalogWriter
from catalog.timeutil import utc_now
from catalog.workers import default_workers, make_executor

if TYPE_CHECKING:
    from concurrent.futures import Executor

__all__ = ["ScanOptions", "ScanSummary", "scan"]

AUTO_WORKERS_MIN_SIZE = 256 << 20


@dataclass(slots=True)
class ScanSummary:
    """The outcome of one ``scan`` call."""

    run_id: str
    evidence: list[EvidenceSummary] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def status(self) -> str:
        """``success``, ``partial`` (problems recorded) or ``error`` (an item failed)."""
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
            "elapsed": round(self.elapsed, 3),
            "mb_per_s": round(n_bytes / 1e6 / self.elapsed, 2) if self.elapsed else 0.0,
        }


def _check_not_beside_evidence(case: Path, images: list[Path]) -> None:
    case_dir = case.resolve().parent
    for image in images:
        if image.exists() and image.resolve().parent == case_dir:
            raise UsageError(
                f"{case}: the case catalog would be written beside the evidence {image.name};"
                " evidence folders are read-only, choose another --case path"
            )


def scan(
    images: list[Path],
    case: Path,
    options: ScanOptions | None = None,
    progress: ScanProgress | None = None,
) -> ScanSummary:
    """Catalogue every file of every image into the case catalog at ``case``.

    Raises:
        UsageError: bad arguments (exhibit ids, case path beside the evidence).
        CatalogError: the catalog cannot be opened or written.
        KeyboardInterrupt: after marking the run ``interrupted``.
    """
    options = options or ScanOptions()
    progress = progress or NullProgress()
    if len(options.exhibits) > len(images):
        raise UsageError("more --exhibit ids than images")
    _check_not_beside_evidence(case, images)
    case.parent.mkdir(parents=True, exist_ok=True)
    writer = CatalogWriter(case)
    summary = ScanSummary(run_id=uuid.uuid4().hex)
    started = time.monotonic()
    writer.call(lambda db: queries.start_run(db, _run_row(summary.run_id, images, options)))
    status = "interrupted"
    executor: Executor | None = None
    try:
        for index, image in enumerate(images):
            exhibit = clean_text(
                options.exhibits[index] if index < len(options.exhibits) else image.name
            )
            if executor is None and _wants_workers(image, options):
                executor = make_executor(options.workers or default_workers())
            item = EvidenceScan(image, exhibit, writer, summary.run_id, options, progress)
            summary.evidence.append(item.run(executor))
        status = "completed"
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
        summary.elapsed = time.monotonic() - started
        final = json.dumps({**summary.totals(), "status": summary.status}, sort_keys=True)
        writer.call(lambda db: queries.finish_run(db, summary.run_id, status, final))
        writer.close()
    return summary


def _run_row(run_id: str, images: list[Path], options: ScanOptions) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "command": clean_text("scan " + " ".join(str(image) for image in images)),
        "started": utc_now(),
        "status": "running",
        "tool_version": tool_version(),
        "examiner": options.examiner,
        "host": host_name(),
        "library_versions": json.dumps(library_versions(), sort_keys=True),
    }


def _wants_workers(image: Path, options: ScanOptions) -> bool:
    """Worker processes pay off only for big images (or when asked for explicitly)."""
    if options.workers:
        return options.workers > 1
    try:
        return image.stat().st_size >= AUTO_WORKERS_MIN_SIZE and default_workers() > 1
    except OSError:
        return False
