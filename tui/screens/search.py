"""Full-text search over the text the scan extracted; a result opens its file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Footer, Header, Input, Static

from catalog.store.findings import search_text
from tui.screens.base import SessionScreen
from tui.widgets.safe import highlighted, safe

if TYPE_CHECKING:
    pass

RESULT_LIMIT = 500


class SearchScreen(SessionScreen):
    """A search box and the files whose text holds the words."""

    def compose(self) -> ComposeResult:
        """Box, count, results."""
        yield Header()
        yield Input(placeholder="words to find in extracted text (Enter)", id="query")
        yield Static(id="search-count")
        yield DataTable(id="results", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        """Columns; focus the box."""
        self.query_one("#results", DataTable).add_columns("Exhibit", "Path", "Snippet")
        self.query_one("#query", Input).focus()

    @on(Input.Submitted, "#query")
    def search(self, event: Input.Submitted) -> None:
        """Run the search (a literal phrase, case-insensitive)."""
        query = event.value
        hits = search_text(self.session.reader, query, RESULT_LIMIT, marks=("", ""))
        table = self.query_one("#results", DataTable)
        table.clear()
        for hit in hits:
            table.add_row(
                safe(hit.exhibit),
                safe(hit.path, 50),
                highlighted(hit.snippet, " ".join(query.split())),
                key=hit.file_id,
            )
        more = " (first results only)" if len(hits) >= RESULT_LIMIT else ""
        count = Text(f"{len(hits)} files{more} for ")
        count.append_text(safe(query))
        self.query_one("#search-count", Static).update(count)
        if hits:
            table.focus()

    @on(DataTable.RowSelected, "#results")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_file(str(event.row_key.value))
