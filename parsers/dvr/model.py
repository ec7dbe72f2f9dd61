"""What DVR parsers return: plain, JSON-serialisable records of volumes and segments.

A ``Segment`` is one recording (or one carved clip or snapshot) with its extents on the
disk image in the order its bytes play. Times keep the raw on-disk value beside its reading
as DVR wall-clock time: the recorders store no time zone, so the zone is an assumption the
catalog records, and an examiner can declare it per exhibit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Extent = tuple[int, int]
"""``(offset, length)`` in bytes, absolute in the disk image."""

# Vendors (the ``vendor`` of volumes and segments); stable: written into the catalog.
HIKVISION = "hikvision"
HIK_DATADIR = "hik-datadir"
DAHUA = "dahua-dhfs41"
WFS = "wfs"
CARVED = "carved"

# Containers (the ``kind`` column of ``evcat export carved``).
MPEG_PS = "mpeg-ps"
DHAV = "dhav"
H264 = "h264-annexb"
H265 = "h265-annexb"
JPEG = "jpeg"
KINDS = (MPEG_PS, DHAV, H264, H265, JPEG)

# Segment statuses.
COMPLETE = "complete"
"""Indexed, finished recording."""
RECORDING = "recording"
"""Indexed, still being written when the recorder stopped."""
UNALLOCATED = "unallocated"
"""Indexed, but the index marks the block free (its footage may survive)."""
ORPHAN = "orphan"
"""A data block or chain that no live index entry references."""
DIRTY = "dirty"
"""DHFS fragments whose main descriptor is gone."""
OVERWRITTEN = "overwritten"
"""Indexed, but the bytes at the extent are no longer the recording's container."""
STATUS_CARVED = "carved"
"""Found by carving, with no index entry."""
STATUSES = (COMPLETE, RECORDING, UNALLOCATED, ORPHAN, DIRTY, OVERWRITTEN, STATUS_CARVED)

# Raw time kinds.
UNIX = "unix"
"""u32 seconds since 1970 read as DVR wall-clock (Hikvision)."""
DHFS_PACKED = "dhfs-packed"
"""u32 bit-packed broken-down time (Dahua, WFS, DHAV)."""
HK44 = "hk44"
"""44-bit broken-down time with milliseconds (Hikvision PSM descriptor 0x40)."""


@dataclass(frozen=True, slots=True)
class RawTime:
    """A recorder's time value and its reading as wall-clock time of an unknown zone."""

    raw: int
    kind: str
    wallclock: str | None
    """Naive ISO-8601 (``2025-04-28T16:06:18`` or with ``.fff``), None when invalid."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One recording, carved clip or snapshot on a DVR disk."""

    vendor: str
    source: str
    """Where it was found: ``hikbtree1``, ``hikbtree2``, ``dhfs-desc``, ``wfs-desc``,
    ``index00``, ``orphan-block``, ``carve``."""
    key: str
    """Stable within the exhibit (``hik:blk:0x40100000``); a rescan finds the same key."""
    channel: int | None
    """1-based camera number, None when unknown."""
    start: RawTime | None
    end: RawTime | None
    extents: tuple[Extent, ...]
    kind: str
    status: str
    notes: tuple[str, ...] = ()

    @property
    def offset(self) -> int:
        """Where the first extent starts (absolute)."""
        return self.extents[0][0] if self.extents else 0

    @property
    def length(self) -> int:
        """Total bytes over all extents."""
        return sum(length for _, length in self.extents)


@dataclass(frozen=True, slots=True)
class DvrProblem:
    """Something in the index that could not be read; becomes a problem row."""

    message: str
    offset: int | None = None


@dataclass(frozen=True, slots=True)
class DvrVolume:
    """A recognised recorder file system."""

    vendor: str
    version: str
    offset: int
    """Where its signature sits on the image."""
    geometry: dict[str, Any] = field(default_factory=dict)
    """Block/cluster size, counts, area offsets, index offsets: as read."""


@dataclass(slots=True)
class DvrListing:
    """What an index parser found: the volume, its segments, its problems."""

    volume: DvrVolume
    segments: list[Segment] = field(default_factory=list)
    problems: list[DvrProblem] = field(default_factory=list)
    uncovered: list[Extent] = field(default_factory=list)
    """Ranges of the video area that no segment covers (orphan blocks, free clusters),
    which carving should examine."""
