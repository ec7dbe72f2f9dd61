"""Scan speed: evcat against The Sleuth Kit's tools, a plain script and the machine's ceiling.

For each image (default ``mix.ext4`` and ``tiny.ext4``) every tool below is run as a child
process and timed (wall clock; files/s and MB/s over the image's allocated regular files and
their bytes, the same denominator for every tool; peak memory of the child and its whole
process tree; how busy the rest of the machine was meanwhile):

* ``evcat``            ``evcat scan IMG --case ... --no-extract --no-hashsets``: the job the
  others do (hashes, classification, media hash); text extraction and artefact detection
  (issue 4) are measured by ``extraction.py``, hash-set lookups by ``hashset_scan.py``
* ``evcat-nomedia``    the same with ``--no-media-hash``
* ``evcat-1w``         the same with ``--workers 1`` (if evcat has the option): one process
* ``evcat-noclassify`` the same with ``--no-classify`` (once evcat has the option)
* ``fiwalk``           ``fiwalk -X out.xml -Z IMG``: TSK's walker, MD5 + SHA-1 (its default)
* ``fiwalk-magic``     the same with ``-f`` (libmagic as well); not run unless named in
  ``--tools``: it reloads libmagic's database for every file (~4.6 ms a file, 460 s on tiny)
* ``recover+hashdeep`` ``tsk_recover -a IMG DIR`` then ``hashdeep -c md5,sha256 -r DIR``
* ``plain``            ``bench/plain_pytsk3.py``: one thread, four hashes, libmagic MIME
* ``plain-describe``   the same plus libmagic's description (evcat's two libmagic calls)
* ``plain-nomagic``    the same without libmagic (the hash-only proxy against fiwalk)
* ``ceiling``          ``bench/ceiling.py``: the plain job on every core (MIME only)
* ``ceiling-describe`` the same plus libmagic's description: the ceiling for evcat's job

The page cache cannot be dropped without root tricks, so runs are warm instead: before each
run the image is read once so it sits in the page cache (``--warmup cache``, the default);
``--warmup run`` also makes one discarded run of every tool first (twice the time). Each
run waits (up to ``--max-wait`` s) for the rest of the machine to go quiet.

Prints the table and ratios, writes ``bench/out/speed.json``, and runs ``magic_cost.py``
(per-file libmagic cost) unless ``--no-magic-cost``.

Usage: python bench/speed.py [--images mix.ext4,tiny.ext4] [--tools evcat,plain,...]
                             [--warmup cache|run] [--repeat N] [--max-wait S]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

from benchlib import (
    BENCH,
    OUT,
    REPO,
    Measured,
    evcat_command,
    image_path,
    image_stats,
    machine,
    markdown_table,
    run_measured,
    wait_for_quiet,
    warm_page_cache,
    write_json,
)

PY = sys.executable


@dataclass(frozen=True, slots=True)
class Tool:
    """A benchmarked tool: its commands for an image, and a cleanup."""

    name: str
    what: str
    commands: Callable[[Path, Path], list[list[str]]]
    """``(image, scratch dir) -> commands``, run one after the other and timed together."""
    needs: str | None = None
    """An option ``evcat scan`` must have for this row to run (skipped otherwise)."""


def _evcat(*extra: str) -> Callable[[Path, Path], list[list[str]]]:
    def commands(image: Path, scratch: Path) -> list[list[str]]:
        return [
            [
                *evcat_command(),
                "scan",
                str(image),
                "--case",
                str(scratch / "case.db"),
                "--json",
                "--no-extract",
                "--no-hashsets",
                *extra,
            ]
        ]

    return commands


def _script(name: str, *extra: str) -> Callable[[Path, Path], list[list[str]]]:
    def commands(image: Path, scratch: Path) -> list[list[str]]:
        return [[PY, str(BENCH / name), str(image), *extra]]

    return commands


def _fiwalk(*extra: str) -> Callable[[Path, Path], list[list[str]]]:
    def commands(image: Path, scratch: Path) -> list[list[str]]:
        return [["fiwalk", *extra, "-X", str(scratch / "fiwalk.xml"), "-Z", str(image)]]

    return commands


def _recover_hashdeep(image: Path, scratch: Path) -> list[list[str]]:
    files = scratch / "recovered"
    return [
        ["tsk_recover", "-a", str(image), str(files)],
        ["sh", "-c", f"hashdeep -c md5,sha256 -r '{files}' > '{scratch / 'hashdeep.txt'}'"],
    ]


def evcat_scan_help() -> str:
    """``evcat scan --help``: which options this evcat has."""
    return subprocess.run(
        [*evcat_command(), "scan", "--help"], capture_output=True, text=True, check=False
    ).stdout


TOOLS = [
    Tool("evcat", "evcat scan (default workers)", _evcat()),
    Tool("evcat-nomedia", "evcat scan --no-media-hash", _evcat("--no-media-hash")),
    Tool("evcat-1w", "evcat scan --workers 1", _evcat("--workers", "1"), needs="--workers"),
    Tool(
        "evcat-noclassify",
        "evcat scan --no-classify (hashes only)",
        _evcat("--no-classify"),
        needs="--no-classify",
    ),
    Tool("fiwalk", "fiwalk (MD5+SHA-1)", _fiwalk()),
    Tool("fiwalk-magic", "fiwalk -f (MD5+SHA-1+libmagic)", _fiwalk("-f")),
    Tool("recover+hashdeep", "tsk_recover -a + hashdeep md5,sha256", _recover_hashdeep),
    Tool("plain", "plain pytsk3, 1 thread, MIME", _script("plain_pytsk3.py")),
    Tool(
        "plain-describe",
        "plain pytsk3, 1 thread, MIME+description",
        _script("plain_pytsk3.py", "--describe"),
    ),
    Tool(
        "plain-nomagic",
        "plain pytsk3, 1 thread, hashes only",
        _script("plain_pytsk3.py", "--no-magic"),
    ),
    Tool("ceiling", "ceiling, all cores, MIME", _script("ceiling.py")),
    Tool(
        "ceiling-describe",
        "ceiling, all cores, MIME+description",
        _script("ceiling.py", "--describe"),
    ),
]
TOOL_NAMES = [tool.name for tool in TOOLS]
OPT_IN = {"fiwalk-magic"}


def run_tool(tool: Tool, image: Path, max_wait: float) -> dict[str, Any]:
    """One measured run of ``tool`` on ``image`` (all its commands, timed together)."""
    scratch = OUT / "speed" / f"{image.stem}-{tool.name}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    warm_page_cache(image)
    quiet = wait_for_quiet(max_wait)
    runs: list[Measured] = [
        run_measured(cmd, capture_stdout=True, cwd=REPO) for cmd in tool.commands(image, scratch)
    ]
    shutil.rmtree(scratch / "recovered", ignore_errors=True)
    wall = sum(r.wall_s for r in runs)
    record: dict[str, Any] = {
        "tool": tool.name,
        "what": tool.what,
        "wall_s": round(wall, 3),
        "max_rss_mib": max(r.max_rss_mib for r in runs),
        "tree_rss_mib": max(r.tree_rss_mib for r in runs),
        "tree_pss_mib": max(r.tree_pss_mib for r in runs),
        "max_procs": max(r.max_procs for r in runs),
        "cpu_s": round(sum(r.tree_cpu_s for r in runs), 2),
        "foreign_cores": round(sum(r.foreign_cores * r.wall_s for r in runs) / max(wall, 1e-9), 2),
        "quiet_before": quiet,
        "returncodes": [r.returncode for r in runs],
        "runs": [r.to_json() for r in runs],
    }
    last = runs[-1].stdout.strip().splitlines()
    if last and last[-1].startswith("{"):
        with contextlib.suppress(json.JSONDecodeError):
            record["report"] = json.loads(last[-1])
    if any(r.returncode not in (0, 1) for r in runs):  # evcat: 1 = finished with problems
        record["error"] = runs[-1].stderr_tail
    return record


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of repeated runs (by wall time), keeping all walls."""
    ordered = sorted(runs, key=lambda r: r["wall_s"])
    best = dict(ordered[len(ordered) // 2])
    best["walls"] = [r["wall_s"] for r in runs]
    best["wall_s"] = round(statistics.median(best["walls"]), 3)
    return best


def ratio(numerator: dict[str, Any] | None, denominator: dict[str, Any] | None) -> float | None:
    """Throughput ratio: how many times faster ``numerator`` is than ``denominator``."""
    if not numerator or not denominator:
        return None
    return round(denominator["wall_s"] / numerator["wall_s"], 2)


def ratios(by_tool: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The ratios the issue asks for (throughput: >1 means the first is faster)."""
    evcat = by_tool.get("evcat")
    return {
        "evcat/ceiling-describe (same job; target >= 0.85)": ratio(
            evcat, by_tool.get("ceiling-describe")
        ),
        "evcat/ceiling (MIME-only ceiling; target >= 0.85)": ratio(evcat, by_tool.get("ceiling")),
        "evcat/plain-describe (same job; target >= 1.8)": ratio(
            evcat, by_tool.get("plain-describe")
        ),
        "evcat/plain (MIME-only plain; target >= 1.8)": ratio(evcat, by_tool.get("plain")),
        "plain-nomagic/fiwalk (hash-only proxy)": ratio(
            by_tool.get("plain-nomagic"), by_tool.get("fiwalk")
        ),
        "evcat-noclassify/fiwalk (hash-only, once evcat has --no-classify)": ratio(
            by_tool.get("evcat-noclassify"), by_tool.get("fiwalk")
        ),
        "evcat/evcat-nomedia (media-hash cost; < 1 = slower with it)": ratio(
            evcat, by_tool.get("evcat-nomedia")
        ),
        "evcat/evcat-1w (gain from worker processes)": ratio(evcat, by_tool.get("evcat-1w")),
        "ceiling-describe/plain-describe (machine's parallel gain)": ratio(
            by_tool.get("ceiling-describe"), by_tool.get("plain-describe")
        ),
    }


def table(image_name: str, stats: dict[str, int], rows: list[dict[str, Any]]) -> str:
    """The markdown table of one image's runs."""
    headers = [
        "tool",
        "wall s",
        "files/s",
        "MB/s",
        "peak RSS MiB (1 proc)",
        "tree PSS MiB",
        "CPU s",
        "other load",
    ]
    body = []
    for row in rows:
        wall = row["wall_s"]
        body.append(
            [
                row["tool"] + (" (FAILED)" if "error" in row else ""),
                f"{wall:.1f}",
                f"{stats['files'] / wall:,.0f}",
                f"{stats['bytes'] / 1e6 / wall:,.1f}",
                f"{row['max_rss_mib']:.0f}",
                f"{row['tree_pss_mib']:.0f}"
                + (f" ({row['max_procs']} procs)" if row["max_procs"] > 1 else ""),
                f"{row['cpu_s']:.1f}",
                f"{row['foreign_cores']:.2f}",
            ]
        )
    title = (
        f"{image_name}: {stats['files']:,} files, {stats['bytes'] / 1e6:,.0f} MB"
        " (allocated regular files)"
    )
    return title + "\n\n" + markdown_table(headers, body)


def git_state() -> dict[str, Any]:
    """evcat's commit and whether the work tree had changes outside bench/."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, cwd=REPO, check=False
        ).stdout.strip()

    dirty = [
        line
        for line in git("status", "--porcelain").splitlines()
        if not line[3:].startswith("bench/")
    ]
    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty_outside_bench": len(dirty)}


def main() -> None:
    """Run every tool on every image and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", default="mix.ext4,tiny.ext4")
    parser.add_argument(
        "--tools",
        default=",".join(n for n in TOOL_NAMES if n not in OPT_IN),
        help=f"comma-separated subset of {','.join(TOOL_NAMES)}",
    )
    parser.add_argument("--warmup", choices=["cache", "run"], default="cache")
    parser.add_argument("--repeat", type=int, default=1, help="measured runs per tool (median)")
    parser.add_argument(
        "--max-wait",
        type=float,
        default=90.0,
        help="seconds to wait for other load to settle before each run",
    )
    parser.add_argument("--no-magic-cost", action="store_true")
    args = parser.parse_args()

    wanted = args.tools.split(",")
    unknown = set(wanted) - set(TOOL_NAMES)
    if unknown:
        sys.exit(f"speed.py: unknown tool(s) {sorted(unknown)}; choose from {TOOL_NAMES}")
    help_text = evcat_scan_help()
    tools = [
        tool
        for tool in TOOLS
        if tool.name in wanted and (tool.needs is None or tool.needs in help_text)
    ]
    results: dict[str, Any] = {
        "machine": machine(),
        "evcat": git_state(),
        "warmup": args.warmup,
        "repeat": args.repeat,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "images": {},
    }
    started = time.perf_counter()
    for name in args.images.split(","):
        image = image_path(name)
        stats = image_stats(image)
        print(
            f"== {name} ({image.stat().st_size / 2**20:,.0f} MiB image,"
            f" {stats.files:,} files, {stats.bytes / 1e6:,.0f} MB)",
            flush=True,
        )
        rows = []
        for tool in tools:
            if args.warmup == "run":
                run_tool(tool, image, 0)
            runs = [run_tool(tool, image, args.max_wait) for _ in range(args.repeat)]
            row = summarise(runs)
            rows.append(row)
            flag = f"  FAILED: {row['error']}" if "error" in row else ""
            print(
                f"  {tool.name:18} {row['wall_s']:8.1f} s  {row['max_rss_mib']:6.0f} MiB"
                f"  other load {row['foreign_cores']:.2f}{flag}",
                flush=True,
            )
        by_tool = {row["tool"]: row for row in rows}
        stats_dict = {"files": stats.files, "bytes": stats.bytes}
        results["images"][name] = {"stats": stats_dict, "rows": rows, "ratios": ratios(by_tool)}
        write_json("speed.json", results)
    results["elapsed_s"] = round(time.perf_counter() - started, 1)
    if not args.no_magic_cost:
        import magic_cost

        print("\n== per-file libmagic cost")
        results["magic_cost"] = magic_cost.run(args.images.split(","), per_kind=200)
    write_json("speed.json", results)
    print()
    for name, data in results["images"].items():
        print(table(name, data["stats"], data["rows"]))
        print()
        for label, value in data["ratios"].items():
            print(f"  {label}: {value if value is not None else 'n/a'}")
        print()
    print(
        f"machine: {results['machine']['cpu']}, {results['machine']['cores']} cores;"
        f" evcat {results['evcat']['commit']}; {results['elapsed_s']} s;"
        f" -> {OUT / 'speed.json'}"
    )


if __name__ == "__main__":
    main()
