r"""Build inert HTML from hostile text.

Everything a case catalog holds may come from the evidence: a file or volume label such as
``<script>alert(1)</script>``, a path holding ``ESC [ 2 J`` or a right-to-left override that
makes ``txt.exe`` read as ``exe.txt``. Every value goes through :func:`esc` before it meets
markup: undecodable bytes and lone surrogates become ``\xNN``/``\uNNNN`` escapes, C0/C1
controls and bidirectional formatting characters become visible ``\xNN``/``\uNNNN`` text,
and ``& < > " '`` become character references. Only the literal markup in this module and
the report is ever emitted as tags.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence

from catalog.csvsafe import clean_text, escape_controls

_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

NONE = '<span class="none">not recorded</span>'
"""What an empty value shows as."""

STYLE = """\
@page { size: A4; margin: 14mm 12mm; }
body { font: 9.5pt/1.35 sans-serif; color: #000; background: #fff; margin: 1em auto;
       max-width: 60em; }
h1 { font-size: 16pt; margin: 0 0 0.4em; }
h2 { font-size: 13pt; margin: 1.4em 0 0.4em; border-bottom: 1px solid #000;
     break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 1em 0 0.3em; break-after: avoid; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 0 0 0.8em; }
th, td { border: 1px solid #777; padding: 2px 4px; text-align: left; vertical-align: top; }
th { background: #eee; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.facts th { width: 14em; }
code, .hash { font-family: monospace; overflow-wrap: anywhere; word-break: break-all; }
.num { text-align: right; white-space: nowrap; }
.none { color: #555; font-style: italic; }
.fail { font-weight: bold; }
.head { border: 2px solid #000; padding: 0.5em 0.8em; margin: 0.8em 0; }
.note { font-size: 8.5pt; }
"""


def visible(value: object) -> str:
    r"""``value`` as plain text with nothing hidden: bad bytes, controls, bidi shown as escapes.

    Not yet HTML-escaped; see :func:`esc`.
    """
    text = escape_controls(clean_text(str(value)))
    return _BIDI.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def esc(value: object) -> str:
    """``value`` made visible and HTML-escaped (quotes too): safe in text and attributes."""
    return html.escape(visible(value), quote=True)


def shown(value: object) -> str:
    """Like :func:`esc`, but ``None`` and the empty string show as "not recorded"."""
    if value is None or value == "":
        return NONE
    return esc(value)


def code(value: object) -> str:
    """A hash or identifier in monospace (escaped like any other value)."""
    if value is None or value == "":
        return NONE
    return f"<code>{esc(value)}</code>"


def number(value: int | None) -> str:
    """An integer with thousands separators (locale-independent)."""
    return NONE if value is None else f"{int(value):,}"


def document_start(title: str) -> Iterator[str]:
    """The doctype, head (charset, CSP, inline style) and opening body tag."""
    yield "<!DOCTYPE html>\n"
    yield '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    yield (
        '<meta http-equiv="Content-Security-Policy"'
        " content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
    )
    yield f"<title>{esc(title)}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n"


def document_end() -> Iterator[str]:
    """The closing body and html tags."""
    yield "</body>\n</html>\n"


def table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()
) -> Iterator[str]:
    """A table of ready-made cell markup; columns at ``numeric`` indexes align right.

    Cells must already be escaped (:func:`esc`, :func:`code`, :func:`number`).
    """
    yield "<table>\n<thead><tr>"
    yield "".join(f"<th>{html.escape(header)}</th>" for header in headers)
    yield "</tr></thead>\n<tbody>\n"
    for row in rows:
        cells = (
            f'<td class="num">{cell}</td>' if index in numeric else f"<td>{cell}</td>"
            for index, cell in enumerate(row)
        )
        yield f"<tr>{''.join(cells)}</tr>\n"
    yield "</tbody>\n</table>\n"


def facts_table(pairs: Iterable[tuple[str, str]]) -> Iterator[str]:
    """A two-column table of label and ready-made value markup."""
    yield '<table class="facts">\n<tbody>\n'
    for label, value in pairs:
        yield f"<tr><th>{html.escape(label)}</th><td>{value}</td></tr>\n"
    yield "</tbody>\n</table>\n"
