"""Each screen driven as an examiner would, with what it shows checked against the catalog."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, OptionList, Static

from catalog.custody.actions import verify_case_file
from catalog.custody.verify import VerifyOptions
from catalog.store.browse import SORT_KEYS
from tests.conftest import query
from tests.tui.pilots import settle, static_text
from tui.app import EvcatApp, make_app
from tui.screens import ingest
from tui.screens.custody import CustodyScreen
from tui.screens.dialogs import SortDialog
from tui.screens.evidence import BrowseScreen
from tui.screens.filedetail import FileDetailScreen
from tui.screens.findings import FindingsScreen
from tui.screens.help import HelpScreen
from tui.screens.ingest import ScanScreen
from tui.widgets.evidencetree import EvidenceTree
from tui.widgets.filetable import FileTable

EXAMINER = "Screen Examiner"


def drive(case: Path, steps: Callable[[EvcatApp, Pilot[None]], Awaitable[None]]) -> None:
    async def run() -> None:
        app = make_app(case, examiner=EXAMINER)
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await steps(app, pilot)

    asyncio.run(run())


def view_paths(table: FileTable) -> list[str]:
    return [str(row["path"]) for i in range(table.row_count) if (row := table.row_at(i))]


def test_the_browse_tree_narrows_the_table_to_one_directory(sample_case: Path):
    seen: dict[str, list[str]] = {}

    async def steps(app: EvcatApp, pilot: Pilot[None]) -> None:
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        tree = screen.query_one(EvidenceTree)
        fat = next(
            node
            for node in tree.root.children[0].children[1].children
            if node.data and node.data.kind == "filesystem"
        )
        fat.expand()
        await settle(pilot)
        leads = next(node for node in fat.children if node.data and node.data.path == "/leads")
        tree.move_cursor(leads)
        await settle(pilot)
        seen["leads"] = view_paths(screen.file_table())
        tree.move_cursor(fat)
        await settle(pilot)
        seen["root"] = view_paths(screen.file_table())

    drive(sample_case, steps)
    assert seen["leads"] == ["/leads/contacts.csv"]
    fs_id = query(sample_case, "SELECT fs_id FROM filesystems WHERE fs_type = 'FAT16'")[0][0]
    top = query(
        sample_case,
        "SELECT path FROM files WHERE fs_id = ? AND instr(substr(path, 2), '/') = 0 ORDER BY path",
        fs_id,
    )
    assert seen["root"] == [str(path) for (path,) in top]


def test_sorting_by_a_clicked_column_and_by_the_sort_dialog(sample_case: Path):
    sizes: dict[str, list[int]] = {}

    async def steps(app: EvcatApp, pilot: Pilot[None]) -> None:
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        header = screen.query_one("#table-header")
        size_x = header.render().plain.index("Size")
        await pilot.click("#table-header", offset=(size_x + 1, 0))
        await settle(pilot)
        table = screen.file_table()
        sizes["clicked"] = [
            int(row["size"] or 0) for i in range(table.row_count) if (row := table.row_at(i))
        ]
        await pilot.click("#table-header", offset=(size_x + 1, 0))
        await settle(pilot)
        sizes["again"] = [
            int(row["size"] or 0) for i in range(table.row_count) if (row := table.row_at(i))
        ]
        await pilot.press("s")
        assert isinstance(app.screen, SortDialog)
        app.screen.query_one(Checkbox).value = False  # it opens with the current direction
        app.screen.query_one(OptionList).highlighted = list(SORT_KEYS).index("name")
        app.screen.query_one(OptionList).focus()
        await pilot.press("enter")
        await settle(pilot)
        names = [str(row["name"]) for i in range(table.row_count) if (row := table.row_at(i))]
        sizes["names_sorted"] = [int(names == sorted(names))]

    drive(sample_case, steps)
    assert sizes["clicked"] == sorted(sizes["clicked"]) and len(set(sizes["clicked"])) > 3
    assert sizes["again"] == sorted(sizes["again"], reverse=True)
    assert sizes["names_sorted"] == [1]


def test_filters_combine_and_match_the_catalog(sample_case: Path):
    counts: dict[str, int] = {}

    async def steps(app: EvcatApp, pilot: Pilot[None]) -> None:
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        await pilot.press("g")
        await settle(pilot)
        counts["findings"] = screen.file_table().row_count
        await pilot.press("g", "m")
        await settle(pilot)
        counts["mismatch"] = screen.file_table().row_count
        await pilot.press("m")
        screen.query_one("#category").value = "text"
        await settle(pilot)
        counts["text"] = screen.file_table().row_count

    drive(sample_case, steps)
    expected = {
        "findings": "SELECT count(DISTINCT file_id) FROM findings",
        "mismatch": "SELECT count(*) FROM files WHERE extension_mismatch = 1",
        "text": "SELECT count(*) FROM files WHERE category = 'text'",
    }
    for name, sql in expected.items():
        assert counts[name] == query(sample_case, sql)[0][0] > 0, name


def test_findings_screen_shows_a_value_on_both_exhibits_and_jumps_to_the_file(sample_case: Path):
    seen: dict[str, str] = {}
    (value,) = query(
        sample_case,
        "SELECT normalized FROM findings WHERE kind = 'phone' GROUP BY normalized"
        " HAVING count(DISTINCT evidence_id) = 2 ORDER BY normalized LIMIT 1",
    )[0]

    async def steps(app: EvcatApp, pilot: Pilot[None]) -> None:
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen)
        values: DataTable[object] = app.screen.query_one("#values", DataTable)
        row = values.get_row_index(f"phone\x00{value}")
        values.move_cursor(row=row)
        await settle(pilot)
        seen["title"] = static_text(pilot, "#value-title")
        files: DataTable[object] = app.screen.query_one("#value-files", DataTable)
        seen["exhibits"] = " ".join(str(files.get_row_at(i)[0]) for i in range(files.row_count))
        await pilot.press("enter")  # the values table: moves focus to the files
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FileDetailScreen)
        seen["opened"] = app.screen.file_id
        seen["findings"] = static_text(pilot, "#findings")

    drive(sample_case, steps)
    assert "on 2 exhibits" in seen["title"]
    assert "disk" in seen["exhibits"] and "usb" in seen["exhibits"]
    holders = {
        str(file_id)
        for (file_id,) in query(
            sample_case, "SELECT file_id FROM findings WHERE normalized = ?", value
        )
    }
    assert seen["opened"] in holders
    assert str(value) in seen["findings"]


def test_custody_screen_verifies_and_logs_the_verification(sample_case: Path):
    seen: dict[str, str] = {}

    async def steps(app: EvcatApp, pilot: Pilot[None]) -> None:
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CustodyScreen)
        table: DataTable[object] = app.screen.query_one("#custody", DataTable)
        seen["before"] = str(table.row_count)
        await pilot.press("v")
        await settle(pilot)
        seen["report"] = static_text(pilot, "#verify-result")
        seen["after"] = str(table.row_count)

    drive(sample_case, steps)
    assert seen["report"].startswith("VERIFIED")
    last = query(sample_case, "SELECT action, body FROM custody_log ORDER BY seq DESC LIMIT 1")[0]
    assert last[0] == "verify.run"
    assert json.loads(str(last[1]))["examiner"] == EXAMINER
    assert int(seen["after"]) == int(seen["before"]) + 1


def test_cancelling_a_scan_leaves_a_consistent_catalog_that_says_cancelled(
    sample_case: Path, monkeypatch: pytest.MonkeyPatch
):
    gate = threading.Event()
    opened = ingest.ScreenProgress.evidence_started

    def hold_after_opening(self: ingest.ScreenProgress, exhibit: str, path: str, size: int) -> None:
        opened(self, exhibit, path, size)
        gate.wait(30)  # the scan thread waits here until the examiner has pressed Escape

    monkeypatch.setattr(ingest.ScreenProgress, "evidence_started", hold_after_opening)
    seen: dict[str, str] = {}

    async def steps(app: EvcatApp, pilot: Pilot[None]) -> None:
        await pilot.press("s")
        assert isinstance(app.screen, ScanScreen)
        for _ in range(100):
            await pilot.pause(0.05)
            if "scanning" in static_text(pilot, "#scan-status"):
                break
        await pilot.press("escape")
        seen["cancelling"] = static_text(pilot, "#scan-status")
        gate.set()
        await settle(pilot)
        seen["ended"] = static_text(pilot, "#scan-status")
        await pilot.press("escape")
        await settle(pilot)
        seen["screen"] = type(app.screen).__name__

    drive(sample_case, steps)
    assert seen["cancelling"].startswith("cancelling")
    assert seen["ended"].startswith("scan cancelled")
    assert seen["screen"] == "CaseScreen"
    runs = query(sample_case, "SELECT status FROM runs ORDER BY started")
    assert runs[-1] == ("cancelled",)
    finished = query(
        sample_case, "SELECT body FROM custody_log WHERE action = 'scan.finished' ORDER BY seq"
    )
    assert json.loads(str(finished[-1][0]))["details"]["run_status"] == "cancelled"
    report = verify_case_file(sample_case, VerifyOptions(rehash_evidence=False), None)
    assert report.ok, [check.message for check in report.failures]


def test_help_lists_the_current_screens_keys(sample_case: Path):
    seen: dict[str, str] = {}

    async def steps(app: EvcatApp, pilot: Pilot[None]) -> None:
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        seen["help"] = str(app.screen.query_one(Static).render())
        await pilot.press("escape")
        seen["back"] = type(app.screen).__name__

    drive(sample_case, steps)
    assert "Keys of BrowseScreen" in seen["help"]
    assert "Deleted" in seen["help"] and "Sort" in seen["help"]
    assert seen["back"] == "BrowseScreen"
