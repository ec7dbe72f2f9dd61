"""Run the whole benchmark suite in order (about 59 minutes on 2 cores, images built).

1. ``make_images.py``   (skips images that exist; ~2 minutes when it builds all four)
2. ``memory.py``        (big, mix, tiny, many; fails over 300 MiB or if growing with files)
3. ``speed.py``         (mix, tiny: every tool, then the per-file libmagic cost)
4. ``profile_scan.py``  (py-spy over every process if installed, then cProfile)
5. ``sqlite_writes.py`` (the catalog writer's cost, from memory.py's tiny catalog)
6. ``locker.py``        (locker scan on Dask: 1, 2 and 2 external workers; mix.ext4 split)
7. ``dvr_index.py``     (listing a sparse 4 TiB Hikvision disk: bytes read by the index walk)
8. ``carving.py``       (file and DVR carvers over 1 GiB of random data: MB/s, peak RSS)

Each step's output goes to the terminal; results land in ``bench/out/``. Exits non-zero if
any step failed.

Usage: python bench/run_all.py [--skip speed,profile_scan,...]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
STEPS = [
    "make_images",
    "memory",
    "speed",
    "mime_equal",
    "profile_scan",
    "sqlite_writes",
    "locker",
    "dvr_index",
    "carving",
    "carve_cost",
]


def main() -> None:
    """Run every step not skipped; report the failures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip", default="", help=f"comma-separated steps of {STEPS}")
    args = parser.parse_args()
    skipped = set(filter(None, args.skip.split(",")))
    failed = []
    started = time.perf_counter()
    for step in STEPS:
        if step in skipped:
            continue
        print(f"\n######## {step}", flush=True)
        step_started = time.perf_counter()
        code = subprocess.run([sys.executable, str(BENCH / f"{step}.py")], check=False).returncode
        print(
            f"######## {step}: exit {code}, {time.perf_counter() - step_started:.0f} s", flush=True
        )
        if code != 0:
            failed.append(step)
    print(
        f"\nall steps: {time.perf_counter() - started:.0f} s;"
        f" {'failed: ' + ', '.join(failed) if failed else 'all passed'}"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
