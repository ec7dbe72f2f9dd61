"""Shared helpers for the benchmark scripts: paths, measured child runs, the file walk, tables.

Not a benchmark itself. Every script in ``bench/`` is run as ``python bench/NAME.py``, which
puts this folder first on ``sys.path``, so ``import benchlib`` works without packaging.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
IMAGES = BENCH / "images"
OUT = BENCH / "out"
MIB = 1 << 20
CHUNK = 1 << 20
"""Bytes per content read, as evcat's ``Limits.chunk_size``."""
HEAD = 64 * 1024
"""Bytes of each file given to libmagic, as evcat's ``Limits.head_size``."""


@dataclass(slots=True)
class Measured:
    """One child process run: wall clock, CPU and its own peak resident set size."""

    cmd: list[str]
    wall_s: float
    user_s: float
    sys_s: float
    max_rss_mib: float
    returncode: int
    stdout: str = ""
    stderr_tail: str = ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (stdout dropped: it can be large)."""
        data = asdict(self)
        data.pop("stdout")
        return data


def run_measured(cmd: Sequence[str | Path], *, capture_stdout: bool = False,
                 cwd: Path | None = None, env: dict[str, str] | None = None) -> Measured:
    """Run ``cmd`` and measure it with ``wait4``.

    ``wait4`` gives the rusage of that one child (its own peak RSS, and the largest peak of
    any descendant it waited for), unlike ``RUSAGE_CHILDREN``, which keeps the largest peak
    of every child this process ever had.
    """
    args = [str(part) for part in cmd]
    stdout_path = OUT / f".stdout.{os.getpid()}"
    stderr_path = OUT / f".stderr.{os.getpid()}"
    OUT.mkdir(parents=True, exist_ok=True)
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            args, stdout=out if capture_stdout else subprocess.DEVNULL, stderr=err,
            cwd=cwd, env=env,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    stdout = stdout_path.read_text(errors="replace") if capture_stdout else ""
    stderr = stderr_path.read_text(errors="replace")
    stdout_path.unlink()
    stderr_path.unlink()
    return Measured(
        cmd=args,
        wall_s=round(wall, 3),
        user_s=round(usage.ru_utime, 3),
        sys_s=round(usage.ru_stime, 3),
        max_rss_mib=round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        returncode=proc.returncode,
        stdout=stdout,
        stderr_tail="\n".join(stderr.strip().splitlines()[-5:]),
    )


def evcat_command() -> list[str]:
    """The installed ``evcat`` console script, or the CLI module through this interpreter."""
    found = shutil.which("evcat")
    if found:
        return [found]
    return [sys.executable, "-c", "from catalog.cli import main; main()"]


def warm_page_cache(path: Path) -> float:
    """Read ``path`` once so that every measured run finds it in the page cache; seconds."""
    started = time.perf_counter()
    with path.open("rb", buffering=0) as handle:
        while handle.read(8 * MIB):
            pass
    return time.perf_counter() - started


def image_path(name: str) -> Path:
    """``bench/images/NAME``, or exit telling how to build it."""
    path = IMAGES / name
    if not path.is_file():
        sys.exit(f"{path} is missing: run python bench/make_images.py first")
    return path


def walk_regular_files(fs: Any) -> Iterator[tuple[Any, int, int]]:
    """Yield ``(pytsk3.File, inode, size)`` for every allocated regular file, depth first.

    ``fs`` is a ``pytsk3.FS_Info``. Virtual entries (``$OrphanFiles``) are skipped, and a
    directory is never entered twice.
    """
    import pytsk3

    reg = pytsk3.TSK_FS_META_TYPE_REG
    dirs = pytsk3.TSK_FS_META_TYPE_DIR
    alloc = pytsk3.TSK_FS_NAME_FLAG_ALLOC
    root = int(fs.info.root_inum)
    seen = {root}
    stack = [fs.open_dir(inode=root)]
    while stack:
        directory = stack.pop()
        for tsk_file in directory:
            info = tsk_file.info
            name = info.name.name
            if name in (b".", b"..") or info.meta is None:
                continue
            if not int(info.name.flags) & alloc:
                continue
            meta_type = info.meta.type
            inode = int(info.meta.addr)
            if meta_type == reg:
                yield tsk_file, inode, int(info.meta.size)
            elif meta_type == dirs and inode not in seen:
                seen.add(inode)
                stack.append(tsk_file.as_directory())


@dataclass(frozen=True, slots=True)
class ImageStats:
    """What every tool has to get through: allocated regular files and their bytes."""

    files: int
    bytes: int


def image_stats(image: Path) -> ImageStats:
    """Count allocated regular files and bytes with pytsk3 (cached in ``bench/out``)."""
    import pytsk3

    cache = OUT / f"{image.name}.stats.json"
    stamp = image.stat().st_mtime_ns
    if cache.is_file():
        data = json.loads(cache.read_text())
        if data.get("mtime_ns") == stamp:
            return ImageStats(data["files"], data["bytes"])
    fs = pytsk3.FS_Info(pytsk3.Img_Info(str(image)))
    files = total = 0
    for _, _, size in walk_regular_files(fs):
        files += 1
        total += size
    OUT.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"files": files, "bytes": total, "mtime_ns": stamp}))
    return ImageStats(files, total)


def machine() -> dict[str, Any]:
    """CPU model, core count, memory and versions, for the results files."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        mem_kib = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "mem_gib": round(mem_kib / MIB, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_json(name: str, data: Any) -> Path:
    """Write ``bench/out/NAME`` (indented, sorted keys) and return its path."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return path
