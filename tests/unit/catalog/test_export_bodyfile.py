from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.exports.bodyfile import body_line, epoch_seconds, escape_name, mode_string
from catalog.timeutil import iso_from_epoch

_ESCAPE = re.compile(r"\\x([0-9a-f]{2})")


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


def _row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "md5": None,
        "exhibit": "usb",
        "fs_offset": 0,
        "path": "/docs/report.txt",
        "inode": "518",
        "meta_addr": 518,
        "type": "file",
        "mode": 0o644,
        "uid": 1000,
        "gid": 100,
        "size": 380,
        "is_allocated": 1,
        "is_realloc": 0,
        "accessed": None,
        "modified": None,
        "changed": None,
        "created": None,
    }
    row.update(overrides)
    return row


@pytest.mark.parametrize(
    ("entry_type", "mode", "expected"),
    [
        ("file", 0o644, "r/rrw-r--r--"),
        ("file", 0o777, "r/rrwxrwxrwx"),
        ("dir", 0o755, "d/drwxr-xr-x"),
        ("dir", 0o700, "d/drwx------"),
        ("symlink", 0o777, "l/lrwxrwxrwx"),
        ("virtual_file", 0, "v/v---------"),
        ("virtual_dir", 0, "V/V---------"),
        ("file", 0o4755, "r/rrwsr-xr-x"),
        ("file", 0o4644, "r/rrwSr--r--"),
        ("file", 0o2755, "r/rrwxr-sr-x"),
        ("file", 0o2745, "r/rrwxr-Sr-x"),
        ("dir", 0o1777, "d/drwxrwxrwt"),
        ("dir", 0o1776, "d/drwxrwxrwT"),
        ("file", 0o100644, "r/rrw-r--r--"),  # APFS modes carry the file type bits
        ("socket", 0o755, "s/hrwxr-xr-x"),  # TSK's name and meta letters differ here
        ("shadow", 0o644, "h/srw-r--r--"),
        ("unknown", 0o644, "-/-rw-r--r--"),
    ],
)
def test_mode_string_matches_fls(entry_type: str, mode: int, expected: str) -> None:
    assert mode_string(entry_type, mode) == expected


def test_entry_without_metadata_has_dashes_after_the_name_type() -> None:
    assert mode_string("file", None) == "r/----------"


@pytest.mark.parametrize(
    ("iso", "expected"),
    [
        (None, 0),
        ("", 0),
        ("1970-01-01T00:00:00Z", 0),
        ("2024-03-14T17:45:10Z", 1710438310),
        ("2024-03-14T17:45:10.999999999Z", 1710438310),
        ("1969-12-31T23:59:59Z", -1),
        ("1969-12-31T23:59:59.5Z", -1),
        ("1601-01-01T00:00:00Z", -11644473600),
        ("0001-01-01T00:00:00Z", -62135596800),
        ("not a time", 0),
        ("2024-03-14 17:45:10", 0),
    ],
)
def test_epoch_seconds_floors_and_uses_zero_for_unknown(iso: str | None, expected: int) -> None:
    assert epoch_seconds(iso) == expected


@given(st.integers(min_value=-62135596800, max_value=253402300799), st.integers(0, 999_999_999))
def test_epoch_seconds_inverts_the_catalog_time_format(seconds: int, nanoseconds: int) -> None:
    iso = iso_from_epoch(seconds, nanoseconds)
    if iso is not None:
        assert epoch_seconds(iso) == seconds


@given(st.text())
def test_escaped_name_has_no_separator_line_break_or_control(name: str) -> None:
    escaped = escape_name(name)
    assert not re.search(r"[\x00-\x1f\x7f-\x9f|%]", escaped)
    assert _unescape(escaped) == name


def test_hostile_name_stays_on_one_line_of_eleven_fields() -> None:
    line = body_line(_row(path="/a|b\nc\x1b[2J%0A\\x.txt", is_allocated=0))
    assert line.endswith("\n")
    assert line.count("\n") == 1
    fields = line[:-1].split("|")
    assert len(fields) == 11
    assert fields[1] == r"usb/0/a\x7cb\x0ac\x1b[2J\x250A\x5cx.txt (deleted)"


def test_reallocated_deleted_entry_is_marked_like_fls() -> None:
    line = body_line(_row(is_allocated=0, is_realloc=1))
    assert line.split("|")[1] == "usb/0/docs/report.txt (deleted-realloc)"


def test_line_fields_follow_the_body_format_order() -> None:
    row = _row(
        md5="8618e62527c7875703447d29d8d48d5a",
        accessed="2024-03-14T00:00:00Z",
        modified="2024-03-14T17:45:10Z",
        changed="2024-03-15T09:30:00.25Z",
        created="2024-01-01T00:00:00Z",
    )
    assert body_line(row) == (
        "8618e62527c7875703447d29d8d48d5a|usb/0/docs/report.txt|518|r/rrw-r--r--|1000|100|380"
        "|1710374400|1710438310|1710495000|1704067200\n"
    )


def test_missing_values_become_fls_zeros() -> None:
    row = _row(uid=None, gid=None, size=None, mode=None, inode=None, meta_addr=7)
    assert body_line(row) == "0|usb/0/docs/report.txt|7|r/----------|0|0|0|0|0|0|0\n"
