"""Hikvision SD-card / NAS ``datadir`` trees: the ``index00.bin`` index of ``hivNNNNN.mp4``.

Cameras recording to an SD card or a NAS write ordinary files on FAT/exFAT/NFS, which The
Sleuth Kit reads: big ``hivNNNNN.mp4`` containers (MPEG-PS despite the name) and a binary
index of fixed records that says which byte range of which container holds which
recording. This module reads that index (bounded by its length, never raising) and maps
each recording onto the image through the container file's extents. Layout:
``shared/reference/dvr-formats.md`` §2.9.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from parsers.dvr.model import COMPLETE, HIK_DATADIR, MPEG_PS, DvrProblem, Extent, Segment
from parsers.dvr.timeutil import unix_time

HEADER_SIZE = 1280
FILE_RECORD_SIZE = 32
SEGMENT_RECORD_SIZE = 80
SEGMENTS_PER_FILE = 256
MAX_FILES = 1 << 16
NO_CHANNEL = 0xFFFF
"""The channel of an unused file record."""
_HEADER = struct.Struct("<QIIII")
_FILE = struct.Struct("<IHHIIBxH4x8x")
_SEGMENT = struct.Struct("<BB2x4xQQQIIII")
_INDEX_NAME = re.compile(r"index\d\d\.bin", re.IGNORECASE)
_HIV_NAME = re.compile(r"hiv(\d{5})\.mp4", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Index00Header:
    """The first 24 bytes of the 1280-byte header."""

    modify_times: int
    version: int
    av_files: int
    next_file_rec_no: int
    last_file_rec_no: int


@dataclass(frozen=True, slots=True)
class FileRecord:
    """One ``hivNNNNN.mp4`` container; ``index`` is NNNNN."""

    index: int
    file_no: int
    channel: int
    seg_rec_nums: int
    start: int
    end: int
    status: int
    locked_seg_num: int


@dataclass(frozen=True, slots=True)
class SegmentRecord:
    """One used segment slot: a recording inside a container file."""

    file_index: int
    slot: int
    record_offset: int
    """Where the 80-byte record sits in ``index00.bin``."""
    type: int
    status: int
    start: int
    """u64 as stored; the Unix time is the low 32 bits."""
    end: int
    first_key_frame_time: int
    start_offset: int
    end_offset: int


@dataclass(frozen=True, slots=True)
class Index00:
    """What ``parse_index00`` could read, and what it could not."""

    header: Index00Header | None
    files: tuple[FileRecord, ...]
    segments: tuple[SegmentRecord, ...]
    problems: tuple[DvrProblem, ...]


def is_index_name(name: str) -> bool:
    """True for ``index00.bin`` / ``index01.bin`` (a path's last component is checked)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return _INDEX_NAME.fullmatch(base) is not None


def hiv_file_number(name: str) -> int | None:
    """The NNNNN of ``hivNNNNN.mp4`` (``hiv00012.mp4`` → 12), else None."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    match = _HIV_NAME.fullmatch(base)
    return None if match is None else int(match.group(1))


def parse_index00(data: bytes) -> Index00:
    """Read the header, file records and used segment slots of an ``index00.bin``.

    Args:
        data: the whole index file.

    Returns:
        The records that lie inside ``data``; truncation and odd counts are problems.
    """
    if len(data) < HEADER_SIZE:
        problem = DvrProblem(f"index00.bin is {len(data)} bytes, shorter than its header")
        return Index00(None, (), (), (problem,))
    header = Index00Header(*_HEADER.unpack_from(data, 0))
    problems: list[DvrProblem] = []
    count = min(header.av_files, MAX_FILES, (len(data) - HEADER_SIZE) // FILE_RECORD_SIZE)
    if count < header.av_files:
        problems.append(
            DvrProblem(f"index00.bin declares {header.av_files} files, {count} records readable")
        )
    files = tuple(
        FileRecord(index, *_FILE.unpack_from(data, HEADER_SIZE + FILE_RECORD_SIZE * index))
        for index in range(count)
    )
    segments = _segments(data, header.av_files, count, problems)
    return Index00(header, files, segments, tuple(problems))


def _segments(
    data: bytes, av_files: int, count: int, problems: list[DvrProblem]
) -> tuple[SegmentRecord, ...]:
    area = HEADER_SIZE + FILE_RECORD_SIZE * av_files
    found: list[SegmentRecord] = []
    for file_index in range(count):
        for slot in range(SEGMENTS_PER_FILE):
            at = area + SEGMENT_RECORD_SIZE * (SEGMENTS_PER_FILE * file_index + slot)
            if at + SEGMENT_RECORD_SIZE > len(data):
                problems.append(
                    DvrProblem(f"index00.bin ends inside the segments of file {file_index}")
                )
                return tuple(found)
            kind, status, start, end, key_time, _std1, _std2, first, last = _SEGMENT.unpack_from(
                data, at
            )
            if end != 0:
                found.append(
                    SegmentRecord(
                        file_index, slot, at, kind, status, start, end, key_time, first, last
                    )
                )
    return tuple(found)


def datadir_segments(
    index: Index00, file_extents: Mapping[int, Sequence[Extent]], *, disk_size: int
) -> tuple[list[Segment], list[DvrProblem]]:
    """Map the index's segments onto the image through the container files' extents.

    Args:
        index: a parsed ``index00.bin``.
        file_extents: container number (NNNNN of ``hivNNNNN.mp4``) → that file's extents in
            the image, in file order.
        disk_size: image size; no extent reaches past it.

    Returns:
        The segments, and the problems: the index's own (``index.problems``) first, then
        those of the mapping (missing container, range past the file or the image).
    """
    channels = {record.index: record.channel for record in index.files}
    segments: list[Segment] = []
    problems = list(index.problems)
    for record in index.segments:
        key = f"hikdir:f{record.file_index:05d}:s{record.slot:03d}"
        extents = file_extents.get(record.file_index)
        if extents is None:
            problems.append(DvrProblem(f"{key}: hiv{record.file_index:05d}.mp4 is missing"))
            continue
        if record.end_offset <= record.start_offset:
            problems.append(
                DvrProblem(
                    f"{key}: empty or reversed byte range "
                    f"[{record.start_offset}, {record.end_offset}) in the container"
                )
            )
            continue
        mapped, notes = _map(key, extents, record, disk_size, problems)
        if not mapped:
            continue
        channel = channels.get(record.file_index)
        segments.append(
            Segment(
                vendor=HIK_DATADIR,
                source="index00",
                key=key,
                channel=None if channel in (None, NO_CHANNEL) else channel,
                start=unix_time(record.start & 0xFFFFFFFF),
                end=unix_time(record.end & 0xFFFFFFFF),
                extents=tuple(mapped),
                kind=MPEG_PS,
                status=COMPLETE,
                notes=notes,
            )
        )
    return segments, problems


def _map(
    key: str,
    extents: Sequence[Extent],
    record: SegmentRecord,
    disk_size: int,
    problems: list[DvrProblem],
) -> tuple[list[Extent], tuple[str, ...]]:
    start, end = record.start_offset, record.end_offset
    file_size = sum(max(0, length) for _, length in extents)
    notes: list[str] = []
    if end > file_size:
        problems.append(
            DvrProblem(f"{key}: range ends at {end}, past the container's {file_size} bytes")
        )
        notes.append("clipped at the container end")
    mapped: list[Extent] = []
    position = 0
    for offset, length in extents:
        if length <= 0:
            continue
        low, high = max(start, position), min(end, position + length)
        image = offset + low - position
        size = min(high - low, disk_size - image)
        if size > 0 and image >= 0:
            if mapped and sum(mapped[-1]) == image:
                mapped[-1] = (mapped[-1][0], mapped[-1][1] + size)
            else:
                mapped.append((image, size))
        position += length
        if position >= end:
            break
    wanted = min(end, file_size) - start
    if sum(length for _, length in mapped) < wanted:
        problems.append(DvrProblem(f"{key}: part of the range lies outside the image"))
        notes.append("clipped at the image end")
    return mapped, tuple(notes)
