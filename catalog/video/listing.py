"""Video segments as people and CSV files see them: times read through each exhibit's clock.

``evcat export carved`` and ``evcat dvr list`` both take their rows from here, so the two
always agree. Columns start with exactly ``exhibit, offset, length, kind, channel, start,
end, status, sha256`` (issue 8); more follow.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from catalog.store import video
from catalog.video.clock import RecorderClock

if TYPE_CHECKING:
    from sqlite_utils import Database

COLUMNS = (
    "exhibit",
    "offset",
    "length",
    "kind",
    "channel",
    "start",
    "end",
    "status",
    "sha256",
    "vendor",
    "source",
    "start_raw",
    "end_raw",
    "time_basis",
    "extents",
    "md5",
    "sha1",
    "blake3",
    "segment_id",
    "notes",
)


def segment_record(row: dict[str, Any], clock: RecorderClock) -> dict[str, Any]:
    """One segment row as a listing record."""
    return {
        "exhibit": row["evidence_id"],
        "offset": row["offset"],
        "length": row["length"],
        "kind": row["kind"],
        "channel": row["channel"],
        "start": clock.reading(row["start_wallclock"]),
        "end": clock.reading(row["end_wallclock"]),
        "status": row["status"],
        "sha256": row["sha256"],
        "vendor": row["vendor"],
        "source": row["source"],
        "start_raw": _raw(row["start_raw"], row["time_kind"]),
        "end_raw": _raw(row["end_raw"], row["time_kind"]),
        "time_basis": clock.basis if row["start_wallclock"] or row["end_wallclock"] else "",
        "extents": " ".join(f"{offset}+{length}" for offset, length in json.loads(row["extents"])),
        "md5": row["md5"],
        "sha1": row["sha1"],
        "blake3": row["blake3"],
        "segment_id": row["segment_id"],
        "notes": "; ".join(json.loads(row["notes"])) if row["notes"] else row["hash_error"],
    }


def _raw(value: int | None, kind: str | None) -> str | None:
    return None if value is None else f"{kind}:0x{value:x}"


def records(
    db: Database,
    exhibit: str | None = None,
    channel: int | None = None,
    start_from: dt.datetime | None = None,
    start_to: dt.datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """Listing records in order, filtered by exhibit, channel and overlap with a period.

    The period is compared with each segment's times as its clock reads them: UTC when
    the exhibit's zone is declared, else the recorder's wall-clock.
    """
    clocks = video.clocks(db)
    for row in video.segments(db, exhibit, channel):
        clock = RecorderClock.from_row(clocks.get(row["evidence_id"]))
        record = segment_record(row, clock)
        if _overlaps(record, start_from, start_to):
            yield record


def _moment(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    return dt.datetime.fromisoformat(text.removesuffix("Z")).replace(tzinfo=dt.UTC)


def _overlaps(
    record: dict[str, Any], start_from: dt.datetime | None, to: dt.datetime | None
) -> bool:
    if start_from is None and to is None:
        return True
    start, end = _moment(record["start"]), _moment(record["end"])
    if start is None and end is None:
        return False  # a period was asked for and the segment has no time
    first, last = start or end, end or start
    assert first is not None and last is not None
    return (to is None or first <= to) and (start_from is None or last >= start_from)
