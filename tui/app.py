"""evcat's terminal UI: the app, its global bindings, and ``make_app``.

The app holds one ``CaseSession`` (the open case and the examiner) and a stack of
screens; every screen calls the core through that session. The CLI (``evcat tui``),
the tests and the snapshot apps all build the app with ``make_app``.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType

from catalog.casesession import CaseSession
from catalog.errors import EvcatError
from catalog.examiner import resolve_examiner
from catalog.sandbox import prepare_child_processes
from tui.screens.case import CaseScreen
from tui.screens.help import HelpScreen

FREEZE_SECONDS = 1.0
"""How often what is alive is moved out of the collector's sight.

Python's full collections walk every tracked object; with the core, Textual and a page
cache loaded that is 100-200k objects, 50-130 ms: several dropped frames while the
examiner scrolls. Freezing every second leaves only the last second's objects to walk.
Screens closed since are collected for real in ``pop_screen``, so nothing leaks.
"""


def full_collection() -> None:
    """Collect everything, frozen objects included, then freeze the survivors again."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class EvcatApp(App[None]):
    """The examiner's workbench over one case at a time."""

    CSS_PATH = "app.tcss"
    TITLE = "evcat"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        case_path: Path | None,
        examiner: str | None,
        *,
        start_directory: Path | None = None,
    ) -> None:
        """An app that opens ``case_path`` (when given) as ``examiner``.

        ``start_directory`` is where the file picker starts (default: the working folder).
        """
        super().__init__()
        prepare_child_processes()  # before Textual takes over stderr (scans spawn children)
        self.case_path = case_path
        self.examiner = examiner
        self.start_directory = start_directory or Path.cwd()
        self.session: CaseSession | None = None

    def on_mount(self) -> None:
        """Show the case screen; keep garbage collection pauses out of scrolling."""
        gc.freeze()
        self.set_interval(FREEZE_SECONDS, self.freeze_survivors)
        self.push_screen(CaseScreen())

    def freeze_survivors(self) -> None:
        """Move what is alive now out of the collector's sight (see ``FREEZE_SECONDS``)."""
        gc.freeze()

    def pop_screen(self) -> AwaitComplete:
        """Close a screen, then collect what it left (a pause between screens, not in one)."""
        done = super().pop_screen()
        self.call_after_refresh(full_collection)
        return done

    def use_session(self, session: CaseSession) -> None:
        """Make ``session`` the open case (closing the previous one)."""
        if self.session is not None:
            self.session.close()
        self.session = session
        self.case_path = session.path
        self.examiner = session.actor.examiner
        self.sub_title = f"{session.path} - examiner {session.actor.examiner}"

    def action_help(self) -> None:
        """Show the key bindings of the current screen."""
        self.push_screen(HelpScreen(self.screen))

    def on_unmount(self) -> None:
        """Close the case's connection."""
        if self.session is not None:
            self.session.close()


def default_examiner(given: str | None) -> str | None:
    """The examiner from the option, environment or config; None when none is set."""
    try:
        return resolve_examiner(given)
    except EvcatError:
        return None


def make_app(
    case_path: Path | None,
    *,
    examiner: str | None = None,
    start_directory: Path | None = None,
) -> EvcatApp:
    """The app, ready to run: the case to open (or create) and who the examiner is."""
    return EvcatApp(case_path, default_examiner(examiner), start_directory=start_directory)
