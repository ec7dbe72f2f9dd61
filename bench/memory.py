"""Peak memory of ``evcat scan``: a file over 1 GiB must keep peak RSS under 300 MiB.

Runs ``evcat scan bench/images/big.ext4 --case bench/out/big.db`` (one 1.1 GiB file) as a
child process, then the same on ``mix.ext4`` (1.25 GiB image, files up to 200 MiB) and
``tiny.ext4`` (100,000 tiny files) and ``many.ext4`` (400,000 of them), and compares: peak
memory that does not grow with the largest file, the image size or the number of files is
what streaming in bounded chunks, a fixed SQLite cache and a bounded writer queue promise.

Three numbers per run (see ``benchlib.Measured``):

* peak RSS of the evcat process itself (``wait4``'s ``ru_maxrss``, what
  ``/usr/bin/time -v`` reports as "Maximum resident set size");
* the peak over time of the summed RSS of evcat and all its descendants (worker processes),
  sampled from ``/proc``: an upper bound, since shared pages are counted once per process;
* the same for PSS (shared pages split between the processes that share them): the
  whole-tree figure that does not double count.

The test fails (exit 1) when the evcat process or the whole tree's PSS peaks at 300 MiB or
more on any image (the summed RSS is reported alongside), when evcat fails, or when the
catalog does not hold the largest file fully hashed (status ``ok``, every byte). Writes
``bench/out/memory.json``.

Usage: python bench/memory.py [--images big.ext4,mix.ext4,tiny.ext4,many.ext4] [--limit-mib 300]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytsk3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (
    MIB,
    OUT,
    REPO,
    evcat_command,
    image_path,
    machine,
    markdown_table,
    run_measured,
    walk_regular_files,
    warm_page_cache,
    write_json,
)


def largest_file(image: Path) -> int:
    """Size of the largest allocated regular file of ``image``."""
    fs = pytsk3.FS_Info(pytsk3.Img_Info(str(image)))
    return max((size for _, _, size in walk_regular_files(fs)), default=0)


def _size(n: int) -> str:
    return f"{n / MIB:,.1f} MiB" if n >= MIB else f"{n:,} B"


def check_largest_row(case: Path, largest: int) -> str:
    """Whether the catalog holds the largest file fully hashed (``ok``, all bytes)."""
    try:
        with sqlite3.connect(case) as db:
            row = db.execute(
                "SELECT content_status, bytes_hashed, sha256 FROM files WHERE size = ?"
                " ORDER BY seq LIMIT 1",
                (largest,),
            ).fetchone()
    except sqlite3.Error as exc:
        return f"unchecked ({exc})"
    if row is None:
        return "missing"
    status, hashed, sha256 = row
    return "ok" if status == "ok" and hashed == largest and sha256 else f"{status}, {hashed} B"


def measure(image: Path) -> dict[str, Any]:
    """Scan ``image`` into a fresh ``bench/out/STEM.db`` and measure the child."""
    case = OUT / f"{image.stem}.db"
    for leftover in (case, case.with_name(case.name + "-wal"), case.with_name(case.name + "-shm")):
        leftover.unlink(missing_ok=True)
    warm_page_cache(image)
    run = run_measured([*evcat_command(), "scan", str(image), "--case", str(case)], cwd=REPO)
    largest = largest_file(image)
    return {
        "image": image.name,
        "image_mib": round(image.stat().st_size / MIB),
        "largest_file_bytes": largest,
        "largest_file_row": check_largest_row(case, largest),
        **run.to_json(),
    }


GROWTH_LIMIT_MIB = 16.0
"""How much more the evcat process may peak at on many.ext4 than on tiny.ext4 (4x the files)."""


def _growth_with_files(results: list[dict[str, Any]]) -> float | None:
    """Peak RSS on many.ext4 minus that on tiny.ext4, when both were measured."""
    peaks = {r["image"]: r["max_rss_mib"] for r in results}
    if "tiny.ext4" in peaks and "many.ext4" in peaks:
        return float(peaks["many.ext4"] - peaks["tiny.ext4"])
    return None


def main() -> None:
    """Measure each image, print the table, exit 1 if over the limit."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", default="big.ext4,mix.ext4,tiny.ext4,many.ext4")
    parser.add_argument("--limit-mib", type=float, default=300.0)
    args = parser.parse_args()

    results = []
    for name in args.images.split(","):
        image = image_path(name)
        print(f"scanning {name} ...", flush=True)
        results.append(measure(image))
    failed = [
        r["image"]
        for r in results
        if r["max_rss_mib"] >= args.limit_mib
        or r["tree_pss_mib"] >= args.limit_mib
        or r["returncode"] not in (0, 1)
        or r["largest_file_row"] != "ok"
    ]
    growth = _growth_with_files(results)
    if growth is not None and growth >= GROWTH_LIMIT_MIB:
        failed.append(f"many.ext4 (+{growth:.1f} MiB over tiny.ext4)")
    headers = [
        "image",
        "image MiB",
        "largest file",
        "wall s",
        "evcat peak RSS MiB",
        "tree peak RSS sum MiB",
        "tree peak PSS MiB",
        "processes",
        "exit",
        "largest file row",
    ]
    rows = [
        [
            r["image"],
            r["image_mib"],
            _size(r["largest_file_bytes"]),
            f"{r['wall_s']:.1f}",
            r["max_rss_mib"],
            r["tree_rss_mib"],
            r["tree_pss_mib"],
            r["max_procs"],
            r["returncode"],
            r["largest_file_row"],
        ]
        for r in results
    ]
    print(markdown_table(headers, rows))
    verdict = "FAIL" if failed else "PASS"
    limits = (
        f"{args.limit_mib:.0f} MiB for evcat and its process tree's PSS on every image,"
        f" +{GROWTH_LIMIT_MIB:.0f} MiB for evcat from tiny.ext4 to many.ext4"
    )
    if failed:
        print(f"FAIL: over the limits ({limits}) on {', '.join(failed)}")
    else:
        print(f"PASS: within the limits ({limits})")
    if growth is not None:
        print(f"evcat's peak on many.ext4 (4x the files) minus tiny.ext4: {growth:+.1f} MiB")
    write_json(
        "memory.json",
        {
            "machine": machine(),
            "limit_mib": args.limit_mib,
            "growth_with_files_mib": growth,
            "verdict": verdict,
            "runs": results,
        },
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
