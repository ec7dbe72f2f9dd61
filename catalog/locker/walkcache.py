"""A worker's open file-system walks, so consecutive ranges continue one walk.

The Sleuth Kit's walk cannot seek: the entries of a range are found by walking from the
start. A worker keeps the walks it has started; a range that begins at or after where a
kept walk stands continues it, so each worker walks a file system about once however
many ranges it is given. A walk that has passed the range's start begins again.

Every range is checked against its plan: entry ``seq_start`` must have the locator the
plan recorded, and the walk must reach ``seq_end``. Otherwise the evidence changed since
it was planned, and the unit fails rather than cataloguing the wrong entries.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import parsers
from catalog.errors import EvidenceError
from catalog.locker.collector import Collector
from parsers.evidence import open_evidence
from parsers.fsdetect import reopen_file_system
from parsers.tskimage import TskImage

if TYPE_CHECKING:
    from catalog.locker.units import FileRange
    from catalog.model import FileEntry
    from parsers.filesystem import OpenFileSystem
    from parsers.source import EvidenceSource

KEPT_WALKS = 2
"""Walks one worker keeps open (each holds an open image)."""


@dataclass(slots=True)
class _Walk:
    source: EvidenceSource
    fs: OpenFileSystem
    entries: Iterator[FileEntry]
    next_seq: int = 1

    def close(self) -> None:
        self.source.close()


_walks: OrderedDict[tuple[str, str], _Walk] = OrderedDict()


def _open(image: str, exhibit: str, file_range: FileRange) -> _Walk:
    source = open_evidence(Path(image), parsers.SOURCES.all())
    try:
        fs = reopen_file_system(source, TskImage(source), file_range.fs)
    except BaseException:
        source.close()
        raise
    # The walk's own problems are the plan unit's to record; a range drops them.
    return _Walk(source, fs, iter(fs.walk(exhibit, Collector(keep=False))))


def entries(
    image: str, exhibit: str, file_range: FileRange
) -> Iterator[tuple[int, FileEntry, OpenFileSystem]]:
    """``(seq, entry, file system)`` for the range's entries, in the walk's order.

    Raises:
        EvidenceError: the image cannot be opened, or its walk differs from the plan.
        OSError: the file system cannot be opened again.
    """
    key = (image, file_range.fs_id)
    walk = _walks.pop(key, None)
    if walk is not None and walk.next_seq > file_range.seq_start:
        walk.close()
        walk = None
    if walk is None:
        walk = _open(image, exhibit, file_range)
    try:
        yield from _take(walk, image, file_range)
    except BaseException:
        walk.close()
        raise
    _walks[key] = walk
    while len(_walks) > KEPT_WALKS:
        _walks.popitem(last=False)[1].close()


def _take(
    walk: _Walk, image: str, file_range: FileRange
) -> Iterator[tuple[int, FileEntry, OpenFileSystem]]:
    where = f"{image}: {file_range.fs.fs_type} at byte {file_range.fs.offset}"
    while walk.next_seq < file_range.seq_end:
        entry = next(walk.entries, None)
        seq = walk.next_seq
        if entry is None:
            raise EvidenceError(
                f"{where}: the walk ends after entry {seq - 1}, the plan has"
                f" {file_range.seq_end - 1} (evidence changed since it was planned?)"
            )
        walk.next_seq += 1
        if seq < file_range.seq_start:
            continue
        if seq == file_range.seq_start and str(entry.locator) != file_range.first_locator:
            raise EvidenceError(
                f"{where}: entry {seq} is {entry.locator}, the plan has"
                f" {file_range.first_locator} (evidence changed since it was planned?)"
            )
        yield seq, entry, walk.fs


def close_all() -> None:
    """Close every kept walk (tests, and a worker shutting down)."""
    while _walks:
        _walks.popitem()[1].close()
