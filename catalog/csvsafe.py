"""Make evidence-derived text safe for spreadsheets and terminals.

File names are attacker-controlled: a name such as ``=HYPERLINK("http://x")`` becomes a live
formula in a spreadsheet, and one holding ``ESC [ 2 J`` clears the examiner's terminal.
Cells are neutralised for CSV; names are escaped before display. The catalog keeps the
raw bytes, so nothing is lost.
"""

from __future__ import annotations

import re
from pathlib import Path

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    r"""Text that SQLite, JSON and terminals accept, from a host path or message.

    Python keeps undecodable bytes of file names as lone surrogates; those cannot be stored
    or printed. They become ``\xNN`` escapes, so the original bytes can still be read off.
    """
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte (U+D800...)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


_ESCAPED_BYTE = re.compile(r"\\x([89a-fA-F][0-9a-fA-F])")


def host_path(stored: str) -> Path:
    r"""The host file a path stored through :func:`clean_text` names.

    A file name that is not UTF-8 is stored with ``\xNN`` escapes; its bytes come back as
    the lone surrogates Python uses for them. A name that really holds the text ``\xNN``
    is found as written first.
    """
    literal = Path(stored)
    if "\\x" not in stored or literal.exists():
        return literal
    return Path(_ESCAPED_BYTE.sub(lambda match: chr(0xDC00 + int(match.group(1), 16)), stored))


def escape_controls(text: str) -> str:
    r"""Replace C0/C1 control characters with visible ``\xNN`` escapes."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def neutralise_cell(value: object) -> str:
    """A CSV cell that no spreadsheet will evaluate and no terminal will obey.

    A leading formula trigger gets a ``'`` prefix (OWASP's advice); control characters
    are escaped; ``None`` becomes the empty string.
    """
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        text = "'" + text
    return escape_controls(text)
