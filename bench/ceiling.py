"""The machine's ceiling for evcat's content work: the same job on every core, nothing else.

1. The parent walks the file system once with pytsk3 and lists ``(inode, size)`` of every
   allocated regular file (timed and included: any cataloguer has to walk).
2. A ``multiprocessing`` pool of N = ``os.cpu_count()`` workers, each with its own pytsk3
   image and file system handles, takes the files in tasks (a large file alone, small files
   in batches of up to 64 files / 8 MiB; largest tasks first, handed out dynamically), reads
   every byte once in 1 MiB chunks, computes MD5, SHA-1, SHA-256 and BLAKE3, calls libmagic
   on the first 64 KiB and sends the results back to the parent.

No catalog is written and no metadata is kept, so evcat, which does both, can approach but
not beat this. ``--describe`` adds libmagic's text description (evcat asks for both MIME
and description); ``--no-magic`` hashes only.

Prints one JSON line: files, bytes, walk and total seconds, and the SHA-256 over all
per-file results sorted by inode (equal to ``plain_pytsk3.py``'s for the same mode).

Usage: python bench/ceiling.py IMAGE [--workers N] [--no-magic | --describe] [--offset BYTES]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import magic
import pytsk3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import add_job_arguments, walk_regular_files
from plain_pytsk3 import digest_file

BATCH_FILES = 64
BATCH_BYTES = 8 << 20

_worker: dict[str, Any] = {}


def _init(image: str, offset: int, mode: str) -> None:
    """Open this worker's own image, file system and libmagic handles."""
    _worker["fs"] = pytsk3.FS_Info(pytsk3.Img_Info(image), offset=offset)
    _worker["mime"] = magic.Magic(mime=True) if mode != "none" else None
    _worker["describe"] = magic.Magic() if mode == "both" else None


def _process(task: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """Hash and classify the files of one task; one result line per file."""
    fs = _worker["fs"]
    mime, describe = _worker["mime"], _worker["describe"]
    results = []
    for inode, size in task:
        md5, sha1, sha256, b3, head = digest_file(fs.open_meta(inode=inode), size)
        kind = mime.from_buffer(head) if mime is not None and head else ""
        text = describe.from_buffer(head) if describe is not None and head else ""
        results.append((inode, f"{inode} {md5} {sha1} {sha256} {b3} {kind} {text}\n"))
    return results


def make_tasks(files: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Group small files into batches, keep large ones alone; largest tasks first."""
    tasks: list[list[tuple[int, int]]] = []
    batch: list[tuple[int, int]] = []
    batch_bytes = 0
    for inode, size in files:
        if size >= BATCH_BYTES:
            tasks.append([(inode, size)])
            continue
        batch.append((inode, size))
        batch_bytes += size
        if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
            tasks.append(batch)
            batch, batch_bytes = [], 0
    if batch:
        tasks.append(batch)
    tasks.sort(key=lambda task: sum(size for _, size in task), reverse=True)
    return tasks


def list_files(image: str, offset: int) -> Iterator[tuple[int, int]]:
    """``(inode, size)`` of every allocated regular file."""
    fs = pytsk3.FS_Info(pytsk3.Img_Info(image), offset=offset)
    for _, inode, size in walk_regular_files(fs):
        yield inode, size


def main() -> None:
    """List, fan out, collect; print the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("image", type=Path)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    add_job_arguments(parser)
    args = parser.parse_args()
    magic_mode = "none" if args.no_magic else ("both" if args.describe else "mime")

    started = time.perf_counter()
    files = list(list_files(str(args.image), args.offset))
    walked = time.perf_counter() - started
    tasks = make_tasks(files)
    results: list[tuple[int, str]] = []
    with multiprocessing.Pool(
        args.workers, initializer=_init, initargs=(str(args.image), args.offset, magic_mode)
    ) as pool:
        for part in pool.imap_unordered(_process, tasks, chunksize=1):
            results.extend(part)
    elapsed = time.perf_counter() - started
    check = hashlib.sha256("".join(line for _, line in sorted(results)).encode())
    print(
        json.dumps(
            {
                "tool": "ceiling",
                "magic": {"none": "none", "mime": "mime", "both": "mime+description"}[magic_mode],
                "workers": args.workers,
                "files": len(results),
                "bytes": sum(size for _, size in files),
                "walk_s": round(walked, 3),
                "elapsed_s": round(elapsed, 3),
                "results_sha256": check.hexdigest(),
            }
        )
    )


if __name__ == "__main__":
    main()
