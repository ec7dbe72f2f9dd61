"""Carving beside the media hash: plan the regions first, carve them from the pass's bytes.

``evcat scan --carve`` knows where to carve before it reads anything: the volume layout
and each file system's allocation map are small. ``plan_regions`` finds the regions that
way (quietly: the scan proper reports any trouble), ``PassCarver`` carves them in its own
thread through a ``StreamedRegions`` tap on the media hash, and the carving stage later
takes each region's result instead of reading the region again.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from catalog.carving.regions import (
    UNALLOCATED,
    CarveRegion,
    file_system_region,
    volume_regions,
)
from catalog.carving.tee import StreamedRegions
from catalog.locker.collector import Collector
from parsers.carving import FileCarveResult, carve_files
from parsers.dvr.detect import UNFORESEEN
from parsers.dvr.disk import DiskBytes
from parsers.fsdetect import open_file_systems
from parsers.tskimage import TskImage
from parsers.volumes.tsk import TskVolumeParser

if TYPE_CHECKING:
    from catalog.model import FileSystemRecord
    from parsers.context import Limits
    from parsers.source import EvidenceSource


def region_key(region: CarveRegion) -> tuple[str, int, str]:
    """What identifies a region between the plan and the scan: kind, offset, detection."""
    return (region.kind, region.offset, region.record.detection)


def plan_regions(
    source: EvidenceSource, exhibit: str, limits: Limits, *, has_recorder: bool
) -> list[CarveRegion]:
    """The regions the scan will carve, from the layout and the allocation maps alone."""
    tsk_image = TskImage(source)
    size = source.info.media_size
    layout = TskVolumeParser().read_layout(tsk_image, size)
    quiet = Collector(limits, keep=False)  # the scan proper reports any trouble
    regions: list[CarveRegion] = []
    walked: list[int | None] = []
    for volume in layout.file_system_candidates():
        for fs in open_file_systems(source, tsk_image, volume, quiet, exhibit):
            walked.append(fs.record.volume_index)
            try:
                region = file_system_region(fs)
            except UNFORESEEN:
                region = None  # the scan will meet it again and say so
            if region is not None:
                regions.append(region)
    accounted = bool(walked) or has_recorder
    return regions + volume_regions(layout.volumes, walked, size, has_file_system=accounted)


class PassCarver:
    """Carves planned regions in one thread, reading through the media pass's tap."""

    def __init__(self, source: EvidenceSource, regions: list[CarveRegion], min_text: int) -> None:
        """Start carving ``regions`` of ``source``; hand ``tap`` to the media hash."""
        size = source.info.media_size
        extents = [extent for region in regions for extent in region.extents]
        self.tap = StreamedRegions(source.read, size, extents)
        disk = DiskBytes(self.tap.read, size)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="carve")
        self._results: dict[tuple[str, int, str], Future[FileCarveResult]] = {}
        self._regions = {region_key(region): region for region in regions}
        for region in regions:
            future = self._executor.submit(carve_files, disk, region.extents, min_text=min_text)
            self._results[region_key(region)] = future
        self._executor.submit(self.tap.done)

    def planned(self, record: FileSystemRecord) -> CarveRegion | None:
        """The free space planned for a file system, so its map is not read a second time."""
        return self._regions.get((UNALLOCATED, record.offset, record.detection))

    def result(self, region: CarveRegion) -> FileCarveResult | None:
        """The region's carving (waiting for it), or None when it was not planned.

        Raises:
            Whatever the carver raised on the region's bytes.
        """
        future = self._results.pop(region_key(region), None)
        return None if future is None else future.result()

    def close(self) -> None:
        """Drop what was not taken and stop the thread: its reads fail from now on."""
        for future in self._results.values():
            future.cancel()
        self._results.clear()
        self.tap.cancel()
        self._executor.shutdown(wait=True, cancel_futures=True)
