"""WFS0.4/WFS0.5 disks (Chinese OEM recorders): superblock and descriptor chains as segments.

WFS is laid out like DHFS without partitions: a superblock at 0x3000 names the descriptor
area and the video area, and each 32-byte descriptor describes one fragment of raw H.264
(reference §4, one implementation, so medium confidence). A main descriptor heads a chain of
secondary fragments. Listing reads the superblock and the descriptors only; secondaries that
no live chain reaches become ``dirty`` segments, free fragments and slack uncovered ranges.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from parsers.dvr.chains import (
    FREE,
    LINK,
    MAIN,
    SKIP,
    Chain,
    Entry,
    Layout,
    ProblemLog,
    chain_segment,
    clip,
    coalesce,
    dirty_segment,
    walk_area,
)
from parsers.dvr.disk import DiskBytes
from parsers.dvr.model import H264, WFS, DvrListing, DvrVolume, Extent, Segment
from parsers.dvr.timeutil import dhfs_time

SOURCE = "wfs-desc"
"""The ``source`` of every segment this reader lists."""

SIGNATURES = (b"WFS0.4", b"WFS0.5")
SUPERBLOCK = 0x3000
SUPER_MAGIC = 0xDEBC9A78
MIN_BLOCK, MAX_BLOCK = 512, 1 << 20
MAX_FRAGMENT = 1 << 30

_KINDS = {0x02: MAIN, 0x03: MAIN, 0x01: LINK, 0xFE: SKIP, 0x00: FREE}
_DESC = struct.Struct("<xBHIIIIxxHI3xB")
_SUPER = struct.Struct("<I12xII20xII4xI8xIII")


@dataclass(frozen=True, slots=True)
class _Super:
    magic: int
    first: int
    last: int
    block: int
    per_fragment: int
    reserved: int
    table: int
    video: int
    count: int

    @property
    def is_plausible(self) -> bool:
        return (
            MIN_BLOCK <= self.block <= MAX_BLOCK
            and self.per_fragment >= 1
            and self.block * self.per_fragment <= MAX_FRAGMENT
            and self.count >= 1
        )


def read_wfs(disk: DiskBytes) -> DvrListing | None:
    """List the recordings of a WFS0.4/0.5 disk from its descriptors.

    Args:
        disk: the whole disk image.

    Returns:
        The volume, one segment per main descriptor chain (``complete``) and per group of
        unreachable secondary fragments (``dirty``), the problems met, and free fragments
        and slack as uncovered ranges; None without ``WFS0.4``/``WFS0.5`` at byte 0.
    """
    signature = disk.read(0, 6)
    if signature not in SIGNATURES:
        return None
    listing = DvrListing(DvrVolume(WFS, signature.decode("ascii"), 0, {}))
    log = ProblemLog(listing.problems)
    raw = disk.read(SUPERBLOCK, _SUPER.size).ljust(_SUPER.size, b"\0")
    sb = _Super(*_SUPER.unpack(raw))
    if sb.magic != SUPER_MAGIC:
        log.add(f"superblock signature 0x{sb.magic:08x}, expected 0x{SUPER_MAGIC:08x}", SUPERBLOCK)
    if not sb.is_plausible:
        log.add("superblock implausible (block size, fragment size or count)", SUPERBLOCK)
        log.close()
        return listing
    layout = Layout(
        name="WFS",
        table=sb.table * sb.block,
        base=sb.video * sb.block,
        unit=sb.block * sb.per_fragment,
        sub=sb.block,
        kind_byte=1,
        kinds=_KINDS,
        zero_last_is_full=True,
    )
    listing.volume.geometry.update(_geometry(sb, layout))
    listing.uncovered = _list(disk, sb, layout, listing, log)
    log.close()
    return listing


def _list(
    disk: DiskBytes, sb: _Super, layout: Layout, listing: DvrListing, log: ProblemLog
) -> list[Extent]:
    found = walk_area(disk, layout, sb.count, _decode, log, area="video area")
    for chain in found.chains:
        listing.segments.append(_segment(disk, chain, layout, log))
    for owner, group in sorted(found.dirty.items()):
        listing.segments.append(_dirty(disk, owner, group, layout))
    return clip(coalesce(found.uncovered()), disk)[0]


def _decode(raw: bytes, cid: int) -> Entry:
    _, count, _, nxt, start, end, last, owner, camera = _DESC.unpack_from(raw, 32 * cid)
    channel = (camera + 2) // 4 or None
    return Entry(cid, channel, count, start, end, nxt, last, owner, start)


def _segment(disk: DiskBytes, chain: Chain, layout: Layout, log: ProblemLog) -> Segment:
    key = f"wfs:f{chain.main.id}"
    return chain_segment(
        disk, chain, chain.extents, layout, log, vendor=WFS, source=SOURCE, key=key, kind=H264,
        notes=list(chain.notes),
    )  # fmt: skip


def _dirty(disk: DiskBytes, owner: int, group: list[Entry], layout: Layout) -> Segment:
    key = f"wfs:dirty{owner}"
    return dirty_segment(disk, group, layout, vendor=WFS, source=SOURCE, key=key, kind=H264)


def _geometry(sb: _Super, layout: Layout) -> dict[str, Any]:
    first, last = dhfs_time(sb.first), dhfs_time(sb.last)
    return {
        "superblock": SUPERBLOCK,
        "signature_ok": sb.magic == SUPER_MAGIC,
        "block_size": sb.block,
        "blocks_per_fragment": sb.per_fragment,
        "fragment_size": layout.unit,
        "fragment_count": sb.count,
        "reserved_fragments": sb.reserved,
        "descriptor_area": layout.table,
        "video_area": layout.base,
        "first": {"raw": first.raw, "wallclock": first.wallclock},
        "last": {"raw": last.raw, "wallclock": last.wallclock},
    }
