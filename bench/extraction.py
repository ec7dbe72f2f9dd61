"""What text extraction and artefact detection cost a scan (issue 4, item 4).

Scans each benchmark image twice with the same worker count, once with extraction (the
default) and once with ``--no-extract``, and reports wall time, the overhead in percent,
how many files went through extraction, the findings, and the tree's peak PSS.

* ``big.ext4``: one 1.1 GiB random file and three small text files: an image without
  documents, where the overhead should be noise.
* ``tiny.ext4``: 100,000 tiny files, 60% text and 15% JSON: nearly every file is a
  "document" for the extractor, the worst case per file.
* ``mix.ext4``: 20,000 files, mostly text and HTML, plus large binaries.

Writes ``bench/out/extraction.json``.

Usage: python bench/extraction.py [--images big.ext4,mix.ext4,tiny.ext4] [--workers N]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (
    OUT,
    evcat_command,
    image_path,
    machine,
    markdown_table,
    run_measured,
    wait_for_quiet,
    warm_page_cache,
    write_json,
)


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        extracted = conn.execute(
            "SELECT count(*) FROM files WHERE text_status IS NOT NULL"
        ).fetchone()[0]
        findings = conn.execute("SELECT count(*) FROM findings").fetchone()[0]
        members = conn.execute("SELECT count(*) FROM files WHERE origin = 'archive'").fetchone()[0]
        files = conn.execute("SELECT count(*) FROM files WHERE origin = 'fs'").fetchone()[0]
    return {"files": files, "extracted": extracted, "findings": findings, "members": members}


def _scan(image: Path, extract: bool, workers: int) -> dict[str, Any]:
    db = OUT / f"extraction-{image.stem}-{'on' if extract else 'off'}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    cmd = [*evcat_command(), "scan", str(image), "--case", str(db), "--no-media-hash"]
    cmd += ["--workers", str(workers)] + ([] if extract else ["--no-extract"])
    wait_for_quiet(60)
    warm_page_cache(image)
    measured = run_measured(cmd)
    if measured.returncode not in (0, 1):
        sys.exit(f"evcat failed on {image.name}: {measured.stderr_tail}")
    return {"wall_s": measured.wall_s, "tree_pss_mib": measured.tree_pss_mib, **_counts(db)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", default="big.ext4,mix.ext4,tiny.ext4")
    parser.add_argument("--workers", type=int, default=0, help="0: evcat's default")
    args = parser.parse_args()
    results = []
    for name in args.images.split(","):
        image = image_path(name)
        off = _scan(image, False, args.workers)
        on = _scan(image, True, args.workers)
        overhead = 100 * (on["wall_s"] - off["wall_s"]) / off["wall_s"]
        results.append({"image": name, "off": off, "on": on, "overhead_pct": round(overhead, 1)})
        print(f"{name}: {off['wall_s']:.1f} s -> {on['wall_s']:.1f} s ({overhead:+.1f}%)")
    rows = [
        [
            r["image"], r["on"]["files"], r["on"]["extracted"], r["on"]["members"],
            r["on"]["findings"], r["off"]["wall_s"], r["on"]["wall_s"],
            f"{r['overhead_pct']:+.1f}%",
            r["off"]["tree_pss_mib"], r["on"]["tree_pss_mib"],
        ]
        for r in results
    ]  # fmt: skip
    print(
        markdown_table(
            [
                "image", "files", "text extracted", "archive members", "findings",
                "--no-extract s", "default s", "overhead", "PSS MiB off", "PSS MiB on",
            ],
            rows,
        )
    )  # fmt: skip
    write_json("extraction.json", {"machine": machine(), "results": results})


if __name__ == "__main__":
    main()
