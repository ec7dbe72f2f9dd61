"""Plain text: notes, logs, configuration files and scripts, read as the characters they are.

Call-centre machines are full of text files (call scripts in Notepad, softphone configs,
batch files that start remote-access tools); this extractor is also the last resort for
any ``text/*`` file no other extractor claims. Indices into the text map to file bytes.
"""

from __future__ import annotations

from typing import IO

from parsers.extractor import Extraction, ExtractionError, TextLimits
from parsers.extractors._common import (
    base_mime,
    cap_text,
    clean_in_place,
    extension,
    read_text_input,
)
from parsers.extractors.encoding import decode_bytes

TEXT_EXTENSIONS = frozenset(
    {".txt", ".text", ".log", ".ini", ".cfg", ".conf", ".config", ".md", ".js", ".mjs"}
    | {".css", ".bat", ".cmd", ".ps1", ".psm1", ".vbs", ".vbe", ".sh", ".py", ".reg", ".inf"}
    | {".properties", ".yaml", ".yml", ".toml", ".srt", ".nfo", ".php", ".asp", ".jsp"}
)
"""Extensions read as plain text whatever libmagic says."""

TEXT_MIMES = frozenset(
    {"application/javascript", "application/x-javascript", "application/ecmascript"}
    | {"application/x-sh", "application/x-shellscript", "application/x-bat", "application/toml"}
    | {"application/x-wine-extension-ini", "application/x-yaml", "application/yaml"}
)
"""Non-``text/*`` MIME types that are text all the same."""

_SNIFF_BYTES = 4096


def looks_like_text(head: bytes) -> bool:
    """Whether the first bytes of a file of unknown type decode as text."""
    if not head:
        return False
    try:
        decode_bytes(head[:_SNIFF_BYTES])
    except ExtractionError:
        return False
    return True


def decode_document(
    kind: str, stream: IO[bytes], size: int, limits: TextLimits, declared: str | None = None
) -> Extraction:
    """Decode a text file into an ``Extraction`` whose text indices map to file bytes.

    Raises:
        ExtractionError: the bytes are not text in any charset.
    """
    data, cut = read_text_input(stream, size, limits)
    decoded = decode_bytes(data, declared)
    text, capped = cap_text(clean_in_place(decoded.text), limits)
    return Extraction(
        kind=kind,
        text=text,
        encoding=decoded.encoding,
        offset_basis="file",
        bom_length=decoded.bom_length,
        truncated=cut or capped,
    )


class PlainTextExtractor:
    """Any text file, decoded with detected charset; the fallback for ``text/*``."""

    name = "plain"
    version = 1
    description = "plain text files (notes, logs, configs, scripts) decoded by detected charset"
    emits: tuple[str, ...] = ("text",)

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """Text extensions, ``text/*`` MIME types, or no MIME type and a head that is text."""
        kind = base_mime(mime)
        if extension(name) in TEXT_EXTENSIONS or kind.startswith("text/") or kind in TEXT_MIMES:
            return True
        return not kind and b"\x00" not in head[:_SNIFF_BYTES] and looks_like_text(head)

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Decode the file; see ``decode_document``."""
        return decode_document(self.name, stream, size, limits)
