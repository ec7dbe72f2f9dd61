"""Text extraction: the records and the plug point every format's extractor shares.

An extractor turns the bytes of one file (a seekable, read-only stream the pipeline
spooled while hashing) into an ``Extraction``: the searchable text, the raw markup of web
pages, and the tables of tabular formats. Extractors are pure: they never open the
evidence, the catalog or the network; malformed input raises ``ExtractionError`` (the
pipeline records a problem row and moves on).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Protocol


class ExtractionError(ValueError):
    """The content is malformed or exceeds a limit; the message says which, in one line."""


@dataclass(frozen=True, slots=True)
class TextLimits:
    """Bounds on extraction, per file: hostile documents must not exhaust time or memory."""

    max_input_bytes: int = 64 << 20
    """Bytes of one file given to an extractor; text formats beyond it are cut, others skipped."""
    max_text_chars: int = 4 << 20
    """Characters of text kept per file (the rest is dropped and ``truncated`` is set)."""
    max_table_rows: int = 20_000
    """Data rows kept per table (``row_count`` still counts them all)."""
    max_tables: int = 64
    """Tables kept per file (sheets, database tables)."""
    max_cell_chars: int = 1_000
    """Characters kept per table cell."""


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of a tabular source: a CSV, a sheet, a database table, vCards as records."""

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickle as constructor arguments (fast across worker processes)."""
        return (type(self), tuple(getattr(self, name) for name in self.__slots__))

    name: str
    """Sheet or table name; empty for a CSV."""
    header: tuple[str, ...] | None
    """Column names when the source has them (first row of a CSV that looks like one)."""
    rows: tuple[tuple[str, ...], ...]
    """Data rows (header excluded), at most ``TextLimits.max_table_rows``."""
    row_count: int
    """Data rows seen in total, beyond the kept ones too."""


@dataclass(frozen=True, slots=True)
class Extraction:
    """What one file says, as text."""

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickle as constructor arguments (fast across worker processes)."""
        return (type(self), tuple(getattr(self, name) for name in self.__slots__))

    kind: str
    """The extractor's name: ``plain``, ``html``, ``mht``, ``docx``, ``xlsx``, ``pdf``, ...."""
    text: str
    """Readable text: what a person would read, for search and the detectors."""
    encoding: str | None = None
    """Character encoding the bytes were decoded with (``None`` for binary formats)."""
    offset_basis: str = "text"
    """``file`` when an index into ``text`` (or ``markup``) maps to a byte offset of the file
    through ``encoding`` and ``bom_length``; ``text`` when offsets are into the text only."""
    bom_length: int = 0
    """Bytes of byte-order mark before the decoded text."""
    markup: str | None = None
    """Decoded source of a web page or script (HTML, JS), tags and code included."""
    tables: tuple[Table, ...] = ()
    """Tabular content, for contact-list detection."""
    truncated: bool = False
    """Some text or rows were dropped at a limit."""
    warnings: tuple[str, ...] = ()
    """Recoverable trouble met (one line each): a bad sheet, an undecodable part."""


class Extractor(Protocol):
    """Turns one format's bytes into an ``Extraction``."""

    name: str
    version: int
    description: str
    emits: tuple[str, ...]

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """Whether this extractor reads a file with this name, libmagic MIME and first bytes."""
        ...

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Extract the text of ``stream`` (``size`` bytes, positioned at 0, seekable).

        Raises:
            ExtractionError: malformed content or a limit exceeded.
        """
        ...
