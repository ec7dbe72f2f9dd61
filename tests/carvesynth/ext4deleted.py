"""An ext4 partition whose evidence files were deleted: names gone, data blocks left intact.

``mkfs.ext4 -d`` populates a small file system (4 KiB blocks, no journal, fixed UUID and
hash seed, files in name order so each lies in contiguous blocks) with the payloads and
some decoys; then ``debugfs -w rm`` deletes the payloads. debugfs frees their inodes and
blocks in the bitmaps without zeroing the blocks, which is what a carver needs. Then, as
the kernel empties a deleted inode's extent tree, ``clri`` zeroes every deleted payload's
inode but one (``KEEP_INODE``): TSK lists their names with no content, and only carving
gets their bytes back. One decoy,
``/backup/leads_copy.xlsx``, is byte-identical to the deleted lead list, so a carver should
mark that carved file as a duplicate of an allocated one.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from tests.carvesynth import payloads, texts, tools
from tests.carvesynth.payloads import Payload
from tests.carvesynth.truth import (
    AllocatedFile,
    CarveImage,
    Extents,
    Planted,
    check_isolated,
    intersects,
    merge_runs,
    occurrences,
    planted,
    sha256,
)

if TYPE_CHECKING:
    from pathlib import Path

BLOCK = 4096
SIZE = "8M"
UUID = "8c4a1f2e-6b3d-4e5a-9f10-2b3c4d5e6f70"
HASH_SEED = "1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b"
DUPLICATE = ("leads_march.xlsx", "backup/leads_copy.xlsx")
"""(deleted payload, allocated file with the same bytes)."""


def decoys() -> list[Payload]:
    """The files left allocated (paths relative to the root)."""
    return [
        Payload("holiday.jpg", payloads.jpeg_photo(7), "jpeg", "jpg"),
        Payload("manual.pdf", payloads.decoy_pdf(), "pdf", "pdf"),
        Payload("notes.txt", texts.decoy_note(2), "text-utf8", "txt"),
        Payload(DUPLICATE[1], payloads.leads_xlsx(), "zip", "xlsx"),
    ]


def _mkfs(image: Path, source: Path) -> None:
    tools.run(
        [
            *("mkfs.ext4", "-q", "-F", "-b", str(BLOCK), "-O", "^has_journal,^flex_bg", "-m", "0"),
            *("-U", UUID, "-E", f"hash_seed={HASH_SEED},root_owner=0:0", "-L", "evidence"),
            *("-d", str(source), str(image), SIZE),
        ]
    )


def file_extents(image: Path, name: str) -> Extents:
    """Byte extents of ``/name``'s data blocks, from ``debugfs blocks``."""
    output = tools.run(["debugfs", "-R", f"blocks /{name}", str(image)])
    return merge_runs([int(word) * BLOCK for word in output.split()], BLOCK)


def _contiguous(image: Path, data: bytes, item: Payload) -> int:
    extents = file_extents(image, item.name)
    if len(extents) != 1:
        raise AssertionError(f"{item.name}: {len(extents)} extents, expected one")
    offset = extents[0][0]
    if data[offset : offset + len(item.data)] != item.data:
        raise AssertionError(f"{item.name}: bytes differ at {offset:#x}")
    return offset


def _truth(data: bytes, before: list[Planted], allocated: list[AllocatedFile]) -> list[Planted]:
    copies = {item.sha256: item.path for item in allocated}
    records = []
    for record in before:
        if sha256(data[record.offset : record.end]) != record.sha256:
            raise AssertionError(f"{record.name}: not intact after deletion")
        records.append(dataclasses.replace(record, duplicate_of_path=copies.get(record.sha256)))
    return records


def _allocated(image: Path) -> list[AllocatedFile]:
    return [
        AllocatedFile(
            f"/{item.name}", sha256(item.data), len(item.data), file_extents(image, item.name)
        )
        for item in decoys()
    ]


def _check(data: bytes, image: CarveImage, evidence: list[Payload]) -> None:
    spans = [item.extents for item in image.allocated]
    for record, item in zip(image.planted, evidence, strict=True):
        if record.kind.startswith("text"):
            check_isolated(data, record)
        if any(intersects(extents, record.offset, record.length) for extents in spans):
            raise AssertionError(f"{record.name} overlaps an allocated file")
        found = occurrences(data, item.data)
        inside = [at for at in found if any(intersects(e, at, 1) for e in spans)]
        if len(found) - len(inside) != 1:
            raise AssertionError(f"{record.name}: {len(found)} copies, {len(inside)} allocated")


KEEP_INODE = "leads_march.xlsx"
"""The one deleted payload whose inode is left as ``rm`` left it (TSK still reads it)."""


def _inode(image: Path, name: str) -> int:
    """The inode number of ``/name``."""
    match = re.search(r"Inode:\s*(\d+)", tools.run(["debugfs", "-R", f"stat /{name}", str(image)]))
    if match is None:
        raise AssertionError(f"debugfs stat /{name}: no inode number")
    return int(match[1])


def build_ext4_deleted(folder: Path) -> CarveImage:
    """Build ``folder/ext4_deleted.img`` (8 MiB ext4) and its truth.

    Raises:
        tools.ToolError: when mkfs.ext4 or debugfs is missing or fails.
        AssertionError: when the layout is not the one the truth describes.
    """
    path, source = folder / "ext4_deleted.img", folder / "ext4_deleted-files"
    evidence = payloads.evidence()
    for item in [*evidence, *decoys()]:
        tools.stage(source, item.name, item.data)
    _mkfs(path, source)
    data = path.read_bytes()
    before = [planted(item, _contiguous(path, data, item)) for item in evidence]
    allocated = _allocated(path)
    inodes = {item.name: _inode(path, item.name) for item in evidence}
    script = folder / "ext4_deleted-rm.txt"
    script.write_text(
        "".join(f"rm /{item.name}\n" for item in evidence)
        + "".join(f"clri <{inodes[name]}>\n" for name in sorted(inodes) if name != KEEP_INODE)
    )
    tools.run(["debugfs", "-w", "-f", str(script), str(path)])
    data = path.read_bytes()
    image = CarveImage(path, _truth(data, before, allocated), allocated, fs_type="ext4")
    _check(data, image, evidence)
    return image
