"""Unallocated space from FAT and ext allocation maps equals The Sleuth Kit's ``blkls -A``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.filesystems.allocation import ext_unallocated, fat_unallocated
from tests.conftest import SAMPLE_IMAGES

CASES = [
    ("disk.raw", 2048, fat_unallocated, 512),
    ("disk.raw", 8192, ext_unallocated, None),
    ("usb_fat.img", 0, fat_unallocated, 512),
]


def _units(extents: list[tuple[int, int]], offset: int, unit: int) -> set[int]:
    return {
        number
        for start, length in extents
        for number in range((start - offset) // unit, (start - offset + length) // unit)
    }


@pytest.mark.skipif(shutil.which("blkls") is None, reason="needs The Sleuth Kit's blkls")
@pytest.mark.parametrize(
    ("image", "sector", "reader", "unit"), CASES, ids=["fat16", "ext4", "fat12"]
)
def test_free_space_equals_blkls(image: str, sector: int, reader: object, unit: int | None) -> None:
    path = SAMPLE_IMAGES / image
    data = path.read_bytes()
    offset = sector * 512
    extents = reader(lambda at, size: data[at : at + size], offset)  # type: ignore[operator]
    assert extents is not None
    if unit is None:
        unit = 1024 << int.from_bytes(data[offset + 1024 + 0x18 : offset + 1024 + 0x1C], "little")
    listing = subprocess.run(
        ["blkls", "-l", "-A", "-o", str(sector), str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    tsk = {int(line.split("|")[0]) for line in listing.splitlines() if line[:1].isdigit()}
    assert _units(extents, offset, unit) == tsk


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_mutated_boot_sectors_and_superblocks_never_raise(data: st.DataObject) -> None:
    image = bytearray((SAMPLE_IMAGES / "disk.raw").read_bytes()[: 8 << 20])
    for _ in range(data.draw(st.integers(1, 12))):
        at = data.draw(st.sampled_from([2048 * 512, 8192 * 512 + 1024])) + data.draw(
            st.integers(0, 0x160)
        )
        image[at] = data.draw(st.integers(0, 255))
    for sector, reader in ((2048, fat_unallocated), (8192, ext_unallocated)):
        extents = reader(lambda at, size: bytes(image[at : at + size]), sector * 512)
        for start, length in extents or []:
            assert length > 0 and start >= 0


def test_not_a_fat_or_ext_file_system_reads_as_none(tmp_path: Path) -> None:
    zeros = bytes(1 << 16)
    assert fat_unallocated(lambda at, size: zeros[at : at + size], 0) is None
    assert ext_unallocated(lambda at, size: zeros[at : at + size], 0) is None
