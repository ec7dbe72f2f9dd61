"""One open case, as an interactive front-end sees it: reads for browsing, and actions.

The TUI holds a ``CaseSession`` and calls nothing else of the core. Every action delegates
to the same function the batch CLI calls (``catalog.case``, ``catalog.pipeline``,
``catalog.custody.actions``, ``catalog.exports``), so both front-ends record the same
custody entries. Reads go through read-only connections: ``reader`` for the thread that
owns the session, ``open_reader`` for a worker thread (each thread its own connection).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.case import CaseFacts, ExhibitFacts, add_exhibit, init_case
from catalog.custody import actions, log
from catalog.custody.verify import VerifyOptions, VerifyReport
from catalog.errors import CatalogError, UsageError
from catalog.exports import FORMATS, ExportResult, run_export
from catalog.exports.report import verification_status
from catalog.hashsets import store_for_scan
from catalog.options import ScanOptions
from catalog.pipeline import ScanSummary, scan
from catalog.store import open_catalog_readonly, open_existing_catalog, reads

if TYPE_CHECKING:
    import threading

    from sqlite_utils import Database

    from catalog.custody.log import Actor
    from catalog.progress import ScanProgress

__all__ = ["FORMATS", "CaseSession", "ExhibitView"]


@dataclass(frozen=True, slots=True)
class ExhibitView:
    """An exhibit as the case screen lists it."""

    record: dict[str, Any]
    verification: str
    """``not verified``, or the latest verification's verdict for this exhibit."""

    @property
    def exhibit(self) -> str:
        """The exhibit id."""
        return str(self.record["exhibit"])


class CaseSession:
    """An open case and the examiner acting on it."""

    def __init__(self, path: Path, actor: Actor) -> None:
        """Open the existing case at ``path`` (bringing its schema up to date once).

        Raises:
            CatalogError: no case catalog at ``path``, or one evcat cannot use.
        """
        if not path.is_file():
            raise CatalogError(f"{path}: no such case catalog")
        open_existing_catalog(path).close()  # migrate once; every later read is read-only
        self.path = path
        self.actor = actor
        self._reader: Database | None = None

    @classmethod
    def create(cls, path: Path, facts: CaseFacts, actor: Actor) -> CaseSession:
        """Create a new case at ``path`` and open it.

        Raises:
            UsageError: ``path`` already holds a case, or a fact is malformed.
        """
        if path.exists():
            raise UsageError(f"{path}: already exists; open it or pick a new path")
        init_case(path, facts, actor)
        return cls(path, actor)

    @property
    def reader(self) -> Database:
        """The read-only connection of the thread that opened the session."""
        if self._reader is None:
            self._reader = open_catalog_readonly(self.path)
        return self._reader

    def open_reader(self) -> Database:
        """A new read-only connection for a worker thread (the caller closes it)."""
        return open_catalog_readonly(self.path)

    def close(self) -> None:
        """Close the session's own connection."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def facts(self) -> dict[str, Any]:
        """The case's own facts (``case_info``)."""
        return reads.case_record(self.reader) or {}

    def exhibits(self) -> list[ExhibitView]:
        """Every registered exhibit with its latest verification verdict."""
        records = reads.exhibit_records(self.reader)
        last = log.head(self.reader)
        verdicts = verification_status(
            self.reader, [str(row["exhibit"]) for row in records], last.seq if last else 0
        )
        views = []
        for row in records:
            verdict = verdicts.get(str(row["exhibit"]))
            views.append(ExhibitView(row, verdict.text if verdict else "not verified"))
        return views

    def add_exhibit(self, image: Path, exhibit: str, facts: ExhibitFacts) -> dict[str, Any]:
        """Register ``image`` as ``exhibit`` (logged), as ``evcat add`` does.

        Raises:
            UsageError: the image is missing, beside the case, or already registered.
        """
        return add_exhibit(self.path, image, exhibit, facts, self.actor)

    def scan(
        self,
        exhibits: list[str],
        progress: ScanProgress,
        cancel: threading.Event,
        *,
        extract_text: bool = True,
    ) -> ScanSummary:
        """Scan registered exhibits, as ``evcat scan`` does (hash sets from the default store).

        Raises:
            UsageError: an exhibit is not registered.
        """
        db = self.open_reader()  # this runs in a worker thread: its own connection
        try:
            registered = {str(row["exhibit"]): row for row in reads.exhibit_records(db)}
        finally:
            db.close()
        missing = [exhibit for exhibit in exhibits if exhibit not in registered]
        if missing:
            raise UsageError(f"not registered in {self.path}: {', '.join(missing)}")
        images = [Path(str(registered[exhibit]["registered_path"])) for exhibit in exhibits]
        options = ScanOptions(
            examiner=self.actor.examiner,
            exhibits=tuple(exhibits),
            extract_text=extract_text,
            hash_set_store=store_for_scan(None),
            signing_key=self.actor.signing_key,
        )
        return scan(images, self.path, options, progress, cancel)

    def tag(self, file_id: str, tag: str) -> dict[str, Any]:
        """Tag a file (logged), as ``evcat tag`` does."""
        return actions.add_tag(self.path, file_id, tag, self.actor)

    def note(self, file_id: str, text: str) -> dict[str, Any]:
        """Attach a note to a file (logged), as ``evcat note`` does."""
        return actions.add_note(self.path, file_id, text, self.actor)

    def verify(self, *, rehash_evidence: bool = True) -> VerifyReport:
        """Verify the case (logged), as ``evcat verify`` does."""
        options = VerifyOptions(rehash_evidence=rehash_evidence)
        return actions.verify_case_file(self.path, options, self.actor)

    def export(self, export_format: str, output: Path, *, hide_known: bool = False) -> ExportResult:
        """Write an export with its manifest (logged), as ``evcat export`` does."""
        return run_export(self.path, export_format, output, self.actor, hide_known=hide_known)

    def custody_entries(self) -> list[log.CustodyEntry]:
        """The whole custody log, oldest first."""
        return list(log.entries(self.reader))
