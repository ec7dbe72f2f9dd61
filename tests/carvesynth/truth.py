"""Ground truth of a carving test image: what was planted where, and what stays allocated.

Offsets are absolute byte offsets in the disk image. A ``Planted`` item is recoverable
(its exact bytes are at ``offset``); items whose bytes were partly overwritten by later
files are listed apart in ``CarveImage.overwritten`` with their original place.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from tests.carvesynth.payloads import Payload

Extents = tuple[tuple[int, int], ...]
UNALLOCATED, GAP = "unallocated", "gap"
"""``Planted.region`` values: a file system's unallocated space, or a disk's unpartitioned gap."""


@dataclass(frozen=True)
class Planted:
    """One planted payload whose directory entry is gone.

    Attributes:
        name: the file's name when it was planted.
        offset: absolute byte offset in the image.
        length: bytes.
        sha256: hex digest of the planted bytes.
        kind: ``parsers.carving.model`` kind (``jpeg``, ``zip``, ``text-shiftjis``...).
        extension: what a carver should name it (``jpg``, ``docx``, ``txt``, ``html``...).
        marker: for text, a string the carved text must contain; None otherwise.
        duplicate_of_path: path of an allocated file with the same bytes, if any.
        region: ``unallocated`` or ``gap``.
    """

    name: str
    offset: int
    length: int
    sha256: str
    kind: str
    extension: str
    marker: str | None = None
    duplicate_of_path: str | None = None
    region: str = UNALLOCATED

    @property
    def end(self) -> int:
        """The offset just past the payload."""
        return self.offset + self.length


@dataclass(frozen=True)
class AllocatedFile:
    """A file the file system still lists; nothing inside ``extents`` may be carved."""

    path: str
    sha256: str
    size: int
    extents: Extents


@dataclass
class CarveImage:
    """A built test image and its truth.

    Attributes:
        path: the raw image file.
        planted: recoverable payloads.
        allocated: files still allocated (decoys).
        overwritten: payloads partly overwritten by the decoys (original offset and bytes).
        fs_offset: byte offset of the file system in the image (0 unless partitioned).
        fs_type: the sleuthkit ``-f`` type of that file system (``fat16``, ``ext4``).
    """

    path: Path
    planted: list[Planted]
    allocated: list[AllocatedFile]
    overwritten: list[Planted] = field(default_factory=list)
    fs_offset: int = 0
    fs_type: str = ""

    def by_name(self) -> dict[str, Planted]:
        """The planted payloads (recoverable or not) by name."""
        return {item.name: item for item in [*self.planted, *self.overwritten]}


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def occurrences(image: bytes, needle: bytes, limit: int = 8) -> list[int]:
    """Offsets of up to ``limit`` occurrences of ``needle`` in ``image``."""
    found: list[int] = []
    start = 0
    while len(found) < limit:
        at = image.find(needle, start)
        if at < 0:
            break
        found.append(at)
        start = at + 1
    return found


def locate_unique(image: bytes, payload: Payload) -> int:
    """The one offset where ``payload`` lies in ``image``; raise if absent or repeated."""
    found = occurrences(image, payload.data, 2)
    if len(found) != 1:
        raise AssertionError(f"{payload.name}: found {len(found)} times, expected once")
    return found[0]


def planted(payload: Payload, offset: int, region: str = UNALLOCATED) -> Planted:
    """The truth record of ``payload`` planted at ``offset``."""
    return Planted(
        name=payload.name,
        offset=offset,
        length=len(payload.data),
        sha256=sha256(payload.data),
        kind=payload.kind,
        extension=payload.extension,
        marker=payload.marker,
        region=region,
    )


def check_isolated(image: bytes, item: Planted) -> None:
    """Raise unless a text payload has two NUL bytes on each side (so runs cannot merge)."""
    before = image[max(item.offset - 2, 0) : item.offset]
    after = image[item.end : item.end + 2]
    if before.strip(b"\x00") or after.strip(b"\x00"):
        raise AssertionError(f"{item.name}: text touches other bytes at {item.offset:#x}")


def intersects(extents: Extents, offset: int, length: int) -> bool:
    """True when ``[offset, offset + length)`` overlaps any of ``extents``."""
    return any(start < offset + length and offset < start + size for start, size in extents)


def merge_runs(starts: list[int], unit: int) -> Extents:
    """Byte extents of ``unit``-sized pieces at ``starts`` (ascending), touching ones joined."""
    merged: list[tuple[int, int]] = []
    for start in starts:
        if merged and merged[-1][0] + merged[-1][1] == start:
            merged[-1] = (merged[-1][0], merged[-1][1] + unit)
        else:
            merged.append((start, unit))
    return tuple(merged)
