"""Plausibility scores that tell real text from the same bytes read in the wrong charset.

Shift_JIS, EUC-JP and Windows-1252 accept many byte sequences that are not theirs: EUC-JP
read as Shift_JIS turns into half-width katakana, random bytes into rare kanji, Cyrillic
Windows-1251 into runs of accented Latin letters. These scores say how much a decoded
text looks like what people actually write.
"""

from __future__ import annotations

import re

SAMPLE_CHARS = 65_536
"""Characters of a decoded text that are scored."""

_WESTERN_PUNCT = frozenset(
    "\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026\u20ac\u00a3\u00a5\u00a9\u00ae"
    "\u00b0\u2022\u00b7\u00ab\u00bb\u00a1\u00bf\u00a7\u00b6\u2122\u00a0\u2020\u2021\u2030"
    "\u2039\u203a\u00a2\u00a4\u00a6\u00a8\u00aa\u00ac\u00af\u00b1\u00b2\u00b3\u00b4\u00b5"
    "\u00b8\u00b9\u00ba\u00bc\u00bd\u00be\u00d7\u00f7"
)
"""Typographic punctuation and symbols of Windows-1252 and Latin-1 (quotes, dashes, euro)."""
_ACCENTED_RUN = re.compile(r"[\u00c0-\u024f]{3,}")
_JIS_LEVEL1_LAST_ROW = 47
_FEW_CONTROLS = 8
"""EUC-JP rows 16 to 47 hold the 2,965 common (level 1) kanji."""


def _kanji_weight(ch: str) -> float:
    try:
        row = ch.encode("euc_jp")[0] - 0xA0
    except UnicodeEncodeError:
        return 0.0
    return 0.9 if row <= _JIS_LEVEL1_LAST_ROW else 0.3


def _japanese_weight(ch: str) -> tuple[float, bool]:
    """Weight of one non-ASCII character, and whether it is kana."""
    code = ord(ch)
    if 0x3041 <= code <= 0x30FF:
        return 1.0, True
    if 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E:
        return 1.0, False
    if 0x4E00 <= code <= 0x9FFF:
        return _kanji_weight(ch), False
    if 0xFF61 <= code <= 0xFF9F:
        return 0.1, False
    if 0x2010 <= code <= 0x33FF:
        return 0.6, False
    return 0.0, False


def japanese_score(text: str) -> tuple[float, float, int]:
    """How Japanese a decoded text looks.

    Returns:
        ``(score, kana_share, non_ascii)``: the mean weight of the non-ASCII characters
        (kana and Japanese punctuation 1, common kanji 0.9, rare kanji 0.3, half-width
        katakana 0.1, anything else 0), the share of them that are kana, and how many
        there were (score 1 when there were none).
    """
    total = 0.0
    kana = 0
    count = 0
    for ch in text[:SAMPLE_CHARS]:
        if ch < "\x80":
            continue
        weight, is_kana = _japanese_weight(ch)
        total += weight
        kana += is_kana
        count += 1
    if count == 0:
        return 1.0, 0.0, 0
    return total / count, kana / count, count


def western_score(text: str) -> float:
    """How much a decoded single-byte text looks like a Western European language.

    The share of non-ASCII characters that are Latin letters or typographic punctuation,
    halved when accented letters come in runs (Cyrillic or Greek read as Latin does) or
    when over 30% of the characters are not ASCII (random bytes).
    """
    sample = text[:SAMPLE_CHARS]
    non_ascii = [ch for ch in sample if ch >= "\x80"]
    if not non_ascii:
        return 1.0
    good = sum(ch in _WESTERN_PUNCT or ("\u00c0" <= ch <= "\u024f") for ch in non_ascii)
    in_runs = sum(len(run) for run in _ACCENTED_RUN.findall(sample))
    score = good / len(non_ascii)
    mostly_ascii = len(non_ascii) * 10 <= len(sample) * 3
    return score / 2 if in_runs * 5 > len(non_ascii) or not mostly_ascii else score


def has_binary_controls(text: str, max_share: float) -> bool:
    """Whether control characters (other than NUL and whitespace) exceed ``max_share``.

    NULs are not counted (logs padded with NUL blocks are still text), and a handful of
    controls never condemns a short text.
    """
    sample = text[:SAMPLE_CHARS]
    rest = len(sample) - sample.count("\x00")
    controls = sum(
        (ch < " " and ch not in "\x00\t\n\r\f\v\x1a\x1b")
        or "\x7f" <= ch <= "\x9f"
        or ch == "\ufffd"
        for ch in sample
    )
    return controls > max(_FEW_CONTROLS, max_share * rest)
