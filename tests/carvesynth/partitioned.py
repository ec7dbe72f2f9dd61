"""An MBR disk with one FAT16 partition and evidence hidden in the gap after it.

Space no partition covers is read by no file system, so only a carver that walks the
disk's unpartitioned gaps finds the PNG and the call script planted there. The partition
table is written here with ``struct``; the partition is a fresh ``mkfs.fat`` image with two
allocated decoys, copied in at 1 MiB.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from tests.carvesynth import payloads, texts
from tests.carvesynth.fatreformat import allocated_records, fat_with_files
from tests.carvesynth.payloads import Payload
from tests.carvesynth.truth import GAP, CarveImage, check_isolated, locate_unique, planted

if TYPE_CHECKING:
    from pathlib import Path

SECTOR = 512
PART_START = 2048
PART_SECTORS = 8192
GAP_SECTORS = 512
DISK_SIGNATURE = 0x45564341
FAT16_TYPE = 0x06
GAP_SLOTS = (0x1000, 0x10000)
"""Where, from the start of the gap after the partition, the payloads are planted."""


def mbr(start: int, sectors: int, kind: int = FAT16_TYPE) -> bytes:
    """A master boot record with one partition of ``sectors`` sectors at LBA ``start``."""
    chs = b"\xfe\xff\xff"
    entry = b"\x00" + chs + bytes([kind]) + chs + struct.pack("<II", start, sectors)
    table = entry + bytes(16 * 3)
    return bytes(440) + struct.pack("<IH", DISK_SIGNATURE, 0) + table + b"\x55\xaa"


def gap_payloads() -> list[Payload]:
    """The payloads planted in the gap, in ``GAP_SLOTS`` order."""
    chosen = {"qr_wallet.png", "script_en.txt"}
    return [item for item in payloads.evidence() if item.name in chosen]


def decoys() -> list[Payload]:
    """The files allocated in the partition."""
    return [
        Payload("IMG_0002.JPG", payloads.jpeg_photo(9), "jpeg", "jpg"),
        Payload("notes.txt", texts.decoy_note(3), "text-utf8", "txt"),
    ]


def build_partitioned_gap(folder: Path) -> CarveImage:
    """Build ``folder/partitioned_gap.img`` (5.25 MiB, MBR + FAT16 + 256 KiB gap) and its truth.

    Raises:
        tools.ToolError: when mkfs.fat or mcopy is missing or fails.
        AssertionError: when the layout is not the one the truth describes.
    """
    partition = folder / "partitioned_gap-fat.img"
    fat_with_files(partition, decoys(), size_kib=PART_SECTORS * SECTOR // 1024, spc=1)
    disk = bytearray(SECTOR * (PART_START + PART_SECTORS + GAP_SECTORS))
    disk[:SECTOR] = mbr(PART_START, PART_SECTORS)
    fs_offset = PART_START * SECTOR
    disk[fs_offset : fs_offset + PART_SECTORS * SECTOR] = partition.read_bytes()
    gap = (PART_START + PART_SECTORS) * SECTOR
    for slot, item in zip(GAP_SLOTS, gap_payloads(), strict=True):
        disk[gap + slot : gap + slot + len(item.data)] = item.data
    data = bytes(disk)
    path = folder / "partitioned_gap.img"
    path.write_bytes(data)
    records = [planted(item, locate_unique(data, item), GAP) for item in gap_payloads()]
    for record in records:
        if record.kind.startswith("text"):
            check_isolated(data, record)
    allocated = allocated_records(data, decoys(), SECTOR)
    return CarveImage(path, records, allocated, fs_offset=fs_offset, fs_type="fat16")
