"""``TskFileSystem.unallocated_extents`` equals ``blkls -A`` and survives hostile bytes."""

from __future__ import annotations

import itertools
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import pytsk3

import parsers
from parsers.evidence import open_evidence
from parsers.filesystems.tsk import TskFileSystem, open_tsk_file_system
from parsers.tskimage import TskImage
from tests.conftest import CORPUS, SAMPLE_IMAGES, needs_corpus

needs_blkls = pytest.mark.skipif(shutil.which("blkls") is None, reason="needs TSK's blkls")


class _BytesImage(pytsk3.Img_Info):  # type: ignore[misc]
    """An image held in memory."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

    def read(self, offset: int, size: int) -> bytes:
        return self._data[offset : offset + size]

    def get_size(self) -> int:
        return len(self._data)

    def close(self) -> None:
        """Nothing to release."""


def _open(image: pytsk3.Img_Info, offset: int) -> TskFileSystem | None:
    opened = open_tsk_file_system(image, offset)
    return None if opened is None else TskFileSystem(opened[0], offset, opened[1], image=image)


def _open_path(path: Path, offset: int) -> TskFileSystem:
    fs = _open(TskImage(open_evidence(path, parsers.SOURCES.all())), offset)
    assert fs is not None
    return fs


def _blocks(fs: TskFileSystem, extents: list[tuple[int, int]]) -> set[int]:
    offset, unit = fs.record.offset, fs.record.block_size
    assert all((start - offset) % unit == 0 and length % unit == 0 for start, length in extents)
    return {
        n
        for start, length in extents
        for n in range((start - offset) // unit, (start - offset + length) // unit)
    }


def _blkls(path: Path, offset: int, fs_type: str) -> set[int]:
    command = ["blkls", "-A", "-l", "-o", str(offset // 512)]
    if fs_type == "FAT32":
        command += ["-f", "fat32"]  # fat32_small.raw is not autodetected
    listing = subprocess.run([*command, str(path)], capture_output=True, text=True, check=True)
    return {int(line.split("|")[0]) for line in listing.stdout.splitlines() if line[:1].isdigit()}


def _assert_valid(fs: TskFileSystem, extents: list[tuple[int, int]] | None) -> None:
    """None, or sorted disjoint extents inside the file system's byte range."""
    if extents is None:
        return
    start = fs.record.offset
    end = start + fs.record.block_size * fs.record.block_count
    assert all(length > 0 and start <= at and at + length <= end for at, length in extents)
    assert all(a + b < c for (a, b), (c, _) in itertools.pairwise(extents))


def _check_against_blkls(path: Path, offset: int, fs_type: str) -> None:
    fs = _open_path(path, offset)
    assert fs.fs_type == fs_type
    extents = fs.unallocated_extents()
    assert extents is not None
    _assert_valid(fs, extents)
    assert _blocks(fs, extents) == _blkls(path, offset, fs_type)


SAMPLES = [("disk.raw", 2048, "FAT16"), ("disk.raw", 8192, "Ext4"), ("usb_fat.img", 0, "FAT12")]


@needs_blkls
@pytest.mark.parametrize(("image", "sector", "fs_type"), SAMPLES, ids=["fat16", "ext4", "fat12"])
def test_sample_images_equal_blkls(image: str, sector: int, fs_type: str) -> None:
    _check_against_blkls(SAMPLE_IMAGES / image, sector * 512, fs_type)


CORPUS_CASES = [
    ("ntfs.bin", 0, "NTFS"),
    ("imageformat_mmls_1.E01", 128, "NTFS"),
    ("imageformat_mmls_1.E01", 55424, "NTFS"),
    ("ntfs1-gen0.aff", 0, "NTFS"),
    ("exfat.bin", 0, "exFAT"),
    ("exfat_win.raw", 0, "exFAT"),
    ("hfsplus.raw", 0, "HFS+"),
    ("fat12.img", 0, "FAT12"),
    ("fat16.img", 0, "FAT16"),
    ("fat32_small.raw", 0, "FAT32"),
    ("nps-2010-emails.E01", 1, "FAT16"),
    ("ext4.bin", 0, "Ext4"),
    ("ext2.E01", 0, "Ext2"),
    ("image.dd", 0, "Ext2"),
    ("mbr.raw", 352, "Ext2"),
]


@pytest.mark.slow
@needs_corpus
@needs_blkls
@pytest.mark.parametrize(
    ("image", "sector", "fs_type"),
    CORPUS_CASES,
    ids=[f"{image}@{sector}" for image, sector, _ in CORPUS_CASES],
)
def test_corpus_images_equal_blkls(image: str, sector: int, fs_type: str) -> None:
    _check_against_blkls(CORPUS / image, sector * 512, fs_type)


@pytest.mark.slow
@needs_corpus
def test_a_file_system_type_without_an_allocation_reader_gives_none() -> None:
    fs = _open_path(CORPUS / "iso9660.raw", 0)
    assert fs.fs_type == "ISO9660"
    assert fs.unallocated_extents() is None


@needs_blkls
@pytest.mark.skipif(shutil.which("mkfs.ext4") is None, reason="needs mkfs.ext4")
def test_ext4_uninitialised_groups_are_read_from_their_bitmaps_as_tsk_does(tmp_path: Path) -> None:
    path = tmp_path / "uninit.img"
    with path.open("wb") as handle:
        handle.truncate(40 << 20)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-b", "1024", str(path)], check=True)
    layout = subprocess.run(["dumpe2fs", str(path)], capture_output=True, text=True).stdout
    found = re.search(r"BLOCK_UNINIT.*?\n.*?Block bitmap at (\d+)", layout, re.S)
    assert found is not None  # a group whose bitmap the kernel would not trust
    with path.open("r+b") as handle:  # mark some blocks of that group in its bitmap anyway
        handle.seek(int(found.group(1)) * 1024 + 100)
        handle.write(b"\xff" * 8)
    _check_against_blkls(path, 0, "Ext4")


def _corrupt_cases() -> list[tuple[str, int]]:
    cases = [("disk.raw", 2048), ("disk.raw", 8192), ("usb_fat.img", 0)]
    if CORPUS.is_dir():
        cases += [("ntfs.bin", 0), ("exfat_win.raw", 0), ("hfsplus.raw", 0), ("ext4.bin", 0)]
    return cases


def _image_bytes(name: str) -> bytes:
    path = SAMPLE_IMAGES / name if (SAMPLE_IMAGES / name).exists() else CORPUS / name
    source = open_evidence(path, parsers.SOURCES.all())
    return source.read(0, source.info.media_size)


def _map_ranges(fs: TskFileSystem) -> list[tuple[int, int]]:
    """Where the allocation map lies: the bitmap file, else the file system's first 256 KiB."""
    if fs.fs_type in ("NTFS", "HFS+", "exFAT"):
        name = "/$ALLOC_BITMAP" if fs.fs_type == "exFAT" else None
        meta = fs.handle.open(name).info.meta if name else fs.handle.open_meta(inode=6).info.meta
        extents = fs.data_extents(int(meta.addr), int(meta.size))
        assert extents
        return extents
    return [(fs.record.offset, 256 << 10)]


@pytest.mark.parametrize(("image", "sector"), _corrupt_cases(), ids=lambda value: str(value))
def test_garbage_or_truncated_maps_give_none_or_extents_inside_the_file_system(
    image: str, sector: int
) -> None:
    data = _image_bytes(image)
    intact = _open(_BytesImage(data), sector * 512)
    assert intact is not None
    targets = _map_ranges(intact)
    generator = random.Random(f"{image}@{sector}")
    for round_number in range(12):
        mutated = bytearray(data)
        at, length = generator.choice(targets)
        if round_number % 3 == 0:
            del mutated[at + generator.randrange(length) :]
        else:
            for _ in range(generator.choice([4, 64, length])):
                mutated[at + generator.randrange(length)] = generator.randrange(256)
        fs = _open(_BytesImage(bytes(mutated)), sector * 512)
        if fs is not None:
            _assert_valid(fs, fs.unallocated_extents())


@pytest.mark.slow
@needs_corpus
@pytest.mark.parametrize("image", ["ntfs.bin", "hfsplus.raw", "exfat_win.raw"])
def test_a_random_bitmap_file_is_read_bit_for_bit(image: str) -> None:
    data = bytearray(_image_bytes(image))
    intact = _open(_BytesImage(bytes(data)), 0)
    assert intact is not None
    generator = random.Random(image)
    garbage = bytearray()
    for at, length in _map_ranges(intact):
        data[at : at + length] = generator.randbytes(length)
        garbage += data[at : at + length]
    fs = _open(_BytesImage(bytes(data)), 0)
    assert fs is not None
    extents = fs.unallocated_extents()
    assert extents is not None
    if image == "exfat_win.raw":  # bit n is cluster n + 2; clusters are single sectors here
        heap, clusters = 256, 12032
        expected = {heap + n for n in range(clusters) if not garbage[n >> 3] >> (n & 7) & 1}
        assert _blocks(fs, extents) == expected
        return
    msb = image == "hfsplus.raw"
    expected = {
        n
        for n in range(fs.record.block_count)
        if not garbage[n >> 3] >> (7 - (n & 7) if msb else n & 7) & 1
    }
    assert _blocks(fs, extents) == expected
