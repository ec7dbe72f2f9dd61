"""What every screen over an open case shares: the session, Escape to go back, opening a file."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen

if TYPE_CHECKING:
    from catalog.casesession import CaseSession


class SessionScreen(Screen[None]):
    """A screen of the open case; Escape goes back to the one it came from."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, session: CaseSession) -> None:
        """A screen over ``session``'s case."""
        super().__init__()
        self.session = session

    def open_file(self, file_id: str, on_close: Callable[[Any], None] | None = None) -> None:
        """Show the detail screen of a catalogued file."""
        from tui.screens.filedetail import FileDetailScreen

        self.app.push_screen(FileDetailScreen(self.session, file_id), on_close)
