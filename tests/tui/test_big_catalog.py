"""The browser over a synthetic catalog far bigger than the sample images' few dozen rows.

``tests/fixtures/bigcatalog.py`` writes a catalog shaped like a real scan (nested
directories, deleted files, mismatches, findings, known files). These tests check that
the browse store's ordered views agree with plain SQL counts on it, that a sort holds
across pages fetched from the start, middle and end of a view, that a directory view
holds only that directory's children, and that the file table jumps to the last row and
back. A small catalog keeps CI fast; ``bench/tui_scroll.py`` measures the 500,000-row one.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from catalog.casesession import CaseSession
from catalog.custody.log import Actor
from catalog.store import browse, open_catalog_readonly
from tests.fixtures.bigcatalog import EXHIBIT, FILESYSTEMS, build_big_catalog
from tests.tui.pilots import settle
from tui.app import make_app
from tui.screens.evidence import BrowseScreen
from tui.widgets.filetable import FileTable
from tui.widgets.safe import safe

N_FILES = 3000
NTFS = FILESYSTEMS[0].fs_id


@pytest.fixture(scope="module")
def big_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3,000-row synthetic case, built once for the module (the tests only read it)."""
    return build_big_catalog(tmp_path_factory.mktemp("big") / "case.db", N_FILES, seed=7)


@pytest.fixture
def reader(big_case: Path) -> Iterator[Database]:
    db = open_catalog_readonly(big_case)
    yield db
    db.close()


def count(case: Path, where: str, *params: object) -> int:
    """Files matching ``where``, counted with plain SQL (the oracle for ``build_order``)."""
    connection = sqlite3.connect(case)
    try:
        (value,) = connection.execute(
            f"SELECT count(*) FROM files WHERE {where}", params
        ).fetchone()
    finally:
        connection.close()
    return int(value)


def all_files(case: Path) -> list[tuple[str, str, str, str]]:
    """(file_id, fs_id, path, type) of every file row."""
    connection = sqlite3.connect(case)
    try:
        return connection.execute("SELECT file_id, fs_id, path, type FROM files").fetchall()
    finally:
        connection.close()


def parent_of(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


def test_catalog_holds_the_rows_asked_for_and_opens_like_a_case(big_case: Path):
    assert count(big_case, "1") == N_FILES
    assert count(big_case, "type = 'dir'") > 50
    assert count(big_case, "path LIKE '%/%/%/%'") > 0  # nested at least three deep
    session = CaseSession(big_case, Actor("X"))
    try:
        assert [view.exhibit for view in session.exhibits()] == [EXHIBIT]
        assert session.exhibits()[0].record["file_count"] == N_FILES
    finally:
        session.close()


def test_same_seed_gives_the_same_rows(tmp_path: Path, big_case: Path):
    again = build_big_catalog(tmp_path / "again.db", N_FILES, seed=7)
    other = build_big_catalog(tmp_path / "other.db", N_FILES, seed=8)
    query = "SELECT file_id, path, size, modified, sha256, is_allocated FROM files ORDER BY rowid"
    first, second, third = (sqlite3.connect(case) for case in (big_case, again, other))
    try:
        assert first.execute(query).fetchall() == second.execute(query).fetchall()
        assert first.execute(query).fetchall() != third.execute(query).fetchall()
    finally:
        for connection in (first, second, third):
            connection.close()


@pytest.mark.parametrize(
    ("file_filter", "where"),
    [
        (browse.FileFilter(), "1"),
        (browse.FileFilter(deleted_only=True), "is_allocated = 0"),
        (browse.FileFilter(mismatch_only=True), "extension_mismatch = 1"),
        (browse.FileFilter(category="image"), "category = 'image'"),
        (
            browse.FileFilter(category="executable", deleted_only=True),
            "category = 'executable' AND is_allocated = 0",
        ),
        (
            browse.FileFilter(known_status="known-good"),
            "file_id IN (SELECT file_id FROM known_files WHERE status = 'known-good')",
        ),
        (
            browse.FileFilter(known_status="unknown"),
            "sha256 IS NOT NULL AND file_id NOT IN (SELECT file_id FROM known_files)",
        ),
        (browse.FileFilter(has_findings=True), "file_id IN (SELECT file_id FROM findings)"),
        (browse.FileFilter(exhibit=EXHIBIT, fs_id=NTFS), f"fs_id = '{NTFS}'"),
    ],
    ids=[
        "all",
        "deleted",
        "mismatch",
        "image",
        "deleted-executable",
        "known-good",
        "unknown",
        "findings",
        "filesystem",
    ],
)
def test_order_holds_as_many_rows_as_sql_counts(
    big_case: Path, reader: Database, file_filter: browse.FileFilter, where: str
):
    expected = count(big_case, where)
    assert expected > 0  # the synthetic case has some of every kind
    order = browse.build_order(reader, file_filter, browse.FileSort())
    assert len(order) == expected
    assert len(set(order)) == expected


def test_size_descending_holds_across_pages_from_start_middle_and_end(reader: Database):
    order = browse.build_order(reader, browse.FileFilter(), browse.FileSort("size", True))
    sizes: list[int] = []
    for start in (0, len(order) // 2 - 50, len(order) - 100):
        page = browse.file_page(reader, order, start, 100)
        assert [row["row_number"] for row in page] == list(order[start : start + 100])
        window = [row["size"] for row in page]
        assert window == sorted(window, reverse=True)
        sizes.extend(window)
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] > sizes[-1]


def test_directory_view_lists_only_its_direct_children(big_case: Path, reader: Database):
    rows = all_files(big_case)
    parents = [parent_of(path) for _, fs_id, path, kind in rows if fs_id == NTFS and kind == "dir"]
    busiest = max(set(parents) - {"/"}, key=parents.count)  # a directory with subdirectories
    for directory in ("/", busiest):
        file_filter = browse.FileFilter(exhibit=EXHIBIT, fs_id=NTFS, directory=directory)
        order = browse.build_order(reader, file_filter, browse.FileSort())
        shown = browse.file_page(reader, order, 0, len(order))
        expected = {
            fid for fid, fs_id, path, _ in rows if fs_id == NTFS and parent_of(path) == directory
        }
        assert {row["file_id"] for row in shown} == expected
        assert all(parent_of(row["path"]) == directory for row in shown)
        assert any(row["type"] == "dir" for row in shown)
        assert any(row["type"] == "file" for row in shown)
        subdirectories = browse.child_directories(reader, NTFS, directory)
        assert {row["file_id"] for row in subdirectories} == {
            row["file_id"] for row in shown if row["type"] == "dir"
        }


def line_text(table: FileTable, index: int) -> str:
    """The text drawn on the screen line showing row ``index`` of the view."""
    y = index - table.scroll_offset.y
    assert 0 <= y < table.size.height
    return table.render_line(y).text


def test_end_shows_the_last_row_and_home_the_first(big_case: Path, reader: Database):
    order = browse.build_order(reader, browse.FileFilter(), browse.FileSort())
    first, last = (browse.file_page(reader, order, index, 1)[0] for index in (0, len(order) - 1))
    seen: dict[str, object] = {}

    async def drive() -> None:
        app = make_app(big_case, examiner="X")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("b")
            await settle(pilot)
            assert isinstance(app.screen, BrowseScreen)
            table = app.screen.file_table()
            seen["rows"] = table.row_count
            await pilot.press("end")
            await pilot.pause()
            seen["end_cursor"] = table.cursor_row
            seen["end_row"] = table.row_at(table.cursor_row)
            seen["end_top"] = table.scroll_offset.y + table.size.height
            seen["end_line"] = line_text(table, table.cursor_row)
            await pilot.press("home")
            await pilot.pause()
            seen["home_cursor"] = table.cursor_row
            seen["home_top"] = table.scroll_offset.y
            seen["home_line"] = line_text(table, 0)

    asyncio.run(drive())
    assert seen["rows"] == N_FILES
    assert seen["end_cursor"] == N_FILES - 1
    assert seen["end_top"] == N_FILES  # the last row sits on the bottom line
    assert isinstance(seen["end_row"], dict)
    assert seen["end_row"]["file_id"] == last["file_id"]
    assert safe(last["path"]).plain[:12] in str(seen["end_line"])
    assert seen["home_cursor"] == 0
    assert seen["home_top"] == 0
    assert safe(first["path"]).plain[:12] in str(seen["home_line"])


def test_deleted_filter_key_shows_only_deleted_rows(big_case: Path):
    seen: dict[str, object] = {}

    async def drive() -> None:
        app = make_app(big_case, examiner="X")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("b")
            await settle(pilot)
            await pilot.press("d")
            await settle(pilot)
            assert isinstance(app.screen, BrowseScreen)
            table = app.screen.file_table()
            seen["rows"] = table.row_count
            seen["allocated"] = {
                table.row_at(index)["is_allocated"] for index in (0, table.row_count - 1)
            }

    asyncio.run(drive())
    assert seen["rows"] == count(big_case, "is_allocated = 0")
    assert seen["allocated"] == {0}
