"""Allocation maps read in chunks give the same extents as one read, and bad maps give None."""

from __future__ import annotations

import itertools
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.filesystems import allocation
from parsers.filesystems.allocation import bitmap_unallocated, exfat_unallocated, fat_unallocated


def _reader(data: bytes) -> allocation.Read:
    return lambda at, size: data[at : at + size] if at >= 0 else b""


def _free_units(bitmap: bytes, count: int) -> set[int]:
    return {n for n in range(count) if not bitmap[n >> 3] >> (n & 7) & 1}


def _units(extents: list[tuple[int, int]], base: int, unit: int) -> set[int]:
    return {
        n
        for start, length in extents
        for n in range((start - base) // unit, (start - base + length) // unit)
    }


@settings(max_examples=150, deadline=None)
@given(bitmap=st.binary(min_size=1, max_size=64), chunk=st.integers(1, 9))
def test_chunked_bitmap_reads_join_runs_across_chunk_boundaries(bitmap: bytes, chunk: int) -> None:
    count = len(bitmap) * 8 - 3
    whole = bitmap_unallocated(_reader(bitmap), count, 4096, 512)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(allocation, "CHUNK", chunk)
        chunked = bitmap_unallocated(_reader(bitmap), count, 4096, 512)
    assert chunked == whole
    assert whole is not None
    assert _units(whole, 4096, 512) == _free_units(bitmap, count)
    assert all(a + b < c for (a, b), (c, _) in itertools.pairwise(whole))  # joined


def test_bitmap_shorter_than_its_unit_count_reads_as_none() -> None:
    assert bitmap_unallocated(_reader(b"\x00" * 10), 81, 0, 512) is None
    assert bitmap_unallocated(_reader(b"\x00" * 10), 0, 0, 512) is None
    assert bitmap_unallocated(_reader(b"\x00" * 10), 80, 0, 512) == [(0, 80 * 512)]


def test_too_many_free_runs_read_as_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(allocation, "MAX_EXTENTS", 4)
    assert bitmap_unallocated(_reader(b"\x55" * 2), 16, 0, 1) is None
    assert bitmap_unallocated(_reader(b"\x55"), 8, 0, 1) == [(1, 1), (3, 1), (5, 1), (7, 1)]


def _fat_image(entries: list[int], bits: int, sector: int = 512, tail: int = 3) -> bytes:
    """A FAT volume with one sector per cluster, the given FAT entries (0 and 1 first)."""
    width = bits // 8
    fat = b"".join(value.to_bytes(width, "little") for value in entries)
    fat_sectors = (len(fat) + sector - 1) // sector
    clusters = len(entries) - 2
    reserved = 1
    total = reserved + fat_sectors + clusters + tail
    boot = bytearray(sector)
    struct.pack_into("<HBHBHH", boot, 11, sector, 1, reserved, 1, 0, 0)
    struct.pack_into("<IIB", boot, 32, total, fat_sectors, 0)
    boot[510:512] = b"\x55\xaa"
    return (
        bytes(boot) + fat.ljust(fat_sectors * sector, b"\x00") + bytes((clusters + tail) * sector)
    )


@settings(max_examples=100, deadline=None)
@given(
    used=st.lists(st.booleans(), min_size=1, max_size=300),
    bits=st.sampled_from([16, 32]),
    chunk=st.sampled_from([4, 8, 64, 1 << 20]),
)
def test_fat_read_in_chunks_equals_entry_by_entry(used: list[bool], bits: int, chunk: int) -> None:
    image = _fat_image([0xFFFFFFF8 % (1 << bits), 0xFFFF] + [7 if u else 0 for u in used], bits)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(allocation, "CHUNK", chunk)
        extents = fat_unallocated(_reader(image), 0, bits)
    assert extents is not None
    fat_sectors = (len(used) + 2) * bits // 8 // 512 + (((len(used) + 2) * bits // 8) % 512 > 0)
    data = (1 + fat_sectors) * 512
    free = {n for n, is_used in enumerate(used) if not is_used} | {len(used) + t for t in range(3)}
    assert _units(extents, data, 512) == free


def test_fat_entry_width_given_by_tsk_overrides_the_cluster_count_rule() -> None:
    """A FAT32 with fewer than 65525 clusters (TSK opens it as FAT32 explicitly)."""
    image = _fat_image([0x0FFFFFF8, 0x0FFFFFFF, 0x0FFFFFFF, 0, 0, 0x0FFFFFFF], 32, tail=0)
    data = 2 * 512
    assert fat_unallocated(_reader(image), 0, 32) == [(data + 512, 1024)]
    assert fat_unallocated(_reader(image), 0) != [(data + 512, 1024)]  # read as FAT12


def test_fat_shorter_than_its_cluster_count_reads_as_none() -> None:
    image = _fat_image([0xFFF8, 0xFFFF] + [0] * 100, 16)
    assert fat_unallocated(_reader(image[:600]), 0, 16) is None


def _exfat_image(bitmap: bytes, clusters: int, tail_sectors: int) -> tuple[bytes, bytes]:
    heap = 16
    length = heap + clusters * 2 + tail_sectors
    boot = bytearray(512)
    boot[3:11] = b"EXFAT   "
    struct.pack_into("<QIIII", boot, 72, length, 4, 1, heap, clusters)
    boot[108], boot[109] = 9, 1  # 512-byte sectors, 2 sectors per cluster
    boot[510:512] = b"\x55\xaa"
    return bytes(boot) + bytes(length * 512 - 512), bitmap


def test_exfat_bit_n_is_cluster_n_plus_2_and_sectors_after_the_heap_are_free() -> None:
    image, bitmap = _exfat_image(b"\x0b", 6, tail_sectors=3)  # clusters 2, 3, 5 used
    extents = exfat_unallocated(_reader(image), 0, _reader(bitmap))
    heap = 16 * 512
    assert extents == [(heap + 2 * 1024, 1024), (heap + 4 * 1024, 2 * 1024 + 3 * 512)]


def test_exfat_bad_boot_sector_or_short_bitmap_reads_as_none() -> None:
    image, bitmap = _exfat_image(b"\x0b", 6, tail_sectors=0)
    assert exfat_unallocated(_reader(image), 0, _reader(b"")) is None
    assert exfat_unallocated(_reader(b"\x00" * 512 + image[512:]), 0, _reader(bitmap)) is None
    bad_shift = bytearray(image)
    bad_shift[109] = 30
    assert exfat_unallocated(_reader(bytes(bad_shift)), 0, _reader(bitmap)) is None
