"""File systems The Sleuth Kit reads: NTFS, FAT12/16/32, exFAT, ext2/3/4, HFS+, ISO 9660, UFS.

The walk mirrors ``fls -r -p``: allocated and deleted names, ``$OrphanFiles``, virtual
entries, and on NTFS one row per data stream (alternate streams as ``file:stream``), with
the TSK address (``inode`` or NTFS ``entry-type-id``) kept as the locator.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytsk3

from catalog.locator import Locator
from catalog.model import EntryType, FileEntry, FileSystemRecord, Times
from catalog.timeutil import force_utc_process_zone, iso_from_epoch
from parsers.context import ParseContext
from parsers.filesystems.allocation import tsk_unallocated
from parsers.tskimage import TskImage

FS_TYPE_NAMES = {
    pytsk3.TSK_FS_TYPE_NTFS: "NTFS",
    pytsk3.TSK_FS_TYPE_FAT12: "FAT12",
    pytsk3.TSK_FS_TYPE_FAT16: "FAT16",
    pytsk3.TSK_FS_TYPE_FAT32: "FAT32",
    pytsk3.TSK_FS_TYPE_EXFAT: "exFAT",
    pytsk3.TSK_FS_TYPE_EXT2: "Ext2",
    pytsk3.TSK_FS_TYPE_EXT3: "Ext3",
    pytsk3.TSK_FS_TYPE_EXT4: "Ext4",
    pytsk3.TSK_FS_TYPE_HFS: "HFS+",
    pytsk3.TSK_FS_TYPE_ISO9660: "ISO9660",
    pytsk3.TSK_FS_TYPE_FFS1: "UFS1",
    pytsk3.TSK_FS_TYPE_FFS1B: "UFS1b",
    pytsk3.TSK_FS_TYPE_FFS2: "UFS2",
    pytsk3.TSK_FS_TYPE_YAFFS2: "YAFFS2",
}

FS_TYPES_BY_NAME = {name: code for code, name in FS_TYPE_NAMES.items()}

EXPLICIT_TYPES = (
    pytsk3.TSK_FS_TYPE_FAT32,
    pytsk3.TSK_FS_TYPE_FAT16,
    pytsk3.TSK_FS_TYPE_FAT12,
    pytsk3.TSK_FS_TYPE_EXFAT,
    pytsk3.TSK_FS_TYPE_NTFS,
    pytsk3.TSK_FS_TYPE_EXT4,
    pytsk3.TSK_FS_TYPE_HFS,
    pytsk3.TSK_FS_TYPE_ISO9660,
)
"""Tried one by one when autodetection fails (e.g. FAT32 with 2048-byte sectors)."""

_FAT_TYPES = {"FAT12", "FAT16", "FAT32"}
FAT_ZONE_NOTE = "FAT local wall-clock time, read as UTC (seizure-site zone not applied)"

_META_TYPES = {
    pytsk3.TSK_FS_META_TYPE_REG: EntryType.FILE,
    pytsk3.TSK_FS_META_TYPE_DIR: EntryType.DIR,
    pytsk3.TSK_FS_META_TYPE_LNK: EntryType.SYMLINK,
    pytsk3.TSK_FS_META_TYPE_FIFO: EntryType.FIFO,
    pytsk3.TSK_FS_META_TYPE_CHR: EntryType.CHAR_DEVICE,
    pytsk3.TSK_FS_META_TYPE_BLK: EntryType.BLOCK_DEVICE,
    pytsk3.TSK_FS_META_TYPE_SOCK: EntryType.SOCKET,
    pytsk3.TSK_FS_META_TYPE_SHAD: EntryType.SHADOW,
    pytsk3.TSK_FS_META_TYPE_WHT: EntryType.WHITEOUT,
    pytsk3.TSK_FS_META_TYPE_VIRT: EntryType.VIRTUAL_FILE,
    pytsk3.TSK_FS_META_TYPE_VIRT_DIR: EntryType.VIRTUAL_DIR,
}
_NAME_TYPES = {
    pytsk3.TSK_FS_NAME_TYPE_REG: EntryType.FILE,
    pytsk3.TSK_FS_NAME_TYPE_DIR: EntryType.DIR,
    pytsk3.TSK_FS_NAME_TYPE_LNK: EntryType.SYMLINK,
    pytsk3.TSK_FS_NAME_TYPE_FIFO: EntryType.FIFO,
    pytsk3.TSK_FS_NAME_TYPE_CHR: EntryType.CHAR_DEVICE,
    pytsk3.TSK_FS_NAME_TYPE_BLK: EntryType.BLOCK_DEVICE,
    pytsk3.TSK_FS_NAME_TYPE_SOCK: EntryType.SOCKET,
    pytsk3.TSK_FS_NAME_TYPE_SHAD: EntryType.SHADOW,
    pytsk3.TSK_FS_NAME_TYPE_WHT: EntryType.WHITEOUT,
    pytsk3.TSK_FS_NAME_TYPE_VIRT: EntryType.VIRTUAL_FILE,
    pytsk3.TSK_FS_NAME_TYPE_VIRT_DIR: EntryType.VIRTUAL_DIR,
}
_NTFS_DATA = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA)
_NTFS_IDXROOT = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_IDXROOT)
_ORPHAN_DIR = "$OrphanFiles"


@dataclass(frozen=True, slots=True)
class _Stream:
    """One NTFS data-bearing attribute: a main stream or an alternate one."""

    attr_type: int
    attr_id: int
    name: str | None
    size: int


def open_tsk_file_system(image: TskImage, offset: int) -> tuple[pytsk3.FS_Info, str] | None:
    """Open the file system at ``offset``: autodetect first, then each explicit type.

    Returns the handle and how it was found, or None when TSK recognises nothing there.
    """
    try:
        return pytsk3.FS_Info(image, offset), "autodetect"
    except (OSError, RuntimeError):
        pass
    for fs_type in EXPLICIT_TYPES:
        try:
            handle = pytsk3.FS_Info(image, offset, fs_type)
        except (OSError, RuntimeError):
            continue
        return handle, f"explicit {FS_TYPE_NAMES[fs_type]} (autodetection failed)"
    return None


def _display(raw: bytes) -> str:
    """Decode a name for display: invalid UTF-8 bytes become U+FFFD, the raw bytes are kept."""
    return raw.decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class _Directory:
    """A directory being listed: its path, the addresses above it, and whether it is orphaned."""

    path: str
    stack: tuple[int, ...]
    in_orphans: bool


class _TskWalk:
    """One walk of one file system: what every step shares (exhibit, context, bounds)."""

    def __init__(self, fs: TskFileSystem, exhibit: str, ctx: ParseContext) -> None:
        self._fs = fs
        self._exhibit = exhibit
        self._ctx = ctx
        self._limits = ctx.limits

    def run(self) -> Iterator[FileEntry]:
        root = int(self._fs.handle.info.root_inum)
        try:
            listing = self._fs.handle.open_dir(inode=root)
        except (OSError, RuntimeError) as exc:
            self._problem(f"cannot open root directory ({exc})", str(root), exc)
            return
        yield from self._walk(listing, _Directory("", (root,), in_orphans=False))

    def _problem(self, message: str, inode: str, exc: BaseException | None = None) -> None:
        locator = Locator(self._exhibit, self._fs.record.offset, inode)
        self._ctx.problem("walk", message, locator=locator, exc=exc)

    def _walk(self, listing: pytsk3.Directory, here: _Directory) -> Iterator[FileEntry]:
        ordinal = 0
        for tsk_file in self._files(listing, here):
            raw = bytes(tsk_file.info.name.name or b"")
            if raw in (b".", b".."):
                continue
            ordinal += 1
            if ordinal > self._limits.max_dir_entries:
                self._problem(
                    f"{here.path or '/'}: more than {self._limits.max_dir_entries}"
                    " entries; rest of directory skipped",
                    str(here.stack[-1]),
                )
                return
            path = f"{here.path}/{_display(raw)}"
            entries = list(
                self._fs.entries_for(tsk_file, raw, path, self._exhibit, ordinal, here.in_orphans)
            )
            yield from entries
            if entries and entries[0].entry_type in (EntryType.DIR, EntryType.VIRTUAL_DIR):
                is_orphan_root = here.path == "" and raw == b"$OrphanFiles"
                below = _Directory(path, here.stack, here.in_orphans or is_orphan_root)
                yield from self._descend(tsk_file, entries[0], below)

    def _files(self, listing: pytsk3.Directory, here: _Directory) -> Iterator[pytsk3.File]:
        """Iterate a directory; a corrupt one ends with a problem row instead of an exception."""
        iterator = iter(listing)
        while True:
            try:
                yield next(iterator)
            except StopIteration:
                return
            except (OSError, RuntimeError) as exc:
                self._problem(
                    f"{here.path or '/'}: directory listing stopped ({exc})",
                    str(here.stack[-1]),
                    exc,
                )
                return

    def _descend(
        self, tsk_file: pytsk3.File, main: FileEntry, below: _Directory
    ) -> Iterator[FileEntry]:
        """Walk into a subdirectory unless it loops back, is too deep, or cannot be listed."""
        if main.meta_addr in below.stack:
            return
        if len(below.stack) >= self._limits.max_depth:
            self._problem(
                f"{below.path}: deeper than {self._limits.max_depth} levels; not walked",
                main.locator.inode or "",
            )
            return
        try:
            listing = tsk_file.as_directory()
        except (OSError, RuntimeError) as exc:
            if main.is_allocated:
                self._problem(
                    f"{below.path}: cannot list directory ({exc})", main.locator.inode or "", exc
                )
            return
        stack = (*below.stack, main.meta_addr)
        yield from self._walk(listing, _Directory(below.path, stack, below.in_orphans))


class TskFileSystem:
    """A file system opened by pytsk3 at a byte offset of an image."""

    def __init__(
        self,
        handle: pytsk3.FS_Info,
        offset: int,
        detection: str,
        volume_index: int | None = None,
        image: pytsk3.Img_Info | None = None,
    ) -> None:
        """Wrap an opened ``FS_Info``; ``image`` is the one it was opened on (raw reads)."""
        info = handle.info
        self.handle = handle
        self._image_read = image.read if image is not None else None
        """The pytsk3 ``FS_Info``, for walks and reads of this file system."""
        self.fs_type = FS_TYPE_NAMES.get(int(info.ftype), f"tsk:{int(info.ftype)}")
        self._is_ntfs = self.fs_type == "NTFS"
        self._zone_note = FAT_ZONE_NOTE if self.fs_type in _FAT_TYPES else None
        if self._zone_note:
            force_utc_process_zone()
        self._record = FileSystemRecord(
            offset=offset,
            fs_type=self.fs_type,
            detection=detection,
            block_size=int(info.block_size),
            block_count=int(info.block_count),
            volume_index=volume_index,
        )

    @property
    def record(self) -> FileSystemRecord:
        """Type, offset and geometry."""
        return self._record

    def walk(self, exhibit: str, ctx: ParseContext) -> Iterator[FileEntry]:
        """Yield every entry below the root, depth first (``fls -r -p`` order and content)."""
        return _TskWalk(self, exhibit, ctx).run()

    def entries_for(
        self,
        tsk_file: pytsk3.File,
        raw: bytes,
        path: str,
        exhibit: str,
        ordinal: int,
        in_orphans: bool,
    ) -> Iterator[FileEntry]:
        """The rows of one directory entry: one, or on NTFS one per data stream (main first)."""
        name_info = tsk_file.info.name
        meta = tsk_file.info.meta
        if meta is None and int(name_info.meta_addr) > 0:
            tsk_file, meta = self._meta_by_address(tsk_file, int(name_info.meta_addr))
        name_flags = int(name_info.flags)
        is_allocated = bool(name_flags & pytsk3.TSK_FS_NAME_FLAG_ALLOC)
        meta_allocated = bool(meta is not None and int(meta.flags) & pytsk3.TSK_FS_META_FLAG_ALLOC)
        entry_type = self._entry_type(name_info, meta)
        meta_addr = int(name_info.meta_addr)
        name = _display(raw)
        main = FileEntry(
            locator=Locator(exhibit, self._record.offset, str(meta_addr)),
            path=path,
            name=name,
            name_raw=raw,
            entry_type=entry_type,
            size=int(meta.size) if meta is not None else 0,
            meta_addr=meta_addr,
            is_allocated=is_allocated,
            is_realloc=(not is_allocated) and meta_allocated,
            is_virtual=entry_type in (EntryType.VIRTUAL_FILE, EntryType.VIRTUAL_DIR),
            is_orphan=in_orphans,
            is_fs_metadata=self._is_fs_metadata(path, raw),
            has_meta=meta is not None,
            times=self._times(meta),
            uid=int(meta.uid) if meta is not None else None,
            gid=int(meta.gid) if meta is not None else None,
            mode=int(meta.mode) if meta is not None else None,
            ordinal=ordinal,
        )
        streams = self._ntfs_streams(tsk_file) if self._is_ntfs and meta is not None else None
        if not streams:
            yield main
            return
        for stream in streams:
            yield self._stream_entry(main, stream, exhibit)

    def _stream_entry(self, main: FileEntry, stream: _Stream, exhibit: str) -> FileEntry:
        """The row for one NTFS stream: the main one keeps the entry's type, an ADS is a file."""
        locator = Locator(
            exhibit, self._record.offset, f"{main.meta_addr}-{stream.attr_type}-{stream.attr_id}"
        )
        if stream.name is None:
            return replace(
                main, locator=locator, attr_type=stream.attr_type, attr_id=stream.attr_id
            )
        return replace(
            main,
            locator=locator,
            path=f"{main.path}:{stream.name}",
            name=f"{main.name}:{stream.name}",
            entry_type=EntryType.FILE,
            size=stream.size,
            attr_type=stream.attr_type,
            attr_id=stream.attr_id,
            is_ads=True,
        )

    def _meta_by_address(
        self, tsk_file: pytsk3.File, address: int
    ) -> tuple[pytsk3.File, pytsk3.TSK_FS_META | None]:
        """Load the metadata a deleted name points to, as ``fls`` does (it may be reused)."""
        try:
            by_address = self.handle.open_meta(inode=address)
        except (OSError, RuntimeError):
            return tsk_file, None
        return by_address, by_address.info.meta

    @staticmethod
    def _ntfs_streams(tsk_file: pytsk3.File) -> list[_Stream]:
        """Data-bearing attributes the way ``fls`` lists them (main first)."""
        streams: list[_Stream] = []
        for attribute in tsk_file:
            info = attribute.info
            attr_type = int(info.type)
            if attr_type not in (_NTFS_DATA, _NTFS_IDXROOT):
                continue
            name = _display(bytes(info.name)) if info.name else None
            if name in (None, "$Data", "$I30"):
                name = None
            elif attr_type == _NTFS_IDXROOT and name is None:
                continue
            streams.append(_Stream(attr_type, int(info.id), name, int(info.size)))
        streams.sort(key=lambda s: s.name is not None)
        return streams

    @staticmethod
    def _entry_type(name_info: pytsk3.TSK_FS_NAME, meta: pytsk3.TSK_FS_META | None) -> EntryType:
        if meta is not None and int(meta.type) in _META_TYPES:
            return _META_TYPES[int(meta.type)]
        return _NAME_TYPES.get(int(name_info.type), EntryType.UNKNOWN)

    def _times(self, meta: pytsk3.TSK_FS_META | None) -> Times:
        if meta is None:
            return Times(zone_assumption=self._zone_note)
        return Times(
            created=iso_from_epoch(int(meta.crtime), int(meta.crtime_nano)),
            modified=iso_from_epoch(int(meta.mtime), int(meta.mtime_nano)),
            accessed=iso_from_epoch(int(meta.atime), int(meta.atime_nano)),
            changed=iso_from_epoch(int(meta.ctime), int(meta.ctime_nano)),
            zone_assumption=self._zone_note,
        )

    def _is_fs_metadata(self, path: str, raw: bytes) -> bool:
        if raw.endswith(b"(Volume Label Entry)"):
            return True
        if self.fs_type in ("NTFS", "HFS+", "exFAT"):
            top = path.split("/")[1] if path.count("/") >= 1 else ""
            return top.startswith("$") and top != _ORPHAN_DIR
        return False

    def read_chunks(self, entry: FileEntry, chunk_size: int) -> Iterator[bytes]:
        """Stream the entry's content (the NTFS stream it names, or the default one)."""
        address = entry.meta_addr
        try:
            tsk_file = self.handle.open_meta(inode=address)
        except RuntimeError as exc:
            raise OSError(str(exc)) from exc
        if entry.attr_type is not None and entry.attr_id is not None:
            attr_type, attr_id = entry.attr_type, entry.attr_id
        else:
            attr_type, attr_id = pytsk3.TSK_FS_ATTR_TYPE_DEFAULT, -1
        offset = 0
        while offset < entry.size:
            want = min(chunk_size, entry.size - offset)
            try:
                chunk = tsk_file.read_random(offset, want, attr_type, attr_id)
            except RuntimeError as exc:
                raise OSError(str(exc)) from exc
            if not chunk:
                raise OSError(f"short read at offset {offset} of {entry.size}")
            yield chunk
            offset += len(chunk)

    def data_extents(
        self, meta_addr: int, size: int, attr_type: int | None = None, attr_id: int | None = None
    ) -> list[tuple[int, int]] | None:
        """Where a file's data lies in the image: ``(offset, length)`` in file order.

        The default data attribute, or the one ``attr_type``/``attr_id`` name (an NTFS
        stream). None when the content is resident, sparse, compressed or unreadable: then
        there is no byte range of the image that holds it as is.
        """
        try:
            tsk_file = self.handle.open_meta(inode=meta_addr)
            attributes = list(tsk_file)
        except (OSError, RuntimeError):
            return None
        block_size = self._record.block_size
        for attribute in attributes:
            if attr_type is not None:
                if (int(attribute.info.type), int(attribute.info.id)) != (attr_type, attr_id):
                    continue
            elif int(attribute.info.type) not in _DATA_ATTRIBUTES:
                continue
            if int(attribute.info.flags) & _UNMAPPABLE:
                return None
            return _runs_to_extents(attribute, self._record.offset, block_size, size)
        return None

    def unallocated_extents(self) -> list[tuple[int, int]] | None:
        """Where the file system's unallocated space lies, from its own allocation maps.

        The FAT, ext's block bitmaps, NTFS ``$Bitmap``, the exFAT allocation bitmap or the
        HFS+ allocation file, read in bounded chunks, as ``blkls -A`` reports them.

        Returns:
            Sorted, merged ``(offset, length)`` byte extents of the image, inside the file
            system's range; None when its type has no reader or its structures do not
            read as expected.
        """
        return tsk_unallocated(self.handle, self._record, self._image_read)


_DATA_ATTRIBUTES = (int(pytsk3.TSK_FS_ATTR_TYPE_DEFAULT), int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA))
_UNMAPPABLE = int(pytsk3.TSK_FS_ATTR_RES) | int(pytsk3.TSK_FS_ATTR_COMP)


def _runs_to_extents(
    attribute: pytsk3.Attribute, fs_offset: int, block_size: int, size: int
) -> list[tuple[int, int]] | None:
    extents: list[tuple[int, int]] = []
    remaining = size
    for run in attribute:
        if remaining <= 0:
            break
        if int(run.flags) & int(pytsk3.TSK_FS_ATTR_RUN_FLAG_SPARSE):
            return None
        length = min(int(run.len) * block_size, remaining)
        extents.append((fs_offset + int(run.addr) * block_size, length))
        remaining -= length
    return extents if remaining <= 0 else None
