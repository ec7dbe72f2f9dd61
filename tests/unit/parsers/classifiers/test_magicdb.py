"""The libmagic database check that lets plain text skip the MIME call."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from parsers.classifiers import magicdb
from parsers.classifiers.magicdb import (
    ENTRY_SIZE,
    MGC_MAGIC,
    MGC_VERSION,
    search_path_is_safe,
    silent_mime_entries,
)


def _entry(level: int, description: str, mime: str = "") -> bytes:
    record = bytearray(ENTRY_SIZE)
    struct.pack_into("<H", record, 0, level)
    record[160 : 160 + len(description)] = description.encode()
    record[224 : 224 + len(mime)] = mime.encode()
    return bytes(record)


def _compiled(entries: list[bytes], version: int = MGC_VERSION) -> bytes:
    header = bytearray(ENTRY_SIZE)
    struct.pack_into("<IIII", header, 0, MGC_MAGIC, version, len(entries), 0)
    return bytes(header) + b"".join(entries)


def test_entries_that_print_a_description_are_not_silent() -> None:
    entries = [
        _entry(0, "PNG image data", "image/png"),
        _entry(1, ", %d x", ""),
        _entry(0, "", ""),
        _entry(1, "HP 38", "application/x-hp"),
    ]
    assert silent_mime_entries(_compiled(entries)) == 0


@pytest.mark.parametrize(
    "entries",
    [
        [_entry(0, "", "application/x-silent")],
        [_entry(0, ""), _entry(1, ""), _entry(2, "", "application/x-deep")],
        [_entry(0, "%s", "application/x-format-only")],
        [_entry(0, "\b%-.32s", "application/x-no-separator")],
        [_entry(0, "shown"), _entry(0, ""), _entry(1, "%-.32s", "application/x-after-sibling")],
    ],
    ids=["top level", "nested", "format only", "backspace and format", "after a sibling group"],
)
def test_a_mime_type_under_empty_descriptions_is_counted(entries: list[bytes]) -> None:
    assert silent_mime_entries(_compiled(entries)) == 1


def test_a_child_of_a_printing_parent_is_not_silent() -> None:
    entries = [_entry(0, "Foo data"), _entry(1, "", "application/x-foo")]
    assert silent_mime_entries(_compiled(entries)) == 0


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x1c\x04\x1e\xf1" + bytes(ENTRY_SIZE - 4 + 10),
        _compiled([_entry(0, "x")], version=MGC_VERSION + 1),
        _compiled([_entry(0, "x")])[:-1] + b"",
        _compiled([_entry(2, "skips a level")]),
        bytes(ENTRY_SIZE * 2),
    ],
    ids=["empty", "ragged size", "other version", "cut short", "level jump", "no magic number"],
)
def test_an_unreadable_database_answers_none(data: bytes) -> None:
    assert silent_mime_entries(data) is None


def test_the_installed_database_has_no_silent_mime_entry() -> None:
    search_path = magicdb._database_path()
    if search_path is None:
        pytest.skip("libmagic does not report its database path")
    assert search_path_is_safe(search_path)


def test_search_path_components(tmp_path: Path) -> None:
    good = tmp_path / "good"
    (tmp_path / "good.mgc").write_bytes(_compiled([_entry(0, "PNG image data", "image/png")]))
    bad = tmp_path / "bad.mgc"
    bad.write_bytes(_compiled([_entry(0, "", "application/x-silent")]))
    comments = tmp_path / "local"
    comments.write_text("# local magic\n\n   # nothing here\n")
    entries = tmp_path / "local-entries"
    entries.write_text("# local magic\n0 string FOO foo data\n")
    folder = tmp_path / "magic.d"
    folder.mkdir()
    missing = tmp_path / "missing"
    assert search_path_is_safe(f"{comments}:{good}")
    assert search_path_is_safe(f"{missing}:{good}")
    assert not search_path_is_safe(f"{good}:{bad}")
    assert not search_path_is_safe(f"{entries}:{good}")
    assert not search_path_is_safe(f"{folder}:{good}")
    assert not search_path_is_safe(f"{comments}:{missing}")
