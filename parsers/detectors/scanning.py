"""What the identifier detectors share: the string to scan, width folding, context, dedupe.

Every identifier detector scans the same string (the markup of a web page when there is
one, else the text), folds full-width characters so a number typed in full-width digits
matches the same patterns as ``03-1234-5678`` without moving any offset, looks for context words a
bounded distance away, and keeps one finding per distinct value at its first occurrence.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from parsers.detector import Finding, snippet_around

if TYPE_CHECKING:
    from parsers.extractor import Extraction

CONTEXT_CHARS = 80
"""How far (in characters, either side) a context word may be from the evidence."""

MAX_CANDIDATES = 20_000
"""Candidate matches one detector examines per pattern and file (hostile-input bound)."""

_T = TypeVar("_T")


def _fold_table() -> dict[int, int]:
    table = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # full-width ASCII
    for code in (0x00A0, 0x2002, 0x2003, 0x2009, 0x200A, 0x202F, 0x3000):
        table[code] = ord(" ")
    for code in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63):
        table[code] = ord("-")
    table[0xFF61] = ord(".")  # half-width ideographic full stop
    return table


_FOLD = _fold_table()
_LONG_VOWEL_DASH = re.compile(r"(?<=[0-9])[ーｰ](?=[0-9])")
JAPANESE_SCRIPT = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
"""Hiragana, katakana or a CJK ideograph."""


def fold(text: str) -> str:
    """Full-width ASCII to ASCII, odd spaces and dashes to plain ones, length unchanged.

    A katakana long-vowel mark between two digits (``0120ー123``) is also read as a dash,
    because Japanese writers often type it for one.
    """
    folded = text.translate(_FOLD)
    if "ー" in folded or "ｰ" in folded:
        folded = _LONG_VOWEL_DASH.sub("-", folded)
    return folded


@dataclass(frozen=True, slots=True)
class Target:
    """The string a detector scans and its folded twin (same length, same offsets)."""

    text: str
    folded: str
    source: str


def scan_target(doc: Extraction) -> Target:
    """The markup of ``doc`` when it has one (``source="markup"``), else its text."""
    if doc.markup is not None:
        return Target(doc.markup, fold(doc.markup), "markup")
    return Target(doc.text, fold(doc.text), "text")


def bounded(items: Iterable[_T], limit: int = MAX_CANDIDATES) -> Iterator[_T]:
    """At most ``limit`` items of ``items``: hostile files cannot make a scan unbounded."""
    for count, item in enumerate(items):
        if count >= limit:
            return
        yield item


def distance_to(
    text: str, start: int, end: int, pattern: re.Pattern[str], window: int = CONTEXT_CHARS
) -> int | None:
    """Characters between ``text[start:end]`` and the nearest match of ``pattern``.

    Only matches lying within ``window`` characters either side count, and none that
    overlaps the span itself (a word inside the evidence is not its context). ``None``
    when there is none.
    """
    lo = max(0, start - window)
    best: int | None = None
    for match in bounded(pattern.finditer(text, lo, min(len(text), end + window)), 200):
        if match.end() <= start:
            gap = start - match.end()
        elif match.start() >= end:
            gap = match.start() - end
        else:
            continue
        if best is None or gap < best:
            best = gap
    return best


def nearest_label(
    text: str,
    start: int,
    end: int,
    labels: Mapping[str, re.Pattern[str]],
    window: int = CONTEXT_CHARS,
) -> tuple[str, int] | None:
    """The label whose pattern matches nearest ``text[start:end]``, with its distance.

    Ties go to the label listed first in ``labels``.
    """
    best: tuple[str, int] | None = None
    for name, pattern in labels.items():
        gap = distance_to(text, start, end, pattern, window)
        if gap is not None and (best is None or gap < best[1]):
            best = (name, gap)
    return best


def label_for(
    text: str,
    start: int,
    end: int,
    labels: Mapping[str, re.Pattern[str]],
    window: int = CONTEXT_CHARS,
    after: int = 30,
) -> tuple[str, int] | None:
    """The label that names ``text[start:end]``: the nearest before it, else just after it.

    Labels are written before what they name ("Account no. 1234567", "普通 1234567"), so
    one ending within ``window`` characters before the span wins over any after it; only
    without one does the nearest label starting within ``after`` characters count.
    """
    best: tuple[str, int] | None = None
    for name, pattern in labels.items():
        found = bounded(pattern.finditer(text, max(0, start - window), start), 200)
        gaps = [start - match.end() for match in found]
        if gaps and (best is None or min(gaps) < best[1]):
            best = (name, min(gaps))
    if best is not None:
        return best
    for name, pattern in labels.items():
        match = pattern.search(text, end, min(len(text), end + after))
        if match is not None and (best is None or match.start() - end < best[1]):
            best = (name, match.start() - end)
    return best


def preceding(text: str, start: int, chars: int = 24) -> str:
    """Up to ``chars`` characters before ``start`` on the same line."""
    piece = text[max(0, start - chars) : start]
    return piece.rsplit("\n", 1)[-1]


class SpanSet:
    """Character ranges already claimed (by a URL, an e-mail, an IBAN), kept merged.

    Lookups are logarithmic, so a file with many thousands of matches stays linear-ish.
    """

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        """Claim ``[start, end)``, merging it with the ranges it touches."""
        i = bisect_left(self._ends, start)
        j = bisect_right(self._starts, end)
        if i < j:
            start = min(start, self._starts[i])
            end = max(end, self._ends[j - 1])
        self._starts[i:j] = [start]
        self._ends[i:j] = [end]

    def covers(self, position: int) -> bool:
        """Whether ``position`` lies inside a claimed range."""
        i = bisect_right(self._starts, position) - 1
        return i >= 0 and position < self._ends[i]

    def spans(self) -> list[tuple[int, int]]:
        """The claimed ranges, merged, in order."""
        return list(zip(self._starts, self._ends, strict=True))

    def overlaps(self, start: int, end: int) -> bool:
        """Whether any claimed range shares a character with ``[start, end)``."""
        i = bisect_right(self._starts, end - 1) - 1
        return i >= 0 and self._ends[i] > start


@dataclass(slots=True)
class FindingSet:
    """One finding per distinct (kind, normalized), kept at its first occurrence."""

    target: Target
    _found: dict[tuple[str, str], Finding] = field(default_factory=dict)

    def add(
        self,
        kind: str,
        span: tuple[int, int],
        normalized: str,
        score: float,
        rules: tuple[str, ...],
    ) -> None:
        """Record ``target.text[span]`` as a ``kind`` finding unless an earlier one exists."""
        start, end = span
        self.add_value(kind, self.target.text[start:end], start, normalized, score, rules)

    def add_value(
        self,
        kind: str,
        value: str,
        offset: int,
        normalized: str,
        score: float,
        rules: tuple[str, ...],
    ) -> None:
        """Record a value assembled from several places (a config's user and host)."""
        key = (kind, normalized)
        known = self._found.get(key)
        if known is not None and known.offset is not None and known.offset <= offset:
            return
        end = offset + len(value)
        self._found[key] = Finding(
            kind=kind,
            value=value,
            normalized=normalized,
            score=round(min(1.0, max(0.0, score)), 2),
            rules=rules,
            snippet=snippet_around(self.target.text, offset, end),
            offset=offset,
            source=self.target.source,
        )

    def findings(self) -> list[Finding]:
        """The findings, in order of first occurrence."""
        return sorted(self._found.values(), key=lambda found: (found.offset or 0, found.kind))
