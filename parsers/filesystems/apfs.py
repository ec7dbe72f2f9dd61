"""APFS containers through libfsapfs-python (pytsk3's Python API has no pool support).

Each volume of the container is walked like a file system; the locator's address is the
APFS file-system identifier (what TSK's ``fls -P apfs`` prints as the inode). Encrypted
volumes are reported as problems ("encrypted volume, no key given").
"""

from __future__ import annotations

import stat
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from catalog.locator import Locator
from catalog.model import EntryType, FileEntry, FileSystemRecord, Times
from catalog.timeutil import iso_from_epoch

if TYPE_CHECKING:
    from parsers.context import ParseContext
    from parsers.source import EvidenceSource

NXSB_MAGIC = b"NXSB"
NXSB_MAGIC_OFFSET = 32

_MODE_TYPES = {
    stat.S_IFREG: EntryType.FILE,
    stat.S_IFDIR: EntryType.DIR,
    stat.S_IFLNK: EntryType.SYMLINK,
    stat.S_IFIFO: EntryType.FIFO,
    stat.S_IFCHR: EntryType.CHAR_DEVICE,
    stat.S_IFBLK: EntryType.BLOCK_DEVICE,
    stat.S_IFSOCK: EntryType.SOCKET,
}


class SourceFileObject:
    """A file-like window onto an evidence source, for libyal ``open_file_object``."""

    def __init__(self, source: EvidenceSource, base: int, size: int) -> None:
        """A view of ``size`` bytes starting at ``base`` in the source."""
        self._source = source
        self._base = base
        self._size = size
        self._position = 0
        self._lock = threading.Lock()

    def read(self, size: int = -1) -> bytes:
        """Read from the current position."""
        with self._lock:
            if size < 0:
                size = self._size - self._position
            size = max(0, min(size, self._size - self._position))
            data = self._source.read(self._base + self._position, size)
            self._position += len(data)
            return data

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move the position (whence as in ``io``)."""
        with self._lock:
            origin = {0: 0, 1: self._position, 2: self._size}[whence]
            self._position = origin + offset
            return self._position

    def tell(self) -> int:
        """Current position."""
        return self._position

    def get_offset(self) -> int:
        """Current position (libyal's name)."""
        return self._position

    def get_size(self) -> int:
        """Size of the window."""
        return self._size


def looks_like_apfs(head: bytes) -> bool:
    """An APFS container superblock magic in the first block."""
    return head[NXSB_MAGIC_OFFSET : NXSB_MAGIC_OFFSET + 4] == NXSB_MAGIC


def _times(entry: Any) -> Times:
    def convert(getter: str) -> str | None:
        value = getattr(entry, getter)()
        if not value:
            return None
        return iso_from_epoch(value // 1_000_000_000, value % 1_000_000_000)

    return Times(
        created=convert("get_creation_time_as_integer"),
        modified=convert("get_modification_time_as_integer"),
        accessed=convert("get_access_time_as_integer"),
        changed=convert("get_inode_change_time_as_integer"),
    )


class ApfsVolume:
    """One volume of an APFS container, walked through pyfsapfs."""

    def __init__(self, volume: Any, offset: int, index: int, block_size: int) -> None:
        """Wrap an opened pyfsapfs volume."""
        self._volume = volume
        self._lock = threading.Lock()
        self._record = FileSystemRecord(
            offset=offset,
            fs_type="APFS",
            detection=f"apfs container, volume {index}",
            block_size=block_size,
            block_count=0,
            volume_index=None,
            label=str(volume.get_name() or ""),
        )

    @property
    def record(self) -> FileSystemRecord:
        """Type, offset and volume name."""
        return self._record

    def walk(self, exhibit: str, ctx: ParseContext) -> Iterator[FileEntry]:
        """Yield every entry below the root, depth first (APFS keeps no deleted names)."""
        with self._lock:
            root = self._volume.get_root_directory()
        yield from self._walk(root, "", (), exhibit, ctx)

    def _walk(
        self, directory: Any, parent: str, stack: tuple[int, ...], exhibit: str, ctx: ParseContext
    ) -> Iterator[FileEntry]:
        if len(stack) >= ctx.limits.max_depth:
            ctx.problem("walk", f"{parent}: deeper than {ctx.limits.max_depth} levels; not walked")
            return
        count = directory.get_number_of_sub_file_entries()
        for ordinal in range(min(count, ctx.limits.max_dir_entries)):
            with self._lock:
                child = directory.get_sub_file_entry(ordinal)
            entry = self._entry(child, parent, exhibit, ordinal + 1)
            yield entry
            if entry.entry_type is EntryType.DIR and entry.meta_addr not in stack:
                yield from self._walk(child, entry.path, (*stack, entry.meta_addr), exhibit, ctx)

    def _entry(self, child: Any, parent: str, exhibit: str, ordinal: int) -> FileEntry:
        name = str(child.get_name())
        identifier = int(child.get_identifier())
        mode = int(child.get_file_mode())
        entry_type = _MODE_TYPES.get(stat.S_IFMT(mode), EntryType.UNKNOWN)
        return FileEntry(
            locator=Locator(exhibit, self._record.offset, str(identifier)),
            path=f"{parent}/{name}",
            name=name,
            name_raw=name.encode("utf-8", "surrogateescape"),
            entry_type=entry_type,
            size=int(child.get_size()),
            meta_addr=identifier,
            is_allocated=True,
            times=_times(child),
            uid=int(child.get_owner_identifier()),
            gid=int(child.get_group_identifier()),
            mode=mode,
            ordinal=ordinal,
        )

    def read_chunks(self, entry: FileEntry, chunk_size: int) -> Iterator[bytes]:
        """Stream the content of the file with the entry's identifier."""
        with self._lock:
            handle = self._volume.get_file_entry_by_identifier(entry.meta_addr)
        offset = 0
        while offset < entry.size:
            with self._lock:
                chunk = handle.read_buffer_at_offset(min(chunk_size, entry.size - offset), offset)
            if not chunk:
                raise OSError(f"short read at offset {offset} of {entry.size}")
            yield chunk
            offset += len(chunk)


def _container(source: EvidenceSource, offset: int, size: int) -> Any:
    import pyfsapfs

    container = pyfsapfs.container()
    container.open_file_object(SourceFileObject(source, offset, size))
    return container


def reopen_apfs_volume(source: EvidenceSource, offset: int, index: int) -> ApfsVolume:
    """Open volume ``index`` of the container at ``offset`` again (in a worker process).

    Raises:
        OSError: the container or volume cannot be opened.
    """
    size = source.info.media_size - offset
    volume = _container(source, offset, size).get_volume(index)
    return ApfsVolume(volume, offset, index, 4096)


def open_apfs_volumes(
    source: EvidenceSource, offset: int, size: int, ctx: ParseContext, exhibit: str
) -> list[ApfsVolume]:
    """Open every unlocked volume of the APFS container at ``offset``.

    Raises:
        OSError: libfsapfs cannot read the container.
    """
    container = _container(source, offset, size)
    volumes: list[ApfsVolume] = []
    for index in range(container.get_number_of_volumes()):
        volume = container.get_volume(index)
        if volume.is_locked():
            ctx.problem(
                "filesystem",
                f"APFS volume {index}: encrypted volume, no key given",
                locator=Locator(exhibit, offset),
            )
            continue
        volumes.append(ApfsVolume(volume, offset, index, 4096))
    return volumes
