"""Recorder time values: Unix seconds, DHFS bit-packed time and Hikvision's 44-bit time.

Every reading is naive wall-clock of the recorder's clock (no zone is stored on any known
DVR). An impossible value (month 13, 30 February) reads as None, keeping the raw value.
"""

from __future__ import annotations

import datetime as dt

from parsers.dvr.model import DHFS_PACKED, HK44, UNIX, RawTime

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
STILL_RECORDING = 0x7FFFFFFF
"""Hikvision's start time of a block still being written (19 Jan 2038 03:14:07)."""


def _naive_iso(moment: dt.datetime, *, millis: bool = False) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (
        f".{moment.microsecond // 1000:03d}" if millis else ""
    )


def unix_time(raw: int) -> RawTime:
    """Unix seconds read as wall-clock; 0 and out-of-range values read as None."""
    if raw <= 0 or raw >= 1 << 32:
        return RawTime(raw, UNIX, None)
    return RawTime(raw, UNIX, _naive_iso(_EPOCH + dt.timedelta(seconds=raw)))


def _broken_down(
    year: int, month: int, day: int, hour: int, minute: int, second: int, ms: int = 0
) -> dt.datetime | None:
    try:
        moment = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    except ValueError:
        return None
    return moment + dt.timedelta(milliseconds=ms) if ms < 1000 else None


def dhfs_fields(raw: int) -> tuple[int, int, int, int, int, int]:
    """(year, month, day, hour, minute, second) of a DHFS packed time."""
    return (
        2000 + (raw >> 26 & 0x3F),
        raw >> 22 & 0x0F,
        raw >> 17 & 0x1F,
        raw >> 12 & 0x1F,
        raw >> 6 & 0x3F,
        raw & 0x3F,
    )


def dhfs_time(raw: int) -> RawTime:
    """A Dahua/WFS/DHAV u32 packed time (§3.6 of the reference)."""
    moment = _broken_down(*dhfs_fields(raw & 0xFFFFFFFF)) if 0 < raw < 1 << 32 else None
    return RawTime(raw, DHFS_PACKED, None if moment is None else _naive_iso(moment))


def pack_dhfs(year: int, month: int, day: int, hour: int, minute: int, second: int) -> int:
    """The packed u32 of a broken-down time (the inverse of ``dhfs_fields``)."""
    return (year - 2000) << 26 | month << 22 | day << 17 | hour << 12 | minute << 6 | second


def hk44_time(raw: int) -> RawTime:
    """Hikvision's 44-bit time: year-2000:8 month:4 day:5 hour:5 minute:6 second:6 ms:10."""
    fields = (
        2000 + (raw >> 36 & 0xFF),
        raw >> 32 & 0x0F,
        raw >> 27 & 0x1F,
        raw >> 22 & 0x1F,
        raw >> 16 & 0x3F,
        raw >> 10 & 0x3F,
        raw & 0x3FF,
    )
    moment = _broken_down(*fields) if 0 < raw < 1 << 44 else None
    return RawTime(raw, HK44, None if moment is None else _naive_iso(moment, millis=True))
