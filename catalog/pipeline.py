"""The scan pipeline: evidence -> volumes -> file systems -> entries -> catalog rows.

Both front-ends call :func:`scan`. Each evidence item is opened read-only, its media hashed
in a background thread, its volume system and file systems walked, and every entry
catalogued with one streaming read of its content. Recoverable trouble becomes a problem
row; an evidence item that cannot be read at all is recorded and the next one goes on.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import parsers
from catalog.content import read_content
from catalog.errors import EvidenceError, NotADiskImage, UsageError
from catalog.mediahash import MediaHasher, compare_stored
from catalog.model import VolumeKind
from catalog.progress import NullProgress, ScanProgress
from catalog.provenance import host_name, library_versions, tool_version
from catalog.rows import (
    evidence_row,
    file_row,
    filesystem_id,
    filesystem_row,
    volume_row,
)
from catalog.runcontext import RunContext
from catalog.store import queries
from catalog.store.writer import CatalogWriter
from catalog.timeutil import utc_now
from parsers.context import Limits
from parsers.evidence import open_evidence
from parsers.fsdetect import describe_volume, open_file_systems
from parsers.tskimage import TskImage
from parsers.volumes.tsk import TskVolumeParser

if TYPE_CHECKING:
    from parsers.filesystem import OpenFileSystem
    from parsers.source import EvidenceSource

BATCH_SIZE = 500


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """What the caller asks of a scan."""

    exhibits: tuple[str, ...] = ()
    """Exhibit ids, one per image in order; missing ones default to the image's file name."""
    media_hash: bool = True
    limits: Limits = field(default_factory=Limits)
    examiner: str | None = None


@dataclass(slots=True)
class EvidenceSummary:
    """The outcome of scanning one evidence item."""

    exhibit: str
    path: str
    status: str = "ok"
    error: str | None = None
    n_files: int = 0
    n_deleted: int = 0
    n_filesystems: int = 0
    bytes_hashed: int = 0
    problems: int = 0
    media_sha256: str | None = None


@dataclass(slots=True)
class ScanSummary:
    """The outcome of one ``scan`` call."""

    run_id: str
    evidence: list[EvidenceSummary] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def status(self) -> str:
        """``success``, ``partial`` (problems recorded) or ``error`` (an item failed)."""
        if any(item.status == "error" for item in self.evidence):
            return "error"
        if any(item.problems for item in self.evidence):
            return "partial"
        return "success"

    def totals(self) -> dict[str, Any]:
        """Files, bytes, deleted entries, problems, elapsed seconds and throughput."""
        n_bytes = sum(item.bytes_hashed for item in self.evidence)
        return {
            "files": sum(item.n_files for item in self.evidence),
            "deleted": sum(item.n_deleted for item in self.evidence),
            "bytes": n_bytes,
            "problems": sum(item.problems for item in self.evidence),
            "elapsed": round(self.elapsed, 3),
            "mb_per_s": round(n_bytes / 1e6 / self.elapsed, 2) if self.elapsed else 0.0,
        }


def _check_not_beside_evidence(case: Path, images: list[Path]) -> None:
    case_dir = case.resolve().parent
    for image in images:
        if image.exists() and image.resolve().parent == case_dir:
            raise UsageError(
                f"{case}: the case catalog would be written beside the evidence {image.name};"
                " evidence folders are read-only, choose another --case path"
            )


def scan(
    images: list[Path],
    case: Path,
    options: ScanOptions | None = None,
    progress: ScanProgress | None = None,
) -> ScanSummary:
    """Catalogue every file of every image into the case catalog at ``case``.

    Raises:
        UsageError: bad arguments (exhibit ids, case path beside the evidence).
        CatalogError: the catalog cannot be opened or written.
        KeyboardInterrupt: after marking the run ``interrupted``.
    """
    options = options or ScanOptions()
    progress = progress or NullProgress()
    if len(options.exhibits) > len(images):
        raise UsageError("more --exhibit ids than images")
    _check_not_beside_evidence(case, images)
    case.parent.mkdir(parents=True, exist_ok=True)
    writer = CatalogWriter(case)
    summary = ScanSummary(run_id=uuid.uuid4().hex)
    started = time.monotonic()
    writer.call(lambda db: queries.start_run(db, _run_row(summary.run_id, images, options)))
    status = "interrupted"
    try:
        for index, image in enumerate(images):
            exhibit = options.exhibits[index] if index < len(options.exhibits) else image.name
            summary.evidence.append(
                _scan_evidence(image, exhibit, writer, summary.run_id, options, progress)
            )
        status = "completed"
    finally:
        summary.elapsed = time.monotonic() - started
        final = json.dumps({**summary.totals(), "status": summary.status}, sort_keys=True)
        writer.call(lambda db: queries.finish_run(db, summary.run_id, status, final))
        writer.close()
    return summary


def _run_row(run_id: str, images: list[Path], options: ScanOptions) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "command": "scan " + " ".join(str(image) for image in images),
        "started": utc_now(),
        "status": "running",
        "tool_version": tool_version(),
        "examiner": options.examiner,
        "host": host_name(),
        "library_versions": json.dumps(library_versions(), sort_keys=True),
    }


def _scan_evidence(
    image: Path,
    exhibit: str,
    writer: CatalogWriter,
    run_id: str,
    options: ScanOptions,
    progress: ScanProgress,
) -> EvidenceSummary:
    result = EvidenceSummary(exhibit=exhibit, path=str(image))
    ctx = RunContext(writer, run_id, exhibit, options.limits, progress.problem)
    try:
        source, _parser = open_evidence(image, parsers.SOURCES.all())
    except EvidenceError as exc:
        ctx.problem("evidence", str(exc), exc=exc)
        result.status, result.error, result.problems = "error", str(exc), ctx.problem_count
        return result
    try:
        _scan_source(source, image, exhibit, writer, run_id, options, progress, ctx, result)
    except NotADiskImage as exc:
        ctx.problem("evidence", str(exc), exc=exc)
        result.status, result.error = "error", str(exc)
    except (EvidenceError, OSError, RuntimeError, ValueError) as exc:
        message = f"{image}: scan stopped ({type(exc).__name__}: {str(exc).splitlines()[0]})"
        ctx.problem("evidence", message, exc=exc)
        result.status, result.error = "error", message
    finally:
        source.close()
    result.problems = ctx.problem_count
    if result.status == "ok" and result.problems:
        result.status = "partial"
    writer.call(lambda db: queries.finish_evidence(db, exhibit, run_id, result.status))
    return result


def _scan_source(
    source: EvidenceSource,
    image: Path,
    exhibit: str,
    writer: CatalogWriter,
    run_id: str,
    options: ScanOptions,
    progress: ScanProgress,
    ctx: RunContext,
    result: EvidenceSummary,
) -> None:
    info = source.info
    progress.evidence_started(exhibit, str(image), info.media_size)
    media = MediaHasher(source) if options.media_hash else None
    tsk_image = TskImage(source)
    try:
        layout = TskVolumeParser().read_layout(tsk_image, info.media_size)
        row = evidence_row(exhibit, str(image.resolve()), info, layout.scheme, run_id)
        writer.call(lambda db: queries.upsert_evidence(db, row))
        writer.upsert(
            "volumes", [volume_row(exhibit, v, run_id) for v in layout.volumes], pk="volume_id"
        )
        for volume in layout.file_system_candidates():
            if (
                volume.kind is VolumeKind.PARTITION
                and volume.offset + volume.size > info.media_size
            ):
                ctx.problem(
                    "volume",
                    f"{describe_volume(volume)} extends"
                    f" {volume.offset + volume.size - info.media_size} bytes past the end"
                    " of the image (truncated image?)",
                    offset=volume.offset,
                )
            for fs in open_file_systems(source, tsk_image, volume, ctx, exhibit):
                try:
                    _scan_file_system(fs, exhibit, writer, run_id, ctx, progress, result)
                except (OSError, RuntimeError, ValueError) as exc:
                    ctx.problem(
                        "walk",
                        f"{fs.record.fs_type} at byte {fs.record.offset}: walk"
                        f" stopped ({type(exc).__name__}: {exc})",
                        exc=exc,
                    )
    except BaseException:
        if media:
            media.cancel()
        raise
    if media:
        _record_media_hash(media, exhibit, dict(info.stored_hashes), writer, ctx, result)
    if result.n_filesystems == 0 and layout.scheme == "none":
        raise NotADiskImage(
            f"{image}: no partition table or file system recognised"
            f" ({info.format} image, {info.media_size} bytes); not a disk image,"
            " or an unsupported or encrypted one"
        )
    writer.call(lambda db: queries.purge_stale(db, exhibit, run_id))


def _scan_file_system(
    fs: OpenFileSystem,
    exhibit: str,
    writer: CatalogWriter,
    run_id: str,
    ctx: RunContext,
    progress: ScanProgress,
    result: EvidenceSummary,
) -> None:
    record = fs.record
    fs_id = filesystem_id(exhibit, record)
    parser_name, parser_version = ("tsk_fs", 1) if record.fs_type != "APFS" else ("apfs", 1)
    ctx.parser = (parser_name, parser_version)
    writer.upsert(
        "filesystems",
        [filesystem_row(exhibit, record, parser_name, parser_version, 0, run_id)],
        pk="fs_id",
    )
    batch: list[dict[str, Any]] = []
    seq = 0
    for entry in fs.walk(exhibit, ctx):
        seq += 1
        content = read_content(fs, entry, ctx)
        if content.status in ("unreadable", "partial") and entry.is_allocated:
            ctx.problem(
                "content",
                f"{entry.path}: content {content.status} ({content.error})",
                locator=entry.locator,
            )
        batch.append(file_row(fs_id, seq, entry, content, run_id))
        result.n_files += 1
        result.n_deleted += 0 if entry.is_allocated else 1
        result.bytes_hashed += content.bytes_hashed
        if len(batch) >= BATCH_SIZE:
            writer.upsert("files", batch, pk="file_id")
            batch = []
            progress.file_done(exhibit, result.n_files, result.bytes_hashed)
    writer.upsert("files", batch, pk="file_id")
    writer.upsert(
        "filesystems",
        [filesystem_row(exhibit, record, parser_name, parser_version, seq, run_id)],
        pk="fs_id",
    )
    progress.file_done(exhibit, result.n_files, result.bytes_hashed)
    result.n_filesystems += 1
    ctx.parser = None


def _record_media_hash(
    media: MediaHasher,
    exhibit: str,
    stored: dict[str, str],
    writer: CatalogWriter,
    ctx: RunContext,
    result: EvidenceSummary,
) -> None:
    outcome = media.result()
    if outcome.hashes is None:
        ctx.problem("media_hash", f"media hash not computed: {outcome.error}")
        status = "unreadable"
    else:
        mismatches = compare_stored(stored, outcome.hashes)
        for message in mismatches:
            ctx.problem("media_hash", f"acquisition hash mismatch: {message}")
        status = "mismatch" if mismatches else ("verified" if stored else "computed")
        result.media_sha256 = outcome.hashes.sha256
    writer.call(lambda db: queries.set_media_hash(db, exhibit, outcome.hashes, status))
