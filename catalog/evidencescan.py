"""Scanning one evidence item: open, media hash, volumes, file systems, entries, rows.

``EvidenceScan`` holds everything one item's scan shares (the writer, the run, the problem
context, the running totals), so each step is a short method. Any failure of the item is
caught at its boundary and becomes a problem row; the run moves on to the next item.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import parsers
from catalog.carving.passcarver import PassCarver, plan_regions
from catalog.carving.stage import CarveSettings, CarveStage
from catalog.csvsafe import clean_text
from catalog.custody.scanrecord import record_exhibit_scanned
from catalog.documentrows import DocumentRows, entry_rows
from catalog.errors import EvidenceError, ScanCancelled
from catalog.mediahash import MediaHasher, compare_stored
from catalog.rows import evidence_row, filesystem_id, filesystem_row, fs_parser, volume_row
from catalog.rowsink import RowSink
from catalog.runcontext import RunContext
from catalog.scanproblems import STOPPERS, not_a_disk_image, overhang, scan_stopped, walk_stopped
from catalog.store import queries, video
from catalog.video.datadir import DatadirWatch, MappableFileSystem
from catalog.video.stage import (
    VideoRows,
    carved_segment_rows,
    disk_of,
    hash_segments,
    index_rows,
    list_index,
    segment_taps,
)
from catalog.workers import ContentStage, WorkerPool
from parsers.evidence import open_evidence
from parsers.fsdetect import open_file_systems
from parsers.tskimage import TskImage
from parsers.volumes.tsk import TskVolumeParser

if TYPE_CHECKING:
    import threading

    from sqlite_utils import Database

    from catalog.custody.log import Actor
    from catalog.knownfiles import KnownFileMatcher
    from catalog.options import ScanOptions
    from catalog.progress import ScanProgress
    from catalog.store.writer import CatalogWriter
    from parsers.dvr.disk import DiskBytes
    from parsers.filesystem import OpenFileSystem
    from parsers.source import EvidenceSource

BATCH_SIZE = 500
PROGRESS_SECONDS = 0.5
"""Report progress at least this often, whatever the batch size."""


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
    n_members: int = 0
    """Archive members catalogued (rows beyond the file system's own entries)."""
    n_findings: int = 0
    n_known_good: int = 0
    n_known_bad: int = 0
    n_video: int = 0
    """Video segments: recordings listed from a DVR index plus carved clips and snapshots."""
    n_carved: int = 0
    """Files and text runs carved from unallocated space (``--carve``)."""
    n_carved_duplicates: int = 0
    """Carved items whose bytes a catalogued file holds too."""
    carved_bytes_scanned: int = 0
    """Bytes of free and unpartitioned space (and slack) the carver examined."""
    carved_bytes_reread: int = 0
    """Bytes of the carve regions read again rather than taken from the media hash's read."""


class EvidenceScan:
    """One evidence item's scan within a run."""

    def __init__(
        self,
        image: Path,
        exhibit: str,
        writer: CatalogWriter,
        run_id: str,
        options: ScanOptions,
        progress: ScanProgress,
        actor: Actor,
        known: KnownFileMatcher | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        """Prepare the scan of ``image`` as ``exhibit``, done by ``actor``.

        ``known`` looks each hashed file up in the run's hash sets; setting ``cancel`` stops
        the scan after the current file (the rows so far are kept and sealed).
        """
        self.known = known
        self.cancel = cancel
        self.image = image
        self.exhibit = exhibit
        self.writer = writer
        self.run_id = run_id
        self.progress = progress
        self.options = options
        self.actor = actor
        self.ctx = RunContext(writer, run_id, exhibit, options.limits, progress.problem)
        self.sink = RowSink(writer, run_id, known)
        self._carver: CarveStage | None = None
        self.result = EvidenceSummary(exhibit=exhibit, path=clean_text(str(image)))
        self._reported = time.monotonic()
        self._disk: DiskBytes | None = None
        self._recorder_segments = 0
        self._datadir_segments = 0

    def run(self, pool: WorkerPool | None) -> EvidenceSummary:
        """Scan the item; never raises for a bad item (only for catalog failures).

        Raises:
            ScanCancelled: after sealing what was catalogued before ``cancel`` was set.
        """
        try:
            source = open_evidence(self.image, parsers.SOURCES.all())
        except EvidenceError as exc:
            self._failed(str(exc), exc)
            return self._finish()
        try:
            self._scan_source(source, pool)
        except ScanCancelled:
            self.result.status = "cancelled"
            self._finish()
            raise
        except STOPPERS as exc:
            self._failed(scan_stopped(self.image, exc), exc)
        finally:
            source.close()
        return self._finish()

    def _failed(self, message: str, exc: BaseException) -> None:
        self.ctx.problem("evidence", message, exc=exc)
        self.result.status, self.result.error = "error", clean_text(message)

    def _finish(self) -> EvidenceSummary:
        result = self.result
        result.problems = self.ctx.problem_count
        if result.status == "ok" and result.problems:
            result.status = "partial"
        exhibit, run_id, status, actor = self.exhibit, self.run_id, result.status, self.actor
        counts = {
            "files": result.n_files,
            "deleted": result.n_deleted,
            "filesystems": result.n_filesystems,
            "bytes_hashed": result.bytes_hashed,
            "problems": result.problems,
            "archive_members": result.n_members,
            "findings": result.n_findings,
            "known_good": result.n_known_good,
            "known_bad": result.n_known_bad,
            "video_segments": result.n_video,
            "carved": result.n_carved,
            "carved_duplicates": result.n_carved_duplicates,
            "carved_bytes_scanned": result.carved_bytes_scanned,
            "carved_bytes_reread": result.carved_bytes_reread,
        }

        def finish(db: Database) -> None:
            queries.finish_evidence(db, exhibit, run_id, status)
            record_exhibit_scanned(db, exhibit, run_id, counts, status, actor)

        self.writer.call(finish)
        return result

    def _scan_source(self, source: EvidenceSource, pool: WorkerPool | None) -> None:
        info = source.info
        self.progress.evidence_started(self.exhibit, str(self.image), info.media_size)
        disk = self._disk = disk_of(source)
        listing = list_index(disk, self.ctx)
        rows = index_rows(listing, self.exhibit, self.run_id) if listing else VideoRows()
        taps = segment_taps(rows.segments) if self.options.media_hash else None
        if self.options.carve:
            self._carver = self._carve_stage(source, has_recorder=listing is not None)
        precarved = self._carver.precarved if self._carver else None
        media = None
        if self.options.media_hash:
            media = MediaHasher(source, [tap for tap in (taps, precarved and precarved.tap) if tap])
        try:
            scheme = self._scan_volumes(source, pool, has_recorder=listing is not None)
            self._write_video(rows)  # the recordings are listed before any video is read
            has_file_system = self.result.n_filesystems > 0 or scheme != "none"
            if self.options.carve_video:
                rows.segments += carved_segment_rows(
                    disk, listing, self.exhibit, self.run_id, self.ctx,
                    has_file_system=has_file_system,
                )  # fmt: skip
        except BaseException:
            if media:
                media.cancel()
            if precarved:
                precarved.close()
            raise
        if media:
            self._record_media_hash(media, dict(info.stored_hashes))
        hash_segments(disk, rows.segments, self.ctx, taps.hashes() if taps else None)
        self._write_video(rows)
        if self._carver is not None:
            counts = self._carver.finish()
            self.result.n_carved, self.result.n_carved_duplicates = counts.items, counts.duplicates
            self.result.carved_bytes_reread = counts.bytes_reread
            self.result.carved_bytes_scanned = counts.bytes_scanned
        nothing_found = not rows.segments and not self.result.n_carved
        if not has_file_system and listing is None and nothing_found:
            raise not_a_disk_image(self.image, info)
        exhibit, run_id = self.exhibit, self.run_id
        self.writer.call(lambda db: queries.purge_stale(db, exhibit, run_id))

    def _carve_stage(self, source: EvidenceSource, *, has_recorder: bool) -> CarveStage:
        """The carving stage; with a media hash, its regions are carved from that read."""
        settings = CarveSettings(
            self.options.classify, self.options.extract_text, slack=self.options.carve_slack
        )
        precarved = None
        if self.options.media_hash:
            plan = plan_regions(source, self.exhibit, self.ctx.limits, has_recorder=has_recorder)
            precarved = PassCarver(source, plan, settings.min_text)
        return CarveStage(
            source, self.exhibit, self.writer, self.ctx, self.run_id, self._flush, settings,
            precarved,
        )  # fmt: skip

    def _write_video(self, rows: VideoRows) -> None:
        self.writer.call(lambda db: video.upsert_dvr_volumes(db, rows.volumes))
        self.writer.call(lambda db: video.upsert_segments(db, rows.segments))
        self._recorder_segments = len(rows.segments)
        self.result.n_video = self._recorder_segments + self._datadir_segments

    def _scan_volumes(
        self, source: EvidenceSource, pool: WorkerPool | None, *, has_recorder: bool
    ) -> str:
        info = source.info
        tsk_image = TskImage(source)
        layout = TskVolumeParser().read_layout(tsk_image, info.media_size)
        row = evidence_row(
            self.exhibit, str(self.image.resolve()), info, layout.scheme, self.run_id
        )
        self.writer.call(lambda db: queries.upsert_evidence(db, row))
        self.writer.upsert(
            "volumes",
            [volume_row(self.exhibit, v, self.run_id) for v in layout.volumes],
            pk="volume_id",
        )
        walked: list[int | None] = []
        for volume in layout.file_system_candidates():
            beyond = overhang(volume, info.media_size)
            if beyond is not None:
                self.ctx.problem("volume", beyond, offset=volume.offset)
            for fs in open_file_systems(source, tsk_image, volume, self.ctx, self.exhibit):
                walked.append(fs.record.volume_index)
                try:
                    self._scan_file_system(fs, pool)
                except (OSError, RuntimeError, ValueError) as exc:
                    self.ctx.problem("walk", walk_stopped(fs.record, exc), exc=exc)
                if self._carver is not None:
                    self._carver.file_system(fs)
        if self._carver is not None:
            accounted = bool(walked) or has_recorder
            self._carver.outside_file_systems(layout.volumes, walked, accounted=accounted)
        return layout.scheme

    def _scan_file_system(self, fs: OpenFileSystem, pool: WorkerPool | None) -> None:
        record = fs.record
        fs_id = filesystem_id(self.exhibit, record)
        parser = fs_parser(record)
        self.ctx.parser = parser
        self._write_filesystem(fs, parser, 0)
        stage = ContentStage(
            str(self.image.resolve()),
            fs,
            self.ctx.limits,
            pool,
            classify=self.options.classify,
            extract_text=self.options.extract_text and self.options.classify,
        )
        batch = DocumentRows()
        seq = 0
        recordings = DatadirWatch()
        for entry, content in stage.process(fs.walk(self.exhibit, self.ctx), self.ctx):
            recordings.see(entry)
            if self.cancel is not None and self.cancel.is_set():
                self._flush(batch)
                raise ScanCancelled(self.exhibit)
            seq += 1
            rows = entry_rows(entry, content, seq, fs_id, self.run_id, self.ctx)
            batch.extend(rows)
            self.result.n_members += len(rows.files) - 1
            self._count(entry.is_allocated, content.bytes_hashed)
            if batch.is_full(BATCH_SIZE):
                self._flush(batch)
                batch = DocumentRows()
        self._flush(batch)
        self._write_filesystem(fs, parser, seq)
        self.result.n_filesystems += 1
        self._write_datadir(recordings, fs)
        self.ctx.parser = None

    def _write_datadir(self, recordings: DatadirWatch, fs: OpenFileSystem) -> None:
        """Hikvision SD-card recordings in this file system, hashed, as segment rows."""
        if self._disk is None or not isinstance(fs, MappableFileSystem):
            return
        disk = self._disk
        rows = recordings.rows(fs, self.exhibit, self.run_id, disk.size, self.ctx)
        if rows:
            hash_segments(disk, rows, self.ctx)
            self.writer.call(lambda db: video.upsert_segments(db, rows))
            self._datadir_segments += len(rows)
            self.result.n_video = self._recorder_segments + self._datadir_segments

    def _count(self, is_allocated: bool, n_bytes: int) -> None:
        self.result.n_files += 1
        self.result.n_deleted += 0 if is_allocated else 1
        self.result.bytes_hashed += n_bytes
        now = time.monotonic()
        if now - self._reported >= PROGRESS_SECONDS:  # big files: progress between batches
            self._reported = now
            self.progress.file_done(self.exhibit, self.result.n_files, self.result.bytes_hashed)

    def _flush(self, batch: DocumentRows) -> None:
        self.sink.write(batch)
        counts = self.sink.counts
        self.result.n_findings = counts.findings
        self.result.n_known_good, self.result.n_known_bad = counts.known_good, counts.known_bad
        self.progress.file_done(self.exhibit, self.result.n_files, self.result.bytes_hashed)

    def _write_filesystem(self, fs: OpenFileSystem, parser: tuple[str, int], count: int) -> None:
        row = filesystem_row(self.exhibit, fs.record, parser[0], parser[1], count, self.run_id)
        self.writer.upsert("filesystems", [row], pk="fs_id")

    def _record_media_hash(self, media: MediaHasher, stored: dict[str, str]) -> None:
        outcome = media.result()
        if outcome.hashes is None:
            self.ctx.problem("media_hash", f"media hash not computed: {outcome.error}")
            status = "unreadable"
        else:
            mismatches = compare_stored(stored, outcome.hashes)
            for message in mismatches:
                self.ctx.problem("media_hash", f"acquisition hash mismatch: {message}")
            status = "mismatch" if mismatches else ("verified" if stored else "computed")
            self.result.media_sha256 = outcome.hashes.sha256
        exhibit, hashes = self.exhibit, outcome.hashes
        self.writer.call(lambda db: queries.set_media_hash(db, exhibit, hashes, status))
