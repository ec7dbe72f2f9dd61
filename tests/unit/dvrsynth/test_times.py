from __future__ import annotations

from tests.dvrsynth.times import (
    dhfs,
    frame_time,
    from_dhfs,
    from_hk44,
    from_unix,
    hk44,
    moment,
    span_seconds,
    unix,
)


def test_dhfs_matches_the_reference_worked_example():
    when = moment((2020, 4, 12, 10, 13, 54))
    assert dhfs(when) == 0x5118A376
    assert from_dhfs(0x5118A376) == when


def test_hk44_round_trips_with_milliseconds_and_orders_like_time():
    when = moment((2025, 4, 28, 16, 6, 18, 557))
    assert from_hk44(hk44(when)) == when
    assert hk44(when) >> 36 == 25
    assert hk44(when) < hk44(moment((2025, 4, 28, 16, 6, 18, 558)))


def test_unix_reads_wallclock_as_utc():
    when = moment((2025, 4, 28, 16, 6, 18))
    assert unix(when) == 1745856378
    assert from_unix(1745856378) == when


def test_frame_times_and_index_spans():
    start = moment((2020, 1, 1, 0, 0, 59, 980))
    assert frame_time(start, 1, 25) == moment((2020, 1, 1, 0, 1, 0, 20))
    assert [span_seconds(n, 25) for n in (1, 25, 26, 50)] == [1, 1, 2, 2]
