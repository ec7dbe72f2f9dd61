"""Runs of text in UTF-8, UTF-16LE and Shift_JIS (cp932), found without any header.

A deleted call script or lead list may survive as bare text. Finding it in gigabytes of
other bytes has to be cheap, so a byte-class prefilter (``bytes.translate`` then a search
for ``min_text`` marked bytes in a row) picks the few stretches that could be text, and only
those are decoded: UTF-8 and cp932 by strict decoding (a run ends at the first invalid
sequence), UTF-16LE by decoding and matching a class of printable characters (ASCII,
Latin-1, general punctuation, kana, CJK ideographs, full-width forms). Where runs of
different encodings overlap, the longest wins; ties go to UTF-8, then UTF-16LE, then
Shift_JIS (ASCII is valid in all three and reported as UTF-8). A UTF-16 run is dropped when
most of its units are two printable ASCII bytes: that is 8-bit text, not CJK.
"""

from __future__ import annotations

import bisect
import codecs
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from parsers.carving.model import TEXT_SHIFTJIS, TEXT_UTF8, TEXT_UTF16LE

_TEXTISH = set(range(0x09, 0x0E)) | set(range(0x20, 0x7F)) | set(range(0x80, 0xFD))
"""Bytes that may occur in UTF-8 or Shift_JIS text (no NUL, no C0 controls but white space)."""
_HIGH16 = {0x00, 0x20, 0x30, 0xFF} | set(range(0x4E, 0xA0))
"""High bytes of the UTF-16LE units accepted as text."""
BYTE_MARKS = bytes(1 if b in _TEXTISH else 0 for b in range(256))
HIGH_MARKS = bytes(1 if b in _HIGH16 else 0 for b in range(256))
_PRIORITY = {TEXT_UTF8: 0, TEXT_UTF16LE: 1, TEXT_SHIFTJIS: 2}
Decoder = Callable[[memoryview, str, bool], tuple[str, int]]


@dataclass(frozen=True, slots=True)
class TextRun:
    """``[start, end)`` (absolute) is text in ``kind``'s encoding."""

    start: int
    end: int
    kind: str


@functools.cache
def _utf16_pattern(units: int) -> re.Pattern[str]:
    chars = "\t\n\r\x20-\x7e\xa0-\xff\u2000-\u206f\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef"
    return re.compile(f"[{chars}]{{{units},}}")


def class_runs(marks: bytes, min_len: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every maximal run of ``0x01`` bytes at least ``min_len`` long."""
    needle, pos = b"\x01" * min_len, 0
    while (start := marks.find(needle, pos)) >= 0:
        end = marks.find(b"\x00", start + min_len)
        end = len(marks) if end < 0 else end
        yield start, end
        pos = end


def _decoded_runs(data: memoryview, decode: Decoder, min_text: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of the maximal strictly decodable runs of ``data``."""
    pos = 0
    while len(data) - pos >= min_text:
        try:
            decode(data[pos:], "strict", True)
        except UnicodeDecodeError as exc:
            if exc.start >= min_text:
                yield pos, pos + exc.start
            pos += max(exc.end, 1)
            continue
        yield pos, len(data)
        return


def _byte_text(data: bytes, base: int, min_text: int) -> Iterator[TextRun]:
    """UTF-8 and cp932 runs inside the stretches of text-like bytes."""
    view = memoryview(data)
    for start, end in class_runs(data.translate(BYTE_MARKS), min_text):
        piece = view[start:end]
        if data[start:end].isascii():
            yield TextRun(base + start, base + end, TEXT_UTF8)
            continue
        for decode, kind in ((codecs.utf_8_decode, TEXT_UTF8), (_cp932_decode, TEXT_SHIFTJIS)):
            for first, last in _decoded_runs(piece, decode, min_text):
                yield TextRun(base + start + first, base + start + last, kind)


def _cp932_decode(data: memoryview, errors: str, final: bool) -> tuple[str, int]:
    del final
    return codecs.decode(data, "cp932", errors), len(data)


def _mostly_ascii_pairs(text: str) -> bool:
    """True when most units have two printable ASCII bytes: 8-bit text read as UTF-16."""
    pairs = sum(
        0x20 <= code & 0xFF <= 0x7E and 0x20 <= code >> 8 <= 0x7E for code in map(ord, text)
    )
    return 2 * pairs > len(text)


def _utf16_text(data: bytes, base: int, min_text: int) -> Iterator[TextRun]:
    """UTF-16LE runs at either alignment inside the stretches of plausible high bytes."""
    units = (min_text + 1) // 2
    pattern, marks = _utf16_pattern(units), data.translate(HIGH_MARKS)
    for align in (0, 1):
        for start, end in class_runs(marks[align + 1 :: 2], units):
            first = align + 2 * start
            text = data[first : align + 2 * end].decode("utf-16-le", "surrogatepass")
            for match in pattern.finditer(text):
                if _mostly_ascii_pairs(match.group()):
                    continue
                yield TextRun(
                    base + first + 2 * match.start(), base + first + 2 * match.end(), TEXT_UTF16LE
                )


def _resolve(runs: list[TextRun]) -> list[TextRun]:
    """The longest runs that do not overlap, by start (ties by encoding priority)."""
    starts: list[int] = []
    chosen: list[TextRun] = []
    for run in sorted(runs, key=lambda r: (r.start - r.end, _PRIORITY[r.kind], r.start)):
        index = bisect.bisect_right(starts, run.start)
        if index and chosen[index - 1].end > run.start:
            continue
        if index < len(chosen) and chosen[index].start < run.end:
            continue
        starts.insert(index, run.start)
        chosen.insert(index, run)
    return chosen


def find_text(data: bytes, base: int, min_text: int) -> list[TextRun]:
    """Maximal text runs of at least ``min_text`` bytes in ``data`` (which starts at ``base``).

    Args:
        data: The bytes to search.
        base: Absolute offset of ``data[0]``.
        min_text: Shortest run reported, in bytes of its encoding.

    Returns:
        Non-overlapping runs ordered by offset.
    """
    min_text = max(2, min_text)
    runs = [*_byte_text(data, base, min_text), *_utf16_text(data, base, min_text)]
    return _resolve(runs) if len(runs) > 1 else runs
