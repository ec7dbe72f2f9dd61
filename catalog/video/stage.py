"""The DVR stage of a scan: list a recorder's index, carve what it does not cover, hash.

Runs beside volume and file-system detection on every evidence item. Listing reads the
recorder's index only, so the segments of a multi-terabyte DVR are in the catalog within
seconds; hashing each segment and carving the uncovered ranges (orphan blocks, free
clusters, or the whole media when nothing else could be read) come after. A damaged index
yields problem rows plus carving over everything the surviving index does not cover.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from catalog.extenttaps import ExtentTaps
from catalog.video.extents import hash_extents
from catalog.video.rows import dvr_volume_row, extents_of, segment_row
from parsers.dvr.carve import carve
from parsers.dvr.detect import UNFORESEEN, read_dvr
from parsers.dvr.disk import DiskBytes
from parsers.dvr.model import HIKVISION, ORPHAN, DvrListing, Extent, Segment
from parsers.filesystems.unallocated import unallocated_extents

if TYPE_CHECKING:
    from catalog.model import Hashes
    from parsers.context import ParseContext
    from parsers.source import EvidenceSource

STAGE = "dvr"


@dataclass(slots=True)
class VideoRows:
    """What the stage writes: the recorder volume and the segments (hashed once read)."""

    volumes: list[dict[str, Any]] = field(default_factory=list)
    segments: list[dict[str, Any]] = field(default_factory=list)


def disk_of(source: EvidenceSource) -> DiskBytes:
    """A counted, bounded view of an evidence source for the DVR parsers."""
    return DiskBytes(source.read, source.info.media_size)


def list_index(disk: DiskBytes, ctx: ParseContext) -> DvrListing | None:
    """Read the recorder index, if any; its problems become problem rows."""
    listing = read_dvr(disk)
    if listing is not None:
        for problem in listing.problems:
            ctx.problem(STAGE, f"{listing.volume.vendor}: {problem.message}", offset=problem.offset)
    return listing


def index_rows(listing: DvrListing, exhibit: str, run_id: str) -> VideoRows:
    """The volume row and one unhashed row per indexed segment."""
    rows = VideoRows()
    rows.volumes.append(dvr_volume_row(exhibit, listing.volume, len(listing.segments), run_id))
    rows.segments = [segment_row(exhibit, segment, run_id) for segment in listing.segments]
    return rows


def carve_ranges(
    disk: DiskBytes, listing: DvrListing | None, *, has_file_system: bool
) -> list[Extent]:
    """What to carve: uncovered ranges of a sound index, else all that no segment covers.

    An ordinary disk (a file system and no recorder index) is not carved here.
    """
    if listing is None:
        return [] if has_file_system else [(0, disk.size)]
    if listing.problems or not listing.segments:
        covered = [extent for segment in listing.segments for extent in segment.extents]
        return unallocated_extents(0, disk.size, covered)
    return list(listing.uncovered)


def carved_rows(
    disk: DiskBytes,
    ranges: list[Extent],
    listing: DvrListing | None,
    exhibit: str,
    run_id: str,
    ctx: ParseContext,
) -> list[dict[str, Any]]:
    """Rows of everything carved from ``ranges``.

    On a Hikvision disk, footage in a block no index entry references is an orphan block
    (pre-reinitialisation footage), so it is labelled so rather than plain ``carved``.
    """
    if not ranges:
        return []
    try:
        result = carve(disk, ranges)
    except UNFORESEEN as exc:
        ctx.problem(STAGE, f"carving stopped: {type(exc).__name__}: {exc}", exc=exc)
        return []
    for problem in result.problems:
        ctx.problem(STAGE, f"carving: {problem.message}", offset=problem.offset)
    orphan = listing is not None and listing.volume.vendor == HIKVISION
    return [
        segment_row(exhibit, _as_orphan(segment) if orphan else segment, run_id)
        for segment in result.segments
    ]


def _as_orphan(segment: Segment) -> Segment:
    return replace(segment, vendor=HIKVISION, source="orphan-block", status=ORPHAN)


def hash_segments(
    disk: DiskBytes,
    rows: list[dict[str, Any]],
    ctx: ParseContext,
    known: Mapping[str, Hashes] | None = None,
) -> None:
    """Fill in each row's four digests over its extents (or its ``hash_error``).

    ``known`` holds digests already taken from the media hash's pass (by segment id);
    only the other segments' extents are read here.
    """
    for row in rows:
        extents = extents_of(row)
        if not extents:
            row["hash_error"] = "no bytes inside the image"
            continue
        hashes = (known or {}).get(row["segment_id"])
        if hashes is None:
            try:
                hashes = hash_extents(disk.read, extents)
            except OSError as exc:
                row["hash_error"] = str(exc)
                ctx.problem(STAGE, f"segment {row['key']}: {exc}", offset=row["offset"])
                continue
        row.update(md5=hashes.md5, sha1=hashes.sha1, sha256=hashes.sha256, blake3=hashes.blake3)


def segment_taps(rows: list[dict[str, Any]]) -> ExtentTaps:
    """Taps that hash these segments from the media hash's read (see ``catalog.extenttaps``)."""
    return ExtentTaps((row["segment_id"], extents_of(row)) for row in rows)


def carved_segment_rows(
    disk: DiskBytes,
    listing: DvrListing | None,
    exhibit: str,
    run_id: str,
    ctx: ParseContext,
    *,
    has_file_system: bool,
) -> list[dict[str, Any]]:
    """Unhashed rows of what carving finds where no index or file system accounts for."""
    ranges = carve_ranges(disk, listing, has_file_system=has_file_system)
    carved = carved_rows(disk, ranges, listing, exhibit, run_id, ctx)
    if listing is None and carved:
        ctx.problem(
            STAGE,
            "no volume system, file system or recorder index recognised: the whole media"
            f" was carved ({len(carved)} video or snapshot items)",
        )
    return carved


def scan_video(
    source: EvidenceSource,
    exhibit: str,
    run_id: str,
    ctx: ParseContext,
    *,
    has_file_system: bool,
    carve_video: bool = True,
    listing: DvrListing | None = None,
) -> VideoRows:
    """The whole stage as values, every segment hashed by reading it.

    The locker's workers call this; ``evcat scan`` hashes indexed segments from its media
    pass instead (``segment_taps``).
    """
    disk = disk_of(source)
    if listing is None:
        listing = list_index(disk, ctx)
    rows = index_rows(listing, exhibit, run_id) if listing is not None else VideoRows()
    if carve_video:
        rows.segments += carved_segment_rows(
            disk, listing, exhibit, run_id, ctx, has_file_system=has_file_system
        )
    hash_segments(disk, rows.segments, ctx)
    return rows
