"""The file-system tools the image builders drive, run with a fixed clock and no user config.

dosfstools (``mkfs.fat``), mtools (``mcopy``) and e2fsprogs (``mkfs.ext4``, ``debugfs``)
make the file systems; ``missing`` names the ones not installed so a fixture can skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

FAT_TOOLS = ("mkfs.fat", "mcopy")
EXT4_TOOLS = ("mkfs.ext4", "debugfs")
FIXED_EPOCH = 1709287200
"""2024-03-01 10:00:00 UTC: every timestamp the tools let us choose."""


class ToolError(RuntimeError):
    """A file-system tool is missing or failed."""


def missing(tools: Iterable[str]) -> list[str]:
    """The names in ``tools`` that are not on ``PATH``."""
    return [tool for tool in tools if shutil.which(tool) is None]


def run(command: Sequence[str]) -> str:
    """Run ``command`` with the fixed environment; return its stdout, raise on failure."""
    if missing(command[:1]):
        raise ToolError(f"{command[0]} is not installed")
    env = {
        **os.environ,
        "MTOOLS_SKIP_CHECK": "1",
        "MTOOLSRC": os.devnull,
        "E2FSPROGS_FAKE_TIME": str(FIXED_EPOCH),
        "SOURCE_DATE_EPOCH": str(FIXED_EPOCH),
        "TZ": "UTC",
    }
    result = subprocess.run(
        list(command), capture_output=True, text=True, env=env, timeout=60, check=False
    )
    if result.returncode != 0:
        raise ToolError(f"{' '.join(command)} failed: {result.stderr.strip()}")
    return result.stdout


def stage(folder: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to ``folder/name`` dated ``FIXED_EPOCH`` (mcopy -m and mkfs -d copy it)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (FIXED_EPOCH, FIXED_EPOCH))
    return path


def mkfs_fat(image: Path, size_kib: int, sectors_per_cluster: int, *, create: bool) -> None:
    """Make a FAT16 file system on ``image`` (``create`` makes the file; else reformat it)."""
    command = ["mkfs.fat", "-F", "16", "-s", str(sectors_per_cluster), "--invariant"]
    command += ["-n", "EVIDENCE"]
    run([*command, "-C", str(image), str(size_kib)] if create else [*command, str(image)])


def mcopy(image: Path, sources: Iterable[Path], offset: int = 0) -> None:
    """Copy ``sources`` one by one into the root of the FAT file system in ``image``."""
    target = f"{image}@@{offset}" if offset else str(image)
    for source in sources:
        run(["mcopy", "-m", "-i", target, str(source), f"::/{source.name}"])
