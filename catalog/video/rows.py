"""Catalog rows of recorder volumes and video segments, from the parsers' records."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from catalog.csvsafe import clean_text
from parsers.dvr.detect import PARSER_VERSION

if TYPE_CHECKING:
    from parsers.dvr.model import DvrVolume, Segment


def segment_id(exhibit: str, key: str) -> str:
    """The catalog id of a segment: stable across rescans of the same evidence."""
    return f"{exhibit}:{key}"


def dvr_volume_row(
    exhibit: str, volume: DvrVolume, segment_count: int, run_id: str
) -> dict[str, Any]:
    """One ``dvr_volumes`` row."""
    return {
        "dvr_volume_id": f"{exhibit}:dvr:{volume.offset}",
        "evidence_id": exhibit,
        "vendor": volume.vendor,
        "version": clean_text(volume.version),
        "offset": volume.offset,
        "geometry": json.dumps(volume.geometry, sort_keys=True, default=str),
        "parser": f"dvr:{volume.vendor}",
        "parser_version": PARSER_VERSION,
        "segment_count": segment_count,
        "run_id": run_id,
    }


def segment_row(exhibit: str, segment: Segment, run_id: str) -> dict[str, Any]:
    """One ``video_segments`` row (hashes are filled in when the bytes are read)."""
    start, end = segment.start, segment.end
    timed = start or end
    key = clean_text(segment.key)
    return {
        "segment_id": segment_id(exhibit, key),
        "evidence_id": exhibit,
        "vendor": segment.vendor,
        "source": segment.source,
        "key": key,
        "channel": segment.channel,
        "time_kind": timed.kind if timed else None,
        "start_raw": start.raw if start else None,
        "end_raw": end.raw if end else None,
        "start_wallclock": start.wallclock if start else None,
        "end_wallclock": end.wallclock if end else None,
        "offset": segment.offset if segment.extents else None,
        "length": segment.length,
        "extents": json.dumps([list(extent) for extent in segment.extents]),
        "kind": segment.kind,
        "status": segment.status,
        "notes": _notes(segment.notes),
        "md5": None,
        "sha1": None,
        "sha256": None,
        "blake3": None,
        "hash_error": None,
        "run_id": run_id,
    }


def _notes(notes: tuple[str, ...]) -> str | None:
    return json.dumps([clean_text(note) for note in notes]) if notes else None


def extents_of(row: dict[str, Any]) -> list[tuple[int, int]]:
    """The ``(offset, length)`` extents of a segment row, in play order."""
    return [(int(offset), int(length)) for offset, length in json.loads(row["extents"])]
