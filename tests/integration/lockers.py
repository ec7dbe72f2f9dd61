"""Shared pieces of the locker tests: a locker of real images, a Dask cluster, comparisons."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tests.conftest import CORPUS, EXAMINER, SAMPLE_IMAGES

SAMPLE_SETS = (
    ("site-A", ("disk.raw",)),
    ("site-A", ("disk.E01",)),
    ("site-B/usb", ("usb_fat.img",)),
    ("site-B/split", ("split/disk.001", "split/disk.002", "split/disk.003")),
    ("hostile", ("hostile/names.img",)),
    ("hostile", ("hostile/loop.img",)),
)
CORPUS_SETS = (
    ("corpus", ("ext4.bin",)),
    ("corpus", ("fat12.img",)),
    ("corpus", ("image-split.E01", "image-split.E02")),
    ("corpus", ("image.raw.000", "image.raw.001")),
    ("corpus", ("mbr.raw",)),
)

COMPARED_TABLES = {
    "files": "SELECT * FROM files",
    "findings": "SELECT * FROM findings",
    "texts": "SELECT * FROM texts",
    "filesystems": "SELECT * FROM filesystems",
    "volumes": "SELECT * FROM volumes",
    "evidence": "SELECT evidence_id, exhibit, format, media_size, segments, volume_scheme,"
    " media_md5, media_sha1, media_sha256, media_blake3, media_hash_status, status"
    " FROM evidence",
    "problems": "SELECT evidence_id, locator, stage, parser, message FROM problems",
}
_RUN_COLUMNS = {"run_id", "first_run_id", "last_run_id"}


def build_locker(root: Path, *, corpus: bool = True, sample_sets: int = len(SAMPLE_SETS)) -> Path:
    """A locker of copies of the sample images (and corpus images, when present).

    Each set keeps its segment names; an acquisition log sits beside the first image.
    """
    sets = list(SAMPLE_SETS[:sample_sets])
    if corpus and CORPUS.is_dir():
        sets += list(CORPUS_SETS)
    for folder, names in sets:
        source_root = CORPUS if folder == "corpus" else SAMPLE_IMAGES
        target = root / folder
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copyfile(source_root / name, target / Path(name).name)
    (root / "site-A" / "disk.E01.txt").write_text("Acquired with ewfacquire by P. Officer\n")
    return root


def images_of(case: Path) -> list[tuple[str, str]]:
    """``(exhibit, image path)`` of the case's locker exhibits, by exhibit."""
    with sqlite3.connect(case) as connection:
        return [
            (str(exhibit), str(image))
            for exhibit, image in connection.execute(
                "SELECT exhibit, image FROM locker_exhibits ORDER BY exhibit"
            )
        ]


def catalog_rows(case: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every compared table's rows, sorted, without the columns naming the run."""
    tables = {}
    connection = sqlite3.connect(case)
    try:
        for table, sql in COMPARED_TABLES.items():
            cursor = connection.execute(sql)
            names = [column[0] for column in cursor.description]
            keep = [i for i, name in enumerate(names) if name not in _RUN_COLUMNS]
            tables[table] = sorted((tuple(row[i] for i in keep) for row in cursor), key=repr)
    finally:
        connection.close()
    return tables


ISOLATED = {
    "EVCAT_EXAMINER": EXAMINER,
    "EVCAT_CONFIG": "/nonexistent/evcat-config.toml",
    "EVCAT_HASHSETS": "/nonexistent/evcat-hashsets.db",
}
"""Environment of every run: the test examiner, never the developer's config or store."""


def evcat(
    *args: str, env: dict[str, str] | None = None, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m catalog ARGS`` in the isolated environment and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "catalog", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **ISOLATED, **(env or {})},
        timeout=600,
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )


def single_process_scan(
    case: Path, images: list[tuple[str, str]]
) -> subprocess.CompletedProcess[str]:
    """``evcat scan`` of the same images with the same exhibit ids, in one process."""
    args = ["scan", *(path for _, path in images), "--case", str(case), "--workers", "1"]
    for exhibit, _ in images:
        args += ["--exhibit", exhibit]
    return evcat(*args)


@contextmanager
def dask_cluster(folder: Path, workers: int = 2) -> Iterator[str]:
    """A Dask scheduler and ``workers`` worker processes on 127.0.0.1; yields its address."""
    folder.mkdir(parents=True, exist_ok=True)
    scheduler_file = folder / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    processes = [
        subprocess.Popen(
            [*dask, "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(scheduler_file)],
            stdout=subprocess.DEVNULL, stderr=(folder / "scheduler.log").open("w"),
            start_new_session=True, env=env,
        )
    ]  # fmt: skip
    try:
        address = _wait_for_address(scheduler_file)
        processes += [
            subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address,
                 "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
                stdout=subprocess.DEVNULL,
                stderr=(folder / f"worker{index}.log").open("w"),
                start_new_session=True, env=env,
            )
            for index in range(workers)
        ]  # fmt: skip
        _wait_for_workers(address, workers)
        yield address
    finally:
        for process in reversed(processes):
            stop_group(process)


def _wait_for_address(scheduler_file: Path, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if scheduler_file.is_file():
            try:
                return str(json.loads(scheduler_file.read_text())["address"])
            except (ValueError, KeyError):
                pass
        time.sleep(0.1)
    raise TimeoutError(f"no Dask scheduler address in {scheduler_file}")


def _wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    with Client(address, timeout="30s") as client:
        client.wait_for_workers(count, timeout=60)


def stop_group(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """Kill a process started in its own session, with everything it started."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def custody_actions(case: Path) -> list[tuple[str, dict[str, object]]]:
    """``(action, details)`` of every custody entry, in order."""
    with sqlite3.connect(case) as connection:
        bodies = [json.loads(body) for (body,) in connection.execute(
            "SELECT body FROM custody_log ORDER BY seq"
        )]  # fmt: skip
    return [(body["action"], body["details"]) for body in bodies]
