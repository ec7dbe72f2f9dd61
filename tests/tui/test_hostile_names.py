"""Hostile file names and contents reach the screen escaped, never as control codes or markup.

An ext4 image (built with ``mke2fs -d``) holds files whose names carry an ANSI escape, a
bell, a right-to-left override, a zero-width space, a newline, Rich markup, a spreadsheet
formula, Japanese and an invalid UTF-8 byte. After a real scan, every line the browse and
file detail screens draw is checked segment by segment: no control or format character
may be drawn, and each name must appear in its visible, escaped form.
"""

from __future__ import annotations

import asyncio
import sqlite3
import unicodedata
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import TabbedContent

from catalog.pipeline import ScanOptions, scan
from tests.conftest import EXAMINER
from tests.integration.ext4image import build_ext4
from tests.tui.deterministic import (
    fix_times,
    pinned_folder,
)
from tests.tui.pilots import settle
from tui.app import EvcatApp, make_app
from tui.screens.dialogs import FilePicker
from tui.screens.evidence import BrowseScreen
from tui.screens.filedetail import FileDetailScreen
from tui.widgets.evidencetree import EvidenceTree
from tui.widgets.filetable import FileTable

CASE = Path("case.db")
MARKUP = "[bold red]x[/]"
"""A path, not a name (names cannot hold ``/``): file ``]`` in folder ``[bold red]x[``."""

HOSTILE_NAMES: dict[bytes, str] = {
    b"\x1b[2J\x1b[31mred": "\\x1b[2J\\x1b[31mred",
    b"bell\x07.txt": "bell\\x07.txt",
    "invoice\u202etxt.exe".encode(): "invoice\\u202etxt.exe",
    "pay\u200bment.txt".encode(): "pay\\u200bment.txt",
    b"new\nline.txt": "new\\x0aline.txt",
    b'=HYPERLINK("evil.example","click").txt': '=HYPERLINK("evil.example","click").txt',
    "顧客リスト.csv".encode(): "顧客リスト.csv",
}
"""Raw name bytes and how the screen must show them."""

BAD_UTF8 = b"bad_\xff.txt"
BAD_UTF8_SHOWN = ("bad_\ufffd.txt", "bad_\\xff.txt")
"""TSK's names are decoded with U+FFFD for invalid bytes; ``\\xff`` would do as well."""

HOSTILE_TEXT = (
    b"Pay now: +1-888-555-0199\n\x1b]8;;http://evil.example\x07click\x1b]8;;\x07"
    b" \xe2\x80\xaegnp.exe [link=http://evil.example]here[/link]\n"
)
TEXT_SHOWN = ("]8;;http://evil.example", "\\u202egnp.exe", "[link=http://evil.example]here[/link]")
"""The extracted text (the scan turned the ESC and BEL into spaces; the U+202E stays)."""

DRAWN_NOTHING = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Unicode categories that must never reach a drawn segment (controls, bidi, zero-width)."""


@pytest.fixture
def frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The test's folder, made the working folder, with the core's inputs pinned."""
    yield from pinned_folder(tmp_path, monkeypatch)


def hostile_tree(folder: Path) -> Path:
    """A folder of hostile names (created by their raw bytes), with fixed times."""
    tree = folder / "tree"
    tree.mkdir()
    root = bytes(tree)
    for raw in [*HOSTILE_NAMES, BAD_UTF8]:
        content = HOSTILE_TEXT if raw == "pay\u200bment.txt".encode() else b"hello " + raw + b"\n"
        with open(root + b"/" + raw, "wb") as handle:
            handle.write(content)
    (tree / "[bold red]x[").mkdir()
    (tree / "[bold red]x[" / "]").write_bytes(b"markup\n")
    fix_times(tree)
    return tree


@pytest.fixture
def hostile_case(frozen: Path) -> Path:
    """The hostile image scanned as exhibit ``names`` into ``case.db`` (relative paths)."""
    (frozen / "images").mkdir()
    build_ext4(hostile_tree(frozen), frozen / "images" / "names.img", 4)
    scan([Path("images/names.img")], CASE, ScanOptions(examiner=EXAMINER, exhibits=("names",)))
    return CASE


def checked_text(strip: Strip) -> str:
    """The text of one drawn line, after checking each segment draws only visible characters."""
    for segment in strip:
        drawn = {unicodedata.category(char) for char in segment.text} & DRAWN_NOTHING
        assert not drawn, f"{segment.text!r} draws a character of {drawn}"
    return strip.text


def screen_lines(pilot: Pilot[None]) -> list[str]:
    """Every line of the screen as drawn (the compositor's strips), each one checked."""
    return [checked_text(strip) for strip in pilot.app.screen._compositor.render_strips()]


def assert_shown(text: str, shown: str | tuple[str, ...]) -> None:
    """``shown`` (or one of its alternatives) is in ``text``."""
    options = (shown,) if isinstance(shown, str) else shown
    assert any(option in text for option in options), f"none of {options} in:\n{text}"


def file_ids(case: Path) -> dict[str, str]:
    """Every catalogued path of the case and its file id."""
    connection = sqlite3.connect(case)
    try:
        return dict(connection.execute("SELECT path, file_id FROM files").fetchall())
    finally:
        connection.close()


def drive(
    case: Path, size: tuple[int, int], steps: Callable[[Pilot[None]], Awaitable[None]]
) -> None:
    """Run the app on ``case`` at ``size`` and await ``steps(pilot)``."""

    async def run() -> None:
        app = make_app(case, examiner=EXAMINER)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await steps(pilot)

    asyncio.run(run())


def test_browse_draws_hostile_names_escaped_and_literal(hostile_case: Path) -> None:
    table_lines: list[str] = []
    status_lines: list[str] = []
    screen_text: list[str] = []

    async def steps(pilot: Pilot[None]) -> None:
        await pilot.press("b")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, BrowseScreen)
        tree = screen.query_one(EvidenceTree)
        for line in range(tree.last_line + 1):
            node = tree.get_node_at_line(line)
            if node is not None and node.data is not None and node.data.kind == "filesystem":
                node.expand()
        await settle(pilot)
        screen_text.extend(screen_lines(pilot))
        table = screen.query_one(FileTable)
        assert table.row_count <= table.size.height, "every row must be on screen"
        table_lines.extend(checked_text(table.render_line(y)) for y in range(table.row_count))
        for index in range(table.row_count):
            table.cursor_row = index
            await pilot.pause()
            status_lines.append(screen_lines(pilot)[-2])

    drive(hostile_case, (160, 50), steps)
    table, status = "\n".join(table_lines), "\n".join(status_lines)
    for shown in [*HOSTILE_NAMES.values(), BAD_UTF8_SHOWN]:
        paths = (shown,) if isinstance(shown, str) else shown
        assert_shown(table, tuple(f" /{path} " for path in paths))
        assert_shown(status, tuple(f"names:/{path} " for path in paths))
    assert_shown(table, f" /{MARKUP} ")
    assert_shown(status, f"names:/{MARKUP} ")
    assert_shown("\n".join(screen_text), "[bold red]x[ ")  # the folder in the tree, as typed


def test_file_detail_draws_hostile_names_and_text_escaped(hostile_case: Path) -> None:
    ids = file_ids(hostile_case)
    wanted = {
        "/" + raw.decode("utf-8", "replace"): "/" + shown
        for raw, shown in [*HOSTILE_NAMES.items(), (BAD_UTF8, BAD_UTF8_SHOWN[0])]
    }
    wanted["/" + MARKUP] = "/" + MARKUP
    shown_pages: dict[str, str] = {}
    text_tab: list[str] = []

    async def steps(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, EvcatApp) and app.session is not None
        for path in wanted:
            await app.push_screen(FileDetailScreen(app.session, ids[path]))
            await settle(pilot)
            shown_pages[path] = "\n".join(screen_lines(pilot))
            if path.startswith("/pay"):
                app.screen.query_one("#tabs", TabbedContent).active = "tab-text"
                await settle(pilot)
                text_tab.extend(screen_lines(pilot))
            app.pop_screen()
            await settle(pilot)

    drive(hostile_case, (160, 50), steps)
    for path, shown in wanted.items():
        page = shown_pages[path]
        assert_shown(page, "names:" + shown)  # the title
        assert_shown(page, "path: " + shown)  # the details
    for shown in TEXT_SHOWN:
        assert_shown("\n".join(text_tab), shown)


def test_browse_snapshot_of_hostile_names(
    snap_compare: Callable[..., bool], hostile_case: Path
) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)

    assert snap_compare(
        make_app(hostile_case, examiner=EXAMINER), terminal_size=(80, 24), run_before=run_before
    )


def test_the_file_picker_escapes_the_hosts_file_names(tmp_path: Path) -> None:
    folder = tmp_path / "locker"
    folder.mkdir()
    (folder / "\x1b[2Jwiped.raw").write_bytes(b"x")
    (folder / "scan\u202egpj.E01").write_bytes(b"x")
    lines: list[str] = []

    async def run() -> None:
        app = make_app(None, examiner=EXAMINER, start_directory=folder)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.push_screen(FilePicker(folder))
            for _ in range(50):
                await pilot.pause(0.05)
                lines[:] = screen_lines(pilot)
                if any("wiped.raw" in line for line in lines):
                    break

    asyncio.run(run())
    shown = "\n".join(lines)
    assert "\\x1b[2Jwiped.raw" in shown
    assert "scan\\u202egpj.E01" in shown
