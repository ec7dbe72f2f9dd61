"""What hash-set lookups add to a scan (issue 5, item 2: under 5%).

Scans ``tiny.ext4`` (100,000 files: the most lookups per second of scanning) twice with
the same options, ``--no-extract`` to keep the comparison on hashing and lookups, once
with ``--no-hashsets`` and once looking every file up in the 5,000,000-row store that
``bench/hashset_import.py`` leaves at ``bench/out/hashset-bench.db``, and reports the
difference. Writes ``bench/out/hashset_scan.json``.

Usage: python bench/hashset_scan.py [--image tiny.ext4] [--store bench/out/hashset-bench.db]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (
    OUT,
    evcat_command,
    image_path,
    machine,
    run_measured,
    wait_for_quiet,
    warm_page_cache,
    write_json,
)


def _scan(image: Path, store: Path | None) -> float:
    db = OUT / f"hashset-scan-{'on' if store else 'off'}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    cmd = [*evcat_command(), "scan", str(image), "--case", str(db), "--no-media-hash"]
    cmd += ["--no-extract"] + (["--hashsets", str(store)] if store else ["--no-hashsets"])
    wait_for_quiet(60)
    warm_page_cache(image)
    measured = run_measured(cmd)
    if measured.returncode not in (0, 1):
        sys.exit(f"evcat failed: {measured.stderr_tail}")
    return measured.wall_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", default="tiny.ext4")
    parser.add_argument("--store", type=Path, default=OUT / "hashset-bench.db")
    args = parser.parse_args()
    if not args.store.is_file():
        sys.exit(f"{args.store} is missing: run python bench/hashset_import.py first")
    image = image_path(args.image)
    off = _scan(image, None)
    on = _scan(image, args.store)
    overhead = 100 * (on - off) / off
    print(f"{image.name}: {off:.1f} s without lookups, {on:.1f} s with ({overhead:+.1f}%)")
    write_json(
        "hashset_scan.json",
        {"machine": machine(), "image": image.name, "off_s": off, "on_s": on,
         "overhead_pct": round(overhead, 1)},
    )  # fmt: skip


if __name__ == "__main__":
    main()
