"""The carving stage: carve each region, then catalogue every item like a walked file.

Items are found by ``parsers.carving.carve_files`` inside the regions only (free space,
unpartitioned gaps), so nothing is carved out of a live file. Each item is then read once
from the image: four hashes, classification, text extraction, artefact detection, and
the hash-set lookup of ``catalog.rowsink``. Rows go out in batches, and where each item
lay goes to ``carved_files``. ``evcat scan --carve`` and ``evcat carve`` both run this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from catalog.carving.items import FOLDER, SLACK_FOLDER, CarvedBytes, carved_entry, folder_entry
from catalog.carving.regions import SLACK, CarveRegion, file_system_region, volume_regions
from catalog.carving.slack import carve_slack
from catalog.content import ContentResult, read_content
from catalog.documentrows import DocumentRows, entry_rows
from catalog.rows import filesystem_id, filesystem_row
from catalog.store import carved
from parsers.carving import carve_files
from parsers.carving.model import TEXT_KINDS
from parsers.dvr.detect import UNFORESEEN
from parsers.dvr.disk import DiskBytes

if TYPE_CHECKING:
    from catalog.carving.passcarver import PassCarver
    from catalog.model import FileEntry, VolumeRecord
    from catalog.runcontext import RunContext
    from catalog.store.writer import CatalogWriter
    from parsers.carving import CarvedFile
    from parsers.filesystem import OpenFileSystem
    from parsers.source import EvidenceSource

STAGE = "carve"
BATCH_SIZE = 200
PARSER = ("carve", 1)


@dataclass(frozen=True, slots=True)
class CarveSettings:
    """What to do with each carved item, and the smallest text run worth keeping."""

    classify: bool = True
    extract_text: bool = True
    min_text: int = 512
    slack: bool = False
    """Also look for text in the slack of every allocated file (``catalog.carving.slack``)."""


@dataclass(slots=True)
class CarveCounts:
    """What the stage carved."""

    items: int = 0
    bytes_scanned: int = 0
    regions: int = 0
    duplicates: int = 0
    bytes_from_pass: int = 0
    """Region bytes the carver took from the media hash's read (``catalog.carving.tee``)."""
    bytes_reread: int = 0
    """Region bytes it had to read again."""


class CarveStage:
    """Carves one evidence item's regions into the catalog for one run."""

    def __init__(
        self,
        source: EvidenceSource,
        exhibit: str,
        writer: CatalogWriter,
        ctx: RunContext,
        run_id: str,
        sink: Callable[[DocumentRows], None],
        settings: CarveSettings,
        precarved: PassCarver | None = None,
    ) -> None:
        """Carve ``source`` as ``exhibit`` for run ``run_id``; file rows go to ``sink``.

        ``precarved`` holds regions already carved from the media hash's read.
        """
        self.exhibit = exhibit
        self.disk = DiskBytes(source.read, source.info.media_size)
        self.reader = CarvedBytes(source.read, source.info.media_size)
        self.writer = writer
        self.ctx = ctx
        self.run_id = run_id
        self.sink = sink
        self.settings = settings
        self.counts = CarveCounts()
        self.precarved = precarved
        self._folders_written: set[tuple[str, str]] = set()

    def file_system(self, fs: OpenFileSystem) -> None:
        """Carve the free space of a file system the scan walked (and its files' slack)."""
        region = self._free_space(fs)
        if region is not None:
            self.carve(region)
        if self.settings.slack:
            walked_parser, self.ctx.parser = self.ctx.parser, PARSER
            try:
                carve_slack(self, fs)
            finally:
                self.ctx.parser = walked_parser

    def _free_space(self, fs: OpenFileSystem) -> CarveRegion | None:
        record = fs.record
        planned = self.precarved.planned(record) if self.precarved else None
        if planned is not None:
            return planned
        try:
            region = file_system_region(fs)
        except UNFORESEEN as exc:
            self.ctx.problem(STAGE, f"{record.fs_type} at byte {record.offset}: {exc}", exc=exc)
            return None
        if region is None:
            self.ctx.problem(
                STAGE,
                f"{record.fs_type} at byte {record.offset}: its free space could not be read"
                " from its allocation structures; not carved",
                offset=record.offset,
            )
        return region

    def outside_file_systems(
        self, volumes: Sequence[VolumeRecord], walked: Iterable[int | None], *, accounted: bool
    ) -> None:
        """Carve unpartitioned gaps, partitions with no file system, or the whole medium.

        ``accounted``: a file system or a recorder index covers the medium, so the whole
        medium is not carved even when there is no partition.
        """
        regions = volume_regions(volumes, walked, self.disk.size, has_file_system=accounted)
        for region in regions:
            record = region.record
            row = filesystem_row(self.exhibit, record, PARSER[0], PARSER[1], 0, self.run_id)
            self.writer.upsert("filesystems", [row], pk="fs_id")
            self.carve(region)

    def carve(self, region: CarveRegion) -> None:
        """Carve one region and catalogue what it holds."""
        self.counts.regions += 1
        walked_parser, self.ctx.parser = self.ctx.parser, PARSER
        try:
            self._carve(region)
        finally:
            self.ctx.parser = walked_parser

    def _carve(self, region: CarveRegion) -> None:
        try:
            result = self.precarved.result(region) if self.precarved else None
            if result is None:
                result = carve_files(self.disk, region.extents, min_text=self.settings.min_text)
        except UNFORESEEN as exc:
            self.ctx.problem(STAGE, f"{region.kind} at byte {region.offset}: {exc}", exc=exc)
            return
        self.counts.bytes_scanned += result.bytes_scanned
        for problem in result.problems:
            self.ctx.problem(STAGE, f"{region.kind}: {problem.message}", offset=problem.offset)
        if result.items:
            self.catalogue(region, result.items)

    def catalogue(
        self, region: CarveRegion, items: Sequence[CarvedFile], parent_file_id: str | None = None
    ) -> None:
        """Read, hash, classify and analyse each item; write its rows in batches.

        ``parent_file_id``: the file whose slack the items were found in.
        """
        fs_id = filesystem_id(self.exhibit, region.record)
        batch, places = self._folders(region, fs_id), []
        for seq, item in enumerate(items, start=1):
            entry = carved_entry(self.exhibit, region, item.offset, item.length, item.extension)
            content = self._read(entry, item.kind)
            file_id = carved.carved_id(fs_id, item.offset)
            rows = entry_rows(
                entry, content, seq, fs_id, self.run_id, self.ctx,
                file_id=file_id, origin=carved.ORIGIN,
            )  # fmt: skip
            rows.files[0]["parent_file_id"] = parent_file_id
            batch.extend(rows)
            places.append(self._place(region, item, file_id))
            if batch.is_full(BATCH_SIZE):
                self._write(batch, places)
                batch, places = DocumentRows(), []
        self._write(batch, places)
        self.counts.items += len(items)

    def finish(self) -> CarveCounts:
        """Mark items whose bytes a catalogued file holds too; the stage's counts."""
        if self.precarved is not None:
            self.precarved.close()
            self.counts.bytes_from_pass = self.precarved.tap.bytes_from_pass
            self.counts.bytes_reread = self.precarved.tap.bytes_reread
        exhibit = self.exhibit
        self.counts.duplicates = self.writer.call(lambda db: carved.mark_duplicates(db, exhibit))
        return self.counts

    def _folders(self, region: CarveRegion, fs_id: str) -> DocumentRows:
        """The folder rows the region's items need, the first time they are needed."""
        batch = DocumentRows()
        paths = [FOLDER, SLACK_FOLDER] if region.kind == SLACK else [FOLDER]
        for path in paths:
            if (fs_id, path) in self._folders_written:
                continue
            self._folders_written.add((fs_id, path))
            entry = folder_entry(self.exhibit, region.record, path)
            file_id = carved.carved_id(fs_id) + ("" if path == FOLDER else "-slack")
            batch.files += entry_rows(
                entry, ContentResult(status="none"), 0, fs_id, self.run_id, self.ctx,
                file_id=file_id, origin=carved.ORIGIN,
            ).files  # fmt: skip
        return batch

    def _read(self, entry: FileEntry, kind: str) -> ContentResult:
        settings = self.settings
        content = read_content(
            self.reader, entry, self.ctx,
            classify_content=settings.classify, extract_text=settings.extract_text,
            text_kind=kind if kind in TEXT_KINDS else None,
        )  # fmt: skip
        if content.status in ("unreadable", "partial"):
            self.ctx.problem(
                STAGE, f"{entry.path}: content {content.status} ({content.error})",
                locator=entry.locator,
            )  # fmt: skip
        return content

    def _place(self, region: CarveRegion, item: CarvedFile, file_id: str) -> dict[str, Any]:
        return {
            "file_id": file_id,
            "evidence_id": self.exhibit,
            "region": region.kind,
            "region_offset": region.offset,
            "region_length": region.length,
            "offset": item.offset,
            "length": item.length,
            "kind": item.kind,
            "note": item.note or None,
            "duplicate_of": None,
            "run_id": self.run_id,
        }

    def _write(self, batch: DocumentRows, places: list[dict[str, Any]]) -> None:
        self.sink(batch)
        if places:
            self.writer.call(lambda db: carved.upsert_carved(db, places))
