"""File slack: text left in the clusters past each allocated file's end (``--slack``).

The slack of every allocated file the scan walked is read from the image (a cluster or
block per file at most, usually), and runs of text in it become carved items under
``/$CarvedFiles/$Slack``, each pointing at the file whose slack held it. Slack is short,
so a lower text threshold applies than in free space.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from catalog.carving.regions import SLACK, CarveRegion
from catalog.rows import filesystem_id
from catalog.store import carved
from parsers.carving.model import CarvedFile
from parsers.carving.text import find_text
from parsers.filesystems.slack import slack_extents

if TYPE_CHECKING:
    from catalog.carving.stage import CarveStage
    from parsers.filesystem import OpenFileSystem

SLACK_MIN_TEXT = 128
"""Shortest text run kept from slack, in bytes."""
PAGE = 2000
"""Files' rows fetched at a time."""


def carve_slack(stage: CarveStage, fs: OpenFileSystem) -> int:
    """Carve text from the slack of ``fs``'s allocated files; how many files' slack was read.

    A file system that TSK did not open (APFS) has no data runs to find slack by: that is
    recorded as a problem.
    """
    handle = getattr(fs, "handle", None)
    record = fs.record
    if handle is None or record.block_size <= 0:
        stage.ctx.problem(
            "carve", f"{record.fs_type} at byte {record.offset}: file slack is not read there"
        )
        return 0
    fs_id = filesystem_id(stage.exhibit, record)
    read, after = 0, ""
    while page := stage.writer.call(
        partial(carved.allocated_files, fs_id=fs_id, after=after, limit=PAGE)
    ):
        for row in page:
            _carve_one(stage, fs, handle, row)
        read += len(page)
        after = page[-1]["file_id"]
    return read


def _carve_one(stage: CarveStage, fs: OpenFileSystem, handle: Any, row: dict[str, Any]) -> None:
    record = fs.record
    attr = (row["attr_type"], row["attr_id"]) if row["is_ads"] else None
    extents = slack_extents(
        handle, record.offset, record.block_size, int(row["meta_addr"]), int(row["size"]), attr
    )
    for offset, length in extents:
        if not stage.disk.contains(offset, length):
            continue
        data = stage.disk.read(offset, length)
        stage.counts.bytes_scanned += len(data)
        items = [
            CarvedFile(run.start, run.end - run.start, run.kind, "txt")
            for run in find_text(data, offset, SLACK_MIN_TEXT)
        ]
        if items:
            region = CarveRegion(SLACK, record, offset, length, ((offset, length),))
            stage.catalogue(region, items, parent_file_id=row["file_id"])
