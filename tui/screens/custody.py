"""The custody log, entry by entry, and a verify action that shows every check's result."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Static

from catalog.errors import EvcatError
from catalog.exports.report import summarise
from tui.screens.base import SessionScreen
from tui.widgets.safe import safe

if TYPE_CHECKING:
    from catalog.casesession import CaseSession
    from catalog.custody.log import CustodyEntry
    from catalog.custody.verify import VerifyReport


class CustodyScreen(SessionScreen):
    """Who did what, when, with which tool; and proof that nothing changed since."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "verify", "Verify"),
    ]

    def __init__(self, session: CaseSession) -> None:
        """The custody log of ``session``'s case."""
        super().__init__(session)
        self.entries: dict[str, CustodyEntry] = {}
        """The log as last read, by sequence number (as the table's row keys)."""

    def compose(self) -> ComposeResult:
        """Log table above, the entry or the verification below."""
        yield Header()
        yield DataTable(id="custody", cursor_type="row", zebra_stripes=True)
        yield Static(id="custody-detail")
        yield Static(id="verify-result")
        yield Footer()

    def on_mount(self) -> None:
        """Columns and entries; the newest entry highlighted."""
        table = self.query_one("#custody", DataTable)
        table.add_columns("#", "Time (UTC)", "Examiner", "Action", "What")
        self.load()
        table.focus()

    def load(self) -> None:
        """(Re)read the log."""
        table = self.query_one("#custody", DataTable)
        table.clear()
        self.entries = {str(entry.seq): entry for entry in self.session.custody_entries()}
        for entry in self.entries.values():
            try:
                fields = entry.fields
            except ValueError:
                table.add_row(Text(str(entry.seq)), Text("unreadable entry"), key=str(entry.seq))
                continue
            table.add_row(
                Text(str(entry.seq)),
                safe(fields.get("time")),
                safe(fields.get("examiner"), 20),
                safe(entry.action),
                safe(summarise(entry.action, fields.get("details")), 200),
                key=str(entry.seq),
            )
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the entry's hashes, tool and host."""
        entry = self.entries.get(str(event.row_key.value))
        if entry is None:
            return
        text = Text(f"entry {entry.seq}  hash {entry.entry_hash}\nprevious {entry.prev_hash}\n")
        try:
            fields = entry.fields
        except ValueError:
            text.append("body is not JSON", style="red")
        else:
            text.append_text(safe(f"{fields.get('tool_version')} on host {fields.get('host')}"))
        self.query_one("#custody-detail", Static).update(text)

    def action_verify(self) -> None:
        """Verify the case and its evidence (logged as a verify.run entry)."""
        self.query_one("#verify-result", Static).update("verifying (re-hashing the evidence)...")
        self.run_verify()

    @work(thread=True, exclusive=True, exit_on_error=False, group="verify")
    def run_verify(self) -> None:
        """Run the verification in a thread."""
        try:
            report = self.session.verify()
        except EvcatError as exc:
            self.app.call_from_thread(self._show_failure, str(exc))
            return
        self.app.call_from_thread(self._show_report, report)

    def _show_failure(self, message: str) -> None:
        self.query_one("#verify-result", Static).update(safe(message, style="red"))

    def _show_report(self, report: VerifyReport) -> None:
        text = Text()
        verdict = "VERIFIED" if report.ok else "VERIFICATION FAILED"
        text.append(f"{verdict}: {report.entries} custody entries, head {report.head}\n",
                    style="bold green" if report.ok else "bold red")  # fmt: skip
        for check in report.checks:
            text.append("ok   " if check.ok else "FAIL ", style="green" if check.ok else "red")
            text.append_text(safe(f"{check.name}: {check.message}"))
            text.append("\n")
        self.query_one("#verify-result", Static).update(text)
        self.load()
