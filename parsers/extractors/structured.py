"""JSON, XML and property lists: structured text kept as written.

Remote-access tools, softphones and browsers keep settings and histories in JSON, XML and
plists (AnyDesk IDs, SIP accounts, visited URLs). The text is the decoded source, so
indices map to file bytes; XML is never parsed (no entity is defined or expanded, which
makes entity bombs harmless). Binary plists are the exception: their strings are read
with ``plistlib`` and listed as ``key: value`` lines.
"""

from __future__ import annotations

import datetime
import plistlib
from collections.abc import Iterator
from typing import IO

from parsers.extractor import Extraction, ExtractionError, TextLimits
from parsers.extractors._common import TextBuffer, base_mime, extension, require_size
from parsers.extractors.markup import declared_charset
from parsers.extractors.plain import decode_document

JSON_EXTENSIONS = frozenset({".json", ".jsonl", ".ndjson", ".har", ".webmanifest"})
JSON_MIMES = frozenset({"application/json", "application/x-ndjson", "application/ld+json"})
XML_EXTENSIONS = frozenset({".xml", ".plist", ".svg", ".xsd", ".xaml", ".rss", ".atom", ".kml"})
XML_MIMES = frozenset({"text/xml", "application/xml", "image/svg+xml", "application/rss+xml"})
BPLIST_MAGIC = b"bplist00"
MAX_PLIST_DEPTH = 64


class JsonExtractor:
    """JSON documents, as their decoded source."""

    name = "json"
    version = 1
    description = "JSON documents: decoded source text"
    emits: tuple[str, ...] = ("text",)

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """JSON extensions or MIME types."""
        return extension(name) in JSON_EXTENSIONS or base_mime(mime) in JSON_MIMES

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Decode the file.

        Raises:
            ExtractionError: the bytes are not text in any charset.
        """
        return decode_document(self.name, stream, size, limits)


class XmlExtractor:
    """XML documents (and XML plists, SVG), as their decoded source; never parsed."""

    name = "xml"
    version = 1
    description = "XML documents, XML plists and SVG: decoded source text (never parsed)"
    emits: tuple[str, ...] = ("text",)

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """XML extensions or MIME types, except binary plists."""
        if head.startswith(BPLIST_MAGIC):
            return False
        return extension(name) in XML_EXTENSIONS or base_mime(mime) in XML_MIMES

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Decode the file, honouring the charset of the XML declaration.

        Raises:
            ExtractionError: the bytes are not text in any charset.
        """
        head = stream.read(4096)
        stream.seek(0)
        return decode_document(self.name, stream, size, limits, declared_charset(head))


def _plist_lines(value: object, key: str, depth: int) -> Iterator[str]:
    if depth > MAX_PLIST_DEPTH:
        return
    if isinstance(value, dict):
        for child_key, child in value.items():
            yield from _plist_lines(child, str(child_key), depth + 1)
    elif isinstance(value, list | tuple):
        for child in value:
            yield from _plist_lines(child, key, depth + 1)
    elif isinstance(value, str | int | float | datetime.datetime | plistlib.UID):
        text = " ".join(str(value).split())
        yield f"{key}: {text}" if key else text
    elif isinstance(value, bytes) and value.isascii() and value.decode("ascii").isprintable():
        yield f"{key}: {value.decode('ascii')}"


class BinaryPlistExtractor:
    """Binary property lists: every string, number and date as ``key: value`` lines."""

    name = "bplist"
    version = 1
    description = "binary property lists: keys and string values as lines (plistlib)"
    emits: tuple[str, ...] = ("text",)

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """Files that start with ``bplist00``."""
        return head.startswith(BPLIST_MAGIC)

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Load the plist and list its values.

        Raises:
            ExtractionError: the plist is malformed.
        """
        require_size(self.name, size, limits)
        try:
            value = plistlib.loads(stream.read(size), fmt=plistlib.FMT_BINARY)
        except Exception as exc:  # plistlib raises InvalidFileException, ValueError, ...
            raise ExtractionError(f"bplist: malformed ({type(exc).__name__})") from exc
        out = TextBuffer(limits.max_text_chars)
        for line in _plist_lines(value, "", 0):
            if out.is_full:
                break
            out.line(line)
        return Extraction(kind=self.name, text=out.text().strip("\n"), truncated=out.truncated)
