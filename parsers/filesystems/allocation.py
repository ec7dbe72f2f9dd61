"""Unallocated space read from a file system's own allocation structures, as TSK does.

The complement of the live files' data runs (``unallocated.py``) also counts metadata that
no file covers (FAT's root-directory area, ext's inode tables), so free space is read from
the allocation maps instead: the FAT itself, ext's per-group block bitmaps, and the bitmap
files of NTFS (``$Bitmap``), exFAT (the allocation bitmap) and HFS+ (the allocation file).
The results equal ``blkls -A``. Maps are read in bounded chunks and turned into runs by
``bitmaps.py``; each reader returns None when the structures do not read as expected.
``tsk_unallocated`` picks the reader for a file system TSK opened (``TskFileSystem``).
"""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytsk3

from catalog.model import FileSystemRecord
from parsers.filesystems.bitmaps import Run, clear_bit_runs, zero_entry_runs
from parsers.filesystems.unallocated import Extent, merge_extents

Read = Callable[[int, int], bytes]
"""``read(offset, size)``: bytes of the image (or of a bitmap file); short at its end."""
CHUNK = 1 << 20
"""Bytes of an allocation map read and converted at a time."""
MAX_EXTENTS = 1 << 22
"""More free runs than this (a pathologically fragmented volume) reads as None."""
MAX_GROUPS = 1 << 22
MAX_TABLE = 64 << 20
"""Group descriptor tables larger than this are not read (a 16 TiB ext4 has 8 MiB)."""
EXT_MAGIC = 0xEF53
INCOMPAT_64BIT = 0x80
RO_COMPAT_BIGALLOC = 0x200
EXFAT_NAME = b"EXFAT   "


class _Collector:
    """Free runs as absolute byte extents, adjacent ones joined, at most ``MAX_EXTENTS``."""

    def __init__(self, base: int, unit: int) -> None:
        self.base = base
        self.unit = unit
        self.extents: list[Extent] = []
        self.is_full = False

    def add(self, first: int, runs: list[Run]) -> None:
        """Add runs whose units count from unit ``first`` of the map."""
        for start, length in runs:
            self.add_bytes(self.base + (first + start) * self.unit, length * self.unit)

    def add_bytes(self, offset: int, length: int) -> None:
        """Add one byte extent; extents must arrive in ascending order."""
        extents = self.extents
        if extents and sum(extents[-1]) == offset:
            extents[-1] = (extents[-1][0], extents[-1][1] + length)
        elif len(extents) < MAX_EXTENTS:
            extents.append((offset, length))
        else:
            self.is_full = True

    def result(self) -> list[Extent] | None:
        return None if self.is_full else self.extents


def bitmap_unallocated(
    read_bitmap: Read, count: int, base: int, unit: int, *, msb_first: bool = False
) -> list[Extent] | None:
    """Free units of a bitmap (clear bit = free), read ``CHUNK`` bytes at a time.

    Args:
        read_bitmap: reads the bitmap's own bytes (offset 0 is bit 0).
        count: units the bitmap maps; unit ``n`` lies at ``base + n * unit``.
        base: image byte offset of unit 0.
        unit: bytes per unit (cluster or block).
        msb_first: bit order within a byte (True for HFS+).

    Returns:
        The free extents in order, or None when the bitmap reads short.
    """
    if count <= 0 or unit <= 0:
        return None
    collector = _Collector(base, unit)
    for first in range(0, count, CHUNK * 8):
        bits = min(CHUNK * 8, count - first)
        data = read_bitmap(first // 8, (bits + 7) // 8)
        if len(data) < (bits + 7) // 8:
            return None
        collector.add(first, clear_bit_runs(data, bits, msb_first=msb_first))
        if collector.is_full:
            return None
    return collector.result()


def ext_unallocated(read: Read, fs_offset: int) -> list[Extent] | None:
    """Free blocks of an ext2/3/4 file system from its block bitmaps, or None.

    As TSK does, a group flagged ``BLOCK_UNINIT`` is read from its bitmap block as well
    (mke2fs leaves it zeroed: the whole group, backup superblock included, reads as free).
    """
    superblock = read(fs_offset + 1024, 1024)
    if len(superblock) < 0x154 or struct.unpack_from("<H", superblock, 0x38)[0] != EXT_MAGIC:
        return None
    blocks = struct.unpack_from("<I", superblock, 0x04)[0]
    first_data, log_size = struct.unpack_from("<II", superblock, 0x14)
    per_group = struct.unpack_from("<I", superblock, 0x20)[0]
    incompat, ro_compat = struct.unpack_from("<II", superblock, 0x60)
    is_64bit = bool(incompat & INCOMPAT_64BIT)
    if is_64bit:
        blocks |= struct.unpack_from("<I", superblock, 0x150)[0] << 32
    if log_size > 6 or per_group == 0 or blocks <= first_data or ro_compat & RO_COMPAT_BIGALLOC:
        return None
    block_size = 1024 << log_size
    desc_size = struct.unpack_from("<H", superblock, 0xFE)[0] if is_64bit else 32
    if desc_size < 32:
        return None
    groups = (blocks - first_data + per_group - 1) // per_group
    if groups > MAX_GROUPS or groups * desc_size > MAX_TABLE:
        return None
    table = read(fs_offset + (first_data + 1) * block_size, groups * desc_size)
    if len(table) < groups * desc_size:
        return None
    collector = _Collector(fs_offset, block_size)
    for group in range(groups):
        bitmap_block = struct.unpack_from("<I", table, group * desc_size)[0]
        if is_64bit and desc_size >= 0x24:
            bitmap_block |= struct.unpack_from("<I", table, group * desc_size + 0x20)[0] << 32
        first = first_data + group * per_group
        count = min(per_group, blocks - first)
        bitmap = read(fs_offset + bitmap_block * block_size, (count + 7) // 8)
        if len(bitmap) < (count + 7) // 8:
            return None
        collector.add(first, clear_bit_runs(bitmap, count))
        if collector.is_full:
            return None
    return collector.result()


def fat_unallocated(read: Read, fs_offset: int, bits: int | None = None) -> list[Extent] | None:
    """Free clusters of a FAT12/16/32 file system from its first FAT, or None.

    Args:
        read: reads the image.
        fs_offset: image byte offset of the boot sector.
        bits: FAT entry width when known (TSK opened the volume as a given type);
            otherwise it follows from the cluster count, as TSK's autodetection does.
    """
    boot = read(fs_offset, 512)
    if len(boot) < 512 or boot[510:512] != b"\x55\xaa":
        return None
    sector, per_cluster, reserved, n_fats, root_entries, total16 = struct.unpack_from(
        "<HBHBHH", boot, 11
    )
    fat_size = struct.unpack_from("<H", boot, 22)[0] or struct.unpack_from("<I", boot, 36)[0]
    total = total16 or struct.unpack_from("<I", boot, 32)[0]
    if sector not in (512, 1024, 2048, 4096) or per_cluster == 0 or n_fats == 0 or not fat_size:
        return None
    data_start = reserved + n_fats * fat_size + (root_entries * 32 + sector - 1) // sector
    clusters = (total - data_start) // per_cluster if total > data_start else 0
    if clusters == 0:
        return None
    if bits is None:
        bits = 12 if clusters < 4085 else 16 if clusters < 65525 else 32
    cluster_bytes = per_cluster * sector
    base = fs_offset + data_start * sector
    collector = _Collector(base, cluster_bytes)
    if not _fat_runs(read, fs_offset + reserved * sector, bits, clusters, collector):
        return None
    tail = (total - data_start - clusters * per_cluster) * sector  # sectors past the last cluster
    if tail > 0:
        collector.add_bytes(base + clusters * cluster_bytes, tail)
    return collector.result()


def _fat_runs(read: Read, fat_offset: int, bits: int, clusters: int, into: _Collector) -> bool:
    """Add the runs of free clusters (2 onwards) to ``into``; False when the FAT reads short."""
    if bits == 12:  # at most 4084 clusters: one read
        table = read(fat_offset, (clusters + 2) * 3 // 2 + 1)
        if len(table) * 2 // 3 < clusters + 2:
            return False
        into.add(0, zero_entry_runs(table[3:], 12, clusters))
        return True
    width = bits // 8
    per_chunk = CHUNK // width
    for first in range(0, clusters, per_chunk):
        count = min(per_chunk, clusters - first)
        table = read(fat_offset + (first + 2) * width, count * width)
        if len(table) < count * width:
            return False
        into.add(first, zero_entry_runs(table, bits, count))
        if into.is_full:
            return False
    return True


def exfat_unallocated(read: Read, fs_offset: int, read_bitmap: Read) -> list[Extent] | None:
    """Free clusters of an exFAT file system from its allocation bitmap, or None.

    Bit ``n`` of the bitmap is cluster ``n + 2``, the first cluster of the cluster heap;
    sectors past the last cluster are unallocated too, as TSK reports them.
    """
    boot = read(fs_offset, 512)
    if len(boot) < 512 or boot[3:11] != EXFAT_NAME:
        return None
    length, _fat_offset, _fat_length, heap, clusters = struct.unpack_from("<QIIII", boot, 72)
    sector_shift, cluster_shift = boot[108], boot[109]
    if not 9 <= sector_shift <= 12 or sector_shift + cluster_shift > 25 or clusters == 0:
        return None
    sector = 1 << sector_shift
    cluster_bytes = sector << cluster_shift
    base = fs_offset + heap * sector
    extents = bitmap_unallocated(read_bitmap, clusters, base, cluster_bytes)
    if extents is None:
        return None
    collector = _Collector(base, cluster_bytes)
    collector.extents = extents
    heap_end = heap * sector + clusters * cluster_bytes
    if length * sector > heap_end:
        collector.add_bytes(fs_offset + heap_end, length * sector - heap_end)
    return collector.result()


def tsk_unallocated(
    handle: pytsk3.FS_Info, record: FileSystemRecord, read: Read | None
) -> list[Extent] | None:
    """Free space of a file system TSK opened, from the map its type keeps, or None.

    FAT and ext maps are read through ``read`` (raw reads of the image the handle was
    opened on; without it they give None); the NTFS, HFS+ and exFAT bitmap files through
    TSK. The extents are merged and clipped to the file system's byte range. None for other
    types and for maps that do not read as expected.
    """
    if record.fs_type not in _READERS:
        return None
    try:
        extents = _READERS[record.fs_type](handle, record, _ImageReads(read))
    except (OSError, RuntimeError, struct.error, ValueError):
        return None
    if extents is None:
        return None
    start, end = record.offset, record.offset + record.block_size * record.block_count
    return [
        (max(offset, start), min(offset + length, end) - max(offset, start))
        for offset, length in merge_extents(extents)
        if offset < end and offset + length > start
    ]


class _ImageReads:
    """Raw reads of the image, or a ValueError when the caller has none to give."""

    def __init__(self, read: Read | None) -> None:
        self._read = read

    def __call__(self, offset: int, length: int) -> bytes:
        if self._read is None:
            raise ValueError("no raw reads of the image were given")
        return self._read(offset, length)


def _file_read(handle: pytsk3.FS_Info, inode: int | None = None, path: str = "") -> Read:
    """Reads of one file's default content through TSK, short at the file's end."""
    tsk_file = handle.open_meta(inode=inode) if inode is not None else handle.open(path)
    size = int(tsk_file.info.meta.size)

    def read(offset: int, length: int) -> bytes:
        length = min(length, size - offset)
        return bytes(tsk_file.read_random(offset, length)) if length > 0 else b""

    return read


def _fat(handle: pytsk3.FS_Info, record: FileSystemRecord, read: Read) -> list[Extent] | None:
    return fat_unallocated(read, record.offset, int(record.fs_type[3:]))


def _ext(handle: pytsk3.FS_Info, record: FileSystemRecord, read: Read) -> list[Extent] | None:
    return ext_unallocated(read, record.offset)


def _exfat(handle: pytsk3.FS_Info, record: FileSystemRecord, read: Read) -> list[Extent] | None:
    bitmap = _file_read(handle, path="/$ALLOC_BITMAP")
    return exfat_unallocated(read, record.offset, bitmap)


def _file_6(handle: pytsk3.FS_Info, record: FileSystemRecord, read: Read) -> list[Extent] | None:
    """NTFS ``$Bitmap`` and the HFS+ allocation file: both file 6, bit n is block n."""
    return bitmap_unallocated(
        _file_read(handle, inode=6),
        record.block_count,
        record.offset,
        record.block_size,
        msb_first=record.fs_type == "HFS+",
    )


_READERS: dict[str, Callable[[pytsk3.FS_Info, FileSystemRecord, Read], list[Extent] | None]] = {
    **dict.fromkeys(("FAT12", "FAT16", "FAT32"), _fat),
    **dict.fromkeys(("Ext2", "Ext3", "Ext4"), _ext),
    "exFAT": _exfat,
    "NTFS": _file_6,
    "HFS+": _file_6,
}
