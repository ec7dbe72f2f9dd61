"""What The Sleuth Kit sees on a built image: an independent check of the builders' truth.

``fls`` lists the names a file system still has (allocated or marked deleted), and
``istat`` the data units of one of them; ``allocated_extents`` turns that into absolute
byte extents so a test can check that no planted payload lies in allocated space.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tests.carvesynth.truth import Extents, merge_runs

if TYPE_CHECKING:
    from tests.carvesynth.truth import CarveImage

TSK_TOOLS = ("fls", "istat", "fsstat", "mmls")
SECTOR = 512
_FLS_LINE = re.compile(
    r"^(?P<type>\S+)\s+(?P<deleted>\*\s+)?(?P<inode>[\d\-]+)(?:\(realloc\))?:\t(?P<path>.*)$"
)
_UNITS_HEADING = re.compile(r"^(?:Sectors|Direct Blocks):\s*$")


@dataclass(frozen=True)
class FlsEntry:
    """One line of ``fls -r -p``."""

    type: str
    is_allocated: bool
    inode: str
    path: str


def available() -> bool:
    """True when the sleuthkit tools the tests use are installed."""
    return all(shutil.which(tool) for tool in TSK_TOOLS)


def _run(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout


def _where(image: CarveImage) -> list[str]:
    return ["-f", image.fs_type, "-o", str(image.fs_offset // SECTOR), str(image.path)]


def fls(image: CarveImage) -> list[FlsEntry]:
    """The names ``fls -r -p`` lists on ``image``'s file system (virtual ``$`` ones too)."""
    entries = []
    for line in _run(["fls", "-r", "-p", *_where(image)]).splitlines():
        match = _FLS_LINE.match(line)
        if match is None:
            raise AssertionError(f"unexpected fls line: {line!r}")
        deleted = match["deleted"] is not None
        entries.append(FlsEntry(match["type"], not deleted, match["inode"], match["path"]))
    return entries


def unit_size(image: CarveImage) -> int:
    """Bytes per unit that ``istat`` lists: sectors on FAT, blocks elsewhere."""
    if image.fs_type.startswith("fat"):
        return SECTOR
    found = re.search(r"^Block Size:\s*(\d+)", _run(["fsstat", *_where(image)]), re.MULTILINE)
    if found is None:
        raise AssertionError("fsstat names no block size")
    return int(found[1])


def data_extents(image: CarveImage, inode: str, unit: int) -> Extents:
    """Absolute byte extents of the data units ``istat`` lists for ``inode``.

    On FAT, istat lists only the sectors the file's size covers, not its whole last cluster.
    """
    lines = _run(["istat", *_where(image)[:-1], str(image.path), inode]).splitlines()
    starts = [index for index, line in enumerate(lines) if _UNITS_HEADING.match(line)]
    numbers: list[int] = []
    for line in lines[starts[0] + 1 :] if starts else []:
        if not re.fullmatch(r"[\d ]+", line.strip()):
            break
        numbers += [int(word) for word in line.split()]
    units = sorted(number for number in numbers if number)  # 0: a hole or istat's padding
    return merge_runs([image.fs_offset + number * unit for number in units], unit)


def _is_virtual(path: str) -> bool:
    return path.startswith("$") or path.endswith("(Volume Label Entry)")


def allocated_extents(image: CarveImage) -> dict[str, Extents]:
    """Every allocated regular file's path (``/``-rooted) and its byte extents."""
    unit = unit_size(image)
    return {
        f"/{entry.path}": data_extents(image, entry.inode, unit)
        for entry in fls(image)
        if entry.is_allocated and entry.type == "r/r" and not _is_virtual(entry.path)
    }


def unallocated_partition_gaps(image: CarveImage) -> Extents:
    """Byte extents ``mmls`` lists as unallocated (outside every partition)."""
    extents = []
    for line in _run(["mmls", str(image.path)]).splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[1] == "-------" and fields[-1] == "Unallocated":
            start, length = int(fields[2]), int(fields[4])
            extents.append((start * SECTOR, length * SECTOR))
    return tuple(extents)
