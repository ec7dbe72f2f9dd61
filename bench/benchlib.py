"""Shared helpers for the benchmark scripts: paths, measured child runs, the file walk, tables.

Not a benchmark itself. Every script in ``bench/`` is run as ``python bench/NAME.py``, which
puts this folder first on ``sys.path``, so ``import benchlib`` works without packaging.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
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
    """One child process run: wall clock, CPU and memory of the child and its descendants.

    ``max_rss_mib`` is the largest resident set of any one process (``wait4``; it covers
    descendants only when they were reaped up the chain). ``tree_rss_mib`` and
    ``tree_pss_mib`` are the largest sums over the whole process tree seen by sampling
    ``/proc`` every 200 ms (PSS splits shared pages between the processes sharing them, so
    it is the honest total for a parent with worker processes). ``busy_cores`` is how many
    cores the whole machine kept busy on average during the run, ``foreign_cores`` the part
    of that which other processes (not this run's tree) used: a run with a large value was
    slowed down by something else on the machine. ``tree_cpu_s`` is the CPU time of the
    whole tree (sampled, so a worker that lives under 200 ms may be missed).
    """

    cmd: list[str]
    wall_s: float
    user_s: float
    sys_s: float
    max_rss_mib: float
    tree_rss_mib: float
    tree_pss_mib: float
    max_procs: int
    tree_cpu_s: float
    busy_cores: float
    foreign_cores: float
    returncode: int
    stdout: str = ""
    stderr_tail: str = ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (stdout dropped: it can be large)."""
        data = asdict(self)
        data.pop("stdout")
        return data


def _machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs since boot, from ``/proc/stat``."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])
    return total - idle, total


def _children_map() -> dict[int, list[int]]:
    """Parent pid -> child pids, for every process."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"{entry.path}/stat", "rb") as handle:  # noqa: PTH123 - hot loop
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split(None, 2)[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _proc_sample(pid: int) -> tuple[int, int, int] | None:
    """(rss KiB, pss KiB, cpu ticks) of one process, or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    rss = pss = 0
    for line in rollup.splitlines():
        if line.startswith("Rss:"):
            rss = int(line.split()[1])
        elif line.startswith("Pss:"):
            pss = int(line.split()[1])
    return rss, pss, int(stat[11]) + int(stat[12])


class TreeSampler(threading.Thread):
    """Samples the memory and CPU of a process and all its descendants until stopped."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(name="tree-sampler", daemon=True)
        self._root = pid
        self._interval = interval
        self._stop_event = threading.Event()
        self.tree_rss_kib = 0
        self.tree_pss_kib = 0
        self.max_procs = 0
        self.cpu_ticks: dict[int, int] = {}
        self.own_cpu_s = 0.0

    def run(self) -> None:
        """Sample until ``stop``."""
        while not self._stop_event.is_set():
            children = _children_map()
            todo, tree = [self._root], []
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo.extend(children.get(pid, ()))
            rss = pss = 0
            for pid in tree:
                sample = _proc_sample(pid)
                if sample is None:
                    continue
                rss += sample[0]
                pss += sample[1]
                self.cpu_ticks[pid] = max(self.cpu_ticks.get(pid, 0), sample[2])
            self.tree_rss_kib = max(self.tree_rss_kib, rss)
            self.tree_pss_kib = max(self.tree_pss_kib, pss)
            self.max_procs = max(self.max_procs, len(tree))
            self.own_cpu_s = time.thread_time()
            self._stop_event.wait(self._interval)

    def stop(self) -> None:
        """Stop sampling and wait for the thread."""
        self._stop_event.set()
        self.join()


def wait_for_quiet(max_wait: float, threshold: float = 0.3) -> float:
    """Wait until other processes use under ``threshold`` cores (1 s windows).

    Gives up after ``max_wait`` seconds. Returns the busy cores of the last window.
    """
    deadline = time.monotonic() + max_wait
    while True:
        busy0, total0 = _machine_busy_ticks()
        time.sleep(1.0)
        busy1, total1 = _machine_busy_ticks()
        cores = (os.cpu_count() or 1) * (busy1 - busy0) / max(total1 - total0, 1)
        if cores < threshold or time.monotonic() >= deadline:
            return round(cores, 2)
        print(
            f"  (machine busy: {cores:.1f} cores used by other processes; waiting)", file=sys.stderr
        )
        time.sleep(4.0)


def run_measured(
    cmd: Sequence[str | Path],
    *,
    capture_stdout: bool = False,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Measured:
    """Run ``cmd`` and measure it: ``wait4`` rusage plus a ``/proc`` tree sampler."""
    args = [str(part) for part in cmd]
    stdout_path = OUT / f".stdout.{os.getpid()}"
    stderr_path = OUT / f".stderr.{os.getpid()}"
    OUT.mkdir(parents=True, exist_ok=True)
    hz = os.sysconf("SC_CLK_TCK")
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        busy0, total0 = _machine_busy_ticks()
        started = time.perf_counter()
        proc = subprocess.Popen(
            args,
            stdout=out if capture_stdout else subprocess.DEVNULL,
            stderr=err,
            cwd=cwd,
            env=env,
        )
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        sampler.stop()
        busy1, total1 = _machine_busy_ticks()
        proc.returncode = os.waitstatus_to_exitcode(status)
    stdout = stdout_path.read_text(errors="replace") if capture_stdout else ""
    stderr = stderr_path.read_text(errors="replace")
    stdout_path.unlink()
    stderr_path.unlink()
    cores = os.cpu_count() or 1
    busy_cores = cores * (busy1 - busy0) / max(total1 - total0, 1)
    tree_cpu_s = max(sum(sampler.cpu_ticks.values()) / hz, usage.ru_utime + usage.ru_stime)
    return Measured(
        cmd=args,
        wall_s=round(wall, 3),
        user_s=round(usage.ru_utime, 3),
        sys_s=round(usage.ru_stime, 3),
        max_rss_mib=round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        tree_rss_mib=round(max(sampler.tree_rss_kib, usage.ru_maxrss) / 1024, 1),
        tree_pss_mib=round(sampler.tree_pss_kib / 1024, 1),
        max_procs=sampler.max_procs,
        tree_cpu_s=round(tree_cpu_s, 2),
        busy_cores=round(busy_cores, 2),
        foreign_cores=round(max(0.0, busy_cores - (tree_cpu_s + sampler.own_cpu_s) / wall), 2),
        returncode=proc.returncode,
        stdout=stdout,
        stderr_tail="\n".join(stderr.strip().splitlines()[-5:]),
    )


BENCH_EXAMINER = "evcat benchmark"


def evcat_command() -> list[str]:
    """The installed ``evcat`` console script, or the CLI module through this interpreter.

    Benchmarks act as examiner ``evcat benchmark`` unless ``EVCAT_EXAMINER`` says otherwise.
    """
    os.environ.setdefault("EVCAT_EXAMINER", BENCH_EXAMINER)
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


def add_job_arguments(parser: argparse.ArgumentParser) -> None:
    """The options shared by the plain script and the ceiling: libmagic mode and fs offset."""
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--no-magic", action="store_true", help="hashes only, no libmagic")
    mode.add_argument(
        "--describe",
        action="store_true",
        help="also libmagic's description (evcat's two calls per file)",
    )
    parser.add_argument("--offset", type=int, default=0, help="file system byte offset")
