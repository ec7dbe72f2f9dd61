"""The export dialog: choose the kind and the destination; see the manifest when done."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from catalog.casesession import FORMATS
from catalog.errors import EvcatError
from tui.screens.dialogs import Dialog, field
from tui.widgets.safe import safe

if TYPE_CHECKING:
    from catalog.casesession import CaseSession
    from catalog.exports import ExportResult

SUFFIXES = {
    "csv": ".csv", "dfxml": ".dfxml", "bodyfile": ".body", "case": ".jsonld",
    "report": ".html", "findings": ".findings.csv", "hashdeep": ".hashdeep.txt",
}  # fmt: skip


class ExportDialog(Dialog[Path]):
    """Write one export of the case, with its manifest and custody entry."""

    def __init__(self, session: CaseSession) -> None:
        """An export of ``session``'s case."""
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        """Kind, destination, known-file option, result."""
        with VerticalScroll(classes="dialog"):
            yield Label("Export", classes="title")
            yield Select([(name, name) for name in FORMATS], value="csv", id="format",
                         allow_blank=False)  # fmt: skip
            yield field("Destination", Input(str(self._default_output("csv")), id="output"))
            yield Checkbox("Leave out known-good files", id="hide-known")
            yield self.buttons("Export")
            yield Static(id="export-result")

    def _default_output(self, export_format: str) -> Path:
        folder = self.session.path.parent / "exports"
        return folder / f"{self.session.path.stem}{SUFFIXES.get(export_format, '.out')}"

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        self.query_one("#output", Input).value = str(self._default_output(str(event.value)))

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def _accept(self) -> None:
        output = self.query_one("#output", Input).value.strip()
        if not output:
            self.notify("give the destination file", severity="error")
            return
        self.query_one("#export-result", Static).update("writing...")
        export_format = str(self.query_one("#format", Select).value)
        hide_known = self.query_one("#hide-known", Checkbox).value
        self.run_export(export_format, Path(output).expanduser(), hide_known)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def run_export(self, export_format: str, output: Path, hide_known: bool) -> None:
        """Write the export in a thread."""
        try:
            result = self.session.export(export_format, output, hide_known=hide_known)
        except EvcatError as exc:
            self.app.call_from_thread(self._show, safe(exc, style="red"))
            return
        self.app.call_from_thread(self._done, result)

    def _done(self, result: ExportResult) -> None:
        text = Text("Written (custody entry ", style="bold")
        text.append(f"{result.custody_seq})\n")
        for label, value in (
            ("file", result.output),
            ("SHA-256", result.sha256),
            ("rows", result.stats.rows),
            ("manifest", result.manifest),
            ("manifest SHA-256", result.manifest_sha256),
        ):
            text.append(f"{label}: ", style="bold")
            text.append_text(safe(value))
            text.append("\n")
        self._show(text)
        button = self.query_one("#cancel", Button)
        button.label = "Close"

    def _show(self, text: Text) -> None:
        self.query_one("#export-result", Static).update(text)
