"""What a Dask worker runs for one unit: open the evidence by path, return rows by value.

Workers never touch the case catalog. Each task opens the image itself (a worker sees the
locker at the same path as the coordinator), does one unit's work and returns a
``UnitResult``. Problems the evidence causes become ``ProblemRecord`` values, exactly
as a single-process scan would record them; only a broken unit raises, and the
coordinator retries it.

A worker keeps the file-system walks it has started (``walkcache``), so consecutive
ranges of one file system continue the walk instead of starting it again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import parsers
from catalog.content import read_content
from catalog.documentrows import entry_rows
from catalog.errors import EvidenceError
from catalog.locker import walkcache
from catalog.locker.collector import Collector
from catalog.locker.units import FILES, MEDIA, PLAN, FileRange, UnitResult, UnitTask, unit_id
from catalog.mediahash import MediaHasher
from catalog.provenance import host_name
from catalog.rows import evidence_row, filesystem_id, filesystem_row, fs_parser, volume_row
from catalog.runcontext import one_line
from catalog.scanproblems import STOPPERS, not_a_disk_image, overhang, scan_stopped, walk_stopped
from catalog.video.stage import disk_of, list_index, scan_video
from parsers.evidence import open_evidence
from parsers.fsdetect import open_file_systems
from parsers.tskimage import TskImage
from parsers.volumes.tsk import TskVolumeParser

if TYPE_CHECKING:
    from catalog.model import FileEntry, FileSystemRecord
    from parsers.filesystem import OpenFileSystem
    from parsers.source import EvidenceSource


def run_unit(task: UnitTask) -> UnitResult:
    """Do one unit of work (the function every Dask task calls).

    Raises:
        Exception: the unit could not be done (evidence vanished, changed since it was
            planned, a worker fault); the coordinator retries it a bounded number of times.
    """
    if task.kind == PLAN:
        result = plan_image(task)
    elif task.kind == MEDIA:
        result = hash_media(task)
    elif task.kind == FILES:
        result = scan_range(task)
    else:
        raise ValueError(f"unknown unit kind {task.kind!r}")
    result.worker = _worker_name()
    return result


def _worker_name() -> str:
    """``host name@worker address`` of the Dask worker running this task, else the host."""
    host = host_name()
    try:
        from distributed import get_worker

        return f"{host}@{get_worker().address}"
    except (ImportError, ValueError):
        return host


def plan_image(task: UnitTask) -> UnitResult:
    """Volumes, file systems and the ranges of entries the files units will take."""
    result = UnitResult(task.unit_id)
    collector = Collector()
    image = Path(task.image)
    try:
        source = open_evidence(image, parsers.SOURCES.all())
    except EvidenceError as exc:
        result.fatal = one_line(str(exc))
        collector.problem("evidence", str(exc), exc=exc)
        result.problems = collector.problems
        return result
    try:
        _plan_source(task, source, collector, result)
    except STOPPERS as exc:
        message = scan_stopped(image, exc)
        result.fatal = one_line(message)
        collector.parser = None
        collector.problem("evidence", message, exc=exc)
    finally:
        source.close()
    result.problems = collector.problems
    return result


def _plan_source(
    task: UnitTask, source: EvidenceSource, collector: Collector, result: UnitResult
) -> None:
    info = source.info
    tsk_image = TskImage(source)
    layout = TskVolumeParser().read_layout(tsk_image, info.media_size)
    exhibit = task.exhibit
    resolved = str(Path(task.image).resolve())
    result.add_rows("evidence", [evidence_row(exhibit, resolved, info, layout.scheme, task.run_id)])
    result.add_rows("volumes", [volume_row(exhibit, v, task.run_id) for v in layout.volumes])
    if task.settings.media_hash:
        result.follow_ups.append(_follow_up(task, MEDIA, None))
    for volume in layout.file_system_candidates():
        beyond = overhang(volume, info.media_size)
        if beyond is not None:
            collector.problem("volume", beyond, offset=volume.offset)
        for fs in open_file_systems(source, tsk_image, volume, collector, exhibit):
            _plan_file_system(task, fs, collector, result)
    has_file_system = result.counts.get("filesystems", 0) > 0 or layout.scheme != "none"
    listing = list_index(disk_of(source), collector)
    video = scan_video(
        source,
        exhibit,
        task.run_id,
        collector,
        has_file_system=has_file_system,
        carve_video=task.settings.carve_video,
        listing=listing,
    )
    result.add_rows("dvr_volumes", video.volumes)
    result.add_rows("video_segments", video.segments)
    if not has_file_system and listing is None and not video.segments:
        raise not_a_disk_image(task.image, info)


def _plan_file_system(
    task: UnitTask, fs: OpenFileSystem, collector: Collector, result: UnitResult
) -> None:
    record = fs.record
    fs_id = filesystem_id(task.exhibit, record)
    parser = fs_parser(record)
    collector.parser = parser
    cutter = _RangeCutter(record, fs_id, parser, task.settings.unit_files, task.settings.unit_bytes)
    try:
        for entry in fs.walk(task.exhibit, collector):
            cutter.add(entry)
    except (OSError, RuntimeError, ValueError) as exc:
        collector.problem("walk", walk_stopped(record, exc), exc=exc)
    for file_range in cutter.finish():
        result.follow_ups.append(_follow_up(task, FILES, file_range))
    row = filesystem_row(task.exhibit, record, parser[0], parser[1], cutter.seq, task.run_id)
    result.add_rows("filesystems", [row])
    result.count("filesystems")
    collector.parser = None


class _RangeCutter:
    """Cuts a walk into ranges of at most ``max_files`` entries and ``max_bytes`` bytes."""

    def __init__(
        self,
        record: FileSystemRecord,
        fs_id: str,
        parser: tuple[str, int],
        max_files: int,
        max_bytes: int,
    ) -> None:
        self._record = record
        self._fs_id = fs_id
        self._parser = parser
        self._max_files = max(1, max_files)
        self._max_bytes = max(1, max_bytes)
        self.seq = 0
        self._ranges: list[FileRange] = []
        self._start = 1
        self._first = ""
        self._files = 0
        self._bytes = 0

    def add(self, entry: FileEntry) -> None:
        self.seq += 1
        if self._files == 0:
            self._start, self._first = self.seq, str(entry.locator)
        self._files += 1
        self._bytes += entry.size if entry.has_content else 0
        if self._files >= self._max_files or self._bytes >= self._max_bytes:
            self._close()

    def _close(self) -> None:
        if self._files:
            self._ranges.append(
                FileRange(
                    self._record,
                    self._fs_id,
                    self._parser,
                    self._start,
                    self.seq + 1,
                    self._first,
                    self._files,
                    self._bytes,
                )
            )
        self._files = self._bytes = 0

    def finish(self) -> list[FileRange]:
        self._close()
        return self._ranges


def _follow_up(task: UnitTask, kind: str, file_range: FileRange | None) -> UnitTask:
    parts: tuple[object, ...] = ()
    if file_range is not None:
        parts = (file_range.fs_id, file_range.seq_start)
    return UnitTask(
        unit_id(task.exhibit, kind, *parts),
        task.exhibit,
        kind,
        task.image,
        task.run_id,
        task.settings,
        file_range,
    )


def hash_media(task: UnitTask) -> UnitResult:
    """The whole media's four digests, and the acquisition hashes the container stores.

    Raises:
        EvidenceError: the image cannot be opened any more.
    """
    result = UnitResult(task.unit_id)
    source = open_evidence(Path(task.image), parsers.SOURCES.all())
    try:
        stored = dict(source.info.stored_hashes)
        outcome = MediaHasher(source).result()
    finally:
        source.close()
    result.media = {
        "hashes": outcome.hashes,
        "error": outcome.error,
        "stored": stored,
        "bytes": outcome.bytes_read,
    }
    return result


def scan_range(task: UnitTask) -> UnitResult:
    """Rows for one range of entries: hashes, classification, text, findings, members.

    Raises:
        EvidenceError: the image cannot be opened, or its walk no longer matches the plan.
    """
    file_range = task.range
    if file_range is None:
        raise ValueError(f"unit {task.unit_id}: a files unit without a range")
    result = UnitResult(task.unit_id)
    collector = Collector(parser=file_range.parser)
    walk = walkcache.entries(task.image, task.exhibit, file_range)
    settings = task.settings
    for seq, entry, fs in walk:
        content = read_content(
            fs,
            entry,
            collector,
            classify_content=settings.classify,
            extract_text=settings.extract_text and settings.classify,
        )
        rows = entry_rows(entry, content, seq, file_range.fs_id, task.run_id, collector)
        result.add_rows("files", rows.files)
        result.add_rows("findings", rows.findings)
        result.add_rows("texts", rows.texts)
        result.count("files")
        result.count("deleted", 0 if entry.is_allocated else 1)
        result.count("bytes_hashed", content.bytes_hashed)
        result.count("archive_members", len(rows.files) - 1)
        result.count("findings", len(rows.findings))
    result.problems = collector.problems
    return result
