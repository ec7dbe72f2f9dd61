"""Snapshots of the TUI's main screens at 80x24, on a case built identically on every run.

The case is scanned inside the test process with the core's ids, clock, host, versions
and image paths pinned (``tests.tui.deterministic``), and the app opens it by a relative
path from the test's folder, so the header, the custody hashes and the scan totals are
the same on every machine. Update with ``pytest tests/tui/test_snapshots.py
--snapshot-update`` only after reading the report of what changed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, TabbedContent

from catalog.case import CaseFacts, ExhibitFacts, add_exhibit, init_case
from catalog.custody.log import Actor
from catalog.pipeline import ScanOptions, scan
from tests.conftest import EXAMINER
from tests.tui.conftest import SAMPLE_DISK, SAMPLE_USB
from tests.tui.deterministic import (
    link_images,
    pinned_folder,
)
from tests.tui.pilots import settle
from tui.app import EvcatApp, make_app
from tui.screens.case import CaseScreen
from tui.screens.custody import CustodyScreen
from tui.screens.dialogs import ExhibitDialog
from tui.screens.evidence import BrowseScreen
from tui.screens.export import ExportDialog
from tui.screens.filedetail import FileDetailScreen
from tui.screens.findings import FindingsScreen
from tui.screens.help import HelpScreen
from tui.screens.ingest import ScanScreen
from tui.screens.search import SearchScreen

SIZE = (80, 24)
CASE = Path("case.db")
CONTACTS = "/leads/contacts.csv"

SnapCompare = Callable[..., bool]
RunBefore = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The test's folder, made the working folder, with the core's inputs pinned."""
    yield from pinned_folder(tmp_path, monkeypatch)


def sample_images(folder: Path) -> list[Path]:
    """The sample disk and USB stick, linked into ``folder/images`` (relative paths)."""
    linked = link_images(folder / "images", {"disk.raw": SAMPLE_DISK, "usb_fat.img": SAMPLE_USB})
    return list(linked.values())


@pytest.fixture
def scanned(frozen: Path) -> Path:
    """The sample disk and USB stick scanned into ``case.db`` in the test's folder."""
    scan(sample_images(frozen), CASE, ScanOptions(examiner=EXAMINER, exhibits=("disk", "usb")))
    return CASE


@pytest.fixture
def registered(frozen: Path) -> Path:
    """A case holding the two sample exhibits, registered with seizure facts, not scanned."""
    actor = Actor(EXAMINER)
    init_case(
        CASE, CaseFacts("EVCAT-2026-001", "Call centre raid", "Cyber Unit", "Asia/Tokyo"), actor
    )
    disk, usb = sample_images(frozen)
    facts = ExhibitFacts(
        "Dell laptop, desk 4",
        "Acme Support Ltd",
        "Room 301",
        "2026-03-01T09:30+09:00",
        "Officer Sato",
    )
    add_exhibit(CASE, disk, "EX-1", facts, actor)
    add_exhibit(CASE, usb, "EX-2", ExhibitFacts("USB stick"), actor)
    return CASE


def app_for(case: Path) -> EvcatApp:
    """The app opening ``case`` (relative) as the test examiner."""
    return make_app(case, examiner=EXAMINER)


def keys(*pressed: str, shows: type[Screen[Any]] = CaseScreen) -> RunBefore:
    """Settle, press ``pressed`` one by one (settling after each); check the screen shown."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)
        assert isinstance(pilot.app.screen, shows), f"{pilot.app.screen} is not a {shows}"

    return run_before


def file_id_of(case: Path, path: str) -> str:
    """The id of the first catalogued file at ``path`` (by exhibit, then id)."""
    connection = sqlite3.connect(case)
    try:
        row = connection.execute(
            "SELECT file_id FROM files WHERE path = ? ORDER BY evidence_id, file_id LIMIT 1",
            [path],
        ).fetchone()
    finally:
        connection.close()
    assert row is not None, f"{path} is not in the sample case"
    return str(row[0])


def open_file(case: Path, path: str, *pressed: str, tab: str | None = None) -> RunBefore:
    """Open the detail screen of ``path`` (on ``tab``), then press ``pressed``."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        app = pilot.app
        assert isinstance(app, EvcatApp) and app.session is not None
        await app.push_screen(FileDetailScreen(app.session, file_id_of(case, path)))
        await settle(pilot)
        if tab is not None:
            app.screen.query_one("#tabs", TabbedContent).active = tab
            await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)
        assert isinstance(app.screen, FileDetailScreen)

    return run_before


def test_case_screen(snap_compare: SnapCompare, scanned: Path) -> None:
    assert snap_compare(app_for(scanned), terminal_size=SIZE, run_before=keys())


def test_case_screen_with_seizure_facts(snap_compare: SnapCompare, registered: Path) -> None:
    assert snap_compare(app_for(registered), terminal_size=SIZE, run_before=keys())


def test_browse_screen(snap_compare: SnapCompare, scanned: Path) -> None:
    assert snap_compare(
        app_for(scanned), terminal_size=SIZE, run_before=keys("b", shows=BrowseScreen)
    )


def test_browse_filtered_to_deleted_files(snap_compare: SnapCompare, scanned: Path) -> None:
    assert snap_compare(
        app_for(scanned), terminal_size=SIZE, run_before=keys("b", "d", shows=BrowseScreen)
    )


def test_file_detail_findings_tab(snap_compare: SnapCompare, scanned: Path) -> None:
    run_before = open_file(scanned, CONTACTS, tab="tab-findings")
    assert snap_compare(app_for(scanned), terminal_size=SIZE, run_before=run_before)


def test_file_detail_hex_tab(snap_compare: SnapCompare, scanned: Path) -> None:
    run_before = open_file(scanned, CONTACTS, "x")
    assert snap_compare(app_for(scanned), terminal_size=SIZE, run_before=run_before)


def test_findings_screen(snap_compare: SnapCompare, scanned: Path) -> None:
    assert snap_compare(
        app_for(scanned), terminal_size=SIZE, run_before=keys("f", shows=FindingsScreen)
    )


def test_search_screen_after_a_search(snap_compare: SnapCompare, scanned: Path) -> None:
    typed = ("slash", *"anydesk", "enter")
    assert snap_compare(
        app_for(scanned), terminal_size=SIZE, run_before=keys(*typed, shows=SearchScreen)
    )


def test_custody_screen(snap_compare: SnapCompare, scanned: Path) -> None:
    # On the first entry: later ones chain in the scan's media record, whose image path is
    # absolute (it would differ between checkouts).
    open_log = keys("c", shows=CustodyScreen)

    async def on_first_entry(pilot: Pilot[None]) -> None:
        await open_log(pilot)
        pilot.app.screen.query_one("#custody", DataTable).move_cursor(row=0)
        await settle(pilot)

    assert snap_compare(app_for(scanned), terminal_size=SIZE, run_before=on_first_entry)


def test_export_dialog(snap_compare: SnapCompare, scanned: Path) -> None:
    assert snap_compare(
        app_for(scanned), terminal_size=SIZE, run_before=keys("e", shows=ExportDialog)
    )


def test_help_screen(snap_compare: SnapCompare, scanned: Path) -> None:
    assert snap_compare(
        app_for(scanned), terminal_size=SIZE, run_before=keys("f1", shows=HelpScreen)
    )


def test_scan_screen_after_a_completed_scan(snap_compare: SnapCompare, registered: Path) -> None:
    scan_all = keys("S", shows=ScanScreen)

    async def run_before(pilot: Pilot[None]) -> None:
        await scan_all(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ScanScreen) and not screen.running, "the scan must be over"

    assert snap_compare(app_for(registered), terminal_size=SIZE, run_before=run_before)


def test_add_exhibit_dialog(snap_compare: SnapCompare, scanned: Path) -> None:
    assert snap_compare(
        app_for(scanned), terminal_size=SIZE, run_before=keys("a", shows=ExhibitDialog)
    )
