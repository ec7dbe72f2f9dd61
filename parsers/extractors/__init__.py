"""Text extractors, one module per family of formats, and the choice between them.

``BUILTIN_EXTRACTORS`` lists them in the order the pipeline tries them: formats known by
their first bytes (SQLite, PDF, binary plist) first, then container formats named by
extension or MIME type, then the text formats, and plain text last as the fallback for
``text/*``. ``choose_extractor`` returns the first that applies, and ``None`` for content
that holds no text (images, audio, video, executables).
"""

from __future__ import annotations

from parsers.extractor import Extractor
from parsers.extractors._common import base_mime
from parsers.extractors.delimited import CsvExtractor
from parsers.extractors.legacy import LegacyOfficeExtractor
from parsers.extractors.mail import EmlExtractor, MhtExtractor
from parsers.extractors.pdf import PdfExtractor
from parsers.extractors.plain import PlainTextExtractor
from parsers.extractors.rtf import RtfExtractor
from parsers.extractors.sheet import XlsxExtractor
from parsers.extractors.sqlite_db import SqliteExtractor
from parsers.extractors.structured import BinaryPlistExtractor, JsonExtractor, XmlExtractor
from parsers.extractors.vcard import VcardExtractor
from parsers.extractors.web import HtmlExtractor
from parsers.extractors.word import DocxExtractor

BUILTIN_EXTRACTORS: tuple[Extractor, ...] = (
    SqliteExtractor(),
    PdfExtractor(),
    BinaryPlistExtractor(),
    DocxExtractor(),
    XlsxExtractor(),
    LegacyOfficeExtractor(),
    RtfExtractor(),
    MhtExtractor(),
    EmlExtractor(),
    HtmlExtractor(),
    VcardExtractor(),
    CsvExtractor(),
    JsonExtractor(),
    XmlExtractor(),
    PlainTextExtractor(),
)
"""Every built-in extractor, most specific first, plain text last."""

NO_TEXT_MEDIA = frozenset({"image", "audio", "video", "font", "model"})
"""MIME top-level types that never hold extractable text (SVG excepted)."""

NO_TEXT_MIMES = frozenset(
    {
        "application/x-dosexec",
        "application/x-executable",
        "application/x-sharedlib",
        "application/x-pie-executable",
        "application/x-mach-binary",
        "application/vnd.microsoft.portable-executable",
        "application/x-object",
        "application/java-archive",
        "application/x-iso9660-image",
    }
)
"""Binary program and disk-image types no extractor reads, whatever their name says."""


def has_no_text(mime: str | None) -> bool:
    """Whether content of this MIME type is known to hold no text."""
    kind = base_mime(mime)
    if kind == "image/svg+xml":
        return False
    return kind.split("/", 1)[0] in NO_TEXT_MEDIA or kind in NO_TEXT_MIMES


def choose_extractor(name: str, mime: str | None, head: bytes) -> Extractor | None:
    """The first built-in extractor that reads this file, or ``None`` when none does.

    Args:
        name: file name or path (only its extension matters).
        mime: libmagic MIME type, or ``None`` when unknown.
        head: the first bytes of the file.
    """
    if has_no_text(mime):
        return None
    for extractor in BUILTIN_EXTRACTORS:
        if extractor.applies_to(name, mime, head):
            return extractor
    return None


__all__ = ["BUILTIN_EXTRACTORS", "choose_extractor", "has_no_text"]
