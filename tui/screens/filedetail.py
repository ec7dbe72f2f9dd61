"""File detail: every catalog field, hashes, EXIF, findings, problems, text, hex, notes.

The text preview is the extracted text the scan stored. The hex view reads a bounded
window of the file from the evidence itself, on demand, in a worker thread
(``catalog.filecontent``). Nothing from the evidence reaches the terminal unescaped.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from catalog.displaysafe import hex_dump
from catalog.errors import EvcatError
from catalog.exports.base import raw_name_hex
from catalog.filecontent import read_file_bytes
from catalog.store import browse
from tui.screens.base import SessionScreen
from tui.screens.dialogs import AnnotateDialog
from tui.widgets.safe import highlighted, safe, safe_block

if TYPE_CHECKING:
    from catalog.casesession import CaseSession

TEXT_PREVIEW_CHARS = 20_000
HEX_WINDOW = 4096
SHOWN_FIELDS = (
    "exhibit", "path", "name", "type", "size", "is_allocated", "is_orphan", "is_virtual",
    "is_ads", "origin", "parent_file_id", "inode", "meta_addr", "fs_type", "fs_offset",
    "created", "modified", "accessed", "changed", "time_zone_note", "uid", "gid", "mode",
    "md5", "sha1", "sha256", "blake3", "mime", "magic_description", "category", "extension",
    "extension_mismatch", "content_status", "content_error", "text_status", "text_kind",
    "text_encoding", "known_status", "known_sets", "locator", "file_id", "run_id",
)  # fmt: skip


def field_lines(row: dict[str, Any]) -> Text:
    """``name: value`` lines of the catalog fields, escaped; EXIF expanded."""
    text = Text()
    for name in SHOWN_FIELDS:
        value = row.get(name)
        if value is None or value == "":
            continue
        text.append(f"{name:>20}: ", style="bold")
        text.append_text(safe(value))
        text.append("\n")
    raw_hex = raw_name_hex(row.get("name_raw"), str(row.get("name") or ""))
    if raw_hex is not None:  # the shown name is not the exact bytes: give the bytes
        text.append(f"{'name bytes (hex)':>20}: ", style="bold")
        text.append(raw_hex + "\n")
    if row.get("exif"):
        try:
            exif = json.loads(str(row["exif"]))
        except ValueError:
            exif = {"exif": row["exif"]}
        for key, value in sorted(exif.items()) if isinstance(exif, dict) else []:
            text.append_text(safe(f"{'EXIF ' + str(key):>20}: ", style="bold"))
            text.append_text(safe(value, 200))
            text.append("\n")
    return text


class FileDetailScreen(SessionScreen):
    """One catalogued file, all of it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "annotate", "Tag / note"),
        Binding("x", "hex", "Hex view"),
        Binding("pagedown", "hex_page(1)", "Next 4 KiB", show=False),
        Binding("pageup", "hex_page(-1)", "Prev 4 KiB", show=False),
    ]

    def __init__(self, session: CaseSession, file_id: str) -> None:
        """Details of ``file_id`` in ``session``'s case."""
        super().__init__(session)
        self.file_id = file_id
        self.hex_offset = 0
        self.file_size = 0

    def compose(self) -> ComposeResult:
        """Tabs: details, findings, text, hex, notes and problems."""
        yield Header()
        yield Static(id="file-title")
        with TabbedContent(id="tabs"):
            with TabPane("Details", id="tab-details"), VerticalScroll():
                yield Static(id="details")
            with TabPane("Findings", id="tab-findings"), VerticalScroll():
                yield Static(id="findings")
            with TabPane("Text", id="tab-text"), VerticalScroll():
                yield Static(id="text")
            with TabPane("Hex", id="tab-hex"), VerticalScroll():
                yield Static("press x to read the content from the evidence", id="hex")
            with TabPane("Notes", id="tab-notes"), VerticalScroll():
                yield Static(id="notes")
        yield Footer()

    def on_mount(self) -> None:
        """Fill every tab but the hex view (read on demand)."""
        self.refresh_detail()

    def refresh_detail(self) -> None:
        """Read the file's rows again and fill the tabs."""
        db = self.session.reader
        row = browse.file_detail(db, self.file_id)
        if row is None:
            self.query_one("#file-title", Static).update(f"no file {self.file_id!r} in this case")
            return
        self.file_size = int(row["size"] or 0)
        title = Text.assemble(safe(row["exhibit"], style="bold"), ":", safe(row["path"]))
        if not row["is_allocated"]:
            title.append("  (deleted)", style="red")
        self.query_one("#file-title", Static).update(title)
        self.query_one("#details", Static).update(field_lines(row))
        self._show_findings(browse.file_findings(db, self.file_id))
        text = browse.file_text(db, self.file_id, TEXT_PREVIEW_CHARS)
        preview = safe_block(text) if text else Text(f"no extracted text ({row['text_status']})")
        self.query_one("#text", Static).update(preview)
        self._show_notes(db)

    def _show_findings(self, findings: list[dict[str, Any]]) -> None:
        text = Text()
        for finding in findings:
            text.append(f"{finding['kind']}", style="bold")
            text.append(f"  score {finding['score']:.2f}  offset {finding['offset']}  ")
            text.append_text(safe(finding["normalized"], 80))
            text.append("\n    ")
            text.append_text(highlighted(finding["snippet"] or "", finding["value"]))
            text.append("\n")
        self.query_one("#findings", Static).update(text or Text("no findings"))

    def _show_notes(self, db: Any) -> None:
        text = Text()
        for note in browse.file_annotations(db, self.file_id):
            text.append(f"{note['kind']} (custody entry {note['custody_seq']}, {note['added']}, ")
            text.append_text(safe(note["examiner"]))
            text.append("): ")
            text.append_text(safe(note["text"]))
            text.append("\n")
        problems = browse.file_problems(db, self.file_id)
        for problem in problems:
            text.append(f"problem [{problem['stage']}] ", style="red")
            text.append_text(safe(problem["message"]))
            text.append("\n")
        self.query_one("#notes", Static).update(text or Text("no tags, notes or problems"))

    def action_annotate(self) -> None:
        """Mark the file as notable with a tag and an optional note (logged)."""
        row = browse.file_detail(self.session.reader, self.file_id)
        label = str(safe(row["path"] if row else self.file_id, 70))
        self.app.push_screen(AnnotateDialog(label), self._annotate)

    def _annotate(self, answer: tuple[str, str | None] | None) -> None:
        if answer is None:
            return
        tag, note = answer
        try:
            entry = self.session.tag(self.file_id, tag)
            message = f"tagged {tag!r} (custody entry {entry['custody_seq']})"
            if note:
                noted = self.session.note(self.file_id, note)
                message += f", note added (custody entry {noted['custody_seq']})"
        except EvcatError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(message, markup=False)
        self._show_notes(self.session.reader)
        self.query_one("#tabs", TabbedContent).active = "tab-notes"

    def action_hex(self) -> None:
        """Read the first window of the content from the evidence."""
        self.query_one("#tabs", TabbedContent).active = "tab-hex"
        self.hex_offset = 0
        self.load_hex(0)

    def action_hex_page(self, direction: int) -> None:
        """The next or previous window of the content."""
        if self.query_one("#tabs", TabbedContent).active != "tab-hex":
            return
        last = max(self.file_size - 1, 0)
        wanted = max(
            0, min(self.hex_offset + direction * HEX_WINDOW, last // HEX_WINDOW * HEX_WINDOW)
        )
        if wanted != self.hex_offset:
            self.hex_offset = wanted
            self.load_hex(wanted)

    @work(thread=True, exclusive=True, exit_on_error=False, group="hex")
    def load_hex(self, offset: int) -> None:
        """Read ``HEX_WINDOW`` bytes at ``offset`` from the evidence (in a thread)."""
        try:
            window = read_file_bytes(self.session.path, self.file_id, offset, HEX_WINDOW)
        except EvcatError as exc:
            self.app.call_from_thread(self._show_hex, safe(exc, style="red"))
            return
        lines = safe(window.source)
        lines.append(f"; bytes {offset:,}-{offset + len(window.data):,} of {window.file_size:,}\n")
        lines.append("\n".join(hex_dump(window.data, offset)))
        self.app.call_from_thread(self._show_hex, lines)

    def _show_hex(self, text: Text) -> None:
        self.query_one("#hex", Static).update(text)
