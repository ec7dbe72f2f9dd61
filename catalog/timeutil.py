"""UTC ISO-8601 time stamps, the only time format evcat stores or prints."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime


def iso_from_epoch(seconds: int, nanoseconds: int = 0) -> str | None:
    """Format a Unix time as ``YYYY-MM-DDTHH:MM:SS[.fffffffff]Z``.

    Exactly 0 means "not set" in every file system TSK reads, so it is None; so is a value
    out of the representable range. Times before 1970 are kept.
    """
    if seconds == 0 and nanoseconds == 0:
        return None
    try:
        parts = time.gmtime(seconds)
    except (OverflowError, OSError, ValueError):
        return None
    if not 1 <= parts.tm_year <= 9999:
        return None
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % parts[:6]  # noqa: UP031 - 4x faster than strftime
    if nanoseconds:
        text += f".{nanoseconds:09d}".rstrip("0")
    return text + "Z"


def utc_now() -> str:
    """The current time as UTC ISO-8601 with microseconds and ``Z``."""
    return datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def force_utc_process_zone() -> None:
    """Make the C library's local zone UTC for this process.

    libtsk converts FAT's local wall-clock times with ``mktime``, i.e. in the host's zone.
    Pinning the process to UTC makes the result independent of the examiner's machine; the
    catalog records that FAT times are local times read as UTC.
    """
    if os.environ.get("TZ") != "UTC":
        os.environ["TZ"] = "UTC"
        if hasattr(time, "tzset"):
            time.tzset()
