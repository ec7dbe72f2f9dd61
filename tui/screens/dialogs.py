"""Small modal dialogs: open or create a case, add an exhibit, pick a file, annotate, sort.

Each dialog only gathers what the examiner typed and dismisses with it (or None); the
screen that opened it calls the core.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, TypeVar

from rich.text import Text, TextType
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, DirectoryTree, Input, Label, OptionList

from catalog.store.browse import SORT_KEYS, FileSort
from tui.widgets.safe import safe


@dataclass(frozen=True, slots=True)
class CaseRequest:
    """Open (``create`` False) or create the case at ``path`` as ``examiner``."""

    path: Path
    examiner: str
    create: bool
    case_number: str | None = None
    title: str | None = None
    agency: str | None = None
    time_zone: str | None = None


@dataclass(frozen=True, slots=True)
class ExhibitRequest:
    """Register ``image`` as ``exhibit`` with these seizure facts."""

    image: Path
    exhibit: str
    description: str | None
    seized_from: str | None
    seized_where: str | None
    seized_when: str | None
    seized_by: str | None


T = TypeVar("T")


def field(label: str, widget: Input) -> Horizontal:
    """One labelled input on one line."""
    return Horizontal(Label(label, classes="field-label"), widget, classes="field")


class Dialog(ModalScreen[T | None]):
    """A dialog box: Escape cancels, the OK button (or Enter in the last field) accepts."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "Input"

    def value_of(self, selector: str) -> str | None:
        """What the examiner typed in an input, stripped; None when empty."""
        return self.query_one(selector, Input).value.strip() or None

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)

    def buttons(self, ok: str) -> Horizontal:
        """The OK and Cancel buttons."""
        return Horizontal(
            Button(ok, variant="primary", id="ok"), Button("Cancel", id="cancel"), classes="buttons"
        )

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)


class CaseDialog(Dialog[CaseRequest]):
    """Open an existing case, or create a new one, and say who the examiner is."""

    def __init__(self, *, create: bool, path: Path | None, examiner: str | None) -> None:
        """A dialog prefilled with ``path`` and ``examiner``."""
        super().__init__()
        self.create = create
        self.path = path
        self.examiner = examiner

    def compose(self) -> ComposeResult:
        """Fields of the case (only the path and examiner when opening)."""
        title = "Create a case" if self.create else "Open a case"
        with VerticalScroll(classes="dialog"):
            yield Label(title, classes="title")
            yield field("Case file", Input(str(self.path or ""), placeholder="case.db", id="path"))
            yield field(
                "Examiner", Input(self.examiner or "", placeholder="your name", id="examiner")
            )
            if self.create:
                for name, hint in (
                    ("case-number", "agency case number"),
                    ("title", "case title"),
                    ("agency", "investigating agency"),
                    ("time-zone", "IANA zone of the site, e.g. Asia/Tokyo"),
                ):
                    yield field(
                        name.replace("-", " ").capitalize(), Input(placeholder=hint, id=name)
                    )
            yield self.buttons("Create" if self.create else "Open")

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def _accept(self) -> None:
        path, examiner = self.value_of("#path"), self.value_of("#examiner")
        if path is None or examiner is None:
            self.notify("give the case file and the examiner's name", severity="error")
            return
        extra = {}
        if self.create:
            extra = {
                "case_number": self.value_of("#case-number"),
                "title": self.value_of("#title"),
                "agency": self.value_of("#agency"),
                "time_zone": self.value_of("#time-zone"),
            }
        self.dismiss(CaseRequest(Path(path).expanduser(), examiner, self.create, **extra))


class SafeDirectoryTree(DirectoryTree):
    """A folder tree whose file names are escaped like evidence (the host's names can lie)."""

    def process_label(self, label: TextType) -> Text:
        """The name with controls, bidi and invisible characters escaped."""
        return safe(label) if isinstance(label, str) else label


class FilePicker(Dialog[Path]):
    """Pick an image file from a folder tree."""

    AUTO_FOCUS = "DirectoryTree"

    def __init__(self, start: Path) -> None:
        """A picker rooted at ``start``."""
        super().__init__()
        self.start = start

    def compose(self) -> ComposeResult:
        """The folder tree."""
        with VerticalScroll(classes="dialog picker"):
            yield Label("Pick the disk image (Enter on a file; Escape to cancel)", classes="title")
            yield SafeDirectoryTree(self.start, id="picker")

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        """Answer with the chosen file."""
        self.dismiss(event.path)


class ExhibitDialog(Dialog[ExhibitRequest]):
    """Register a disk image as an exhibit, with its seizure facts."""

    FACTS = (
        ("description", "what it is, e.g. Dell laptop, desk 4"),
        ("seized-from", "person or company"),
        ("seized-where", "address or room"),
        ("seized-when", "ISO-8601, e.g. 2026-03-01T09:30+09:00"),
        ("seized-by", "officer"),
    )

    def __init__(self, start: Path) -> None:
        """A dialog whose file picker starts in ``start``."""
        super().__init__()
        self.start = start

    def compose(self) -> ComposeResult:
        """The image path (typed or picked), the exhibit id and the facts."""
        with VerticalScroll(classes="dialog"):
            yield Label("Add an exhibit", classes="title")
            yield field("Disk image", Input(placeholder=".raw/.E01/.001 ...", id="image"))
            yield Button("Browse...", id="browse", classes="browse")
            yield field("Exhibit id", Input(placeholder="evidence bag number", id="exhibit"))
            for name, hint in self.FACTS:
                yield field(name.replace("-", " ").capitalize(), Input(placeholder=hint, id=name))
            yield self.buttons("Add")

    @on(Button.Pressed, "#browse")
    def _browse(self) -> None:
        def picked(path: Path | None) -> None:
            if path is not None:
                self.query_one("#image", Input).value = str(path)
                exhibit = self.query_one("#exhibit", Input)
                if not exhibit.value:
                    exhibit.value = path.name

        self.app.push_screen(FilePicker(self.start), picked)

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def _accept(self) -> None:
        image, exhibit = self.value_of("#image"), self.value_of("#exhibit")
        if image is None or exhibit is None:
            self.notify("give the disk image and the exhibit id", severity="error")
            return
        self.dismiss(
            ExhibitRequest(
                Path(image).expanduser(),
                exhibit,
                self.value_of("#description"),
                self.value_of("#seized-from"),
                self.value_of("#seized-where"),
                self.value_of("#seized-when"),
                self.value_of("#seized-by"),
            )
        )


class AnnotateDialog(Dialog[tuple[str, str | None]]):
    """Mark a file as notable: a tag and an optional note (each a custody entry)."""

    AUTO_FOCUS = "#note"

    def __init__(self, file_label: str) -> None:
        """A dialog naming the file (already escaped for display)."""
        super().__init__()
        self.file_label = file_label

    def compose(self) -> ComposeResult:
        """Tag and note fields."""
        with VerticalScroll(classes="dialog"):
            yield Label("Mark as notable", classes="title")
            yield Label(self.file_label, markup=False)
            yield field("Tag", Input("notable", id="tag"))
            yield field("Note", Input(placeholder="optional: why it matters", id="note"))
            yield self.buttons("Record")

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted)
    def _accept(self) -> None:
        tag = self.value_of("#tag")
        if tag is None:
            self.notify("a tag is needed", severity="error")
            return
        self.dismiss((tag, self.value_of("#note")))


class SortDialog(Dialog[FileSort]):
    """Sort the file table by any catalog column, either way."""

    AUTO_FOCUS = "OptionList"

    def __init__(self, current: FileSort) -> None:
        """A list of sort keys with ``current`` marked."""
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        """The keys and the direction."""
        with VerticalScroll(classes="dialog"):
            yield Label("Sort files by", classes="title")
            keys = list(SORT_KEYS)
            options = OptionList(*keys, id="keys")
            options.highlighted = keys.index(self.current.key)
            yield options
            yield Checkbox("Descending", self.current.descending, id="descending")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Answer with the chosen key and direction."""
        descending = self.query_one("#descending", Checkbox).value
        self.dismiss(FileSort(str(event.option.prompt), descending))
