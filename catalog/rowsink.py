"""Where a batch of file rows goes: the catalog, plus the hash-set lookup of every file.

``evcat scan`` and ``evcat carve`` both write batches of ``DocumentRows`` (file rows,
their findings and extracted text) through this, so a carved file is looked up in the
hash sets and stored exactly as a walked one is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from catalog.documentrows import DocumentRows
    from catalog.knownfiles import KnownFileMatcher
    from catalog.store.writer import CatalogWriter


@dataclass(slots=True)
class SinkCounts:
    """What the batches written so far added beyond their file rows."""

    findings: int = 0
    known_good: int = 0
    known_bad: int = 0


class RowSink:
    """Writes batches of file rows for one run, matching them against the hash sets."""

    def __init__(
        self, writer: CatalogWriter, run_id: str, known: KnownFileMatcher | None = None
    ) -> None:
        """Write through ``writer`` for run ``run_id``; look files up in ``known``."""
        self.writer = writer
        self.run_id = run_id
        self.known = known
        self.counts = SinkCounts()

    def write(self, batch: DocumentRows) -> None:
        """Store the batch's files, known-file matches, findings and text."""
        self.writer.upsert("files", batch.files, pk="file_id")
        self.counts.findings += len(batch.findings)
        if self.known is not None:
            matched = self.known.match(batch.files, self.run_id)
            batch.findings += matched.findings
            if matched.known:
                self.writer.upsert("known_files", matched.known, pk="file_id")
            self.counts.known_good += sum(r["status"] == "known-good" for r in matched.known)
            self.counts.known_bad += sum(r["status"] == "known-bad" for r in matched.known)
            self.counts.findings += len(matched.findings)
        if batch.findings:
            self.writer.upsert("findings", batch.findings, pk="finding_id")
        if batch.texts:
            self.writer.upsert("texts", batch.texts, pk="file_id")
