"""SQLite databases: every table's columns and rows, read-only and bounded.

Softphones, CRM tools, chat clients and browsers keep their records in SQLite: call logs,
victim lists, messages. The database is opened immutable and read-only, an authorizer
allows nothing but reading, and a progress handler bounds the work a hostile database
can cause. Each table becomes a ``Table`` (header = column names) and text lines.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO
from urllib.parse import quote

from parsers.extractor import Extraction, ExtractionError, Table, TextLimits
from parsers.extractors._common import TextBuffer, build_table, require_size

SQLITE_MAGIC = b"SQLite format 3\x00"
PROGRESS_STEPS = 1_000
"""Virtual-machine instructions between two progress checks."""
MAX_PROGRESS_CALLS = 50_000
"""Progress checks per database (about 50 million instructions) before reading stops."""
_BLOB_PREVIEW = 64
_ALLOWED_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION})


def _authorize(action: int, *_: object) -> int:
    return sqlite3.SQLITE_OK if action in _ALLOWED_ACTIONS else sqlite3.SQLITE_DENY


@contextmanager
def _database_path(stream: IO[bytes], size: int) -> Iterator[str]:
    """A real file holding the stream's bytes: the stream's own file, else a temp copy."""
    name = getattr(stream, "name", None)
    if isinstance(name, str) and Path(name).is_file() and Path(name).stat().st_size == size:
        yield name
        return
    with tempfile.NamedTemporaryFile(suffix=".sqlite", delete=False) as copy:
        stream.seek(0)
        shutil.copyfileobj(stream, copy)
    try:
        yield copy.name
    finally:
        with suppress(FileNotFoundError):
            Path(copy.name).unlink()


def _connect(path: str) -> sqlite3.Connection:
    uri = "file:" + quote(str(Path(path).resolve())) + "?mode=ro&immutable=1"
    connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
    connection.execute("PRAGMA trusted_schema = OFF")
    connection.set_authorizer(_authorize)
    calls = 0

    def progress() -> int:
        nonlocal calls
        calls += 1
        return int(calls > MAX_PROGRESS_CALLS)

    connection.set_progress_handler(progress, PROGRESS_STEPS)
    return connection


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        with suppress(UnicodeDecodeError):
            text = value.decode("utf-8")
            if text.isprintable():
                return text
        return f"<blob {len(value)} bytes: {value[:_BLOB_PREVIEW].hex()}>"
    return str(value)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_names(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' ORDER BY rowid"
    ).fetchall()
    return [str(row[0]) for row in rows]


def _read_table(
    connection: sqlite3.Connection, name: str, limits: TextLimits, out: TextBuffer
) -> tuple[Table, bool]:
    cursor = connection.execute(f"SELECT * FROM {_quote(name)}")
    columns = [str(item[0]) for item in cursor.description or ()]
    out.line(f"{name}: {', '.join(columns)}")
    rows: list[list[str]] = [columns]
    for row in cursor.fetchmany(limits.max_table_rows):
        cells = [_cell(value) for value in row]
        rows.append(cells)
        if not out.is_full:
            out.line("\t".join(cells))
    total = len(rows) - 1
    if total == limits.max_table_rows:
        total = int(connection.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0])
    table, cut = build_table(name, rows, limits, header=True)
    total = max(total, table.row_count)
    return Table(name, table.header, table.rows, total), cut or total > len(table.rows)


class SqliteExtractor:
    """SQLite databases: each table's columns and rows."""

    name = "sqlite"
    version = 1
    description = "SQLite databases: each table's column names and rows (read-only, bounded)"
    emits: tuple[str, ...] = ("text", "table")

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """Files that start with the SQLite header."""
        return head.startswith(SQLITE_MAGIC)

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Read every table (up to ``limits.max_tables``).

        Raises:
            ExtractionError: not a database, damaged, or encrypted.
        """
        require_size(self.name, size, limits)
        with _database_path(stream, size) as path:
            try:
                connection = _connect(path)
            except sqlite3.Error as exc:
                raise ExtractionError(f"sqlite: cannot open ({exc})") from exc
            try:
                return self._extract(connection, limits)
            finally:
                connection.close()

    def _extract(self, connection: sqlite3.Connection, limits: TextLimits) -> Extraction:
        out = TextBuffer(limits.max_text_chars)
        try:
            names = _table_names(connection)
        except sqlite3.Error as exc:
            raise ExtractionError(f"sqlite: schema unreadable ({exc})") from exc
        tables: list[Table] = []
        warnings: list[str] = []
        cut = len(names) > limits.max_tables
        for name in names[: limits.max_tables]:
            try:
                table, table_cut = _read_table(connection, name, limits, out)
            except sqlite3.Error as exc:
                warnings.append(f"table {name!r}: not read ({exc})")
                cut = cut or "interrupted" in str(exc)
                continue
            tables.append(table)
            cut = cut or table_cut
        return Extraction(
            kind=self.name,
            text=out.text().strip("\n"),
            tables=tuple(tables),
            truncated=cut or out.truncated,
            warnings=tuple(warnings),
        )
