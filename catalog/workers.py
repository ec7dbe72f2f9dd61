"""Content work in parallel: worker processes hash and classify batches of entries.

The main process walks the file system and owns the single catalog writer; workers get
values (the image path, the file system's record, entries with their locators), open the
evidence themselves, and return content results plus any problems. Results come back in
submission order, and only a bounded number of batches is in flight, so memory stays flat.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import parsers
from catalog.content import ContentResult, read_content
from parsers.context import Limits, ParseContext
from parsers.evidence import open_evidence
from parsers.fsdetect import reopen_file_system
from parsers.tskimage import TskImage

if TYPE_CHECKING:
    from catalog.locator import Locator
    from catalog.model import FileEntry, FileSystemRecord
    from parsers.filesystem import OpenFileSystem
    from parsers.source import EvidenceSource

BATCH_FILES = 64
BATCH_BYTES = 16 << 20
_OPEN_LIMIT = 4


@dataclass(frozen=True, slots=True)
class JobProblem:
    """A problem a worker met, recorded by the main process."""

    stage: str
    message: str
    locator: Locator | None


@dataclass(frozen=True, slots=True)
class ContentJob:
    """A batch of entries of one file system, by value."""

    image: str
    fs: FileSystemRecord
    entries: tuple[FileEntry, ...]
    limits: Limits
    classify: bool = True
    extract_text: bool = False


@dataclass(slots=True)
class _Collector:
    limits: Limits
    problems: list[JobProblem] = field(default_factory=list)

    def problem(
        self,
        stage: str,
        message: str,
        *,
        locator: Locator | None = None,
        offset: int | None = None,
        exc: BaseException | None = None,
    ) -> None:
        self.problems.append(JobProblem(stage, message, locator))


_opened: dict[tuple[str, int, str], tuple[EvidenceSource, OpenFileSystem]] = {}


def _file_system(image: str, record: FileSystemRecord) -> OpenFileSystem:
    key = (image, record.offset, record.detection)
    if key not in _opened:
        while len(_opened) >= _OPEN_LIMIT:
            source, _ = _opened.pop(next(iter(_opened)))
            source.close()
        source = open_evidence(Path(image), parsers.SOURCES.all())
        _opened[key] = (source, reopen_file_system(source, TskImage(source), record))
    return _opened[key][1]


JobResult = tuple[list[ContentResult], list[JobProblem]]


def run_job(job: ContentJob) -> JobResult:
    """Hash and classify every entry of a batch (runs in a worker process)."""
    collector = _Collector(job.limits)
    fs = _file_system(job.image, job.fs)
    results = [
        read_content(
            fs, entry, collector, classify_content=job.classify, extract_text=job.extract_text
        )
        for entry in job.entries
    ]
    return results, collector.problems


@dataclass(frozen=True, slots=True)
class WorkerPool:
    """The content worker processes of a run, and how many there are."""

    executor: Executor
    workers: int

    def shutdown(self) -> None:
        """Stop the workers, dropping queued work (the run is over or interrupted)."""
        self.executor.shutdown(cancel_futures=True)


class ContentStage:
    """Feeds entries to workers in batches and yields (entry, result, problems) in order."""

    def __init__(
        self,
        image: str,
        fs: OpenFileSystem,
        limits: Limits,
        pool: WorkerPool | None,
        *,
        classify: bool = True,
        extract_text: bool = False,
    ) -> None:
        """Without a pool, content is read in this process through ``fs``."""
        self._image = image
        self._fs = fs
        self._limits = limits
        self._executor = pool.executor if pool else None
        self._classify = classify
        self._extract_text = extract_text
        self._window = 2 * (pool.workers if pool else 1)

    def process(
        self, entries: Iterator[FileEntry], ctx: ParseContext
    ) -> Iterator[tuple[FileEntry, ContentResult]]:
        """Content results for ``entries``, in the walk's order."""
        if self._executor is None:
            for entry in entries:
                yield (
                    entry,
                    read_content(
                        self._fs,
                        entry,
                        ctx,
                        classify_content=self._classify,
                        extract_text=self._extract_text,
                    ),
                )
            return
        pending: deque[tuple[tuple[FileEntry, ...], Future[JobResult]]] = deque()
        for batch in _batches(entries):
            content = tuple(entry for entry in batch if _needs_worker(entry))
            job = ContentJob(
                self._image,
                self._fs.record,
                content,
                self._limits,
                self._classify,
                self._extract_text,
            )
            pending.append((batch, self._executor.submit(run_job, job)))
            if len(pending) >= self._window:
                yield from _drain(pending.popleft(), ctx)
        while pending:
            yield from _drain(pending.popleft(), ctx)


_NO_CONTENT = ContentResult(status="none")


def _needs_worker(entry: FileEntry) -> bool:
    """Only entries with content to read go to a worker; the rest are answered here."""
    return entry.has_content


def _drain(
    item: tuple[tuple[FileEntry, ...], Future[JobResult]],
    ctx: ParseContext,
) -> Iterator[tuple[FileEntry, ContentResult]]:
    batch, future = item
    results, problems = future.result()
    for problem in problems:
        ctx.problem(problem.stage, problem.message, locator=problem.locator)
    remote = iter(results)
    for entry in batch:
        yield entry, next(remote) if _needs_worker(entry) else _NO_CONTENT


def _batches(entries: Iterator[FileEntry]) -> Iterator[tuple[FileEntry, ...]]:
    batch: list[FileEntry] = []
    size = 0
    for entry in entries:
        batch.append(entry)
        size += entry.size if entry.has_content else 0
        if len(batch) >= BATCH_FILES or size >= BATCH_BYTES:
            yield tuple(batch)
            batch, size = [], 0
    if batch:
        yield tuple(batch)


def default_workers() -> int:
    """One worker per available core."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def make_pool(workers: int) -> WorkerPool | None:
    """A process pool (forkserver: safe beside the writer's threads), or None for in-process."""
    if workers <= 1:
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["catalog.workers"])
    return WorkerPool(ProcessPoolExecutor(max_workers=workers, mp_context=context), workers)
