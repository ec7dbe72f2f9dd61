r"""Rich Text Format: a small RTF-to-text converter that understands Japanese code pages.

WordPad and older Word save RTF, and Japanese RTF spells its text as ``\'93\'fa``
Shift_JIS byte escapes (code page from ``\ansicpg`` or the font's ``\fcharset``) or
as ``\uN`` escapes. Text bytes of a group are gathered and decoded together so double-byte
characters split across escapes and literals decode right. Destinations that are not
text (font and colour tables, pictures, field instructions, ``{\*\...}``) are skipped.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, replace
from typing import IO

from parsers.extractor import Extraction, ExtractionError, TextLimits
from parsers.extractors._common import (
    TextBuffer,
    base_mime,
    extension,
    read_text_input,
    tidy_lines,
)

MAX_DEPTH = 1_000
"""Group nesting accepted; deeper is refused as hostile."""

_TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z'])|([{}])|[\r\n]+|"
    rb"([^\\{}\r\n]+)",
    re.DOTALL,
)
_CHARSET_CODEPAGE = {
    0: "cp1252", 128: "cp932", 129: "cp949", 134: "gbk", 136: "cp950", 161: "cp1253",
    162: "cp1254", 163: "cp1258", 177: "cp1255", 178: "cp1256", 186: "cp1257", 204: "cp1251",
    222: "cp874", 238: "cp1250", 77: "mac_roman",
}  # fmt: skip
_SKIP_DESTINATIONS = frozenset(
    {"colortbl", "stylesheet", "info", "pict", "listtable", "listoverridetable", "rsidtbl"}
    | {"generator", "xmlnstbl", "themedata", "colorschememapping", "latentstyles", "datastore"}
    | {"filetbl", "revtbl", "pgdsctbl", "fldinst", "objdata", "datafield", "xe", "tc"}
    | {"bkmkstart", "bkmkend", "pnseclvl", "panose", "mmathPr", "objclass", "shppict"}
)
_TEXT_WORDS = {
    "par": "\n", "line": "\n", "sect": "\n", "page": "\n", "row": "\n", "tab": "\t",
    "cell": "\t", "emdash": "\u2014", "endash": "\u2013", "bullet": "\u2022",
    "lquote": "\u2018", "rquote": "\u2019", "ldblquote": "\u201c", "rdblquote": "\u201d",
    "emspace": " ", "enspace": " ", "qmspace": " ",
}  # fmt: skip
_SYMBOLS = {"~": "\xa0", "_": "-", "-": "", "\\": "\\", "{": "{", "}": "}", "\n": "\n"}


@dataclass(frozen=True, slots=True)
class _Group:
    skip: bool = False
    codepage: str = "cp1252"
    skip_after_unicode: int = 1
    font_table: bool = False


class _RtfText:
    """State of one conversion: group stack, pending bytes, font code pages, output."""

    def __init__(self, out: TextBuffer) -> None:
        self.out = out
        self.stack: list[_Group] = [_Group()]
        self.pending = bytearray()
        self.unicode_skip = 0
        self.ansi = "cp1252"
        self.fonts: dict[int, str] = {}
        self.font = -1

    def flush(self) -> None:
        if self.pending:
            self.out.add(bytes(self.pending).decode(self.stack[-1].codepage, "replace"))
            self.pending.clear()

    def open_group(self) -> None:
        self.flush()
        if len(self.stack) >= MAX_DEPTH:
            raise ExtractionError(f"rtf: groups nested deeper than {MAX_DEPTH}")
        self.stack.append(self.stack[-1])
        self.unicode_skip = 0

    def close_group(self) -> None:
        self.flush()
        if len(self.stack) > 1:
            self.stack.pop()
        self.unicode_skip = 0

    def text_bytes(self, data: bytes) -> None:
        if self.unicode_skip:
            dropped = min(self.unicode_skip, len(data))
            data = data[dropped:]
            self.unicode_skip -= dropped
        if not self.stack[-1].skip:
            self.pending += data

    def word(self, name: str, param: int | None) -> None:
        group = self.stack[-1]
        if name == "u" and param is not None:
            self.flush()
            if not group.skip:
                self.out.add(chr(param % 0x10000) if param < 0 else chr(min(param, 0x10FFFF)))
            self.unicode_skip = group.skip_after_unicode
            return
        self.unicode_skip = 0
        if name in _TEXT_WORDS:
            self.flush()
            if not group.skip:
                self.out.add(_TEXT_WORDS[name])
        elif name in _SKIP_DESTINATIONS:
            self.flush()
            self.stack[-1] = replace(group, skip=True)
        else:
            self._setting(name, param, group)

    def _setting(self, name: str, param: int | None, group: _Group) -> None:
        if name == "uc" and param is not None:
            self.stack[-1] = replace(group, skip_after_unicode=max(0, min(param, 8)))
        elif name == "ansicpg" and param is not None:
            self.ansi = f"cp{param}" if _known(f"cp{param}") else self.ansi
            self.stack[0] = replace(self.stack[0], codepage=self.ansi)
            self.stack[-1] = replace(group, codepage=self.ansi)
        elif name == "fonttbl":
            self.stack[-1] = replace(group, font_table=True, skip=True)
        elif name == "f" and param is not None:
            self._font(param, group)
        elif name == "fcharset" and param is not None and group.font_table:
            self.fonts[self.font] = _CHARSET_CODEPAGE.get(param, self.ansi)

    def _font(self, number: int, group: _Group) -> None:
        if group.font_table:
            self.font = number
            return
        self.flush()
        self.stack[-1] = replace(group, codepage=self.fonts.get(number, self.ansi))


def _known(codec: str) -> bool:
    try:
        codecs.lookup(codec)
    except LookupError:
        return False
    return True


def rtf_to_text(data: bytes, out: TextBuffer) -> None:
    """Convert RTF ``data`` to text in ``out``.

    Raises:
        ExtractionError: not RTF, or nested deeper than ``MAX_DEPTH``.
    """
    if not data.lstrip()[:5] == b"{\\rtf":
        raise ExtractionError("rtf: no {\\rtf header")
    state = _RtfText(out)
    position = 0
    while position < len(data) and not out.is_full:
        match = _TOKEN.match(data, position)
        if match is None:  # pragma: no cover - the pattern matches any byte
            break
        position = match.end()
        word, param, hexbyte, symbol, brace, text = match.groups()
        if word is not None:
            number = int(param) if param is not None else None
            if word == b"bin" and number is not None:
                position += max(0, number)
                continue
            state.word(word.decode("ascii"), number)
        elif hexbyte is not None:
            state.text_bytes(bytes.fromhex(hexbyte.decode("ascii")))
        elif symbol is not None:
            _symbol(state, symbol.decode("latin-1"))
        elif brace is not None:
            state.open_group() if brace == b"{" else state.close_group()
        elif text is not None:
            state.text_bytes(text)
    state.flush()


def _symbol(state: _RtfText, symbol: str) -> None:
    if symbol == "*":
        state.flush()
        state.stack[-1] = replace(state.stack[-1], skip=True)
    elif symbol in "\\{}" and not state.stack[-1].skip:
        state.text_bytes(symbol.encode("ascii"))
    elif symbol in _SYMBOLS and not state.stack[-1].skip:
        state.flush()
        state.out.add(_SYMBOLS[symbol])


class RtfExtractor:
    """RTF documents converted to plain text."""

    name = "rtf"
    version = 1
    description = "RTF documents: text with code-page and Unicode escapes decoded (own parser)"
    emits: tuple[str, ...] = ("text",)

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        r"""``.rtf``, an RTF MIME type, or a ``{\rtf`` head."""
        kind = base_mime(mime)
        return (
            extension(name) == ".rtf"
            or kind in ("text/rtf", "application/rtf")
            or head.startswith(b"{\\rtf")
        )

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Convert the document; see ``rtf_to_text``."""
        data, cut = read_text_input(stream, size, limits)
        out = TextBuffer(limits.max_text_chars)
        rtf_to_text(data, out)
        paired = out.text().encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        text = tidy_lines(paired)
        return Extraction(kind=self.name, text=text, truncated=cut or out.truncated)
