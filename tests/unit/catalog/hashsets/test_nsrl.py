from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from catalog.hashsets import HashSetFormatError, HashSetStore, LineProblem, Match
from tests.unit.catalog.hashsets.conftest import (
    ANYDESK,
    NOTEPAD,
    OTHER,
    SCRIPT,
    TEAMVIEWER,
    make_rds,
    rds_row,
)


def test_rdsv3_view_imports_with_names_sizes_and_packages(
    store: HashSetStore, tmp_path: Path
) -> None:
    source = make_rds(
        tmp_path / "RDS_modern_minimal.db",
        [
            rds_row(NOTEPAD, "notepad.exe", 201_216, 17),
            rds_row(TEAMVIEWER, "TeamViewer.exe", 45_000_000, 99),
            rds_row(NOTEPAD, "NOTEPAD.EXE", 201_216, 18),
        ],
    )
    result = store.import_set(source, "nsrl-2024.12", "known-good", "auto", "A")
    assert result.info.format == "nsrl-rdsv3"
    assert result.info.row_count == 3
    assert result.info.hash_types == ("sha256", "sha1", "md5")
    assert result.problem_count == 0
    set_id = result.info.set_id
    assert store.lookup(*NOTEPAD.lookup) == [
        Match(set_id, "nsrl-2024.12", "known-good", "notepad.exe")
    ]
    assert store.lookup(None, None, TEAMVIEWER.md5) == [
        Match(set_id, "nsrl-2024.12", "known-good", "TeamViewer.exe")
    ]
    assert store.lookup(*OTHER.lookup) == []
    db = sqlite3.connect(store.path)
    rows = db.execute(
        "SELECT types, length(sha256), length(md5), file_name, file_size, package FROM hashes"
        " ORDER BY rowid"
    ).fetchall()
    db.close()
    assert rows == [
        (7, 32, 16, "notepad.exe", 201_216, "17"),
        (7, 32, 16, "TeamViewer.exe", 45_000_000, "99"),
        (7, 32, 16, "NOTEPAD.EXE", 201_216, "18"),
    ]


def test_rdsv3_malformed_rows_are_skipped_and_reported_by_row_number(
    store: HashSetStore, tmp_path: Path
) -> None:
    good = rds_row(NOTEPAD, "notepad.exe")
    source = make_rds(
        tmp_path / "rds.db",
        [
            good,
            (TEAMVIEWER.sha256[:-2].upper(), TEAMVIEWER.sha1, TEAMVIEWER.md5, "short.exe", 1, 1),
            (None, None, "", "nohash.exe", 1, 1),
            rds_row(ANYDESK, "anydesk.exe"),
            (SCRIPT.sha256, "Z" * 40, SCRIPT.md5, "nothex.exe", 1, 1),
            (SCRIPT.sha256.encode(), SCRIPT.sha1, SCRIPT.md5, "blob.exe", 1, 1),
        ],
    )
    result = store.import_set(source, "rds", "known-good", "nsrl-rdsv3", "A")
    assert result.info.row_count == 2
    assert result.problem_count == 4
    assert result.problems == (
        LineProblem(2, "sha256 is not 64 hex digits"),
        LineProblem(3, "no sha256, sha1 or md5 value"),
        LineProblem(5, "sha1 is not 40 hex digits"),
        LineProblem(6, "sha256 is not 64 hex digits"),
    )
    assert [m.file_name for m in store.lookup(*ANYDESK.lookup)] == ["anydesk.exe"]
    assert store.lookup(*SCRIPT.lookup) == []


def test_rdsv3_file_table_with_only_some_columns(store: HashSetStore, tmp_path: Path) -> None:
    source = make_rds(
        tmp_path / "rds.db",
        [],
        schema="CREATE TABLE FILE (sha1 TEXT, md5 TEXT, file_name TEXT);"
        f"INSERT INTO FILE VALUES ('{SCRIPT.sha1.upper()}', '{SCRIPT.md5.upper()}', 'x.docx');",
    )
    result = store.import_set(source, "old", "known-bad", "auto", "A")
    assert result.info.hash_types == ("sha1", "md5")
    assert store.lookup(*SCRIPT.lookup) == [Match(result.info.set_id, "old", "known-bad", "x.docx")]


def test_rdsv3_without_hash_columns_is_refused(store: HashSetStore, tmp_path: Path) -> None:
    source = make_rds(tmp_path / "rds.db", [], schema="CREATE TABLE FILE (name TEXT);")
    with pytest.raises(HashSetFormatError, match="FILE has no sha256, sha1 or md5 column"):
        store.import_set(source, "x", "known-good", "nsrl-rdsv3", "A")
    assert store.sets() == []


def test_rdsv3_with_no_valid_row_is_refused(store: HashSetStore, tmp_path: Path) -> None:
    source = make_rds(tmp_path / "rds.db", [("bad", "bad", "bad", "x", 1, 1)])
    with pytest.raises(HashSetFormatError, match=r"no valid nsrl-rdsv3 row \(1 malformed"):
        store.import_set(source, "x", "known-good", "nsrl-rdsv3", "A")
    assert store.sets() == []


def test_rdsv3_view_cannot_call_the_import_functions(store: HashSetStore, tmp_path: Path) -> None:
    source = make_rds(
        tmp_path / "rds.db",
        [rds_row(NOTEPAD, "notepad.exe")],
        schema="CREATE TABLE FILE_DATA (sha256, sha1, md5, crc32, file_name, file_size,"
        " package_id); CREATE VIEW FILE AS SELECT hs_unhex(sha256) AS sha256, sha1, md5,"
        " file_name, file_size, package_id FROM FILE_DATA;",
    )
    with pytest.raises(HashSetFormatError, match="hs_unhex"):
        store.import_set(source, "evil", "known-good", "nsrl-rdsv3", "A")
    assert store.sets() == []


def test_truncated_sqlite_file_is_a_format_error(store: HashSetStore, tmp_path: Path) -> None:
    whole = make_rds(tmp_path / "rds.db", [rds_row(NOTEPAD, "n")] * 200).read_bytes()
    cut = tmp_path / "cut.db"
    cut.write_bytes(whole[: len(whole) // 2] + b"\xff" * 1000)
    with pytest.raises(HashSetFormatError, match=r"cut\.db"):
        store.import_set(cut, "cut", "known-good", "nsrl-rdsv3", "A")


def test_rdsv3_reimport_is_a_no_op(store: HashSetStore, tmp_path: Path) -> None:
    source = make_rds(tmp_path / "rds.db", [rds_row(NOTEPAD, "notepad.exe")])
    first = store.import_set(source, "rds", "known-good", "auto", "A")
    again = store.import_set(source, "rds", "known-good", "auto", "A")
    assert again.already_present and again.info == first.info
    db = sqlite3.connect(store.path)
    assert db.execute("SELECT count(*) FROM hashes").fetchone() == (1,)
    db.close()


def test_second_rdsv3_set_rebuilds_indexes_and_both_match(
    store: HashSetStore, tmp_path: Path
) -> None:
    store.import_set(
        make_rds(tmp_path / "a.db", [rds_row(NOTEPAD, "a")]), "a", "known-good", "auto", "A"
    )
    store.import_set(
        make_rds(tmp_path / "b.db", [rds_row(NOTEPAD, "b")]), "b", "known-bad", "auto", "A"
    )
    assert [(m.name, m.file_name) for m in store.lookup(*NOTEPAD.lookup)] == [
        ("a", "a"),
        ("b", "b"),
    ]


def test_paths_with_uri_characters_work_for_source_and_store(tmp_path: Path) -> None:
    folder = tmp_path / "we ird?#%"
    folder.mkdir()
    source = make_rds(folder / "rds?#%.db", [rds_row(NOTEPAD, "notepad.exe")])
    store = HashSetStore(folder / "store?#%.db")
    try:
        store.import_set(source, "rds", "known-good", "auto", "A")
        assert [m.name for m in store.lookup(*NOTEPAD.lookup)] == ["rds"]
    finally:
        store.close()
    assert (folder / "store?#%.db").is_file()
