from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.timeutil import iso_from_epoch, utc_now

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")


def test_whole_seconds_format_with_z_and_no_fraction() -> None:
    assert iso_from_epoch(1710495000) == "2024-03-15T09:30:00Z"


def test_nanoseconds_are_kept_to_nine_digits() -> None:
    assert iso_from_epoch(1710495000, 123456789) == "2024-03-15T09:30:00.123456789Z"


def test_single_nanosecond_keeps_leading_zeros() -> None:
    assert iso_from_epoch(1710495000, 1) == "2024-03-15T09:30:00.000000001Z"


def test_trailing_zeros_of_the_fraction_are_dropped() -> None:
    assert iso_from_epoch(1710495000, 500_000_000) == "2024-03-15T09:30:00.5Z"


def test_epoch_zero_is_none() -> None:
    assert iso_from_epoch(0) is None
    assert iso_from_epoch(0, 0) is None


def test_nanoseconds_after_the_epoch_are_a_time() -> None:
    assert iso_from_epoch(0, 5) == "1970-01-01T00:00:00.000000005Z"


@pytest.mark.parametrize("seconds", [10**12, 2**63, 10**30])
def test_out_of_range_seconds_are_none(seconds: int) -> None:
    assert iso_from_epoch(seconds) is None


def test_last_second_of_year_9999_is_in_range() -> None:
    assert iso_from_epoch(253402300799) == "9999-12-31T23:59:59Z"


def test_pre_1970_whole_second_is_a_time_like_its_nanosecond_neighbour() -> None:
    assert iso_from_epoch(-86400, 1) == "1969-12-31T00:00:00.000000001Z"
    assert iso_from_epoch(-86400) == "1969-12-31T00:00:00Z"


@given(
    st.integers(min_value=1, max_value=253402300799),
    st.integers(min_value=0, max_value=999_999_999),
)
def test_every_in_range_time_matches_datetime_and_the_iso_shape(seconds: int, nanos: int) -> None:
    text = iso_from_epoch(seconds, nanos)
    assert text is not None
    assert _ISO.match(text)
    expected = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert text.startswith(expected)
    fraction = text[len(expected) : -1]
    assert int((fraction[1:] or "0").ljust(9, "0")) == nanos


def test_utc_now_is_iso_with_microseconds_and_z() -> None:
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$", utc_now())
