from __future__ import annotations

import io
import os
import sqlite3
import tempfile
from pathlib import Path

import pytest

from parsers.extractor import ExtractionError, Table, TextLimits
from parsers.extractors import sqlite_db
from parsers.extractors.sqlite_db import SqliteExtractor

SQLITE = SqliteExtractor()


def _database(path: Path) -> bytes:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE victims (name TEXT, phone TEXT, age INTEGER, photo BLOB)")
    connection.executemany(
        "INSERT INTO victims VALUES (?, ?, ?, ?)",
        [
            ("山田太郎", "090-1234-5678", 72, b"\x00\x01"),
            ("鈴木花子", "080-2222-3333", None, None),
            ("Bob", "+1 888 555 0199", 80, b"plain"),
        ],
    )
    connection.execute('CREATE TABLE "odd ""name""" (a)')
    connection.execute('INSERT INTO "odd ""name""" VALUES (\'x\')')
    connection.execute("CREATE VIEW adults AS SELECT name FROM victims")
    connection.commit()
    connection.close()
    return path.read_bytes()


def test_tables_become_tables_and_text(tmp_path: Path) -> None:
    data = _database(tmp_path / "crm.db")
    result = SQLITE.extract(io.BytesIO(data), len(data), TextLimits())
    assert result.kind == "sqlite"
    assert result.text == (
        "victims: name, phone, age, photo\n"
        "山田太郎\t090-1234-5678\t72\t<blob 2 bytes: 0001>\n"
        "鈴木花子\t080-2222-3333\t\t\n"
        "Bob\t+1 888 555 0199\t80\tplain\n"
        'odd "name": a\n'
        "x"
    )
    assert result.tables[0] == Table(
        name="victims",
        header=("name", "phone", "age", "photo"),
        rows=(
            ("山田太郎", "090-1234-5678", "72", "<blob 2 bytes: 0001>"),
            ("鈴木花子", "080-2222-3333", "", ""),
            ("Bob", "+1 888 555 0199", "80", "plain"),
        ),
        row_count=3,
    )
    assert result.tables[1].name == 'odd "name"'
    assert not result.truncated


def test_rows_over_the_limit_are_counted(tmp_path: Path) -> None:
    data = _database(tmp_path / "crm.db")
    result = SQLITE.extract(io.BytesIO(data), len(data), TextLimits(max_table_rows=1))
    assert len(result.tables[0].rows) == 1
    assert result.tables[0].row_count == 3
    assert result.truncated


def test_a_stream_with_a_real_file_is_opened_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "crm.db"
    data = _database(path)

    def no_copy(*args: object, **kwargs: object) -> None:
        raise AssertionError("copied to a temporary file")

    monkeypatch.setattr(sqlite_db.tempfile, "NamedTemporaryFile", no_copy)
    with path.open("rb") as stream:
        result = SQLITE.extract(stream, len(data), TextLimits())
    assert result.tables[0].row_count == 3


def test_temporary_copy_is_removed(tmp_path: Path) -> None:
    data = _database(tmp_path / "crm.db")
    before = set(os.listdir(tempfile.gettempdir()))
    SQLITE.extract(io.BytesIO(data), len(data), TextLimits())
    assert set(os.listdir(tempfile.gettempdir())) - before == set()


def test_corrupt_database_raises_extraction_error(tmp_path: Path) -> None:
    data = bytearray(_database(tmp_path / "crm.db"))
    data[100:4096] = os.urandom(3996)
    with pytest.raises(ExtractionError, match=r"^sqlite: "):
        SQLITE.extract(io.BytesIO(bytes(data)), len(data), TextLimits())


def test_truncated_header_only_raises_extraction_error() -> None:
    data = sqlite_db.SQLITE_MAGIC + b"\x10\x00" + os.urandom(200)
    with pytest.raises(ExtractionError, match=r"^sqlite: "):
        SQLITE.extract(io.BytesIO(data), len(data), TextLimits())


def test_work_budget_stops_reading_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _database(tmp_path / "crm.db")
    monkeypatch.setattr(sqlite_db, "MAX_PROGRESS_CALLS", 0)
    monkeypatch.setattr(sqlite_db, "PROGRESS_STEPS", 1)
    with pytest.raises(ExtractionError, match="interrupted"):
        SQLITE.extract(io.BytesIO(data), len(data), TextLimits())


def test_authorizer_denies_anything_but_reading(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    _database(path)
    connection = sqlite_db._connect(str(path))
    try:
        with pytest.raises(sqlite3.DatabaseError):
            connection.execute("DELETE FROM victims")
        with pytest.raises(sqlite3.DatabaseError):
            connection.execute("ATTACH DATABASE ':memory:' AS other")
        assert connection.execute("SELECT count(*) FROM victims").fetchone() == (3,)
    finally:
        connection.close()


def test_applies_only_to_the_sqlite_header() -> None:
    assert SQLITE.applies_to("History", None, b"SQLite format 3\x00....")
    assert not SQLITE.applies_to("Thumbs.db", None, b"\xd0\xcf\x11\xe0")
