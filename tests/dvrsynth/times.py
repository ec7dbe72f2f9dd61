"""Recorder clock values written by the synthetic disks, computed independently of the parsers.

All moments are wall-clock times of the recorder, carried as UTC-tagged datetimes only so
that arithmetic is unambiguous (ruff DTZ): a Unix value is ``timegm`` of the wall-clock.
"""

from __future__ import annotations

import datetime as dt

from parsers.dvr.timeutil import pack_dhfs

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
Fields = tuple[int, ...]
"""(year, month, day, hour, minute, second[, millisecond])."""


def moment(fields: Fields) -> dt.datetime:
    """The wall-clock moment of broken-down fields (milliseconds optional)."""
    year, month, day, hour, minute, second, *rest = fields
    millis = rest[0] if rest else 0
    return dt.datetime(year, month, day, hour, minute, second, millis * 1000, tzinfo=dt.UTC)


def unix(when: dt.datetime) -> int:
    """Whole Unix seconds of a wall-clock moment (Hikvision index values)."""
    return int((when - EPOCH).total_seconds())


def from_unix(seconds: int) -> dt.datetime:
    """The wall-clock moment of Unix seconds."""
    return EPOCH + dt.timedelta(seconds=seconds)


def hk44(when: dt.datetime) -> int:
    """Hikvision's 44-bit time: year-2000:8 month:4 day:5 hour:5 minute:6 second:6 ms:10."""
    value = 0
    parts = (
        (when.year - 2000, 8),
        (when.month, 4),
        (when.day, 5),
        (when.hour, 5),
        (when.minute, 6),
        (when.second, 6),
        (when.microsecond // 1000, 10),
    )
    for part, width in parts:
        value = value << width | part
    return value


def from_hk44(raw: int) -> dt.datetime:
    """The inverse of ``hk44``."""
    return moment(
        (
            2000 + (raw >> 36 & 0xFF),
            raw >> 32 & 0xF,
            raw >> 27 & 0x1F,
            raw >> 22 & 0x1F,
            raw >> 16 & 0x3F,
            raw >> 10 & 0x3F,
            raw & 0x3FF,
        )
    )


def dhfs(when: dt.datetime) -> int:
    """DHFS/DHAV/WFS packed u32 of a wall-clock moment (milliseconds dropped)."""
    return pack_dhfs(when.year, when.month, when.day, when.hour, when.minute, when.second)


def from_dhfs(raw: int) -> dt.datetime:
    """The wall-clock moment of a DHFS packed u32."""
    return moment(
        (
            2000 + (raw >> 26 & 0x3F),
            raw >> 22 & 0xF,
            raw >> 17 & 0x1F,
            raw >> 12 & 0x1F,
            raw >> 6 & 0x3F,
            raw & 0x3F,
        )
    )


def frame_time(start: dt.datetime, index: int, fps: int) -> dt.datetime:
    """When frame ``index`` was shot, counting from ``start`` at ``fps``."""
    return start + dt.timedelta(milliseconds=index * 1000 // fps)


def span_seconds(n_frames: int, fps: int) -> int:
    """Whole seconds an index gives a clip of ``n_frames`` (at least 1, rounded up)."""
    return max(1, -(-n_frames // fps))
