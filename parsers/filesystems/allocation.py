"""Unallocated space read from a file system's own allocation structures, as TSK does.

The complement of the live files' data runs (``unallocated.py``) also counts metadata that
no file covers (FAT's root-directory area, ext's inode tables), so FAT and ext are read
from their allocation maps instead: the FAT itself, and ext's per-group block bitmaps
(metadata blocks are marked allocated there). Each reader returns None when the structures
do not read as expected; the caller then falls back to the complement of the runs.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

from parsers.filesystems.unallocated import Extent

Read = Callable[[int, int], bytes]
MAX_GROUPS = 1 << 22
MAX_TABLE = 64 << 20
"""Group descriptor tables larger than this are not read (a 16 TiB ext4 has 8 MiB)."""
EXT_MAGIC = 0xEF53
BLOCK_UNINIT = 0x2
INCOMPAT_64BIT = 0x80


def _runs(flags: Iterator[bool], first: int) -> Iterator[tuple[int, int]]:
    """``(first unit, count)`` of each run of free units (``flags`` true when free)."""
    start, count = None, 0
    for index, free in enumerate(flags, first):
        if free:
            if start is None:
                start, count = index, 0
            count += 1
        elif start is not None:
            yield start, count
            start = None
    if start is not None:
        yield start, count


def _bits(bitmap: bytes, count: int) -> Iterator[bool]:
    """True for each clear (free) bit, least significant bit first."""
    for index in range(count):
        yield not bitmap[index >> 3] >> (index & 7) & 1


def ext_unallocated(read: Read, fs_offset: int) -> list[Extent] | None:
    """Free blocks of an ext2/3/4 file system from its block bitmaps, or None."""
    superblock = read(fs_offset + 1024, 1024)
    if len(superblock) < 0x154 or struct.unpack_from("<H", superblock, 0x38)[0] != EXT_MAGIC:
        return None
    blocks = struct.unpack_from("<I", superblock, 0x04)[0]
    first_data, log_size = struct.unpack_from("<II", superblock, 0x14)
    per_group = struct.unpack_from("<I", superblock, 0x20)[0]
    incompat = struct.unpack_from("<I", superblock, 0x60)[0]
    is_64bit = bool(incompat & INCOMPAT_64BIT)
    if is_64bit:
        blocks |= struct.unpack_from("<I", superblock, 0x150)[0] << 32
    if log_size > 6 or per_group == 0 or blocks == 0:
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
    extents: list[Extent] = []
    for group in range(groups):
        descriptor = table[group * desc_size : (group + 1) * desc_size]
        bitmap_block = struct.unpack_from("<I", descriptor, 0)[0]
        if is_64bit and desc_size >= 0x24:
            bitmap_block |= struct.unpack_from("<I", descriptor, 0x20)[0] << 32
        first = first_data + group * per_group
        count = min(per_group, blocks - first)
        flags = struct.unpack_from("<H", descriptor, 0x12)[0]
        if flags & BLOCK_UNINIT:
            return None  # metadata of uninitialised groups is not in a bitmap: fall back
        bitmap = read(fs_offset + bitmap_block * block_size, (count + 7) // 8)
        if len(bitmap) < (count + 7) // 8:
            return None
        extents += [
            (fs_offset + start * block_size, length * block_size)
            for start, length in _runs(_bits(bitmap, count), first)
        ]
    return extents


def fat_unallocated(read: Read, fs_offset: int) -> list[Extent] | None:
    """Free clusters of a FAT12/16/32 file system from its first FAT, or None."""
    boot = read(fs_offset, 512)
    if len(boot) < 512 or boot[510:512] != b"\x55\xaa":
        return None
    sector, per_cluster, reserved, n_fats, root_entries, total16 = struct.unpack_from(
        "<HBHBHH", boot, 11
    )
    fat16_size, total32, fat32_size = (
        struct.unpack_from("<H", boot, 22)[0],
        struct.unpack_from("<I", boot, 32)[0],
        struct.unpack_from("<I", boot, 36)[0],
    )
    fat_size = fat16_size or fat32_size
    total = total16 or total32
    if sector not in (512, 1024, 2048, 4096) or per_cluster == 0 or n_fats == 0 or not fat_size:
        return None
    root_sectors = (root_entries * 32 + sector - 1) // sector
    data_start = reserved + n_fats * fat_size + root_sectors
    clusters = (total - data_start) // per_cluster if total > data_start else 0
    if clusters == 0:
        return None
    bits = 12 if clusters < 4085 else 16 if clusters < 65525 else 32
    fat = read(fs_offset + reserved * sector, fat_size * sector)
    if len(fat) < (clusters + 2) * bits // 8 + 4:
        return None
    free = (_fat_entry(fat, bits, cluster) == 0 for cluster in range(2, clusters + 2))
    cluster_bytes = per_cluster * sector
    base = fs_offset + data_start * sector
    extents = [
        (base + (start - 2) * cluster_bytes, length * cluster_bytes)
        for start, length in _runs(free, 2)
    ]
    tail = (total - data_start - clusters * per_cluster) * sector  # sectors past the last cluster
    if tail > 0:
        extents.append((base + clusters * cluster_bytes, tail))
    return extents


def _fat_entry(fat: bytes, bits: int, cluster: int) -> int:
    if bits == 12:
        pair = struct.unpack_from("<H", fat, cluster * 3 // 2)[0]
        return int(pair >> 4 if cluster & 1 else pair & 0xFFF)
    if bits == 16:
        return int(struct.unpack_from("<H", fat, cluster * 2)[0])
    return int(struct.unpack_from("<I", fat, cluster * 4)[0] & 0x0FFFFFFF)
