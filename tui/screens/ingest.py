"""The scan screen: one progress bar per exhibit, throughput, ETA, problems as they happen.

The scan runs in a worker thread through ``CaseSession.scan`` (the pipeline the CLI
runs); the pipeline's progress callbacks post messages, which coalesce so a fast scan
cannot flood the screen. Cancel sets the pipeline's cancel event: the exhibit being
scanned is sealed with what it has and the custody log records the run as cancelled.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Label, ProgressBar, RichLog, Static

from catalog.errors import EvcatError
from tui.widgets.safe import safe, size_text

if TYPE_CHECKING:
    from catalog.casesession import CaseSession
    from catalog.pipeline import ScanSummary


class EvidenceStarted(Message):
    """The pipeline opened an exhibit."""

    def __init__(self, exhibit: str, media_size: int) -> None:
        self.exhibit = exhibit
        self.media_size = media_size
        super().__init__()


class FilesDone(Message):
    """Running totals of the exhibit being scanned (newer totals replace older ones)."""

    def __init__(self, exhibit: str, files: int, n_bytes: int) -> None:
        self.exhibit = exhibit
        self.files = files
        self.n_bytes = n_bytes
        super().__init__()

    def can_replace(self, message: Message) -> bool:
        """Only the latest totals matter."""
        return isinstance(message, FilesDone) and message.exhibit == self.exhibit


class ProblemFound(Message):
    """The pipeline recorded a problem row."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__()


class ScanEnded(Message):
    """The scan finished, was cancelled, or failed (``error``)."""

    def __init__(self, summary: ScanSummary | None, error: str | None) -> None:
        self.summary = summary
        self.error = error
        super().__init__()


class ScreenProgress:
    """The pipeline's progress protocol, turned into messages to the scan screen."""

    def __init__(self, screen: ScanScreen) -> None:
        self.screen = screen

    def evidence_started(self, exhibit: str, path: str, media_size: int) -> None:
        """An exhibit was opened."""
        self.screen.post_message(EvidenceStarted(exhibit, media_size))

    def file_done(self, exhibit: str, n_files: int, n_bytes: int) -> None:
        """Running totals."""
        self.screen.post_message(FilesDone(exhibit, n_files, n_bytes))

    def problem(self, message: str) -> None:
        """A problem row was recorded."""
        self.screen.post_message(ProblemFound(message))


class ExhibitProgress(Vertical):
    """One exhibit's bar and numbers."""

    def __init__(self, exhibit: str) -> None:
        super().__init__(classes="exhibit-progress")
        self.exhibit = exhibit
        self.media_size = 0
        self.started = 0.0

    def compose(self) -> ComposeResult:
        """Name, bar, numbers."""
        with Horizontal():
            yield Label(safe(self.exhibit, 24), classes="exhibit-name")
            yield ProgressBar(show_eta=False, id="bar")
        yield Static("waiting", classes="numbers")

    def begin(self, media_size: int) -> None:
        """The exhibit was opened: its media size is the bar's total."""
        self.media_size = media_size
        self.started = time.monotonic()
        self.query_one(ProgressBar).update(total=max(media_size, 1), progress=0)
        self.query_one(".numbers", Static).update("opened")

    def advance(self, files: int, n_bytes: int) -> None:
        """Show files and bytes done, throughput and an ETA (bytes hashed of media size)."""
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = n_bytes / elapsed
        left = max(self.media_size - n_bytes, 0)
        eta = f"{left / rate:,.0f} s" if rate > 0 and left else "-"
        self.query_one(ProgressBar).update(progress=min(n_bytes, self.media_size))
        self.query_one(".numbers", Static).update(
            f"{files:,} files, {size_text(n_bytes)} hashed, {rate / 1e6:,.1f} MB/s, ETA {eta}"
        )

    def end(self, text: str) -> None:
        """The exhibit's outcome."""
        if self.media_size:
            self.query_one(ProgressBar).update(progress=self.media_size)
        self.query_one(".numbers", Static).update(text)


class ScanScreen(Screen[None]):
    """Scan the given exhibits, showing progress; Escape cancels, then closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_or_close", "Cancel / close"),
    ]

    def __init__(self, session: CaseSession, exhibits: list[str]) -> None:
        """A screen that scans ``exhibits`` of ``session``'s case."""
        super().__init__()
        self.session = session
        self.exhibits = exhibits
        self.cancel = threading.Event()
        self.running = False
        self.problem_count = 0

    def compose(self) -> ComposeResult:
        """A bar per exhibit, the problem log, the cancel button."""
        yield Header()
        with Vertical(id="bars"):
            for exhibit in self.exhibits:
                yield ExhibitProgress(exhibit)
        yield Static("starting", id="scan-status")
        yield RichLog(id="problems", max_lines=1000, markup=False, wrap=False)
        yield Button("Cancel scan", id="cancel", variant="error")
        yield Footer()

    def on_mount(self) -> None:
        """Start the scan."""
        self.running = True
        self.run_scan()

    def _bar(self, exhibit: str) -> ExhibitProgress | None:
        for widget in self.query(ExhibitProgress):
            if widget.exhibit == exhibit:
                return widget
        return None

    @work(thread=True, exclusive=True, exit_on_error=False, group="scan")
    def run_scan(self) -> None:
        """Run the pipeline (in a thread); post how it ended."""
        try:
            summary = self.session.scan(self.exhibits, ScreenProgress(self), self.cancel)
        except EvcatError as exc:
            self.post_message(ScanEnded(None, str(exc)))
            return
        except Exception as exc:  # the worker's boundary: say it, never hang the screen
            self.post_message(ScanEnded(None, f"internal error: {type(exc).__name__}: {exc}"))
            return
        self.post_message(ScanEnded(summary, None))

    def on_evidence_started(self, message: EvidenceStarted) -> None:
        """Start the exhibit's bar."""
        bar = self._bar(message.exhibit)
        if bar is not None:
            bar.begin(message.media_size)
        self.query_one("#scan-status", Static).update(
            Text.assemble("scanning ", safe(message.exhibit))
        )

    def on_files_done(self, message: FilesDone) -> None:
        """Move the exhibit's bar."""
        bar = self._bar(message.exhibit)
        if bar is not None:
            bar.advance(message.files, message.n_bytes)

    def on_problem_found(self, message: ProblemFound) -> None:
        """Add the problem to the log."""
        self.problem_count += 1
        self.query_one("#problems", RichLog).write(safe(message.text))

    def on_scan_ended(self, message: ScanEnded) -> None:
        """Show the outcome per exhibit and overall."""
        self.running = False
        button = self.query_one("#cancel", Button)
        button.label = "Close"
        button.variant = "primary"
        status = self.query_one("#scan-status", Static)
        if message.summary is None:
            status.update(Text.assemble(("scan failed: ", "bold red"), safe(message.error)))
            return
        summary = message.summary
        for item in summary.evidence:
            bar = self._bar(item.exhibit)
            if bar is not None:
                bar.end(
                    f"{item.status}: {item.n_files:,} files, {item.n_deleted:,} deleted,"
                    f" {item.n_findings:,} findings, {item.problems:,} problems"
                )
        totals = summary.totals()
        status.update(
            f"scan {summary.status}: {totals['files']:,} files, {totals['problems']:,} problems,"
            f" {totals['elapsed']:.1f} s (custody log updated)"
        )

    def action_cancel_or_close(self) -> None:
        """Cancel a running scan; close a finished one."""
        if self.running:
            self.cancel.set()
            self.query_one("#scan-status", Static).update("cancelling after the current file...")
        else:
            self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """The cancel/close button."""
        event.stop()
        self.action_cancel_or_close()
