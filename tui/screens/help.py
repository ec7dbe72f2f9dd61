"""The help screen: what evcat's TUI is for, and the keys of the screen it was opened on."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

OVERVIEW = (
    "evcat catalogues seized disk images with a chain of custody. Every change you make"
    " here (new case, exhibit, scan, tag, note, verify, export) is a custody log entry"
    " naming you, the time (UTC) and the tool version, exactly as the batch command line"
    " records it. Evidence is only ever read.\n\n"
    "Anywhere: F1 help, Ctrl+Q quit, Escape back, Tab next pane. The mouse works too:"
    " click a column title to sort by it, click a row twice to open it.\n"
)


class HelpScreen(ModalScreen[None]):
    """Overview and the current screen's key bindings."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Close"),
        Binding("f1", "app.pop_screen", "Close", show=False),
    ]

    def __init__(self, screen: Screen[object]) -> None:
        """Help for ``screen``."""
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        """Overview and keys."""
        text = Text(OVERVIEW)
        text.append(f"\nKeys of {type(self.for_screen).__name__}:\n", style="bold")
        seen: set[str] = set()
        for cls in type(self.for_screen).__mro__:  # the screen's own keys, then inherited ones
            for binding in getattr(cls, "BINDINGS", []):
                if isinstance(binding, Binding) and binding.key not in seen:
                    seen.add(binding.key)
                    text.append(f"  {binding.key:<12} {binding.description}\n")
        with VerticalScroll(classes="dialog"):
            yield Static(text)
