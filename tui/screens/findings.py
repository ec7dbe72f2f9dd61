"""The findings screen: scripts, pop-ups, contact lists and identifiers, across exhibits.

The upper table lists each (kind, normalised value) with how many files and exhibits
hold it (``catalog.store.findings.value_links``); the lower one lists those files, on
whichever exhibit they are. Enter on a file opens it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Header, Select, Static

from catalog.store import findings
from parsers.detector import DOCUMENT_KINDS, FINDING_KINDS
from tui.screens.base import SessionScreen
from tui.widgets.safe import safe

if TYPE_CHECKING:
    pass

ALL = "all kinds"
GROUPS = {"documents": DOCUMENT_KINDS}
LINK_LIMIT = 5000


class FindingsScreen(SessionScreen):
    """Every finding value and the files (on any exhibit) that hold it."""

    def compose(self) -> ComposeResult:
        """Kind filter, values, files of the chosen value."""
        yield Header()
        kinds = [(ALL, ALL), *((name, name) for name in GROUPS), *((k, k) for k in FINDING_KINDS)]
        yield Select(kinds, value=ALL, id="kind", allow_blank=False)
        yield DataTable(id="values", cursor_type="row", zebra_stripes=True)
        yield Static(id="value-title")
        yield DataTable(id="value-files", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        """Columns, then every value."""
        self.query_one("#values", DataTable).add_columns("Kind", "Value", "Files", "Exhibits")
        self.query_one("#value-files", DataTable).add_columns("Exhibit", "Path")
        self.show_values(())
        self.query_one("#values", DataTable).focus()

    def show_values(self, kinds: tuple[str, ...]) -> None:
        """List the values of ``kinds`` (all when empty), most widely shared first."""
        table = self.query_one("#values", DataTable)
        table.clear()
        for index, link in enumerate(findings.value_links(self.session.reader, kinds)):
            if index >= LINK_LIMIT:
                break
            table.add_row(
                Text(str(link["kind"])),
                safe(link["normalized"], 60),
                Text(str(link["file_count"])),
                safe(link["exhibits"]),
                key=f"{link['kind']}\x00{link['normalized']}",
            )

    @on(Select.Changed, "#kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        value = str(event.value)
        kinds = () if value == ALL else GROUPS.get(value, (value,))
        self.show_values(kinds)

    @on(DataTable.RowHighlighted, "#values")
    def _value_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is None:
            return
        kind, normalized = str(event.row_key.value).split("\x00", 1)
        rows = findings.files_with_value(self.session.reader, kind, normalized)
        exhibits = sorted({str(row["exhibit"]) for row in rows})
        title = Text.assemble(
            (kind, "bold"), " ", safe(normalized, 50),
            f": in {len(rows)} files on {len(exhibits)} exhibits",
        )  # fmt: skip
        self.query_one("#value-title", Static).update(title)
        files = self.query_one("#value-files", DataTable)
        files.clear()
        for row in rows:
            files.add_row(safe(row["exhibit"]), safe(row["path"]), key=str(row["file_id"]))

    @on(DataTable.RowSelected, "#value-files")
    def _file_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_file(str(event.row_key.value))

    @on(DataTable.RowSelected, "#values")
    def _value_selected(self) -> None:
        self.query_one("#value-files", DataTable).focus()
