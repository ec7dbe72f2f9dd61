"""Hikvision SD-card / NAS recordings found on an ordinary file system.

Cameras and NVRs that record to an SD card or a NAS write ``index00.bin`` beside
``hiv00000.mp4``… containers. While a file system is walked, ``DatadirWatch`` notes those
files per directory; afterwards each index is read (it is small) and its segments are
mapped onto the image through the containers' data runs, so their offsets are absolute
like every other segment's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from catalog.model import EntryType
from catalog.video.rows import segment_row
from parsers.dvr.hik_datadir import datadir_segments, hiv_file_number, is_index_name, parse_index00

if TYPE_CHECKING:
    from collections.abc import Iterator

    from catalog.model import FileEntry
    from parsers.context import ParseContext
    from parsers.dvr.model import Segment

STAGE = "dvr"
MAX_INDEX_BYTES = 64 << 20
"""An index00.bin larger than this is not read (real ones are a few MiB)."""


@runtime_checkable
class MappableFileSystem(Protocol):
    """What the watch needs of a file system: content and where it lies."""

    def read_chunks(self, entry: FileEntry, chunk_size: int) -> Iterator[bytes]:
        """Stream an entry's content."""
        ...

    def data_extents(self, meta_addr: int, size: int) -> list[tuple[int, int]] | None:
        """The entry's content as image extents, or None when not mappable."""
        ...


@dataclass(slots=True)
class _Directory:
    indexes: list[FileEntry] = field(default_factory=list)
    containers: dict[int, FileEntry] = field(default_factory=dict)


class DatadirWatch:
    """Notes index and container files during a walk; turns them into segment rows."""

    def __init__(self) -> None:
        """Start with nothing seen."""
        self._directories: dict[str, _Directory] = {}

    def see(self, entry: FileEntry) -> None:
        """Note ``entry`` if it is an allocated index or container file."""
        if entry.entry_type is not EntryType.FILE or not entry.is_allocated or entry.is_ads:
            return
        folder = entry.path.rsplit("/", 1)[0]
        if is_index_name(entry.name):
            self._directories.setdefault(folder, _Directory()).indexes.append(entry)
        elif (number := hiv_file_number(entry.name)) is not None:
            self._directories.setdefault(folder, _Directory()).containers[number] = entry

    def rows(
        self,
        fs: MappableFileSystem,
        exhibit: str,
        run_id: str,
        disk_size: int,
        ctx: ParseContext,
    ) -> list[dict[str, Any]]:
        """One unhashed segment row per recording the first readable index lists."""
        rows: list[dict[str, Any]] = []
        for folder, directory in sorted(self._directories.items()):
            if directory.indexes:
                rows += self._folder_rows(fs, folder, directory, exhibit, run_id, disk_size, ctx)
        return rows

    @staticmethod
    def _folder_rows(
        fs: MappableFileSystem,
        folder: str,
        directory: _Directory,
        exhibit: str,
        run_id: str,
        disk_size: int,
        ctx: ParseContext,
    ) -> list[dict[str, Any]]:
        index_entry = min(directory.indexes, key=lambda entry: entry.name.lower())
        if index_entry.size > MAX_INDEX_BYTES:
            ctx.problem(STAGE, f"{index_entry.path}: {index_entry.size} bytes, too big an index")
            return []
        try:
            data = b"".join(fs.read_chunks(index_entry, 1 << 20))
        except OSError as exc:
            ctx.problem(STAGE, f"{index_entry.path}: unreadable ({exc})")
            return []
        extents: dict[int, list[tuple[int, int]]] = {}
        for number, container in directory.containers.items():
            mapped = fs.data_extents(container.meta_addr, container.size)
            if mapped is None:
                ctx.problem(STAGE, f"{container.path}: its content is not mappable to the image")
            else:
                extents[number] = mapped
        segments, problems = datadir_segments(parse_index00(data), extents, disk_size=disk_size)
        for problem in problems:
            ctx.problem(STAGE, f"{index_entry.path}: {problem.message}", offset=problem.offset)
        return [segment_row(exhibit, _in_folder(segment, folder), run_id) for segment in segments]


def _in_folder(segment: Segment, folder: str) -> Segment:
    """The segment with its key made unique per folder (several cards in one image)."""
    return replace(segment, key=f"{folder}:{segment.key}" if folder else segment.key)
