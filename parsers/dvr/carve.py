"""Carving fallback for DVR disks: find video and snapshots where no index survives.

Unknown recorders, orphan Hikvision blocks, free DHFS clusters and unallocated space hold
footage that no index lists. ``carve`` streams the given ranges in fixed chunks, looks for
every container signature at once with ``bytes.find``, and accepts a candidate only when
its structure validates (two packs, a DHAV frame with its trailer, parameter sets before an
IDR, a JPEG with frame, scan and end markers). It then skips past the item, so nothing inside
a found item is reported again. DHAV frames are grouped into clips by channel and time
continuity (§5 of dvr-formats.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from parsers.dvr.containers import annexb, dhav, jpeg, ps
from parsers.dvr.containers.window import Window
from parsers.dvr.disk import MAX_READ, DiskBytes, carve_ranges
from parsers.dvr.model import (
    CARVED,
    DHAV,
    H264,
    H265,
    JPEG,
    MPEG_PS,
    STATUS_CARVED,
    DvrProblem,
    Extent,
    RawTime,
    Segment,
)

START_CODE = b"\x00\x00\x01"
SIGNATURES: tuple[tuple[bytes, str | None], ...] = (
    (START_CODE, None),
    (ps.IMKH, MPEG_PS),
    (dhav.MAGIC, DHAV),
    (jpeg.SIGNATURE, JPEG),
)
"""What is searched for; a start code's kind comes from the byte after it."""
START_KINDS = {0xBA: MPEG_PS, 0x67: H264, 0x27: H264, 0x47: H264, 0x40: H265}
"""Pack header, H.264 SPS (``nal_ref_idc`` 3, 1 or 2), H.265 VPS."""
OVERLAP = 4
"""Bytes read past a chunk so that a signature starting in it is whole."""
MAX_DHAV_STEP = 2
"""Seconds two consecutive frames of one clip may be apart."""


@dataclass(slots=True)
class CarveResult:
    """What carving found in the given ranges."""

    segments: list[Segment] = field(default_factory=list)
    problems: list[DvrProblem] = field(default_factory=list)
    bytes_scanned: int = 0


@dataclass(slots=True)
class _Scan:
    """One range being carved: where items may lie and what was found."""

    disk: DiskBytes
    start: int
    end: int
    max_item: int
    result: CarveResult
    floor: int = 0
    """No item may start before this (the end of the last item)."""
    resume: int = -1
    """Where a PS run cut at the item size bound goes on (accepted with a single pack)."""


def _segment(
    kind: str,
    extents: tuple[Extent, ...],
    *,
    channel: int | None = None,
    start: RawTime | None = None,
    end: RawTime | None = None,
    notes: tuple[str, ...] = (),
) -> Segment:
    key = f"carve:{kind}:0x{extents[0][0]:x}"
    return Segment(CARVED, "carve", key, channel, start, end, extents, kind, STATUS_CARVED, notes)


def _describe(codec: str | None, width: int | None, height: int | None) -> tuple[str, ...]:
    size = f" {width}x{height}" if width and height else ""
    return (f"{codec}{size}",) if codec else ()


def _ps(scan: _Scan, window: Window, offset: int) -> int | None:
    stop = min(scan.end, offset + scan.max_item)
    run = ps.scan_ps(window, offset, stop)
    if run is None or run.n_packs < (1 if offset == scan.resume else 2):
        return None
    end, notes = run.end, _describe(run.codec, run.width, run.height)
    notes += (f"{run.n_packs} packs, {run.n_video_pes} video PES",)
    if run.has_imkh:
        notes += ("IMKH header",)
    if run.stop_reason == "bound" and stop < scan.end and (run.last_pack or 0) > run.offset:
        end = scan.resume = run.last_pack or end
        notes += ("cut at the item size bound; the next item goes on from here",)
    segment = _segment(
        MPEG_PS,
        ((run.offset, end - run.offset),),
        start=run.first_time,
        end=run.last_time,
        notes=notes,
    )
    scan.result.segments.append(segment)
    return end


def _continues(last: dhav.DhavFrame, frame: dhav.DhavFrame) -> bool:
    before, after = dhav.date_seconds(last.date), dhav.date_seconds(frame.date)
    return before is not None and after is not None and 0 <= after - before <= MAX_DHAV_STEP


def dhav_clips(frames: Sequence[dhav.DhavFrame]) -> list[list[dhav.DhavFrame]]:
    """Frames of one contiguous chain grouped by channel, cut where the date jumps."""
    clips: list[list[dhav.DhavFrame]] = []
    current: dict[int, list[dhav.DhavFrame]] = {}
    for frame in frames:
        clip = current.get(frame.channel)
        if clip is not None and _continues(clip[-1], frame):
            clip.append(frame)
            continue
        if clip is not None:
            clips.append(clip)
        current[frame.channel] = [frame]
    clips.extend(current.values())
    return sorted(clips, key=lambda clip: clip[0].offset)


def merged_extents(frames: Sequence[dhav.DhavFrame]) -> tuple[Extent, ...]:
    """The frames' byte ranges, adjacent ones merged."""
    extents: list[Extent] = []
    for frame in frames:
        if extents and sum(extents[-1]) == frame.offset:
            extents[-1] = (extents[-1][0], extents[-1][1] + frame.length)
        else:
            extents.append((frame.offset, frame.length))
    return tuple(extents)


def _dhav_notes(clip: list[dhav.DhavFrame]) -> tuple[str, ...]:
    info = next((frame.video for frame in clip if frame.video.codec), dhav.VideoInfo())
    fps = f" {info.fps} fps" if info.fps else ""
    described = _describe(info.codec, info.width, info.height)
    return (*(f"{note}{fps}" for note in described), f"{len(clip)} frames")


def _dhav(scan: _Scan, window: Window, offset: int) -> int | None:
    frames = dhav.scan_chain(window, offset, min(scan.end, offset + scan.max_item))
    if not frames:
        return None
    for clip in dhav_clips(frames):
        extents, first, last = merged_extents(clip), clip[0], clip[-1]
        scan.result.segments.append(
            _segment(
                DHAV,
                extents,
                channel=first.channel,
                start=first.time,
                end=last.time,
                notes=_dhav_notes(clip),
            )
        )
    return frames[-1].end


def _jpeg(scan: _Scan, window: Window, offset: int) -> int | None:
    limit = min(jpeg.MAX_LENGTH, scan.max_item)
    item = jpeg.carve_jpeg(window, offset, scan.end, max_length=limit)
    if item is None:
        return None
    scan.result.segments.append(
        _segment(JPEG, ((item.offset, item.length),), notes=(f"{item.width}x{item.height}",))
    )
    return item.end


def _annexb(scan: _Scan, window: Window, offset: int) -> int | None:
    stop = min(scan.end, offset + scan.max_item)
    run = annexb.scan_annexb(window, offset, stop, floor=scan.floor)
    if run is None:
        return None
    kind = H265 if run.codec == annexb.HEVC else H264
    notes = (f"{run.n_nals} NAL units, {run.n_idr} random-access pictures", "time unknown")
    scan.result.segments.append(_segment(kind, ((run.offset, run.length),), notes=notes))
    return run.end


_CARVERS = {MPEG_PS: _ps, DHAV: _dhav, JPEG: _jpeg, H264: _annexb, H265: _annexb}


def _scan_chunk(scan: _Scan, base: int, data: bytes, hit_stop: int, chunk_size: int) -> int:
    """Carve every item starting in ``[base, hit_stop)``; return where scanning resumes."""
    window = Window(scan.disk, scan.start, scan.end, chunk_size=chunk_size, seed=(base, data))
    limits = [min(len(data), hit_stop - base + len(needle) - 1) for needle, _ in SIGNATURES]
    # All-zero space holds no start code; skipping the search there saves most of its cost.
    hits = [
        data.find(needle, 0, limit) if needle != START_CODE or b"\x01" in data else -1
        for (needle, _), limit in zip(SIGNATURES, limits, strict=True)
    ]
    while True:
        live = [hit for hit in hits if hit >= 0]
        if not live:
            return hit_stop
        which = hits.index(min(live))
        needle, kind = SIGNATURES[which]
        offset = base + hits[which]
        if kind is None:
            kind = START_KINDS.get((window.get(offset + 3, 1) or b"\x00")[0])
        end = None if kind is None else _CARVERS[kind](scan, window, offset)
        if end is None:
            hits[which] = data.find(needle, hits[which] + 1, limits[which])
            continue
        scan.floor = end
        if end >= hit_stop:
            return end
        for index, (other, _) in enumerate(SIGNATURES):
            if 0 <= hits[index] < end - base:
                hits[index] = data.find(other, end - base, limits[index])


def _carve_range(scan: _Scan, chunk_size: int) -> None:
    pos = scan.start
    while pos < scan.end:
        data = scan.disk.read(pos, min(scan.end - pos, chunk_size + OVERLAP))
        if not data:
            scan.result.problems.append(DvrProblem("carving: no bytes could be read", pos))
            return
        hit_stop = min(scan.end, pos + min(chunk_size, len(data)))
        pos = max(_scan_chunk(scan, pos, data, hit_stop, chunk_size), pos + 1)


def carve(
    disk: DiskBytes,
    ranges: Sequence[Extent],
    *,
    chunk_size: int = 16 << 20,
    max_item: int = 1 << 30,
) -> CarveResult:
    """Carve PS runs, DHAV clips, Annex-B streams and JPEGs from ``ranges`` of ``disk``.

    Args:
        disk: The medium.
        ranges: ``(offset, length)`` pairs to examine; no item crosses a range's ends.
        chunk_size: Bytes read (and searched) at a time; memory stays a small multiple.
        max_item: Longest item; a longer run is cut there and the rest carved afresh.

    Returns:
        Carved segments (ordered by offset), problems with the ranges or reads, and the
        number of bytes examined.
    """
    result = CarveResult()
    chunk_size = max(4096, min(chunk_size, MAX_READ - OVERLAP))
    max_item = max(max_item, 1)
    for clipped in carve_ranges(disk, ranges):
        result.problems += [DvrProblem(f"carve {message}", at) for message, at in clipped.notes]
        start, end = clipped.start, clipped.end
        if start >= end:
            continue
        try:
            _carve_range(_Scan(disk, start, end, max_item, result, start), chunk_size)
        except OSError as exc:
            result.problems.append(DvrProblem(f"carving stopped by a read error: {exc}", start))
        result.bytes_scanned += end - start
    result.segments.sort(key=lambda segment: segment.offset)
    return result
