"""The case screen: the case's facts, its exhibits, and the way to every other screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from catalog.case import CaseFacts, ExhibitFacts
from catalog.casesession import CaseSession, ExhibitView
from catalog.errors import EvcatError
from catalog.examiner import actor_for
from tui.screens.dialogs import CaseDialog, CaseRequest, ExhibitDialog, ExhibitRequest
from tui.widgets.safe import safe, size_text

if TYPE_CHECKING:
    from tui.app import EvcatApp


class CaseScreen(Screen[None]):
    """Case facts and exhibits (seizure facts, media hashes, verification)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open_case", "Open"),
        Binding("n", "new_case", "New"),
        Binding("a", "add_exhibit", "Add exhibit"),
        Binding("s", "scan(False)", "Scan exhibit"),
        Binding("S", "scan(True)", "Scan all"),
        Binding("b", "browse", "Browse"),
        Binding("f", "findings", "Findings"),
        Binding("slash", "search", "Search"),
        Binding("c", "custody", "Custody"),
        Binding("e", "export", "Export"),
    ]

    def __init__(self) -> None:
        """A case screen; the app's case is opened on mount."""
        super().__init__()
        self.views: dict[str, ExhibitView] = {}
        """The open case's exhibits as last read (``refresh_case``), by id."""

    @property
    def evcat(self) -> EvcatApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        """Facts above, exhibits below, the chosen exhibit's details under them."""
        yield Header()
        yield Static(id="case-facts")
        yield DataTable(id="exhibits", cursor_type="row", zebra_stripes=True)
        yield Static(id="exhibit-detail")
        yield Footer()

    def exhibit_table(self) -> DataTable[Text]:
        """The exhibits table."""
        return self.query_one("#exhibits", DataTable)

    def on_mount(self) -> None:
        """Open the app's case, or ask which case to open or create."""
        table = self.exhibit_table()
        table.add_columns(
            "Exhibit", "Format", "Size", "Files", "Problems", "Media hash", "Verified"
        )
        path = self.evcat.case_path
        if path is not None and path.is_file() and self.evcat.examiner:
            self._open(CaseRequest(path, self.evcat.examiner, create=False))
        elif path is not None and path.is_file():
            self.action_open_case()
        elif path is not None:
            self.action_new_case()
        else:
            self.refresh_case()

    def _open(self, request: CaseRequest | None) -> None:
        if request is None:
            return
        try:
            actor = actor_for(request.examiner)
            if request.create:
                facts = CaseFacts(
                    request.case_number, request.title, request.agency, request.time_zone
                )
                session = CaseSession.create(request.path, facts, actor)
            else:
                session = CaseSession(request.path, actor)
        except EvcatError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.evcat.use_session(session)
        self.refresh_case()

    def refresh_case(self) -> None:
        """Show the open case's facts and exhibits again."""
        facts = self.query_one("#case-facts", Static)
        table = self.exhibit_table()
        table.clear()
        session = self.evcat.session
        self.views = {view.exhibit: view for view in session.exhibits()} if session else {}
        if session is None:
            facts.update("No case open. Press o to open a case or n to create one.")
            return
        record = session.facts()
        lines = Text()
        lines.append("Case ", style="bold")
        lines.append_text(safe(record.get("case_number") or record.get("case_id")))
        for label, key in (("title", "title"), ("agency", "agency"), ("zone", "site_time_zone")):
            if record.get(key):
                lines.append(f"  {label}: ")
                lines.append_text(safe(record[key]))
        lines.append(f"\ncreated {record.get('created')} by ")
        lines.append_text(safe(record.get("created_by")))
        facts.update(lines)
        for view in self.views.values():
            row = view.record
            table.add_row(
                safe(view.exhibit),
                safe(row.get("format") or "not scanned"),
                Text(size_text(row.get("media_size"))),
                Text(f"{row.get('file_count') or 0:,}"),
                Text(f"{row.get('problem_count') or 0:,}"),
                safe(row.get("media_hash_status") or "-"),
                safe(view.verification.split(" (")[0]),
                key=view.exhibit,
            )
        self._show_exhibit()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the highlighted exhibit's seizure facts and hashes."""
        self._show_exhibit()

    def _show_exhibit(self) -> None:
        detail = self.query_one("#exhibit-detail", Static)
        table = self.exhibit_table()
        if table.row_count == 0:
            detail.update("No exhibits yet. Press a to add a disk image.")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        view = self.views.get(str(key))
        if view is None:
            return
        text = Text()
        for label, name in (
            ("image", "registered_path"),
            ("description", "description"),
            ("seized from", "seized_from"),
            ("seized where", "seized_where"),
            ("seized when (UTC)", "seized_when"),
            ("seized by", "seized_by"),
            ("acquisition MD5", "acquisition_md5"),
            ("media SHA-256", "media_sha256"),
            ("media MD5", "media_md5"),
        ):
            if view.record.get(name):
                text.append(f"{label}: ", style="bold")
                text.append_text(safe(view.record[name]))
                text.append("\n")
        text.append("verification: ", style="bold")
        text.append_text(safe(view.verification))
        detail.update(text)

    def action_open_case(self) -> None:
        """Ask for a case to open."""
        dialog = CaseDialog(create=False, path=self.evcat.case_path, examiner=self.evcat.examiner)
        self.app.push_screen(dialog, self._open)

    def action_new_case(self) -> None:
        """Ask for the facts of a new case."""
        dialog = CaseDialog(create=True, path=self.evcat.case_path, examiner=self.evcat.examiner)
        self.app.push_screen(dialog, self._open)

    def _needs_session(self) -> CaseSession | None:
        if self.evcat.session is None:
            self.notify("open or create a case first (o / n)", severity="warning")
        return self.evcat.session

    def action_add_exhibit(self) -> None:
        """Ask for a disk image and its facts, then register it."""
        if self._needs_session() is not None:
            self.app.push_screen(ExhibitDialog(self.evcat.start_directory), self._add)

    def _add(self, request: ExhibitRequest | None) -> None:
        session = self.evcat.session
        if request is None or session is None:
            return
        facts = ExhibitFacts(
            request.description,
            request.seized_from,
            request.seized_where,
            request.seized_when,
            request.seized_by,
        )
        try:
            session.add_exhibit(request.image, request.exhibit, facts)
        except EvcatError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"added exhibit {request.exhibit}", markup=False)
        self.refresh_case()

    def action_scan(self, every_exhibit: bool) -> None:
        """Scan the highlighted exhibit, or all of them (a rescan replaces an exhibit's rows)."""
        from tui.screens.ingest import ScanScreen

        session = self._needs_session()
        if session is None:
            return
        table = self.exhibit_table()
        if table.row_count == 0:
            self.notify("add an exhibit first (a)", severity="warning")
            return
        if every_exhibit:
            exhibits = list(self.views)
        else:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            exhibits = [str(key)]
        self.app.push_screen(ScanScreen(session, exhibits), lambda _: self.refresh_case())

    def action_browse(self) -> None:
        """Browse the catalogued files."""
        from tui.screens.evidence import BrowseScreen

        session = self._needs_session()
        if session is not None:
            self.app.push_screen(BrowseScreen(session))

    def action_findings(self) -> None:
        """Scam artefacts and identifiers, across exhibits."""
        from tui.screens.findings import FindingsScreen

        session = self._needs_session()
        if session is not None:
            self.app.push_screen(FindingsScreen(session))

    def action_search(self) -> None:
        """Full-text search over extracted text."""
        from tui.screens.search import SearchScreen

        session = self._needs_session()
        if session is not None:
            self.app.push_screen(SearchScreen(session))

    def action_custody(self) -> None:
        """The custody log, with verification."""
        from tui.screens.custody import CustodyScreen

        session = self._needs_session()
        if session is not None:
            self.app.push_screen(CustodyScreen(session), lambda _: self.refresh_case())

    def action_export(self) -> None:
        """Write an export."""
        from tui.screens.export import ExportDialog

        session = self._needs_session()
        if session is not None:
            self.app.push_screen(ExportDialog(session))
