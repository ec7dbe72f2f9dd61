"""PDF documents: the text of each page, through pypdf.

Invoices, fake refund letters and printed call scripts arrive as PDF. pypdf maps glyphs to
characters through each font's ToUnicode table, which covers Japanese CID fonts. PDF
parsers are a classic attack surface and pypdf can raise almost anything (or recurse
deeply) on hostile files, so every error becomes ``ExtractionError`` at this boundary
(or, for one page, a warning), and pages and characters are capped.
"""

from __future__ import annotations

import logging
import threading
from typing import IO, TYPE_CHECKING

from parsers.extractor import Extraction, ExtractionError, TextLimits
from parsers.extractors._common import TextBuffer, base_mime, extension, require_size

if TYPE_CHECKING:
    import pypdf

MAX_PAGES = 2_000
"""Pages read per document."""
MAX_PAGE_WARNINGS = 20
"""Pages whose failure is reported one by one; the rest are counted."""
_HEAD_WINDOW = 1024
MAX_LIBRARY_WARNINGS = 10
"""pypdf log messages kept as warnings per document."""


class _PypdfLog(logging.Handler):
    """Turns pypdf's log records into the current document's warnings, per thread.

    pypdf logs every repair it makes; on hostile evidence that is a flood on stderr (which
    also corrupts the TUI). The ``pypdf`` logger therefore stops propagating and its
    records are kept, deduplicated and capped, with the document being read.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self._local = threading.local()

    def begin(self) -> list[str]:
        sink: list[str] = []
        self._local.sink = sink
        return sink

    def end(self) -> None:
        self._local.sink = None

    def emit(self, record: logging.LogRecord) -> None:
        sink: list[str] | None = getattr(self._local, "sink", None)
        message = "pypdf: " + " ".join(record.getMessage().split())[:160]
        if sink is not None and len(sink) < MAX_LIBRARY_WARNINGS and message not in sink:
            sink.append(message)


_LOG = _PypdfLog()
logging.getLogger("pypdf").addHandler(_LOG)
logging.getLogger("pypdf").propagate = False


def _open(stream: IO[bytes]) -> pypdf.PdfReader:
    import pypdf  # here, not at the top: 19 MiB that only the extraction sandbox needs

    try:
        reader = pypdf.PdfReader(stream, strict=False)
        locked = reader.is_encrypted and not reader.decrypt("")
    except Exception as exc:  # pypdf raises PyPdfError, ValueError, KeyError, RecursionError...
        raise ExtractionError(f"pdf: unreadable ({_describe(exc)})") from exc
    if locked:
        raise ExtractionError("pdf: encrypted, a password is needed")
    return reader


def _describe(exc: BaseException) -> str:
    message = " ".join(str(exc).split())[:160]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _page_count(reader: pypdf.PdfReader) -> int:
    try:
        return len(reader.pages)
    except Exception as exc:  # a broken or looping page tree
        raise ExtractionError(f"pdf: page tree unreadable ({_describe(exc)})") from exc


def _page_text(reader: pypdf.PdfReader, number: int) -> str:
    try:
        return reader.pages[number].extract_text()
    except Exception as exc:  # one bad page must not lose the others
        raise ExtractionError(f"page {number + 1}: no text ({_describe(exc)})") from exc


class PdfExtractor:
    """Text of each page of a PDF, in page order."""

    name = "pdf"
    version = 1
    description = "PDF documents: text of each page through the fonts' ToUnicode maps (pypdf)"
    emits: tuple[str, ...] = ("text",)

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """``.pdf``, ``application/pdf``, or ``%PDF-`` near the start of the file."""
        return (
            extension(name) == ".pdf"
            or base_mime(mime) == "application/pdf"
            or b"%PDF-" in head[:_HEAD_WINDOW]
        )

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Extract page texts, separated by newlines, up to ``MAX_PAGES`` pages.

        Raises:
            ExtractionError: not a PDF, damaged beyond reading, or encrypted.
        """
        require_size(self.name, size, limits)
        library = _LOG.begin()
        try:
            return self._extract(stream, limits, library)
        finally:
            _LOG.end()

    def _extract(self, stream: IO[bytes], limits: TextLimits, library: list[str]) -> Extraction:
        reader = _open(stream)
        count = _page_count(reader)
        out = TextBuffer(limits.max_text_chars)
        warnings: list[str] = []
        failed = 0
        read = min(count, MAX_PAGES)
        for number in range(read):
            if out.is_full:
                read = number
                break
            try:
                out.add(_page_text(reader, number).strip("\n") + "\n")
            except ExtractionError as exc:
                failed += 1
                if failed <= MAX_PAGE_WARNINGS:
                    warnings.append(str(exc))
        if failed > MAX_PAGE_WARNINGS:
            warnings.append(f"{failed - MAX_PAGE_WARNINGS} more pages without text")
        if count > MAX_PAGES:
            warnings.append(f"only the first {MAX_PAGES} of {count} pages were read")
        return Extraction(
            kind=self.name,
            text=out.text().strip("\n"),
            truncated=out.truncated or read < count,
            warnings=tuple(warnings + library),
        )
