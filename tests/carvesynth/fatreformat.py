"""A reformatted FAT16 USB stick: the evidence survives only in the data area's bytes.

The payloads are copied one by one onto an empty file system (so each lies in contiguous
clusters), then ``mkfs.fat`` runs again over the same file with the same geometry. That
rewrites the boot sector, both FATs and the root directory and leaves the data area as it
was, so every directory entry and cluster chain is gone. Three new decoys are copied
afterwards; they take the first clusters, where a larger old invoice was planted first on
purpose, so it is the only payload overwritten (listed in ``overwritten``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.carvesynth import payloads, texts, tools
from tests.carvesynth.payloads import Payload
from tests.carvesynth.truth import (
    AllocatedFile,
    CarveImage,
    Planted,
    check_isolated,
    intersects,
    locate_unique,
    planted,
    sha256,
)

if TYPE_CHECKING:
    from pathlib import Path

SIZE_KIB = 8192
SECTORS_PER_CLUSTER = 2
CLUSTER = 512 * SECTORS_PER_CLUSTER


def sacrificial() -> Payload:
    """The payload planted first, whose head the decoys overwrite."""
    return Payload("old_invoice.pdf", payloads.old_invoice_pdf(), "pdf", "pdf")


def decoys() -> list[Payload]:
    """The files copied after the reformat: allocated, never to be carved."""
    return [
        Payload("IMG_0001.JPG", payloads.jpeg_photo(5), "jpeg", "jpg"),
        Payload("notes.txt", texts.decoy_note(1), "text-utf8", "txt"),
        Payload("manual.pdf", payloads.decoy_pdf(), "pdf", "pdf"),
    ]


def fat_with_files(image: Path, files: list[Payload], *, size_kib: int, spc: int) -> None:
    """Make a new FAT16 ``image`` of ``size_kib`` KiB and copy ``files`` in order."""
    staging = image.parent / f"{image.stem}-files"
    tools.mkfs_fat(image, size_kib, spc, create=True)
    tools.mcopy(image, [tools.stage(staging, item.name, item.data) for item in files])


def allocated_records(data: bytes, files: list[Payload], cluster: int) -> list[AllocatedFile]:
    """Truth of files copied onto a fresh FAT: each found once, in whole clusters."""
    records = []
    for item in files:
        offset = locate_unique(data, item)
        clusters = -(-len(item.data) // cluster)
        extents = ((offset, clusters * cluster),)
        records.append(AllocatedFile(f"/{item.name}", sha256(item.data), len(item.data), extents))
    return records


def _split(
    data: bytes, before: list[Planted], items: list[Payload]
) -> tuple[list[Planted], list[Planted]]:
    intact: list[Planted] = []
    overwritten: list[Planted] = []
    for record, item in zip(before, items, strict=True):
        if data[record.offset : record.end] == item.data:
            locate_unique(data, item)
            intact.append(record)
        else:
            overwritten.append(record)
    return intact, overwritten


def _check(data: bytes, image: CarveImage) -> None:
    for item in image.planted:
        if item.kind.startswith("text"):
            check_isolated(data, item)
        for other in image.allocated:
            if intersects(other.extents, item.offset, item.length):
                raise AssertionError(f"{item.name} overlaps allocated {other.path}")


def build_fat_reformatted(folder: Path) -> CarveImage:
    """Build ``folder/fat_reformatted.img`` (8 MiB FAT16, 1 KiB clusters) and its truth.

    Raises:
        tools.ToolError: when mkfs.fat or mcopy is missing or fails.
        AssertionError: when the layout is not the one the truth describes.
    """
    path = folder / "fat_reformatted.img"
    items = [sacrificial(), *payloads.evidence()]
    fat_with_files(path, items, size_kib=SIZE_KIB, spc=SECTORS_PER_CLUSTER)
    before = [planted(item, locate_unique(path.read_bytes(), item)) for item in items]
    tools.mkfs_fat(path, SIZE_KIB, SECTORS_PER_CLUSTER, create=False)
    staging = folder / "fat_reformatted-decoys"
    tools.mcopy(path, [tools.stage(staging, item.name, item.data) for item in decoys()])
    data = path.read_bytes()
    intact, overwritten = _split(data, before, items)
    allocated = allocated_records(data, decoys(), CLUSTER)
    image = CarveImage(path, intact, allocated, overwritten, fs_offset=0, fs_type="fat16")
    _check(data, image)
    return image
