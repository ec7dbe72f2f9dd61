"""Hikvision DVR/NVR disks: master sector, both HIKBTREE copies, orphan blocks, RATS logs.

A Hikvision recorder formats the whole disk as one "HIKVISION file system": a master
sector at 0x200, a B+-tree index (HIKBTREE, plus a backup copy) whose leaves map each data
block to a channel and a time range, then the data blocks. Listing reads the master sector
and index pages only. The tree is walked by its leaf chain (the only walk that finds every
leaf on deep trees) and cross-checked from the root; every pointer walk is bounded and
guarded against cycles, and every disagreement becomes a problem, never an exception.
Layout: ``shared/reference/dvr-formats.md`` §2.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from parsers.dvr.disk import DiskBytes
from parsers.dvr.hikbtree import HikTree, TreeEntry
from parsers.dvr.model import (
    COMPLETE,
    HIKVISION,
    MPEG_PS,
    RECORDING,
    UNALLOCATED,
    DvrListing,
    DvrProblem,
    DvrVolume,
    Extent,
    RawTime,
    Segment,
)
from parsers.dvr.timeutil import STILL_RECORDING, unix_time

SIGNATURE = b"HIKVISION@HANGZHOU"
MASTER_OFFSET = 0x200
SIGNATURE_OFFSET = 0x210
VERIFIED_VERSION = "HIK.2011.03.08"
SCAN_BYTES = 4 << 20
"""How far into the image to look for a master sector that is not at 0x200."""
MAX_ORPHANS = 1 << 16
LOG_FALLBACK_OFFSET = 0xA200
LOG_FALLBACK_SIZE = 1 << 20
MAX_LOG_BYTES = 64 << 20
MAX_LOG_RECORDS = 100_000
_CHUNK = 1 << 20
_LOG_RECORD = 36
_TREES = ("hikbtree1", "hikbtree2")


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One ``RATS`` system-log record (§2.3)."""

    offset: int
    """Absolute offset of the ``RATS`` magic in the image."""
    time: RawTime
    major: int
    """1 alarm, 2 exception, 3 operation, 4 information."""
    minor: int
    user: str | None
    ip: str | None


@dataclass(frozen=True, slots=True)
class _Master:
    version: str
    capacity: int
    log_offset: int
    log_size: int
    video_area: int
    block_size: int
    block_count: int
    trees: tuple[tuple[int, int], tuple[int, int]]
    init_time: int


def find_master(disk: DiskBytes) -> int | None:
    """The base offset of the Hikvision disk in the image, or None when there is none.

    The base is 0 when the signature sits at 0x210; otherwise the first few MiB are
    searched sector by sector for a master sector (an image that starts before the disk).
    """
    if disk.read(SIGNATURE_OFFSET, len(SIGNATURE)) == SIGNATURE:
        return 0
    limit = min(disk.size, SCAN_BYTES)
    for start in range(0, limit, _CHUNK):
        data = disk.read(start, min(_CHUNK, limit - start))
        at = data.find(SIGNATURE)
        while at >= 0:
            sector = start + at - (SIGNATURE_OFFSET - MASTER_OFFSET)
            if sector % 512 == 0 and sector > MASTER_OFFSET:
                return sector - MASTER_OFFSET
            at = data.find(SIGNATURE, at + 1)
    return None


def _parse_master(raw: bytes) -> _Master:
    def u64(rel: int) -> int:
        return int(struct.unpack_from("<Q", raw, rel)[0])

    def u32(rel: int) -> int:
        return int(struct.unpack_from("<I", raw, rel)[0])

    version = raw[0x30:0x48].split(b"\0", 1)[0].decode("latin-1")
    return _Master(
        version=version,
        capacity=u64(0x48),
        log_offset=u64(0x60),
        log_size=u64(0x68),
        video_area=u64(0x78),
        block_size=u64(0x88),
        block_count=u32(0x90),
        trees=((u64(0x98), u32(0xA0)), (u64(0xA8), u32(0xB0))),
        init_time=u32(0xF0),
    )


def _check_master(master: _Master, image_size: int, base: int) -> list[DvrProblem]:
    where = base + MASTER_OFFSET
    problems: list[DvrProblem] = []
    if not master.version.isprintable() or not master.version:
        problems.append(DvrProblem(f"version string {master.version!r} is not printable", where))
    elif master.version != VERIFIED_VERSION:
        problems.append(DvrProblem(f"unverified layout: version {master.version}", where))
    if master.block_size == 0:
        problems.append(DvrProblem("data-block size is 0: no block can be located", where))
    video_end = master.video_area + master.block_size * master.block_count
    if video_end > master.capacity:
        problems.append(DvrProblem(f"video area ends at 0x{video_end:x}, past the capacity", where))
    if master.capacity > image_size:
        problems.append(
            DvrProblem(f"image is {image_size} bytes, smaller than the capacity {master.capacity}")
        )
    return problems


def _geometry(master: _Master, base: int) -> dict[str, object]:
    return {
        "base_offset": base,
        "version": master.version,
        "capacity": master.capacity,
        "block_size": master.block_size,
        "block_count": master.block_count,
        "video_area": master.video_area,
        "log_area_offset": master.log_offset,
        "log_area_size": master.log_size,
        "hikbtree1_offset": master.trees[0][0],
        "hikbtree1_size": master.trees[0][1],
        "hikbtree2_offset": master.trees[1][0],
        "hikbtree2_size": master.trees[1][1],
        "init_time": master.init_time,
    }


def read_hikvision(disk: DiskBytes) -> DvrListing | None:
    """List the recordings of a Hikvision disk from its master sector and HIKBTREE pages.

    Args:
        disk: the image; only the master sector and index pages are read.

    Returns:
        The listing (segments from both index copies, problems, orphan blocks in
        ``uncovered``), or None when no ``HIKVISION@HANGZHOU`` master sector is found.
        Offsets in ``geometry`` are as stored (relative to ``base_offset``); extents are
        absolute in the image.
    """
    base = find_master(disk)
    if base is None:
        return None
    raw = disk.read(base + MASTER_OFFSET, 512)
    listing = DvrListing(DvrVolume(HIKVISION, "", base + SIGNATURE_OFFSET))
    if len(raw) < 512:
        listing.problems.append(DvrProblem("master sector truncated", base + MASTER_OFFSET))
        raw = raw.ljust(512, b"\0")
    master = _parse_master(raw)
    geometry = _geometry(master, base)
    listing.volume = DvrVolume(HIKVISION, master.version, base + SIGNATURE_OFFSET, geometry)
    listing.problems += _check_master(master, disk.size - base, base)
    bound = master.block_count + 16
    copies: list[dict[int, TreeEntry] | None] = []
    for name, (offset, _size) in zip(_TREES, master.trees, strict=True):
        tree = HikTree(disk, base, name, bound)
        copies.append(tree.read(offset))
        geometry[f"{name}_leaf_pages"] = tree.leaf_pages
        listing.problems += tree.problems
    listing.segments = _merge(copies, master, disk, base, listing.problems)
    referenced = {block for copy in copies if copy for block in copy}
    listing.uncovered = _orphans(master, disk, base, referenced, listing.problems)
    return listing


def _merge(
    copies: list[dict[int, TreeEntry] | None],
    master: _Master,
    disk: DiskBytes,
    base: int,
    problems: list[DvrProblem],
) -> list[Segment]:
    first, second = copies
    if first is None and second is None:
        problems.append(DvrProblem("no readable HIKBTREE copy: no segment listed"))
    elif first is not None and second is not None and first != second:
        only1 = len(first.keys() - second.keys())
        only2 = len(second.keys() - first.keys())
        changed = sum(1 for k in first.keys() & second.keys() if first[k] != second[k])
        problems.append(
            DvrProblem(
                f"HIKBTREE copies differ: {only1} entries only in #1, {only2} only in #2, "
                f"{changed} changed; listing the union"
            )
        )
    segments: list[Segment] = []
    seen: set[int] = set()
    for name, copy in zip(_TREES, copies, strict=True):
        for block, entry in (copy or {}).items():
            if block not in seen:
                seen.add(block)
                segments.append(_segment(entry, name, master, disk, base, problems))
    return segments


def _segment(
    entry: TreeEntry,
    source: str,
    master: _Master,
    disk: DiskBytes,
    base: int,
    problems: list[DvrProblem],
) -> Segment:
    if entry.alloc != 0:
        status = UNALLOCATED
    elif entry.start == STILL_RECORDING:
        status = RECORDING
    else:
        status = COMPLETE
    notes = list(entry.notes)
    offset, size = base + entry.block, master.block_size
    extents: tuple[Extent, ...] = ()
    if size == 0:
        notes.append("block size unknown")
    elif not disk.contains(offset, 1):
        problems.append(DvrProblem(f"block 0x{entry.block:x} lies outside the image", offset))
        notes.append("block outside the image")
    elif not disk.contains(offset, size):
        problems.append(DvrProblem(f"block 0x{entry.block:x} runs past the image end", offset))
        notes.append("block clipped at the image end")
        extents = ((offset, disk.size - offset),)
    else:
        extents = ((offset, size),)
    return Segment(
        vendor=HIKVISION,
        source=source,
        key=f"hik:blk:0x{entry.block:x}",
        channel=entry.channel,
        start=unix_time(entry.start),
        end=unix_time(entry.end),
        extents=extents,
        kind=MPEG_PS,
        status=status,
        notes=tuple(notes),
    )


def _orphans(
    master: _Master, disk: DiskBytes, base: int, referenced: set[int], problems: list[DvrProblem]
) -> list[Extent]:
    size = master.block_size
    first = base + master.video_area
    if size == 0 or first >= disk.size:
        return []
    count = min(master.block_count, (disk.size - first + size - 1) // size)
    if count > MAX_ORPHANS:
        problems.append(DvrProblem(f"{count} data blocks: orphans listed for {MAX_ORPHANS}"))
        count = MAX_ORPHANS
    uncovered: list[Extent] = []
    for index in range(count):
        block = master.video_area + index * size
        if block not in referenced:
            offset = base + block
            uncovered.append((offset, min(size, disk.size - offset)))
    return uncovered


def read_rats_logs(disk: DiskBytes, listing: DvrListing) -> list[LogRecord]:
    """The ``RATS`` records of the system-log area (§2.3), bounded by its size and a cap.

    The log area comes from the master sector; when it yields nothing, the fixed offset
    0xA200 some disks use is tried.
    """
    geometry = listing.volume.geometry
    base = int(geometry.get("base_offset", 0))
    start = base + int(geometry.get("log_area_offset", 0))
    records = _scan_logs(disk, start, int(geometry.get("log_area_size", 0)))
    if not records:
        records = _scan_logs(disk, base + LOG_FALLBACK_OFFSET, LOG_FALLBACK_SIZE)
    return records


def _scan_logs(disk: DiskBytes, start: int, size: int) -> list[LogRecord]:
    end = start + min(size, MAX_LOG_BYTES, max(0, disk.size - start))
    records: list[LogRecord] = []
    for chunk in range(start, end, _CHUNK):
        span = min(_CHUNK, end - chunk)
        data = disk.read(chunk, span + _LOG_RECORD)
        at = data.find(b"RATS")
        while 0 <= at < span and len(records) < MAX_LOG_RECORDS:
            following = data.find(b"RATS", at + 4)
            stop = len(data) if following < 0 else following
            record = _log_record(data[at : min(stop, at + _LOG_RECORD)], chunk + at)
            if record is not None:
                records.append(record)
            at = following
    return records


def _log_record(raw: bytes, offset: int) -> LogRecord | None:
    if len(raw) < 16:
        return None
    moment, major, minor = struct.unpack_from("<IHH", raw, 8)
    name = raw[16:32].split(b"\0", 1)[0]
    user = name.decode("ascii") if name and name.isascii() and name.decode().isprintable() else None
    address = raw[32:36]
    ip = ".".join(map(str, address)) if user and len(address) == 4 and any(address) else None
    return LogRecord(offset, unix_time(moment), major, minor, user, ip)
