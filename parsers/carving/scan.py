"""The carving loop: stream each range in chunks, carve by signature, then find text between.

Each range is read ``chunk_size`` bytes at a time plus a small overlap. In a chunk every
signature is searched with ``bytes.find``; a hit becomes an item only when its format
carver validates the structure, and the search skips past each item. Text runs are then
looked for in the gaps between items, so no text is reported inside a carved file. A text
run that reaches the end of the bytes read is deferred: the next chunk starts at it, so each
run is reported whole (a run longer than a chunk is cut there and noted).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from parsers.carving import documents, images, zips
from parsers.carving.model import CarvedFile, CarveProblem, FileCarveResult, Found
from parsers.carving.text import find_text
from parsers.dvr.containers.window import Window
from parsers.dvr.disk import MAX_READ, DiskBytes, carve_ranges

Carver = Callable[[Window, int, int], Found | CarveProblem | None]
SIGNATURES: tuple[tuple[bytes, Carver], ...] = (
    (images.JPEG_SIGNATURE, images.carve_jpeg),
    (images.PNG_SIGNATURE, images.carve_png),
    (b"GIF8", images.carve_gif),
    (documents.PDF_SIGNATURE, documents.carve_pdf),
    (zips.LOCAL, zips.carve_zip),
    (documents.SQLITE_SIGNATURE, documents.carve_sqlite),
)
OVERLAP = 64 << 10
"""Bytes read past a chunk: whole signatures, and room to see where a text run ends."""
SIGNATURE_TAIL = 16
"""A signature may start this close to the end of the bytes read and still be whole."""
TEXT_END_SLACK = 4
"""A text run ending this close to the bytes read may go on (a cut multi-byte character)."""


@dataclass(slots=True)
class _Range:
    """One range being carved and what is known about it so far."""

    disk: DiskBytes
    start: int
    end: int
    max_item: int
    min_text: int
    chunk_size: int
    result: FileCarveResult
    sig_floor: int = 0
    text_floor: int = 0
    spans: list[tuple[int, int]] = field(default_factory=list)
    """Carved items that reach past the chunk being read."""


def _carve_signatures(scan: _Range, window: Window, base: int, data: bytes, stop: int) -> None:
    """Carve every item whose signature starts in ``[scan.sig_floor, stop)``."""
    first = max(scan.sig_floor, base) - base
    limit = stop - base
    hits = [data.find(needle, first, limit + len(needle) - 1) for needle, _ in SIGNATURES]
    while any(hit >= 0 for hit in hits):
        which = min((hit, index) for index, hit in enumerate(hits) if hit >= 0)[1]
        carver = SIGNATURES[which][1]
        offset = base + hits[which]
        found = carver(window, offset, min(scan.end, offset + scan.max_item))
        after = hits[which] + 1
        if isinstance(found, CarveProblem):
            scan.result.problems.append(found)
        elif found is not None and found.end > offset:
            scan.result.items.append(
                CarvedFile(offset, found.end - offset, found.kind, found.extension, found.note)
            )
            scan.spans.append((offset, found.end))
            after = found.end - base
        for index, (other, _) in enumerate(SIGNATURES):
            if 0 <= hits[index] < after:
                hits[index] = data.find(other, after, limit + len(other) - 1)
    scan.sig_floor = max(scan.sig_floor, stop, *(end for _, end in scan.spans))


def _gaps(scan: _Range, start: int, end: int) -> list[tuple[int, int]]:
    """Parts of ``[start, end)`` outside every carved item."""
    gaps, pos = [], start
    for span_start, span_end in sorted(scan.spans):
        if span_start > pos:
            gaps.append((pos, min(span_start, end)))
        pos = max(pos, span_end)
    if pos < end:
        gaps.append((pos, end))
    return [(a, b) for a, b in gaps if a < b]


def _carve_text(scan: _Range, base: int, data: bytes, text_stop: int) -> int | None:
    """Report text runs starting before ``text_stop``; where to resume if one is deferred."""
    data_end = base + len(data)
    at_end = data_end >= scan.end
    for gap_start, gap_end in _gaps(scan, max(base, scan.text_floor), data_end):
        for run in find_text(data[gap_start - base : gap_end - base], gap_start, scan.min_text):
            if run.start >= text_stop:
                return None
            touches = not at_end and run.end >= data_end - TEXT_END_SLACK
            if touches and run.start > base:
                return run.start
            note = "cut at the chunk end; the text goes on" if touches else ""
            scan.result.items.append(
                CarvedFile(run.start, run.end - run.start, run.kind, "txt", note)
            )
            scan.text_floor = max(scan.text_floor, run.end)
    return None


def _carve_chunk(scan: _Range, pos: int) -> int:
    """Carve the chunk at ``pos``; return where the next chunk starts."""
    data = scan.disk.read(pos, min(scan.end - pos, scan.chunk_size + OVERLAP))
    if not data:
        scan.result.problems.append(CarveProblem("carving: no bytes could be read", pos))
        return scan.end
    data_end = pos + len(data)
    at_end = data_end >= scan.end
    text_stop = data_end if at_end else pos + scan.chunk_size
    window = Window(scan.disk, scan.start, scan.end, chunk_size=scan.chunk_size, seed=(pos, data))
    _carve_signatures(scan, window, pos, data, data_end if at_end else data_end - SIGNATURE_TAIL)
    deferred = _carve_text(scan, pos, data, text_stop)
    following = deferred if deferred is not None else text_stop
    for span_start, span_end in sorted(scan.spans):
        if span_start <= following < span_end:
            following = span_end
    scan.spans = [span for span in scan.spans if span[1] > following]
    return max(following, pos + 1)


def carve_files(
    disk: DiskBytes,
    ranges: Sequence[tuple[int, int]],
    *,
    chunk_size: int = 16 << 20,
    max_item: int = 256 << 20,
    min_text: int = 512,
) -> FileCarveResult:
    """Carve files and text runs from ``ranges`` (absolute ``(offset, length)``) of ``disk``.

    Args:
        disk: The medium.
        ranges: Unallocated regions; no item crosses a range's ends.
        chunk_size: Bytes read and searched at a time; memory stays a small multiple.
        max_item: Longest file carved (a longer one is not carved).
        min_text: Shortest text run reported, in bytes.

    Returns:
        Items ordered by offset, problems, and the number of bytes examined.
    """
    result = FileCarveResult()
    chunk_size = max(4096, min(chunk_size, MAX_READ - OVERLAP))
    for clipped in carve_ranges(disk, ranges):
        result.problems += [CarveProblem(message, at) for message, at in clipped.notes]
        start, end = clipped.start, clipped.end
        if start >= end:
            continue
        scan = _Range(disk, start, end, max(max_item, 1), max(min_text, 2), chunk_size, result)
        pos = start
        try:
            while pos < end:
                pos = _carve_chunk(scan, pos)
        except OSError as exc:
            result.problems.append(CarveProblem(f"carving stopped by a read error: {exc}", pos))
        result.bytes_scanned += end - start
    result.items.sort(key=lambda item: item.offset)
    return result
