"""The browse screen: the evidence tree beside the file table, with filters and sorting.

Choosing a tree node, a filter or a sort builds a new ordered view in a worker thread
(``catalog.store.browse.build_order``); the table then draws it page by page. A newer
request cancels the one still building, so typing fast never queues work.
"""

from __future__ import annotations

from array import array
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, Footer, Header, Select, Static
from textual.worker import Worker, WorkerState, get_current_worker

from catalog.store import browse
from tui.screens.base import SessionScreen
from tui.screens.dialogs import SortDialog
from tui.widgets.evidencetree import EvidenceTree, TreeItem
from tui.widgets.filetable import FileTable, FileTableHeader
from tui.widgets.safe import safe

if TYPE_CHECKING:
    from catalog.casesession import CaseSession

ANY = "any"


class OrderReady(Message):
    """A view's order was built."""

    def __init__(
        self, order: array[int], request: tuple[browse.FileFilter, browse.FileSort]
    ) -> None:
        self.order = order
        self.request = request
        super().__init__()


class BrowseScreen(SessionScreen):
    """Exhibit, partition, file system and directory tree; files; filters; sorting."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "flip('deleted')", "Deleted"),
        Binding("m", "flip('mismatch')", "Mismatch"),
        Binding("g", "flip('findings')", "Has findings"),
        Binding("s", "sort", "Sort"),
        Binding("r", "reverse", "Reverse"),
        Binding("tab", "focus_next", "Next pane", show=False),
    ]

    def __init__(self, session: CaseSession) -> None:
        """A browser over ``session``'s case."""
        super().__init__(session)
        self.file_filter = browse.FileFilter()
        self.sort = browse.FileSort()
        self.building: tuple[browse.FileFilter, browse.FileSort] | None = None
        self.shown: tuple[browse.FileFilter, browse.FileSort] | None = None

    @property
    def view_is_current(self) -> bool:
        """Whether the table shows the view of the latest filter and sort."""
        return self.shown is not None and self.shown == self.building

    def compose(self) -> ComposeResult:
        """Filter bar on top; tree left; table right; status line."""
        yield Header()
        with Horizontal(id="filters"):
            yield Select([(ANY, ANY)], value=ANY, id="category", allow_blank=False)
            known = [(status, status) for status in browse.KNOWN_STATUSES]
            yield Select([(ANY, ANY), *known], value=ANY, id="known", allow_blank=False)
            yield Checkbox("Deleted", id="deleted")
            yield Checkbox("Mismatch", id="mismatch")
            yield Checkbox("Findings", id="findings")
        with Horizontal(id="browse-panes"):
            yield EvidenceTree(self.session, id="tree")
            with Vertical(id="table-pane"):
                yield FileTableHeader(id="table-header")
                yield FileTable(self._page, id="files")
        yield Static(id="browse-status")
        yield Footer()

    def file_table(self) -> FileTable:
        """The file table."""
        return self.query_one("#files", FileTable)

    def _page(self, order: array[int], start: int, count: int) -> list[dict[str, Any]]:
        return browse.file_page(self.session.reader, order, start, count)

    def on_mount(self) -> None:
        """Show every file of the case, focus the table, list the categories."""
        self.file_table().focus()
        self.rebuild()
        self.load_categories()

    @work(thread=True, exit_on_error=False, group="categories")
    def load_categories(self) -> None:
        """Fill the category list (a scan of every row: in a thread)."""
        db = self.session.open_reader()
        try:
            names = browse.categories(db)
        finally:
            db.close()
        self.app.call_from_thread(self._set_categories, names)

    def _set_categories(self, names: list[str]) -> None:
        select: Select[str] = self.query_one("#category", Select)
        select.set_options([(ANY, ANY), *((name, name) for name in names)])

    def rebuild(self) -> None:
        """Build the view for the current filter and sort."""
        self.building = (self.file_filter, self.sort)
        header = self.query_one("#table-header", FileTableHeader)
        header.sort_key, header.descending = self.sort.key, self.sort.descending
        header.refresh()
        self.query_one("#browse-status", Static).update("loading...")
        self.build_order(self.file_filter, self.sort)

    @work(thread=True, exclusive=True, exit_on_error=False, group="order")
    def build_order(self, file_filter: browse.FileFilter, sort: browse.FileSort) -> None:
        """Run the filter and sort (in a thread) and post the order."""
        worker = get_current_worker()
        db = self.session.open_reader()
        try:
            order = browse.build_order(db, file_filter, sort, cancelled=lambda: worker.is_cancelled)
        finally:
            db.close()
        if not worker.is_cancelled:
            self.post_message(OrderReady(order, (file_filter, sort)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Say so when a view could not be built (the table keeps the last one)."""
        if event.worker.group == "order" and event.state is WorkerState.ERROR:
            error = event.worker.error
            self.query_one("#browse-status", Static).update(
                safe(f"could not build the view: {type(error).__name__}: {error}", style="red")
            )

    def on_order_ready(self, message: OrderReady) -> None:
        """Show the view, unless a newer request is building."""
        if message.request != self.building:
            return
        self.shown = message.request
        self.file_table().set_view(message.order, show_paths=self.file_filter.directory is None)

    def on_file_table_highlighted(self, message: FileTable.Highlighted) -> None:
        """Status line: position, the highlighted file's full path and flags."""
        text = Text(f"{message.index + 1 if message.total else 0:,}/{message.total:,}  ")
        if message.row is not None:
            text.append_text(safe(message.row["exhibit"]))
            text.append(":")
            text.append_text(safe(message.row["path"]))
        sort = f"  sort: {self.sort.key}{' desc' if self.sort.descending else ''}"
        text.append(sort, style="dim")
        self.query_one("#browse-status", Static).update(text)

    def on_file_table_opened(self, message: FileTable.Opened) -> None:
        """Open the file's detail screen."""
        self.open_file(message.file_id, lambda _: self.file_table().reload())

    def on_evidence_tree_chosen(self, message: EvidenceTree.Chosen) -> None:
        """Filter the table to the chosen exhibit, file system or directory."""
        item: TreeItem = message.item
        self.file_filter = replace(
            self.file_filter,
            exhibit=item.exhibit,
            fs_id=item.fs_id,
            directory=item.path if item.kind in ("filesystem", "directory") else None,
        )
        self.rebuild()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        value = None if event.value in (ANY, Select.BLANK) else str(event.value)
        if event.select.id == "category":
            wanted = replace(self.file_filter, category=value)
        else:
            wanted = replace(self.file_filter, known_status=value)
        if wanted != self.file_filter:  # (filling the category list also says "changed")
            self.file_filter = wanted
            self.rebuild()

    @on(Checkbox.Changed)
    def _checkbox_changed(self, event: Checkbox.Changed) -> None:
        name, value = event.checkbox.id, event.value
        if name == "deleted":
            self.file_filter = replace(self.file_filter, deleted_only=value)
        elif name == "mismatch":
            self.file_filter = replace(self.file_filter, mismatch_only=value)
        else:
            self.file_filter = replace(self.file_filter, has_findings=value)
        self.rebuild()

    def action_flip(self, name: str) -> None:
        """Flip one of the filter check boxes."""
        box = self.query_one(f"#{name}", Checkbox)
        box.value = not box.value

    def action_sort(self) -> None:
        """Choose the sort column."""

        def chosen(sort: browse.FileSort | None) -> None:
            if sort is not None:
                self.sort = sort
                self.rebuild()

        self.app.push_screen(SortDialog(self.sort), chosen)

    def action_reverse(self) -> None:
        """Reverse the sort."""
        self.sort = replace(self.sort, descending=not self.sort.descending)
        self.rebuild()

    def on_file_table_header_sort_clicked(self, message: FileTableHeader.SortClicked) -> None:
        """A click on a column title sorts by it (a second click reverses)."""
        same = message.sort_key == self.sort.key
        self.sort = browse.FileSort(message.sort_key, same and not self.sort.descending)
        self.rebuild()
