"""Dahua DHFS4.1 disks: the partition table, boot sectors and descriptor chains as segments.

A Dahua recorder writes its own file system (``DHFS4.1`` at byte 0) that The Sleuth Kit
cannot read. Each DHFS partition has a boot sector naming its descriptor table and data area;
each 32-byte descriptor describes one cluster, and a main descriptor heads the chain of
clusters of one recording of DHAV frames (reference §3). Listing reads the index only, plus
the first 0x60 bytes of each recording for its ``DHII`` header and 4 bytes to confirm the
first frame. Fragments no live chain reaches become ``dirty`` segments; free clusters and
slack become uncovered ranges for carving.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from parsers.dvr.chains import (
    FREE,
    LINK,
    MAIN,
    Chain,
    Entry,
    Layout,
    ProblemLog,
    chain_segment,
    clip,
    coalesce,
    cut,
    dirty_segment,
    walk_area,
)
from parsers.dvr.disk import DiskBytes
from parsers.dvr.model import DAHUA, DHAV, DvrListing, DvrVolume, Extent, Segment
from parsers.dvr.timeutil import dhfs_time

SOURCE = "dhfs-desc"
"""The ``source`` of every segment this reader lists."""

SIGNATURE = b"DHFS4.1"
SECTOR = 512
PARTITION_TABLE = 0x3C00
ENTRY0, ENTRY_SIZE, MAX_PARTITIONS = 0x40, 64, 16
END_MARK = 0x55AA55AA
MAX_SECTORS_PER_CLUSTER = 1 << 16
DHII_HEAD = 0x60
DHII_ENTRY0 = 0x40
LOG_TEXT_CAP = 4 << 20
"""At most this many bytes of log text are read per partition."""

_KINDS = {0x01: MAIN, 0x02: LINK, 0xFE: FREE, 0x00: FREE}
_DESC = struct.Struct("<BBHIIIH2xII4x")
_BOOT = struct.Struct("<16xII20xII4xI8xIII")


@dataclass(frozen=True, slots=True)
class _Partition:
    index: int
    start: int
    length: int
    boot: int
    """Boot-sector offset in sectors from the partition start."""


@dataclass(frozen=True, slots=True)
class _Boot:
    offset: int
    begin: int
    end: int
    sector_size: int
    cluster_sectors: int
    reserved: int
    table: int
    data: int
    count: int
    spare: int
    logs: int

    @property
    def is_plausible(self) -> bool:
        return (
            self.sector_size == SECTOR
            and 1 <= self.cluster_sectors <= MAX_SECTORS_PER_CLUSTER
            and self.count >= 1
        )


def read_dhfs(disk: DiskBytes) -> DvrListing | None:
    """List the recordings of a DHFS4.1 disk from its index.

    Args:
        disk: the whole disk image.

    Returns:
        The volume, one segment per main descriptor chain (``complete``) and per group of
        unreachable fragments (``dirty``), the problems met, and the free clusters and slack
        as uncovered ranges; None when byte 0 does not hold ``DHFS4.1``.
    """
    if disk.read(0, len(SIGNATURE)) != SIGNATURE:
        return None
    partitions: list[dict[str, Any]] = []
    geometry = {"partition_table": PARTITION_TABLE, "partitions": partitions}
    listing = DvrListing(DvrVolume(DAHUA, "DHFS4.1", 0, geometry))
    log = ProblemLog(listing.problems)
    uncovered: list[Extent] = []
    for part in _partitions(disk, log):
        boot = _boot_sector(disk, part, log)
        if boot is not None:
            uncovered += _list_partition(disk, part, boot, listing, log)
    listing.uncovered = clip(coalesce(uncovered), disk)[0]
    log.close()
    return listing


def _partitions(disk: DiskBytes, log: ProblemLog) -> list[_Partition]:
    raw = disk.read(PARTITION_TABLE, ENTRY0 + ENTRY_SIZE * MAX_PARTITIONS)
    found: list[_Partition] = []
    for index in range(MAX_PARTITIONS):
        at = ENTRY0 + ENTRY_SIZE * index
        if len(raw) < at + ENTRY_SIZE:
            log.add("partition table is cut short by the end of the image", PARTITION_TABLE)
            return found
        if not any(raw[at : at + ENTRY_SIZE]):
            break
        (boot,) = struct.unpack_from("<I", raw, at + 0x08)
        start, length, _, mark = struct.unpack_from("<QIII", raw, at + 0x24)
        found.append(_Partition(index, start, length, boot))
        if mark == END_MARK:
            return found
    log.add(f"partition table has no end marker in its first {len(found)} entries", PARTITION_TABLE)
    return found


def _boot_sector(disk: DiskBytes, part: _Partition, log: ProblemLog) -> _Boot | None:
    name = f"partition {part.index}"
    primary = _read_boot(disk, part.start + part.boot)
    if primary.is_plausible:
        return primary
    if primary.offset >= disk.size:
        log.add(f"{name}: boot sector lies past the end of the image; partition skipped")
        return None
    spare = _read_boot(disk, part.start + primary.spare) if primary.spare else None
    if spare is not None and spare.is_plausible:
        log.add(f"{name}: boot sector implausible; its spare copy used", primary.offset)
        return spare
    log.add(f"{name}: boot sector and its spare are implausible; partition skipped", primary.offset)
    return None


def _read_boot(disk: DiskBytes, sector: int) -> _Boot:
    raw = disk.read(sector * SECTOR, 0x100).ljust(0x100, b"\0")
    begin, end, size, spc, reserved, table, data, count = _BOOT.unpack_from(raw)
    spare, _, logs = struct.unpack_from("<III", raw, 0xF0)
    return _Boot(sector * SECTOR, begin, end, size, spc, reserved, table, data, count, spare, logs)


def _list_partition(
    disk: DiskBytes, part: _Partition, boot: _Boot, listing: DvrListing, log: ProblemLog
) -> list[Extent]:
    """Add a partition's segments and geometry; return its free clusters and slack."""
    unit = boot.cluster_sectors * SECTOR
    layout = Layout(
        name=f"partition {part.index}",
        table=(part.start + boot.table) * SECTOR,
        base=(part.start + boot.data) * SECTOR,
        unit=unit,
        sub=SECTOR,
        kind_byte=0,
        kinds=_KINDS,
        strict_times=True,
    )
    listing.volume.geometry["partitions"].append(_geometry(part, boot, layout))
    found = walk_area(disk, layout, boot.count, _decode, log, area=f"{layout.name}: data area")
    for chain in found.chains:
        listing.segments.append(_segment(disk, part.index, chain, layout, log))
    for owner, group in sorted(found.dirty.items()):
        listing.segments.append(_dirty(disk, part.index, owner, group, layout))
    return found.uncovered()


def _decode(raw: bytes, cid: int) -> Entry:
    _, chan, count, start, end, nxt, last, _, owner = _DESC.unpack_from(raw, 32 * cid)
    return Entry(cid, (chan & 0x0F) + 1, count, start, end, nxt, last, owner, count)


def _segment(disk: DiskBytes, p: int, chain: Chain, layout: Layout, log: ProblemLog) -> Segment:
    main, notes = chain.main, list(chain.notes)
    extents, note = _dhii_cut(disk, chain)
    if note is not None:
        notes.append(note)
        log.add(f"{layout.name}: main descriptor {main.id}: {note}", layout.where(main.id))
    key = f"dhfs:p{p}:c{main.id}"
    return chain_segment(
        disk, chain, extents, layout, log, vendor=DAHUA, source=SOURCE, key=key, kind=DHAV,
        notes=notes,
    )  # fmt: skip


def _dhii_cut(disk: DiskBytes, chain: Chain) -> tuple[list[Extent], str | None]:
    """Drop the ``DHII`` index ahead of the first frame (reference §3.5)."""
    if not chain.extents:
        return chain.extents, None
    head = disk.read(chain.extents[0][0], DHII_HEAD)
    if len(head) < DHII_ENTRY0 + 4 or head[:4] != b"DHII":
        return chain.extents, None
    (first,) = struct.unpack_from("<I", head, DHII_ENTRY0)
    if not DHII_ENTRY0 <= first < sum(length for _, length in chain.extents):
        return chain.extents, f"DHII entry 0 (0x{first:x}) lies outside the recording; not cut"
    extents = cut(chain.extents, first)
    if disk.read(extents[0][0], 4) != b"DHAV":
        return extents, f"no DHAV frame at DHII entry 0 (0x{first:x}); cut there anyway"
    return extents, None


def _dirty(disk: DiskBytes, p: int, owner: int, group: list[Entry], layout: Layout) -> Segment:
    key = f"dhfs:p{p}:dirty{owner}"
    return dirty_segment(disk, group, layout, vendor=DAHUA, source=SOURCE, key=key, kind=DHAV)


def _geometry(part: _Partition, boot: _Boot, layout: Layout) -> dict[str, Any]:
    begin, end = dhfs_time(boot.begin), dhfs_time(boot.end)
    return {
        "index": part.index,
        "start_sector": part.start,
        "length_sectors": part.length,
        "boot_sector": boot.offset,
        "cluster_size": layout.unit,
        "sectors_per_cluster": boot.cluster_sectors,
        "descriptor_count": boot.count,
        "descriptor_table": layout.table,
        "data_area": layout.base,
        "reserved_fragments": boot.reserved,
        "log_area": (part.start + boot.logs) * SECTOR,
        "begin": {"raw": begin.raw, "wallclock": begin.wallclock},
        "end": {"raw": end.raw, "wallclock": end.wallclock},
    }


def read_dhfs_logs(disk: DiskBytes, listing: DvrListing) -> list[tuple[int, str]]:
    """The plain-text log of each partition a DHFS listing found (reference §3.9).

    Args:
        disk: the disk that ``read_dhfs`` listed.
        listing: its listing (the partitions' log areas are in the geometry).

    Returns:
        ``(offset, text)`` per partition whose log header is sound (its length and the
        ``0x55AA55AA`` marker at +0x1FC). The length at +0x00 counts the text or, in one
        source, the text and the 1 KiB header: at most that many bytes are read (4 MiB
        cap) and the text ends at the first NUL; it is decoded as Latin-1.
    """
    logs: list[tuple[int, str]] = []
    for part in listing.volume.geometry.get("partitions", []):
        offset = int(part["log_area"])
        header = disk.read_exact(offset, SECTOR)
        if header is None or struct.unpack_from("<I", header, 0x1FC)[0] != END_MARK:
            continue
        (size,) = struct.unpack_from("<I", header, 0)
        text = disk.read(offset + 2 * SECTOR, min(size, LOG_TEXT_CAP))
        logs.append((offset + 2 * SECTOR, text.split(b"\0", 1)[0].decode("latin-1")))
    return logs
