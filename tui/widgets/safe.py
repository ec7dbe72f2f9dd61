"""Evidence text made harmless for the terminal, as Rich ``Text`` (never parsed as markup).

File names, paths and contents come from the evidence: they may hold escape sequences,
bidi overrides, zero-width characters or Rich markup such as ``[link=...]``. Everything a
screen shows from the catalog goes through ``safe``; ``catalog.displaysafe`` decides
what is escaped, and wrapping the result in ``Text`` keeps Rich from reading markup in it.
"""

from __future__ import annotations

from rich.text import Text

from catalog.displaysafe import display_text, multiline_text


def safe(value: object, max_chars: int | None = None, style: str = "") -> Text:
    """One line of evidence-derived text, escaped, as plain ``Text``."""
    if value is None:
        return Text("")
    return Text(display_text(str(value), max_chars), style=style, no_wrap=True)


def safe_block(value: str) -> Text:
    """Several lines of evidence-derived text (a preview), escaped, as plain ``Text``."""
    return Text(multiline_text(value))


def highlighted(snippet: str, needle: str, style: str = "bold reverse") -> Text:
    """A snippet, escaped, with each case-insensitive occurrence of ``needle`` styled."""
    text = Text(display_text(snippet))
    shown = display_text(needle)
    if shown:
        text.highlight_words([shown], style=style, case_sensitive=False)
    return text


def size_text(size: object) -> str:
    """A byte count for a column: exact below 10 kB, else with a unit."""
    if not isinstance(size, int):
        return ""
    if size < 10_000:
        return f"{size:,}"
    scaled = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        scaled /= 1024
        if scaled < 1024:
            return f"{scaled:,.1f} {unit}"
    return f"{scaled / 1024:,.0f} PiB"
