"""``evcat dvr export``: selected segments as original bytes and playable MP4, logged.

For each segment: the bytes of its extents, in play order, are written as the original
container (``.ps``, ``.dav``, ``.h264``…) and hashed while written; their SHA-256 must equal
the catalog's, which shows the evidence still reads the same. The original is then remuxed
into an MP4 (no re-encoding). One ``dvr.exported`` custody entry per segment records both
files with their four hashes, the tool and library versions, and whether the MP4's
timestamps were generated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import parsers
from catalog.case import check_not_beside_evidence
from catalog.csvsafe import clean_text, host_path
from catalog.custody import log
from catalog.errors import EvidenceError, UsageError
from catalog.hashing import MultiHasher
from catalog.store import open_existing_catalog, video
from catalog.video.extents import stream_extents
from catalog.video.listing import records
from catalog.video.naming import EXTENSIONS, segment_stem
from catalog.video.rows import extents_of
from parsers.dvr.remux import RemuxError, library_versions, remux_to_mp4
from parsers.evidence import open_evidence

if TYPE_CHECKING:
    from sqlite_utils import Database

    from catalog.custody.log import Actor
    from catalog.model import Hashes
    from parsers.source import EvidenceSource


@dataclass(frozen=True, slots=True)
class Selection:
    """Which segments to export."""

    exhibit: str
    channel: int | None = None
    start_from: dt.datetime | None = None
    start_to: dt.datetime | None = None


@dataclass(slots=True)
class ExportedSegment:
    """One segment's outputs."""

    segment_id: str
    original: Path
    original_sha256: str
    mp4: Path | None
    mp4_sha256: str | None
    packets: int
    synthetic_timestamps: bool
    error: str | None = None


def _hash_file(path: Path) -> tuple[Hashes, int]:
    hasher = MultiHasher()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            hasher.update(chunk)
    return hasher.hashes(), hasher.bytes_hashed


def _write_original(source: EvidenceSource, extents: list[tuple[int, int]], path: Path) -> Hashes:
    hasher = MultiHasher()
    with path.open("xb") as handle:
        for chunk in stream_extents(source.read, extents):
            hasher.update(chunk)
            handle.write(chunk)
    return hasher.hashes()


def _file_record(path: Path, hashes: Hashes, size: int) -> dict[str, Any]:
    return {
        "name": clean_text(path.name),
        "bytes": size,
        "md5": hashes.md5,
        "sha1": hashes.sha1,
        "sha256": hashes.sha256,
        "blake3": hashes.blake3,
    }


def _evidence_path(db: Database, exhibit: str) -> Path:
    row = db.execute("SELECT path FROM evidence WHERE evidence_id = ?", [exhibit]).fetchone()
    if row is None:
        raise UsageError(f"exhibit {exhibit!r} is not in this case (see evcat dvr list)")
    return host_path(row[0])


def export_segments(
    case: Path, selection: Selection, out_dir: Path, actor: Actor
) -> list[ExportedSegment]:
    """Export the selected segments of one exhibit into ``out_dir``, logged.

    Raises:
        UsageError: unknown exhibit, nothing selected, or an output folder beside evidence.
        CatalogError: no case at ``case``.
        EvidenceError: the evidence cannot be opened.
    """
    db = open_existing_catalog(case)
    try:
        image = _evidence_path(db, selection.exhibit)
        check_not_beside_evidence(out_dir / "x", [image])
        wanted = list(
            records(
                db, selection.exhibit, selection.channel, selection.start_from, selection.start_to
            )
        )
        if not wanted:
            raise UsageError(f"no segment of exhibit {selection.exhibit!r} matches the selection")
        rows = {row["segment_id"]: row for row in video.segments(db, selection.exhibit)}
        out_dir.mkdir(parents=True, exist_ok=True)
        source = open_evidence(image, parsers.SOURCES.all())
        try:
            result = [
                _export_one(db, source, rows[record["segment_id"]], record, out_dir, actor)
                for record in wanted
            ]
        finally:
            source.close()
    finally:
        db.close()
    return result


def _export_one(
    db: Database,
    source: EvidenceSource,
    row: dict[str, Any],
    record: dict[str, Any],
    out_dir: Path,
    actor: Actor,
) -> ExportedSegment:
    extents = extents_of(row)
    stem = segment_stem(row["evidence_id"], row["channel"], record["start"], row["segment_id"])
    original = out_dir / (stem + EXTENSIONS.get(row["kind"], ".bin"))
    if original.exists():
        raise UsageError(f"{original}: already exists; export into an empty folder")
    try:
        hashes = _write_original(source, extents, original)
    except OSError as exc:
        original.unlink(missing_ok=True)
        raise EvidenceError(f"{row['segment_id']}: evidence unreadable ({exc})") from exc
    size = original.stat().st_size
    details: dict[str, Any] = {
        "exhibit": row["evidence_id"],
        "segment_id": clean_text(row["segment_id"]),
        "kind": row["kind"],
        "channel": row["channel"],
        "start": record["start"],
        "end": record["end"],
        "time_basis": record["time_basis"],
        "extents": [list(extent) for extent in extents],
        "original": _file_record(original, hashes, size),
        "matches_catalog": hashes.sha256 == row["sha256"],
        "output_dir": clean_text(str(out_dir.resolve())),
    }
    exported = ExportedSegment(row["segment_id"], original, hashes.sha256, None, None, 0, False)
    if row["kind"] != "jpeg":
        _remux(original, row["kind"], exported, details)
    with db.atomic():
        log.append(db, "dvr.exported", actor, details)
    if not details["matches_catalog"] and row["sha256"] is not None:
        exported.error = "original bytes differ from the catalog's hash"
    return exported


def _remux(original: Path, kind: str, exported: ExportedSegment, details: dict[str, Any]) -> None:
    mp4 = original.with_suffix(".mp4")
    try:
        result = remux_to_mp4(original, kind, mp4)
    except RemuxError as exc:
        mp4.unlink(missing_ok=True)
        exported.error = str(exc)
        details["mp4"] = {"error": clean_text(str(exc))}
        return
    hashes, size = _hash_file(mp4)
    exported.mp4, exported.mp4_sha256 = mp4, hashes.sha256
    exported.packets, exported.synthetic_timestamps = result.packets, result.synthetic_timestamps
    details["mp4"] = {
        **_file_record(mp4, hashes, size),
        "packets": result.packets,
        "codec": result.codec,
        "width": result.width,
        "height": result.height,
        "re_encoded": False,
        "synthetic_timestamps": result.synthetic_timestamps,
        "timestamp_note": result.note,
        "libraries": library_versions(),
    }
