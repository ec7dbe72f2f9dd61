"""A recorder's clock: its times are wall-clock of an unknown zone until one is declared.

No DVR format stores a time zone. Until the examiner declares the recorder's zone (and,
when the on-screen clock was checked against a reference at seizure, its skew), every
time is shown as the recorder's wall-clock with that assumption written beside it. Once
declared, times are converted to UTC, and the basis column says how.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from catalog.errors import UsageError

UNKNOWN_ZONE = "DVR wall-clock, zone unknown (assumed local time of the recorder)"


@dataclass(frozen=True, slots=True)
class RecorderClock:
    """The declared zone of one exhibit's recorder, and how fast its clock ran."""

    zone: str | None = None
    skew_seconds: int = 0
    """Recorder time minus true time: positive when the recorder's clock was fast."""

    @classmethod
    def from_row(cls, row: dict[str, Any] | None) -> RecorderClock:
        """The clock declared in a ``dvr_clocks`` row (or the unknown clock)."""
        if row is None:
            return cls()
        return cls(row["zone"], int(row["skew_seconds"] or 0))

    @property
    def basis(self) -> str:
        """How the times of this recorder are to be read (the CSV's ``time_basis``)."""
        if self.zone is None:
            return UNKNOWN_ZONE
        skew = f", clock skew {self.skew_seconds:+d} s corrected" if self.skew_seconds else ""
        return f"UTC, from DVR wall-clock in declared zone {self.zone}{skew}"

    def reading(self, wallclock: str | None) -> str | None:
        """A wall-clock time as this clock reads it: UTC ``…Z`` once a zone is declared."""
        if wallclock is None or self.zone is None:
            return wallclock
        local = dt.datetime.fromisoformat(wallclock).replace(tzinfo=ZoneInfo(self.zone))
        moment = (local - dt.timedelta(seconds=self.skew_seconds)).astimezone(dt.UTC)
        text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        if "." in wallclock:
            text += f".{moment.microsecond // 1000:03d}"
        return text + "Z"


def check_zone(zone: str) -> str:
    """``zone`` when it is a known IANA zone name.

    Raises:
        UsageError: not a zone this machine's zone database knows.
    """
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(
            f"unknown time zone {zone!r} (use an IANA name such as Asia/Tokyo)"
        ) from exc
    return zone
