"""Web pages (HTML, XHTML, HTML applications): the markup as written and the visible text.

Scam pop-up templates are the core evidence of a tech-support call centre. Detectors need
the markup (scripts, ``onbeforeunload`` traps, fullscreen calls) with offsets that map to
the file, and the text a victim saw, including phone numbers built in JavaScript.
"""

from __future__ import annotations

from typing import IO

from parsers.extractor import Extraction, TextLimits
from parsers.extractors._common import base_mime, cap_text, clean_in_place, extension
from parsers.extractors._common import read_text_input as _read
from parsers.extractors.encoding import decode_bytes
from parsers.extractors.markup import declared_charset, html_text

HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml", ".xht", ".shtml", ".hta"})
HTML_MIMES = frozenset({"text/html", "application/xhtml+xml", "application/hta"})


class HtmlExtractor:
    """HTML pages: markup (offsets map to the file) and visible text plus script strings.

    ``offset_basis`` is ``file`` for ``markup``; ``text`` is derived and has no byte map.
    """

    name = "html"
    version = 1
    description = "HTML/XHTML/HTA pages: source markup, visible text and script string literals"
    emits: tuple[str, ...] = ("text",)

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """HTML extensions or MIME types."""
        return extension(name) in HTML_EXTENSIONS or base_mime(mime) in HTML_MIMES

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Decode the page (honouring ``<meta charset>``) and render its visible text.

        Raises:
            ExtractionError: the bytes are not text in any charset.
        """
        data, cut = _read(stream, size, limits)
        decoded = decode_bytes(data, declared_charset(data))
        markup, capped = cap_text(clean_in_place(decoded.text), limits)
        page = html_text(markup, limits.max_text_chars)
        return Extraction(
            kind=self.name,
            text=page.text,
            encoding=decoded.encoding,
            offset_basis="file",
            bom_length=decoded.bom_length,
            markup=markup,
            truncated=cut or capped or page.truncated,
            warnings=(page.warning,) if page.warning else (),
        )
