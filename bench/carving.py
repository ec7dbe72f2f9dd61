"""Carving speed and memory on 1 GiB of random data (issue 9 item 2; issue 8's carver too).

Builds (once; ``--force`` rebuilds) ``bench/images/random-1g.bin``: 1 GiB of seeded random
bytes. Then runs, each in a fresh child process so the peak RSS is its own:

1. ``parsers.carving.carve_files`` (JPEG, PNG, GIF, PDF, ZIP/Office, SQLite, text runs)
   over the whole file as one unallocated range;
2. ``parsers.dvr.carve.carve`` (MPEG-PS, DHAV, Annex-B, JPEG) over the same bytes.

Reports MB/s, seconds, bytes read (each byte should be read about once), items found (must be
0 on random data) and the child's peak RSS. Exits 1 on any item found or a peak RSS over
300 MiB. Writes ``bench/out/carving.json``.

Usage: python bench/carving.py [--mib 1024] [--force]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from benchlib import machine, markdown_table, write_json  # noqa: E402

CARVERS = ("files", "dvr")


def build(path: Path, mib: int) -> None:
    """``mib`` MiB of seeded random bytes, written in 16 MiB pieces."""
    generator = random.Random(20261122)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        for _ in range(mib // 16):
            handle.write(generator.randbytes(16 << 20))


def child(carver: str, path: Path) -> dict[str, object]:
    """Run one carver over the file (in this process) and measure it."""
    from parsers.dvr.disk import DiskBytes

    size = path.stat().st_size
    with path.open("rb") as handle:

        def read(offset: int, length: int) -> bytes:
            handle.seek(offset)
            return handle.read(length)

        disk = DiskBytes(read, size)
        began = time.perf_counter()
        if carver == "files":
            from parsers.carving import carve_files

            found = len(carve_files(disk, [(0, size)]).items)
        else:
            from parsers.dvr.carve import carve

            found = len(carve(disk, [(0, size)]).segments)
        seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "carver": carver,
        "bytes": size,
        "seconds": round(seconds, 2),
        "mb_per_s": round(size / 1e6 / seconds, 1),
        "bytes_read": disk.bytes_read,
        "items": found,
        "peak_rss_mib": round(peak / (1 << 20), 1),
    }


def main() -> int:
    """Build the data if needed, run each carver in a child, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=1024)
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--child", choices=CARVERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = ROOT / "bench" / "images" / f"random-{args.mib}m.bin"
    if args.child:
        print(json.dumps(child(args.child, path)))
        return 0
    if args.force or not path.exists():
        build(path, args.mib)
    results = []
    for carver in CARVERS:
        done = subprocess.run(
            [sys.executable, __file__, "--mib", str(args.mib), "--child", carver],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        results.append(json.loads(done.stdout))
    print(markdown_table(
        ["carver", "MiB", "seconds", "MB/s", "bytes read / size", "items", "peak RSS MiB"],
        [[r["carver"], int(r["bytes"]) >> 20, r["seconds"], r["mb_per_s"],
          f"{int(r['bytes_read']) / int(r['bytes']):.3f}", r["items"], r["peak_rss_mib"]]
         for r in results],
    ))  # fmt: skip
    write_json("carving", {"machine": machine(), "results": results})
    bad = [r for r in results if r["items"] or float(str(r["peak_rss_mib"])) > 300]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
