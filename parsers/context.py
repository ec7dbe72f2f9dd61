"""What the pipeline hands every parser: limits and a place to report problems.

Parsers never print, never open the catalog and never read the wall clock; they report
recoverable trouble through ``ctx.problem`` and carry on (style guide, section 5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from parsers.archive import ArchiveLimits
from parsers.extractor import TextLimits

if TYPE_CHECKING:
    from catalog.locator import Locator


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep hostile evidence from exhausting time or memory."""

    max_depth: int = 256
    """Deepest directory nesting walked."""
    max_dir_entries: int = 2_000_000
    """Most entries read from one directory."""
    chunk_size: int = 1 << 20
    """Bytes per read when streaming file content."""
    head_size: int = 64 * 1024
    """Leading bytes of each file given to the classifiers."""
    text: TextLimits = field(default_factory=TextLimits)
    """Bounds on text extraction per file."""
    archive: ArchiveLimits = field(default_factory=ArchiveLimits)
    """Bounds on opening archives."""
    extract_seconds: float = 60.0
    """Wall-clock time one file's extraction and detection may take (archives included)."""
    extract_memory_bytes: int = 1 << 30
    """Address space the extraction process may add beyond its start-up size."""
    stored_text_chars: int = 1 << 20
    """Characters of each file's text kept in the catalog for full-text search."""


class ParseContext(Protocol):
    """The pipeline's side of a parser call."""

    @property
    def limits(self) -> Limits:
        """Bounds for this run."""
        ...

    def problem(
        self,
        stage: str,
        message: str,
        *,
        locator: Locator | None = None,
        offset: int | None = None,
        exc: BaseException | None = None,
    ) -> None:
        """Record something that could not be read, and continue."""
        ...
