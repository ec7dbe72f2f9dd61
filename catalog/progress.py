"""How the pipeline reports progress: a protocol both front-ends implement."""

from __future__ import annotations

from typing import Protocol


class ScanProgress(Protocol):
    """Callbacks from the scan pipeline (called from the scanning thread)."""

    def evidence_started(self, exhibit: str, path: str, media_size: int) -> None:
        """An evidence item was opened."""

    def file_done(self, exhibit: str, n_files: int, n_bytes: int) -> None:
        """Running totals for the current evidence item."""

    def problem(self, message: str) -> None:
        """A problem row was recorded."""


class NullProgress:
    """Reports nothing."""

    def evidence_started(self, exhibit: str, path: str, media_size: int) -> None:
        """Ignore."""

    def file_done(self, exhibit: str, n_files: int, n_bytes: int) -> None:
        """Ignore."""

    def problem(self, message: str) -> None:
        """Ignore."""
