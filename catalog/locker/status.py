"""Where a locker job stands: units and bytes done, rate, ETA, problems, per exhibit.

One snapshot function reads it all from the case catalog, so ``evcat locker scan`` (its
progress bar and ``--status-file`` JSON lines) and ``evcat locker status`` report the same
numbers. The rate is the bytes of units done by the latest run over its running time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from catalog.store import workqueue
from catalog.timeutil import utc_now

if TYPE_CHECKING:
    from pathlib import Path

    from sqlite_utils import Database

Row = dict[str, Any]
STATUS_VERSION = 1
_EXHIBIT_KEYS = (
    "exhibit", "state", "status", "units", "done", "failed", "pending", "bytes_done",
    "bytes_total", "files", "problems",
)  # fmt: skip


@dataclass(slots=True)
class LockerStatus:
    """A snapshot of a locker job (or of every locker job in the case)."""

    locker: str | None
    exhibits: list[Row]
    run: Row | None = None
    rate: float | None = None
    """Bytes per second of the latest run while it runs (None otherwise)."""
    items: dict[str, int] = field(default_factory=dict)
    """Items found in the locker, by role (image, segment, sidecar, unrecognised)."""
    time: str = field(default_factory=utc_now)

    def total(self, column: str) -> int:
        """A column summed over the exhibits."""
        return sum(int(row[column] or 0) for row in self.exhibits)

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the current rate (None when unknown)."""
        left = self.total("bytes_total") - self.total("bytes_done")
        if not self.rate or self.planning:
            return None
        return round(left / self.rate, 1)

    @property
    def planning(self) -> int:
        """Exhibits not planned yet (their bytes are not known yet)."""
        return sum(row["state"] == "planning" for row in self.exhibits)

    def to_json(self) -> Row:
        """The snapshot as one JSON object (a ``--status-file`` line)."""
        return {
            "version": STATUS_VERSION,
            "time": self.time,
            "locker": self.locker,
            "run_id": self.run["run_id"] if self.run else None,
            "run_status": self.run["status"] if self.run else None,
            "units": {
                "done": self.total("done"),
                "failed": self.total("failed"),
                "pending": self.total("pending"),
                "total": self.total("units"),
            },
            "bytes": {"done": self.total("bytes_done"), "total": self.total("bytes_total")},
            "files": self.total("files"),
            "items": dict(self.items),
            "rate_bytes_per_s": round(self.rate, 1) if self.rate else None,
            "eta_seconds": self.eta_seconds,
            "problems": self.total("problems"),
            "exhibits": {
                "total": len(self.exhibits),
                "planning": self.planning,
                "sealed": sum(row["state"] == "sealed" for row in self.exhibits),
                "with_problems": sum(
                    row["status"] in ("partial", "error") for row in self.exhibits
                ),
            },
            "per_exhibit": [{key: row[key] for key in _EXHIBIT_KEYS} for row in self.exhibits],
        }


def snapshot(db: Database, locker: str | None, command: str) -> LockerStatus:
    """The job's state now, from the catalog.

    ``command`` is the locker's run command; without a ``locker``, the prefix every
    locker run's command starts with (the latest run of any locker is reported).
    """
    run = workqueue.latest_run(db, command, prefix=locker is None)
    rate = None
    if run is not None and run["status"] == "running":
        done = workqueue.bytes_done_by_run(db, run["run_id"])
        elapsed = (datetime.now(tz=UTC) - datetime.fromisoformat(run["started"])).total_seconds()
        rate = done / elapsed if elapsed > 0 and done else None
    return LockerStatus(
        locker, workqueue.locker_status(db, locker), run, rate, workqueue.item_roles(db, locker)
    )


def progress_line(status: LockerStatus, width: int = 24) -> str:
    """One terminal line: a bar, units, bytes, rate, ETA and problems."""
    units = status.to_json()["units"]
    total = max(units["total"], 1)
    finished = units["done"] + units["failed"]
    filled = round(width * finished / total)
    rate = f"{status.rate / 1e6:,.1f} MB/s" if status.rate else "-- MB/s"
    eta = _clock(status.eta_seconds) if status.eta_seconds is not None else "--:--:--"
    planning = f", planning {status.planning}" if status.planning else ""
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] {finished}/{units['total']} units,"
        f" {status.total('bytes_done') / 1e6:,.0f}/{status.total('bytes_total') / 1e6:,.0f} MB,"
        f" {rate}, ETA {eta}, {status.total('problems')} problems{planning}"
    )


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


class StatusFile:
    """Appends one JSON line per snapshot to ``--status-file`` for monitoring."""

    def __init__(self, path: Path) -> None:
        """Open ``path`` for appending (created if missing).

        Raises:
            OSError: it cannot be written.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        self._stream: TextIO = path.open("a", encoding="utf-8")

    def write(self, status: LockerStatus, state: str) -> None:
        """Append the snapshot with the job's ``state`` (running, finished, interrupted)."""
        line = {**status.to_json(), "state": state}
        self._stream.write(json.dumps(line, sort_keys=True, ensure_ascii=False) + "\n")
        self._stream.flush()

    def close(self) -> None:
        """Close the file."""
        self._stream.close()
