"""The examiner's whole workflow driven through the TUI, then checked in the catalog itself.

Create a case, add a sample image through the file picker, scan it, filter to deleted
files, open one, tag it with a note, search a word, export CSV: each step as keys and
clicks, and afterwards the catalog rows and the custody log must hold what the UI said.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DirectoryTree, Input

from tests.conftest import SAMPLE_IMAGES, query
from tests.tui.conftest import SAMPLE_USB
from tests.tui.pilots import settle, static_text
from tui.app import make_app
from tui.screens.case import CaseScreen
from tui.screens.dialogs import AnnotateDialog, CaseDialog, ExhibitDialog, FilePicker
from tui.screens.evidence import BrowseScreen
from tui.screens.export import ExportDialog
from tui.screens.filedetail import FileDetailScreen
from tui.screens.ingest import ScanScreen
from tui.screens.search import SearchScreen

EXAMINER = "Pilot Examiner"


async def type_into(pilot: Pilot[None], selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.value = text
    await pilot.pause()


async def pick_file(pilot: Pilot[None], name: str) -> None:
    """Choose ``name`` in the file picker's folder tree, with the keyboard."""
    tree = pilot.app.screen.query_one(DirectoryTree)
    for _ in range(50):
        await settle(pilot)
        nodes = [node for node in tree.root.children if node.data and node.data.path.name == name]
        if nodes:
            break
    tree.focus()
    tree.move_cursor(nodes[0])
    await pilot.press("enter")
    await settle(pilot)


def custody_actions(case: Path) -> list[str]:
    return [str(action) for (action,) in query(case, "SELECT action FROM custody_log ORDER BY seq")]


def test_create_add_scan_filter_open_tag_search_export(tmp_path: Path):
    case = tmp_path / "cases" / "raid.db"
    export = tmp_path / "exports" / "files.csv"
    shown: dict[str, str] = {}

    async def drive() -> None:
        app = make_app(None, examiner=EXAMINER, start_directory=SAMPLE_IMAGES)
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, CaseScreen)

            await pilot.press("n")
            assert isinstance(app.screen, CaseDialog)
            await type_into(pilot, "#path", str(case))
            await type_into(pilot, "#title", "Operation Pop-up")
            await type_into(pilot, "#time-zone", "Asia/Tokyo")
            await pilot.click("#ok")
            await settle(pilot)
            assert app.session is not None and app.session.path == case

            await pilot.press("a")
            assert isinstance(app.screen, ExhibitDialog)
            await pilot.click("#browse")
            await settle(pilot)
            assert isinstance(app.screen, FilePicker)
            await pick_file(pilot, SAMPLE_USB.name)
            assert isinstance(app.screen, ExhibitDialog)
            assert app.screen.query_one("#image", Input).value == str(SAMPLE_USB)
            await type_into(pilot, "#exhibit", "USB-1")
            await type_into(pilot, "#seized-by", "Officer Ito")
            await pilot.click("#ok")
            await settle(pilot)
            assert isinstance(app.screen, CaseScreen)

            await pilot.press("s")
            assert isinstance(app.screen, ScanScreen)
            await settle(pilot)
            shown["scan"] = static_text(pilot, "#scan-status")
            await pilot.press("escape")
            await settle(pilot)

            await pilot.press("b")
            await settle(pilot)
            assert isinstance(app.screen, BrowseScreen)
            shown["all"] = str(app.screen.file_table().row_count)
            await pilot.press("d")
            await settle(pilot)
            table = app.screen.file_table()
            shown["deleted"] = str(table.row_count)
            deleted_row = table.row_at(0)
            assert deleted_row is not None
            shown["deleted_id"] = str(deleted_row["file_id"])
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, FileDetailScreen)
            shown["title"] = static_text(pilot, "#file-title")

            await pilot.press("t")
            assert isinstance(app.screen, AnnotateDialog)
            await type_into(pilot, "#tag", "lead-list")
            await type_into(pilot, "#note", "deleted list of victims, recovered")
            app.screen.query_one("#note", Input).focus()
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, FileDetailScreen)
            shown["notes"] = static_text(pilot, "#notes")
            await pilot.press("escape", "escape")
            await settle(pilot)

            await pilot.press("slash")
            assert isinstance(app.screen, SearchScreen)
            await type_into(pilot, "#query", "Microsoft")
            await pilot.press("enter")
            await settle(pilot)
            shown["search"] = static_text(pilot, "#search-count")
            await pilot.press("escape")

            await pilot.press("e")
            assert isinstance(app.screen, ExportDialog)
            await type_into(pilot, "#output", str(export))
            await pilot.click("#ok")
            await settle(pilot)
            shown["export"] = static_text(pilot, "#export-result")

    asyncio.run(drive())

    assert "scan success" in shown["scan"], shown["scan"]
    (files,) = query(case, "SELECT count(*) FROM files WHERE evidence_id = 'USB-1'")
    assert shown["all"] == str(files[0])
    (deleted,) = query(case, "SELECT count(*) FROM files WHERE is_allocated = 0")
    assert shown["deleted"] == str(deleted[0]) != "0"
    (path,) = query(case, "SELECT path FROM files WHERE file_id = ?", shown["deleted_id"])
    assert "(deleted)" in shown["title"] and str(path[0]) in shown["title"]

    tags = query(case, "SELECT file_id, tag, examiner FROM tags")
    notes = query(case, "SELECT file_id, note, examiner FROM notes")
    assert tags == [(shown["deleted_id"], "lead-list", EXAMINER)]
    assert notes == [(shown["deleted_id"], "deleted list of victims, recovered", EXAMINER)]
    assert "lead-list" in shown["notes"] and "recovered" in shown["notes"]

    (hits,) = query(case, "SELECT count(*) FROM texts WHERE text LIKE '%microsoft%'")
    assert shown["search"].startswith(f"{hits[0]} files") and hits[0] > 0

    manifest = export.with_name(export.name + ".manifest.json")
    assert hashlib.sha256(export.read_bytes()).hexdigest() in shown["export"]
    assert hashlib.sha256(manifest.read_bytes()).hexdigest() in shown["export"]
    assert str(manifest) in shown["export"]

    actions = custody_actions(case)
    assert actions[:2] == ["case.created", "exhibit.added"]
    assert actions[2:] == [
        "scan.started", "exhibit.scanned", "problems.summary", "scan.finished",
        "tag.added", "note.added", "export.written",
    ]  # fmt: skip
    bodies = [json.loads(str(b)) for (b,) in query(case, "SELECT body FROM custody_log")]
    assert {body["examiner"] for body in bodies} == {EXAMINER}
    exhibit = bodies[1]["details"]["exhibit"]
    assert (exhibit["exhibit"], exhibit["seized_by"]) == ("USB-1", "Officer Ito")
    assert bodies[0]["details"]["case"]["title"] == "Operation Pop-up"
    written = bodies[-1]["details"]
    assert written["format"] == "csv" and written["sha256"] in shown["export"]
