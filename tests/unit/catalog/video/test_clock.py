from __future__ import annotations

import pytest

from catalog.errors import UsageError
from catalog.video.clock import UNKNOWN_ZONE, RecorderClock, check_zone


def test_without_a_declared_zone_times_stay_wall_clock_and_say_so() -> None:
    clock = RecorderClock()
    assert clock.reading("2025-04-28T16:06:18") == "2025-04-28T16:06:18"
    assert clock.basis == UNKNOWN_ZONE


@pytest.mark.parametrize(
    ("zone", "skew", "wallclock", "utc"),
    [
        ("Asia/Tokyo", 0, "2025-04-28T16:06:18", "2025-04-28T07:06:18Z"),
        ("Europe/London", 0, "2025-07-12T21:02:19.640", "2025-07-12T20:02:19.640Z"),
        ("Europe/London", 0, "2025-01-12T21:02:19", "2025-01-12T21:02:19Z"),
        ("America/New_York", 90, "2025-03-01T00:00:00", "2025-03-01T04:58:30Z"),
        ("UTC", -30, "2025-03-01T00:00:00", "2025-03-01T00:00:30Z"),
    ],
    ids=["tokyo", "london-summer-ms", "london-winter", "new-york-fast-clock", "utc-slow-clock"],
)
def test_a_declared_zone_and_skew_give_utc(zone: str, skew: int, wallclock: str, utc: str) -> None:
    clock = RecorderClock(zone, skew)
    assert clock.reading(wallclock) == utc
    assert zone in clock.basis
    assert ("skew" in clock.basis) == bool(skew)


def test_missing_time_stays_missing() -> None:
    assert RecorderClock("Asia/Tokyo").reading(None) is None


def test_unknown_zone_is_a_usage_error() -> None:
    assert check_zone("Asia/Tokyo") == "Asia/Tokyo"
    with pytest.raises(UsageError, match="unknown time zone"):
        check_zone("Mars/Olympus")
    with pytest.raises(UsageError):
        check_zone("../../etc/passwd")
