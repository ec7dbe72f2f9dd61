"""A file table that stays fast with millions of rows: a Line-API view over an ordered snapshot.

The table never holds the rows of a view, only their order (``catalog.store.browse``
keeps eight bytes a row). The lines on screen are drawn from pages of rows fetched by
rowid as they scroll into view, and at most ``MAX_PAGES`` pages are kept.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeAlias

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from tui.widgets.safe import safe, size_text

PAGE_ROWS = 100
MAX_PAGES = 32

PageSource: TypeAlias = "Callable[[array[int], int, int], list[dict[str, Any]]]"


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its title, the sort key it stands for, its width (0: takes what is left)."""

    title: str
    sort_key: str
    width: int
    min_table_width: int = 0
    """Shown only when the table is at least this wide."""


COLUMNS = (
    Column("Flags", "allocated", 5),
    Column("Name", "path", 0),
    Column("Size", "size", 10),
    Column("Category", "category", 11, 56),
    Column("Modified (UTC)", "modified", 20, 76),
)


def flags(row: dict[str, Any]) -> str:
    """Five one-letter flags: Deleted, Mismatch, Findings, Known (G good/B bad), Tagged."""
    known = {"known-good": "G", "known-bad": "B"}.get(str(row.get("known_status")), "-")
    return (
        ("D" if not row.get("is_allocated") else "-")
        + ("M" if row.get("extension_mismatch") else "-")
        + ("F" if row.get("finding_count") else "-")
        + known
        + ("T" if row.get("tagged") else "-")
    )


def layout(width: int) -> list[tuple[Column, int]]:
    """The columns that fit ``width`` cells and the width each gets (one space between)."""
    shown = [column for column in COLUMNS if width >= column.min_table_width]
    fixed = sum(column.width for column in shown) + len(shown) - 1
    return [(column, column.width or max(width - fixed, 8)) for column in shown]


def cell(row: dict[str, Any], column: Column, show_paths: bool) -> Text:
    """The text of one cell, escaped."""
    if column.title == "Flags":
        return Text(flags(row))
    if column.title == "Name":
        return safe(row["path"] if show_paths else row["name"])
    if column.title == "Size":
        return Text(size_text(row.get("size")), justify="right")
    if column.title == "Category":
        return safe(row.get("category") or "")
    return safe((row.get("modified") or "")[:20])


class FileTableHeader(Static):
    """The column titles; a click on one asks for a sort by it."""

    class SortClicked(Message):
        """A column title was clicked."""

        def __init__(self, sort_key: str) -> None:
            self.sort_key = sort_key
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sort_key = "path"
        self.descending = False

    def render(self) -> Text:
        """The titles laid out as the table lays out its cells."""
        text = Text(style="bold")
        for index, (column, width) in enumerate(layout(self.size.width)):
            arrow = (" v" if self.descending else " ^") if column.sort_key == self.sort_key else ""
            title = column.title + arrow
            text.append(("" if index == 0 else " ") + title[:width].ljust(width))
        return text

    def on_click(self, event: events.Click) -> None:
        """Post the sort key of the clicked title."""
        x = 0
        for column, width in layout(self.size.width):
            if x <= event.x < x + width + 1:
                self.post_message(self.SortClicked(column.sort_key))
                return
            x += width + 1


class FileTable(ScrollView, can_focus=True):
    """The rows of one ordered view, drawn page by page as they scroll into view."""

    DEFAULT_CSS = """
    FileTable { height: 1fr; }
    FileTable > .filetable--cursor { background: $accent; color: $text; }
    FileTable > .filetable--deleted { color: $error; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"filetable--cursor", "filetable--deleted"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "open", "Open file"),
    ]

    cursor_row: reactive[int] = reactive(0)

    class Opened(Message):
        """The examiner asked to open a file."""

        def __init__(self, file_id: str) -> None:
            self.file_id = file_id
            super().__init__()

    class Highlighted(Message):
        """The cursor moved onto a row."""

        def __init__(self, row: dict[str, Any] | None, index: int, total: int) -> None:
            self.row = row
            self.index = index
            self.total = total
            super().__init__()

    def __init__(self, page_source: PageSource, *, id: str | None = None) -> None:
        """Draw rows fetched through ``page_source(order, start, count)``."""
        super().__init__(id=id)
        self.page_source = page_source
        self.order: array[int] = array("q")
        self.show_paths = True
        self._pages: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()

    @property
    def row_count(self) -> int:
        """How many rows the view holds."""
        return len(self.order)

    def set_view(self, order: array[int], *, show_paths: bool) -> None:
        """Show a new ordered view from its first row."""
        self.order = order
        self.show_paths = show_paths
        self._pages.clear()
        self.virtual_size = Size(self.size.width, len(order))
        self.cursor_row = 0
        self.scroll_to(0, 0, animate=False)
        self.refresh()
        self._announce()

    def reload(self) -> None:
        """Fetch the visible rows again (after a tag or a rescan changed them)."""
        self._pages.clear()
        self.refresh()
        self._announce()

    def row_at(self, index: int) -> dict[str, Any] | None:
        """Row ``index`` of the view, fetched with its page if needed."""
        if not 0 <= index < len(self.order):
            return None
        page_index, offset = divmod(index, PAGE_ROWS)
        page = self._pages.get(page_index)
        if page is None:
            page = self.page_source(self.order, page_index * PAGE_ROWS, PAGE_ROWS)
            self._pages[page_index] = page
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_index)
        return page[offset] if offset < len(page) else None

    def render_line(self, y: int) -> Strip:
        """One screen line: the row under it, or blank."""
        index = self.scroll_offset.y + y
        width = self.size.width
        base = self.rich_style
        row = self.row_at(index)
        if row is None:
            return Strip.blank(width, base)
        text = Text(no_wrap=True, overflow="ellipsis")
        for position, (column, column_width) in enumerate(layout(width)):
            value = cell(row, column, self.show_paths)
            value.truncate(column_width, overflow="ellipsis", pad=True)
            if position:
                text.append(" ")
            text.append_text(value)
        style = base
        if not row.get("is_allocated"):
            style += self.get_component_rich_style("filetable--deleted")
        if index == self.cursor_row:
            style += self.get_component_rich_style("filetable--cursor")
        segments = [
            Segment(segment.text, style + segment.style if segment.style else style)
            for segment in text.render(self.app.console)
        ]
        return Strip(segments).crop_extend(0, width, style if index == self.cursor_row else base)

    def watch_cursor_row(self, old: int, new: int) -> None:
        """Redraw the two lines that changed and keep the cursor in view."""
        self.refresh_lines(old - self.scroll_offset.y)
        self.refresh_lines(new - self.scroll_offset.y)
        if new < self.scroll_offset.y:
            self.scroll_to(y=new, animate=False)
        elif new >= self.scroll_offset.y + self.size.height:
            self.scroll_to(y=new - self.size.height + 1, animate=False)
        self._announce()

    def _announce(self) -> None:
        self.post_message(
            self.Highlighted(self.row_at(self.cursor_row), self.cursor_row, len(self.order))
        )

    def _move_to(self, index: int) -> None:
        if self.order:
            self.cursor_row = max(0, min(index, len(self.order) - 1))

    def action_move(self, delta: int) -> None:
        """Move the cursor by ``delta`` rows."""
        self._move_to(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        """Move the cursor by a screenful."""
        self._move_to(self.cursor_row + direction * max(self.size.height - 1, 1))

    def action_jump(self, index: int) -> None:
        """Go to the first row (0) or the last (-1)."""
        self._move_to(len(self.order) - 1 if index < 0 else index)

    def action_open(self) -> None:
        """Open the file under the cursor."""
        row = self.row_at(self.cursor_row)
        if row is not None:
            self.post_message(self.Opened(str(row["file_id"])))

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor; a click on the cursor's row (or a double click) opens."""
        index = self.scroll_offset.y + event.y
        if index >= len(self.order):
            return
        if index == self.cursor_row or event.chain > 1:
            self.action_open()
        self._move_to(index)

    def on_resize(self) -> None:
        """Keep the virtual width equal to the widget's (no horizontal scrolling)."""
        self.virtual_size = Size(self.size.width, len(self.order))
