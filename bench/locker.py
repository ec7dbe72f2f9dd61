"""Locker scan on Dask (issue 7): 1 and 2 local workers, 2 external workers, one huge image.

1. Builds (once; ``--force`` rebuilds) a locker of 8 distinct ext4 images in
   ``bench/images/locker/`` (``pc01.img`` ... ``pc08.img``, 205-275 MiB each): 1,000-2,000
   small files of the ``mix`` kinds (text, HTML, CSV, JSON, PNG, JPEG, PDF, ZIP) with
   per-image shares, and one or two binary files of 15-60 MiB, each image from its own seed.
2. Times ``evcat locker scan`` of that locker with ``--workers 1``, ``--workers 2`` and
   ``--scheduler`` against an external cluster started here (``dask scheduler`` and two
   ``dask worker --nworkers 1 --nthreads 1``), and ``evcat scan --workers 1`` of the same
   images as the single-process reference.
3. The huge image: ``bench/images/mix.ext4`` alone (a symlink in ``bench/images/locker-huge/``)
   with ``evcat locker scan --workers 1`` and ``--workers 2``, ``evcat scan --workers 1`` and
   ``evcat scan`` (default: one content worker per core).
4. Checks that every catalog of a group holds the same multiset of (exhibit, path, sha256)
   of its files and as many findings and problems (``evcat scan`` gets the locker's exhibit
   ids through ``--exhibit``); exits 1 if not.

Every run starts from a fresh case, a warm page cache and a quiet machine, with the same
flags (the full job, ``--no-hashsets``; ``--no-extract`` drops extraction from all); a run
during which other processes used over 0.3 cores is repeated (``--retries``, default 2) and
the least loaded one kept. MB/s are the images' allocated regular file bytes (walked once
with pytsk3, as ``speed.py``). CPU is split into evcat's own process ("main": for a locker
scan the coordinator, the SQLite writer and, with a local cluster, the scheduler) and the
rest (its descendants, and the external cluster's processes). Tree PSS of the external mode
adds the scheduler's and workers' peaks to the client's. For locker runs the catalog's unit
rows give a timeline: when the last plan, files and media unit was committed, and the tail
(how long the last worker went on after the other had committed its last unit).

Prints a markdown table and writes ``bench/out/locker.json``.

Usage: python bench/locker.py [--force] [--no-extract] [--skip locker,huge] [--max-wait S]
                              [--retries N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (
    IMAGES,
    MIB,
    OUT,
    TreeSampler,
    _children_map,
    _proc_sample,
    evcat_command,
    image_stats,
    machine,
    markdown_table,
    run_measured,
    wait_for_quiet,
    warm_page_cache,
    write_json,
)
from make_images import (
    MIX_DIRS,
    MIX_KINDS,
    UUIDS,
    Content,
    _pin_times,
    build,
    log_uniform,
    make_ext4,
)

LOCKER = IMAGES / "locker"
HUGE = IMAGES / "locker-huge"
N_IMAGES = 8
PY = sys.executable
LOADED = 0.3
"""Other load (cores) above which a run is repeated, keeping the least loaded one."""


# ------------------------------------------------------------------ the locker's images


def _locker_tree(src: Path, index: int) -> dict[str, int]:
    """Write image ``index``'s tree: its own seed, file count, kind shares and binaries."""
    content = Content(f"evcat-bench-locker-{index}")
    rng = content.rng
    kinds = [k[0] for k in MIX_KINDS]
    shares = [k[2] * rng.uniform(0.5, 1.5) for k in MIX_KINDS]
    spec = {k[0]: k for k in MIX_KINDS}
    writers = {kind: getattr(content, f"{kind}_file") for kind in kinds}
    users = [f"home/{rng.choice(content.vocab[-300:])}" for _ in range(rng.randint(1, 4))]
    total = 0
    n_small = rng.randint(1000, 2000)
    for number in range(n_small):
        kind = rng.choices(kinds, shares)[0]
        _, ext, _, (low, high) = spec[kind]
        folder = src / rng.choice(users) / rng.choice(MIX_DIRS[kind]) / rng.choice(content.vocab)
        folder.mkdir(parents=True, exist_ok=True)
        data = writers[kind](log_uniform(rng, low, high))
        (folder / f"{rng.choice(content.vocab)}_{number:05d}.{ext}").write_bytes(data)
        total += len(data)
    for number in range(rng.randint(1, 2)):
        size = rng.randint(15, 60) * MIB
        target = src / "data" / f"blob{number}.bin"
        target.parent.mkdir(parents=True, exist_ok=True)
        content.stream(size)(target)
        total += size
    return {"small_files": n_small, "bytes": total}


def build_locker(force: bool) -> None:
    """Build the locker's images that are missing (all of them with ``force``)."""
    LOCKER.mkdir(parents=True, exist_ok=True)
    for index in range(1, N_IMAGES + 1):
        name = f"pc{index:02d}"
        image = LOCKER / f"{name}.img"
        if image.exists() and not force:
            continue
        UUIDS[name] = (f"65766361-6265-4e63-8000-0000000010{index:02d}",) * 2
        src = IMAGES / f".src-{name}"
        shutil.rmtree(src, ignore_errors=True)
        started = time.perf_counter()
        try:
            summary = _locker_tree(src, index)
            _pin_times(src)
            make_ext4(name, src, image, min_mib=0, inodes=None)
        finally:
            shutil.rmtree(src, ignore_errors=True)
        size = image.stat().st_size / MIB
        print(f"{image.name}: {size:,.0f} MiB, {summary} ({time.perf_counter() - started:.1f} s)")


def huge_locker() -> None:
    """``bench/images/locker-huge/mix.img``: a symlink to ``mix.ext4`` (built if missing)."""
    if not (IMAGES / "mix.ext4").is_file():
        build("mix", force=False)
    HUGE.mkdir(parents=True, exist_ok=True)
    if not (HUGE / "mix.img").is_symlink():
        (HUGE / "mix.img").symlink_to(Path("..") / "mix.ext4")


# ------------------------------------------------------------------ the external cluster


def _tree_cpu_ticks(roots: list[int]) -> int:
    """CPU ticks so far of the processes under ``roots``."""
    children, ticks, todo = _children_map(), 0, list(roots)
    while todo:
        pid = todo.pop()
        sample = _proc_sample(pid)
        ticks += sample[2] if sample else 0
        todo.extend(children.get(pid, ()))
    return ticks


@contextlib.contextmanager
def external_cluster(n_workers: int = 2) -> Iterator[tuple[str, list[int]]]:
    """A ``dask scheduler`` and ``n_workers`` one-thread workers; yields (address, pids)."""
    from distributed import Client

    scheduler_file = OUT / "locker-scheduler.json"
    scheduler_file.unlink(missing_ok=True)
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    common = ["--scheduler-file", str(scheduler_file), "--no-dashboard"]
    commands = [[PY, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0", *common]]
    commands += [
        [PY, "-m", "dask", "worker", "--nworkers", "1", "--nthreads", "1", *common]
    ] * n_workers
    procs: list[subprocess.Popen[bytes]] = []
    with (OUT / "locker-cluster.log").open("ab") as log:
        try:
            procs += [subprocess.Popen(cmd, env=env, stdout=log, stderr=log) for cmd in commands]
            while not scheduler_file.exists():
                if procs[0].poll() is not None:
                    sys.exit(f"locker.py: dask scheduler exited; see {log.name}")
                time.sleep(0.2)
            # distributed's Client is not annotated
            client = Client(scheduler_file=str(scheduler_file), timeout="30s")  # type: ignore[no-untyped-call]
            with client:
                client.wait_for_workers(n_workers, timeout=90)
                address = str(client.scheduler_info()["address"])
            yield address, [proc.pid for proc in procs]
        finally:
            for proc in reversed(procs):
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


# ------------------------------------------------------------------ runs


class ChildSampler(threading.Thread):
    """Finds the next child this script starts and samples its tree, per process."""

    def __init__(self, exclude: list[int]) -> None:
        super().__init__(name="child-finder", daemon=True)
        self._exclude = {*exclude, *_children_map().get(os.getpid(), ())}
        self._stop_event = threading.Event()
        self.sampler: TreeSampler | None = None
        self.root = 0

    def run(self) -> None:
        """Poll for the child, then sample it until ``stop``."""
        while not self._stop_event.wait(0.02):
            children = set(_children_map().get(os.getpid(), ())) - self._exclude
            if children:
                self.root = children.pop()
                self.sampler = TreeSampler(self.root)
                self.sampler.start()
                return

    def split(self) -> tuple[float, float]:
        """Stop; CPU seconds of the child itself and of its descendants."""
        self._stop_event.set()
        self.join()
        if self.sampler is None:
            return 0.0, 0.0
        self.sampler.stop()
        ticks = self.sampler.cpu_ticks
        hz = os.sysconf("SC_CLK_TCK")
        main = ticks.get(self.root, 0)
        return main / hz, (sum(ticks.values()) - main) / hz


@dataclass(frozen=True, slots=True)
class Setup:
    """What every run of a group shares: images, file bytes, flags, quiet wait, retries."""

    images: list[Path]
    data: int
    flags: list[str]
    wait: float
    retries: int


def run_mode(label: str, cmd: list[str], setup: Setup, cluster: list[int]) -> dict[str, Any]:
    """One measured run (warm cache, quiet machine); adds the cluster's CPU and PSS if any."""
    quiet = wait_for_quiet(setup.wait)
    for image in setup.images:
        warm_page_cache(image.resolve())
    samplers = [TreeSampler(pid) for pid in cluster]
    for sampler in samplers:
        sampler.start()
    ticks0 = _tree_cpu_ticks(cluster)
    child = ChildSampler(cluster)
    child.start()
    measured = run_measured(cmd, capture_stdout=True)
    main_cpu, children_cpu = child.split()
    cluster_cpu = (_tree_cpu_ticks(cluster) - ticks0) / os.sysconf("SC_CLK_TCK")
    for sampler in samplers:
        sampler.stop()
    if measured.returncode not in (0, 1):
        sys.exit(f"{label} failed (exit {measured.returncode}): {measured.stderr_tail}")
    envelope = json.loads(measured.stdout.strip().splitlines()[-1])
    wall = measured.wall_s
    result = {
        "mode": label,
        "status": envelope.get("status"),
        "wall_s": wall,
        "mb_s": round(setup.data / 1e6 / wall, 1),
        "cpu_s": round(measured.tree_cpu_s + cluster_cpu, 1),
        "main_cpu_s": round(main_cpu, 1),
        "workers_cpu_s": round(children_cpu + cluster_cpu, 1),
        "tree_pss_mib": round(measured.tree_pss_mib + sum(s.tree_pss_kib for s in samplers) / 1024),
        "busy_cores": measured.busy_cores,
        "other_load": max(0.0, round(measured.foreign_cores - cluster_cpu / wall, 2)),
        "quiet_before": quiet,
        "units": envelope.get("status_snapshot", {}).get("units", {}).get("total"),
        "measured": measured.to_json(),
    }
    print(
        f"  {label}: {wall:.1f} s, {result['mb_s']} MB/s, CPU {result['cpu_s']} s,"
        f" (main {main_cpu:.1f} s), PSS {result['tree_pss_mib']} MiB,"
        f" other load {result['other_load']}",
        flush=True,
    )
    return result


def best_run(
    label: str, cmd: list[str], case: Path, external: bool, setup: Setup
) -> dict[str, Any]:
    """Run on a fresh case, again while others load the machine; keep the least loaded run."""
    best: dict[str, Any] = {}
    for attempt in range(1 + setup.retries):
        if attempt:
            print(f"  (other load {best['other_load']} cores: {label} again)", flush=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{case}{suffix}").unlink(missing_ok=True)
        if external:
            with external_cluster() as (address, pids):
                result = run_mode(label, [*cmd, "--scheduler", address], setup, pids)
        else:
            result = run_mode(label, cmd, setup, [])
        if not best or result["other_load"] < best["other_load"]:
            best = {**result, "attempts": attempt + 1}
        if best["other_load"] <= LOADED:
            break
    return best


def timeline(case: Path, wall: float) -> dict[str, float]:
    """Seconds from the run's start (in the catalog) to its milestones, from the unit rows."""
    with contextlib.closing(sqlite3.connect(case)) as conn:
        started, finished = conn.execute("SELECT started, finished FROM runs").fetchone()
        done = dict(conn.execute("SELECT kind, max(updated) FROM work_units GROUP BY kind"))
        by_worker = [
            r[0] for r in conn.execute("SELECT max(updated) FROM work_units GROUP BY worker")
        ]
    zero = datetime.fromisoformat(started).timestamp()

    def since(stamp: str) -> float:
        return round(datetime.fromisoformat(stamp).timestamp() - zero, 1)

    run = since(finished)
    return {
        "outside_run_s": round(wall - run, 1),
        **{f"last_{kind}_s": since(stamp) for kind, stamp in sorted(done.items())},
        "run_s": run,
        "tail_s": round(since(max(by_worker)) - since(min(by_worker)), 1),
    }


def catalog_content(case: Path) -> tuple[Counter[tuple[str, str, str | None]], int, int]:
    """(exhibit, path, sha256) of every file row with multiplicity; findings; problems."""
    with contextlib.closing(sqlite3.connect(case)) as conn:
        rows = conn.execute("SELECT evidence_id, path, sha256 FROM files WHERE type = 'file'")
        files = Counter(rows)
        findings = conn.execute("SELECT count(*) FROM findings").fetchone()[0]
        problems = conn.execute("SELECT count(*) FROM problems").fetchone()[0]
    return files, findings, problems


def _modes(name: str, locker: Path, images: list[Path]) -> list[tuple[str, str, list[str], bool]]:
    """(label, case slug, evcat arguments, external cluster?) of each run of a group."""
    scan = ["scan", *map(str, images), *(a for i in images for a in ("--exhibit", i.name))]
    modes = [
        ("locker --workers 1", "w1", ["locker", "scan", str(locker), "--workers", "1"], False),
        ("locker --workers 2", "w2", ["locker", "scan", str(locker), "--workers", "2"], False),
    ]
    if name == "locker":
        modes.append(
            ("locker --scheduler (2 external)", "ext", ["locker", "scan", str(locker)], True)
        )
    modes.append(("scan --workers 1", "scan1", [*scan, "--workers", "1"], False))
    if name == "huge":
        modes.append(("scan (default workers)", "scan", scan, False))
    return modes


def run_group(name: str, locker: Path, setup_args: tuple[list[str], float, int]) -> dict[str, Any]:
    """Every mode on ``locker``: times, ratios and the catalogs' agreement."""
    images = sorted(locker.glob("*.img"))
    stats = [image_stats(image.resolve()) for image in images]
    setup = Setup(images, sum(s.bytes for s in stats), *setup_args)
    results, sets = [], {}
    for label, slug, args, external in _modes(name, locker, images):
        case = OUT / f"{name}-{slug}.db"
        cmd = [*evcat_command(), *args, "--case", str(case), "--json", *setup.flags]
        results.append(best_run(label, cmd, case, external, setup))
        if label.startswith("locker"):
            results[-1]["timeline"] = timeline(case, results[-1]["wall_s"])
            print(f"    timeline: {results[-1]['timeline']}", flush=True)
        sets[label] = catalog_content(case)
    reference = sets[results[0]["mode"]]
    locker_same = all(s == reference for label, s in sets.items() if label.startswith("locker"))
    scan_same = all(s == reference for label, s in sets.items() if label.startswith("scan"))
    verdict = {True: "PASS", False: "FAIL"}
    print(
        f"  {name}: locker modes agree: {verdict[locker_same]};"
        f" evcat scan agrees: {verdict[scan_same]} ({len(reference[0]):,} files,"
        f" {reference[1]:,} findings, {reference[2]:,} problems)"
    )
    return {
        "images": [str(image.relative_to(IMAGES)) for image in images],
        "files": sum(s.files for s in stats),
        "bytes": setup.data,
        "image_mib": round(sum(image.resolve().stat().st_size for image in images) / MIB),
        "catalog_files": len(reference[0]),
        "catalog_findings": reference[1],
        "catalog_problems": reference[2],
        "locker_modes_agree": locker_same,
        "scan_agrees": scan_same,
        "runs": results,
        "ratios": _ratios({r["mode"]: r["wall_s"] for r in results}),
    }


def _ratios(walls: dict[str, float]) -> dict[str, float]:
    """Throughput ratios (the other run's wall time over this one's) worth reading."""
    pairs = [
        ("locker --workers 2", "locker --workers 1"),
        ("locker --scheduler (2 external)", "locker --workers 1"),
        ("locker --scheduler (2 external)", "locker --workers 2"),
        ("locker --workers 1", "scan --workers 1"),
        ("locker --workers 2", "scan --workers 1"),
        ("locker --workers 2", "scan (default workers)"),
    ]
    return {
        f"{a} / {b}": round(walls[b] / walls[a], 2) for a, b in pairs if a in walls and b in walls
    }


def main() -> None:
    """Build what is missing, run the groups asked for, print and save the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild the locker's images")
    parser.add_argument("--no-extract", action="store_true", help="pass --no-extract to all")
    parser.add_argument("--skip", default="", help="comma-separated groups: locker, huge")
    parser.add_argument("--max-wait", type=float, default=90, help="s to wait for a quiet machine")
    parser.add_argument(
        "--retries", type=int, default=2, help=f"runs again while other load > {LOADED} cores"
    )
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    flags = ["--no-hashsets"] + (["--no-extract"] if args.no_extract else [])
    setup_args = (flags, args.max_wait, args.retries)
    started = time.perf_counter()
    build_locker(args.force)
    groups = {}
    if "locker" not in skip:
        print("locker: 8 images", flush=True)
        groups["locker"] = run_group("locker", LOCKER, setup_args)
    if "huge" not in skip:
        print("huge: mix.ext4 alone", flush=True)
        huge_locker()
        groups["huge"] = run_group("huge", HUGE, setup_args)
    headers = ["group", "mode", "wall s", "MB/s", "CPU s (main + rest)", "busy", "tree PSS MiB"]
    headers += ["units", "tail s", "other load"]
    rows = [
        [name, r["mode"], f"{r['wall_s']:.1f}", r["mb_s"],
         f"{r['cpu_s']} ({r['main_cpu_s']} + {r['workers_cpu_s']})", r["busy_cores"],
         r["tree_pss_mib"], r["units"] or "", r.get("timeline", {}).get("tail_s", ""),
         r["other_load"]]
        for name, group in groups.items() for r in group["runs"]
    ]  # fmt: skip
    print(markdown_table(headers, rows))
    for name, group in groups.items():
        print(f"{name}: {group['files']:,} files, {group['bytes'] / 1e6:,.0f} MB of file data")
        for ratio, value in group["ratios"].items():
            print(f"  {ratio}: {value}")
    write_json(
        "locker.json",
        {"machine": machine(), "flags": flags, "groups": groups,
         "elapsed_s": round(time.perf_counter() - started)},
    )  # fmt: skip
    agree = all(g["locker_modes_agree"] and g["scan_agrees"] for g in groups.values())
    print(f"catalogs agree: {'PASS' if agree else 'FAIL'}")
    sys.exit(0 if agree else 1)


if __name__ == "__main__":
    main()
