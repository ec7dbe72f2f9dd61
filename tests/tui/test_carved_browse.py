"""Carved items in the examiner's browser: a $CarvedFiles folder under their file system."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from textual.pilot import Pilot
from textual.widgets.tree import TreeNode

from catalog.cli import main
from tests.carvesynth.fixtures import fat_reformatted
from tests.carvesynth.truth import CarveImage
from tests.conftest import EXAMINER, query
from tests.tui.pilots import settle
from tui.app import make_app
from tui.screens.evidence import BrowseScreen
from tui.widgets.evidencetree import EvidenceTree

__all__ = ["fat_reformatted"]


@pytest.fixture
def carved_case(fat_reformatted: CarveImage, tmp_path: Path) -> Path:
    case = tmp_path / "case.db"
    result = CliRunner(env={"EVCAT_EXAMINER": EXAMINER}).invoke(
        main, ["scan", str(fat_reformatted.path), "--case", str(case), "--carve"]
    )
    assert result.exit_code == 0, result.output
    return case


def walk(node: TreeNode[Any]) -> Iterator[TreeNode[Any]]:
    for child in node.children:
        yield child
        yield from walk(child)


def test_the_carved_folder_lists_the_carved_items(carved_case: Path) -> None:
    seen: list[str] = []

    async def run() -> None:
        app = make_app(carved_case, examiner=EXAMINER)
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot)
            await steps(app, pilot)

    async def steps(app: object, pilot: Pilot[None]) -> None:
        await pilot.press("b")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, BrowseScreen)
        tree = screen.query_one(EvidenceTree)
        file_systems = [
            node for node in walk(tree.root) if node.data and node.data.kind == "filesystem"
        ]
        file_systems[0].expand()
        await settle(pilot)
        folder = next(
            n for n in file_systems[0].children if n.data and n.data.path == "/$CarvedFiles"
        )
        tree.move_cursor(folder)
        await settle(pilot)
        table = screen.file_table()
        seen.extend(str(row["path"]) for i in range(table.row_count) if (row := table.row_at(i)))

    asyncio.run(run())
    carved = query(carved_case, "SELECT f.path FROM carved_files c JOIN files f USING (file_id)")
    below = query(carved_case, "SELECT path FROM files WHERE path LIKE '/$CarvedFiles/%'")
    assert sorted(seen) == sorted(str(path) for (path,) in below)  # items and their archive members
    assert {path for (path,) in carved} <= set(seen)
    assert len(carved) == 12
