"""HTML to the text a visitor sees, plus the strings a page's scripts hold.

Scam pop-ups show a support number in big letters, but often build it in JavaScript
(``"+1-8" + "88-555-0199"``) so that it never appears in the markup as one piece. The
visible text is followed by a separator line and every string literal of the page's
scripts (adjacent ``"a" + "b"`` joined, escapes decoded, ``String.fromCharCode`` lists
decoded), so the detectors see both. Used by the HTML, MHTML and e-mail extractors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from parsers.extractors._common import TextBuffer, tidy_lines

SCRIPT_SEPARATOR = "----- script strings -----"
"""Line between the visible text and the script string literals."""

_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "br", "dd", "div", "dl", "dt"}
    | {"fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5"}
    | {"h6", "header", "hr", "li", "main", "nav", "ol", "option", "p", "pre", "section"}
    | {"table", "title", "tr", "ul", "caption", "tbody", "thead", "tfoot", "button"}
)
_SPACES = re.compile(r"\s+")
_CELL_TAGS = frozenset({"td", "th"})
_HIDDEN_TAGS = frozenset({"script", "style"})
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]{1,40})"""
    rb"""|<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.\-]{1,40})""",
    re.IGNORECASE,
)
_TOKEN = re.compile(
    r"""(?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))
    |(?P<string>"(?:[^"\\\n]|\\.|\\\n)*"|'(?:[^'\\\n]|\\.|\\\n)*'|`(?:[^`\\]|\\.)*`)
    |(?P<plus>\+)
    |(?P<space>\s+)
    |(?P<other>[^"'`/+\s]+|.)""",
    re.DOTALL | re.VERBOSE,
)
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\n|.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "", "b": "", "f": "", "v": "", "0": "", "\n": ""}
_FROM_CHAR_CODE = re.compile(r"String\.fromCharCode\(\s*((?:\d{1,7}\s*,\s*){0,999}\d{1,7})\s*\)")
_SCAN_CHARS = 8 << 20
"""Characters of script source scanned for literals, per document."""


def declared_charset(head: bytes) -> str | None:
    """The charset a page or XML file declares in its first 4 KiB, if any."""
    match = _META_CHARSET.search(head[:4096])
    if match is None:
        return None
    return (match.group(1) or match.group(2)).decode("ascii")


class _PageText(HTMLParser):
    """Collects visible text and script bodies of one HTML document."""

    def __init__(self, max_chars: int) -> None:
        super().__init__(convert_charrefs=True)
        self.visible = TextBuffer(max_chars)
        self.scripts: list[str] = []
        self._hidden: str | None = None
        self._script: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = tag
            self._script = []
        elif tag in _BLOCK_TAGS:
            self.visible.add("\n")
        elif tag in _CELL_TAGS:
            self.visible.add("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._hidden:
            if tag == "script":
                self.scripts.append("".join(self._script))
            self._hidden = None
        elif tag in _BLOCK_TAGS:
            self.visible.add("\n")

    def handle_data(self, data: str) -> None:
        if self._hidden == "script":
            self._script.append(data)
        elif self._hidden is None and not self.visible.is_full:
            self.visible.add(_SPACES.sub(" ", data))

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        """Skip a marked section with an unknown keyword instead of failing the document."""
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i)
            return -1 if end < 0 else end + 1

    def close(self) -> None:
        """Finish parsing; a script left open at the end still counts."""
        super().close()
        if self._hidden == "script":
            self.scripts.append("".join(self._script))
            self._hidden = None


def _unescape_js(body: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "ux" and len(code) > 1:
            value = int(code[1:].strip("{}"), 16)
            return chr(value) if value <= 0x10FFFF else ""
        return _SIMPLE_ESCAPES.get(code, code)

    return _ESCAPE.sub(one, body)


def script_literals(source: str) -> list[str]:
    """String literals of a script, ``"a" + "b"`` concatenations joined, escapes decoded.

    Literals without a letter or digit are left out.
    """
    found: list[str] = []
    current: list[str] | None = None
    after_plus = False
    for match in _TOKEN.finditer(source[:_SCAN_CHARS]):
        kind = match.lastgroup
        if kind == "string":
            if current is None or not after_plus:
                _flush(current, found)
                current = []
            current.append(_unescape_js(match.group()[1:-1]))
            after_plus = False
        elif kind == "plus":
            after_plus = current is not None
        elif kind == "other":
            _flush(current, found)
            current, after_plus = None, False
    _flush(current, found)
    for numbers in _FROM_CHAR_CODE.findall(source[:_SCAN_CHARS]):
        codes = [int(n) for n in numbers.split(",")]
        _flush([chr(c) for c in codes if c <= 0x10FFFF], found)
    return found


def _flush(parts: list[str] | None, found: list[str]) -> None:
    if parts:
        literal = " ".join("".join(parts).split())
        if any(ch.isalnum() for ch in literal):
            found.append(literal)


@dataclass(frozen=True, slots=True)
class PageText:
    """What ``html_text`` found in one document."""

    text: str
    """Visible text, then (after ``SCRIPT_SEPARATOR``) the script string literals."""
    truncated: bool
    """Text was dropped at the character limit."""
    warning: str | None = None
    """Why parsing stopped early, if it did."""


def html_text(markup: str, max_chars: int) -> PageText:
    """Visible text of an HTML document, then its script string literals.

    Text is capped at ``max_chars``; markup the parser cannot follow ends the document
    there, with a warning, rather than failing it.
    """
    page = _PageText(max_chars)
    warning = None
    try:
        page.feed(markup)
        page.close()
    except (AssertionError, ValueError, IndexError) as exc:
        warning = f"HTML parsing stopped early ({type(exc).__name__}: {exc})"[:200]
    out = TextBuffer(max_chars)
    out.add(tidy_lines(page.visible.text()))
    literals = [literal for script in page.scripts for literal in script_literals(script)]
    if literals:
        out.add(f"\n\n{SCRIPT_SEPARATOR}\n")
        out.add("\n".join(literals))
    return PageText(out.text(), page.visible.truncated or out.truncated, warning)
