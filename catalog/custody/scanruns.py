"""Scans as the custody log tells them: started, exhibits scanned, finished."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from catalog.custody import log

if TYPE_CHECKING:
    from sqlite_utils import Database

_SCAN_ACTIONS = ("scan.started", "exhibit.scanned", "problems.summary", "scan.finished")


@dataclass(slots=True)
class ScanRun:
    """One scan as the custody log tells it."""

    run_id: str
    started: dict[str, Any]
    finished: dict[str, Any] | None = None
    scanned: list[str] = field(default_factory=list)
    """Exhibits with an ``exhibit.scanned`` entry in this run."""
    seqs: list[int] = field(default_factory=list)


def scan_runs(db: Database, record_seq: int) -> list[ScanRun]:
    """The scans logged up to ``record_seq``, in the order they started."""
    runs: dict[str, ScanRun] = {}
    for entry in log.entries(db, _SCAN_ACTIONS):
        if entry.seq > record_seq:
            break
        fields = entry.fields
        run_id = str(entry.details.get("run_id"))
        if fields["action"] == "scan.started":
            runs[run_id] = ScanRun(run_id, fields)
        run = runs.get(run_id)
        if run is None:
            continue
        run.seqs.append(entry.seq)
        if fields["action"] == "exhibit.scanned":
            run.scanned.append(str(entry.details.get("exhibit")))
        elif fields["action"] == "scan.finished":
            run.finished = fields
    return list(runs.values())
