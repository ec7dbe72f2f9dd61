"""What ``--carve`` costs on the benchmark image (issue 9 item 3).

Scans ``bench/images/mix.ext4`` (``python bench/make_images.py``) into fresh cases, with the
page cache warm, alternating the variants so drift hits them alike:

1. ``evcat scan`` (the baseline);
2. ``evcat scan --carve``: the free space is carved in a thread from the media hash's own
   read (``catalog/carving/tee.py``), so region bytes are read once;
3. ``evcat scan --carve --no-media-hash``: no media pass to share, the carver reads the
   regions itself (for comparison);

then ``evcat carve`` on a case scanned without ``--carve`` (carving after the fact).
Reports wall seconds, CPU seconds, peak RSS of the process tree, items carved, bytes of free
space carved and bytes read again, from each run's ``exhibit.scanned`` custody entry.
Writes ``bench/out/carve_cost.json``. Exits 1 if a carving run fails, carves differently
from the others, or re-reads region bytes when it has a media pass to share.

Usage: python bench/carve_cost.py [--runs 2] [--image mix.ext4]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    evcat_command,
    image_path,
    machine,
    markdown_table,
    run_measured,
    warm_page_cache,
    write_json,
)

VARIANTS = {
    "scan": [],
    "scan --carve": ["--carve"],
    "scan --carve --no-media-hash": ["--carve", "--no-media-hash"],
}


def scanned_counts(case: Path) -> dict[str, Any]:
    """The counts of the case's last ``exhibit.scanned`` entry, plus the carved bytes."""
    connection = sqlite3.connect(case)
    try:
        (body,) = connection.execute(
            "SELECT body FROM custody_log WHERE action = 'exhibit.scanned'"
            " ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        (carved_bytes,) = connection.execute(
            "SELECT coalesce(sum(length), 0) FROM carved_files"
        ).fetchone()
    finally:
        connection.close()
    counts: dict[str, Any] = json.loads(body)["details"]["counts"]
    counts["carved_item_bytes"] = carved_bytes
    return counts


def one_run(command: list[str], scratch: Path, label: str) -> dict[str, Any]:
    case = scratch / f"{label.replace(' ', '_')}.db"
    measured = run_measured([*command, "--case", str(case)])
    if measured.returncode not in (0, 1):
        raise SystemExit(f"{label}: exit {measured.returncode}: {measured.stderr_tail}")
    return {
        "variant": label,
        "wall_s": measured.wall_s,
        "cpu_s": measured.tree_cpu_s,
        "tree_rss_mib": measured.tree_rss_mib,
        **scanned_counts(case),
    }


def carve_after(image: Path, scratch: Path) -> dict[str, Any]:
    case = scratch / "after.db"
    evcat = evcat_command()
    first = run_measured([*evcat, "scan", str(image), "--case", str(case)])
    if first.returncode not in (0, 1):
        raise SystemExit(f"scan before carve: exit {first.returncode}: {first.stderr_tail}")
    measured = run_measured([*evcat, "carve", "--case", str(case)])
    if measured.returncode not in (0, 1):
        raise SystemExit(f"evcat carve: exit {measured.returncode}: {measured.stderr_tail}")
    return {
        "variant": "carve (after scan)",
        "wall_s": measured.wall_s,
        "cpu_s": measured.tree_cpu_s,
        "tree_rss_mib": measured.tree_rss_mib,
        **scanned_counts(case),
    }


def main() -> int:
    """Run the variants, report, and check what must hold."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--image", default="mix.ext4")
    args = parser.parse_args()
    image = image_path(args.image)
    warm_page_cache(image)
    evcat = evcat_command()
    runs: list[dict[str, Any]] = []
    scratch = Path(tempfile.mkdtemp(prefix="evcat-carve-cost-"))
    try:
        for index in range(args.runs):
            for label, extra in VARIANTS.items():
                run_dir = scratch / f"{index}"
                run_dir.mkdir(exist_ok=True)
                runs.append(one_run([*evcat, "scan", str(image), *extra], run_dir, label))
        runs.append(carve_after(image, scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    summary = summarise(runs)
    base = summary["scan"]["wall_s"]
    rows = [
        [label, s["wall_s"], f"{(s['wall_s'] - base) / base:+.0%}" if label != "scan" else "",
         s["cpu_s"], s["tree_rss_mib"], s["carved"], s["carved_bytes_scanned"],
         s["carved_bytes_reread"]]
        for label, s in summary.items()
    ]  # fmt: skip
    print(markdown_table(
        ["variant", "wall s (median)", "vs scan", "CPU s", "peak RSS MiB", "items carved",
         "region bytes carved", "region bytes read again"],
        rows,
    ))  # fmt: skip
    write_json("carve_cost", {"machine": machine(), "image": args.image, "runs": runs,
                              "summary": summary})  # fmt: skip
    return 1 if problems(summary) else 0


def summarise(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Median wall/CPU/RSS per variant, and its carving counts."""
    summary: dict[str, dict[str, Any]] = {}
    for label in [*VARIANTS, "carve (after scan)"]:
        mine = [run for run in runs if run["variant"] == label]
        summary[label] = {
            "wall_s": round(statistics.median(run["wall_s"] for run in mine), 1),
            "cpu_s": round(statistics.median(run["cpu_s"] for run in mine), 1),
            "tree_rss_mib": max(run["tree_rss_mib"] for run in mine),
            "carved": mine[-1].get("carved"),
            "carved_bytes_scanned": mine[-1].get("carved_bytes_scanned"),
            "carved_bytes_reread": mine[-1].get("carved_bytes_reread"),
        }
    return summary


def problems(summary: dict[str, dict[str, Any]]) -> list[str]:
    """What must hold: every carving variant carves the same, the shared pass re-reads nothing."""
    found = []
    counts = {s["carved"] for label, s in summary.items() if label != "scan"}
    if len(counts) != 1:
        found.append(f"carving variants disagree: {counts}")
    if summary["scan --carve"]["carved_bytes_reread"]:
        found.append("scan --carve read region bytes again")
    for message in found:
        print(f"FAIL: {message}")
    return found


if __name__ == "__main__":
    raise SystemExit(main())
