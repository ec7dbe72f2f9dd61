"""Where evcat's scan time goes: py-spy over every process, cProfile over one.

Two views of ``evcat scan`` on one image (default ``tiny.ext4``, where per-file costs rule):

* ``py-spy`` (if installed: ``pip install py-spy``) samples the real run, default workers,
  every process and thread, non-idle samples only. A thread that is runnable but waiting
  for a core counts as busy, so when threads outnumber cores the sampled seconds add up
  to more than the CPU time: read the shares, and take CPU seconds from ``speed.py``.
  Each sample is put in a bucket by its innermost recognisable frame (libmagic, hashing,
  content reads, walk, SQLite writes, IPC, ...), per process role (main, worker).
  Raw samples: ``bench/out/scan.pyspy.txt``.
* ``cProfile`` runs the scan in this process with ``--workers 1`` (content work in the main
  thread, so one profile sees all of it; the catalog writer and media-hash threads are not
  profiled). Stats: ``bench/out/scan.prof`` (open with ``python -m pstats`` or snakeviz),
  top functions: ``bench/out/scan.cprofile.txt``.

Writes ``bench/out/profile.json`` with both summaries.

Usage: python bench/profile_scan.py [--image tiny.ext4] [--only pyspy|cprofile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

from benchlib import OUT, REPO, evcat_command, image_path, markdown_table, write_json

RATE = 100  # py-spy samples per second
BUCKETS: list[tuple[str, tuple[str, ...]]] = [
    # first match from the innermost frame outwards wins
    ("libmagic (from_buffer)", ("from_buffer", "magic/__init__", "magic/compat")),
    ("EXIF (exifread)", ("exifread", "exif.py")),
    ("hashing (md5/sha1/sha256/blake3)", ("MultiHasher.update", "hashing.py", "hexdigest")),
    (
        "content reads (pytsk3 read_random)",
        ("read_chunks", "read_random", "TskImage.read", "RawSource.read"),
    ),
    ("media hash thread", ("mediahash.py",)),
    ("SQLite writes (sqlite_utils)", ("sqlite_utils", "writer.py", "queries.py")),
    (
        "IPC: pickling, pipes, futures",
        (
            "pickle",
            "connection.py",
            "queues.py",
            "reduction.py",
            "concurrent/futures",
            "workers.py",
        ),
    ),
    ("file system walk (pytsk3 + entries)", ("filesystems/tsk.py", "walk")),
    ("row building, times, ids", ("rows.py", "timeutil.py", "locator.py", "model.py")),
    ("classification glue (category, mismatch)", ("category.py", "content.py", "mime.py")),
    ("interpreter start-up and imports", ("<frozen importlib", "_find_and_load", "<module>")),
]


def _role(processes: list[str]) -> str:
    if len(processes) <= 1:
        return "evcat main process"
    last = processes[-1]
    if "resource_tracker" in last:
        return "resource tracker"
    if "forkserver" in last and len(processes) == 2:
        return "forkserver"
    return "content workers"


def _bucket(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, needles in BUCKETS:
            if any(needle in frame for needle in needles):
                return name
    return "other: " + (frames[-1].split(" (")[0] if frames else "?")


def parse_pyspy(raw: Path) -> dict[str, Any]:
    """Bucket py-spy raw samples per process role and thread."""
    by_role: dict[str, Counter[str]] = defaultdict(Counter)
    threads: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        processes = [f for f in frames if f.startswith("process ")]
        thread = next((f for f in frames if f.startswith("thread (")), "thread ?")
        code = [f for f in frames if not f.startswith(("process ", "thread ("))]
        role = _role(processes)
        thread_name = thread.split(": ", 1)[1] if ": " in thread else "main"
        if role == "evcat main process" and thread_name != "MainThread":
            role = f"evcat main process, {thread_name} thread"
        by_role[role][_bucket(code)] += int(count)
        threads[role] += int(count)
        if code:
            leaves[code[-1]] += int(count)
    return {
        "rate_hz": RATE,
        "sampled_s_by_role": {role: round(n / RATE, 1) for role, n in threads.most_common()},
        "buckets": {
            role: {name: round(n / RATE, 1) for name, n in counts.most_common()}
            for role, counts in by_role.items()
        },
        "top_leaf_frames": [(frame, round(n / RATE, 1)) for frame, n in leaves.most_common(20)],
    }


def run_pyspy(image: Path) -> dict[str, Any] | None:
    """Record a default evcat scan with py-spy and bucket the samples."""
    pyspy = shutil.which("py-spy")
    if pyspy is None:
        print("py-spy not installed (pip install py-spy): skipping the sampled profile")
        return None
    raw = OUT / "scan.pyspy.txt"
    case = OUT / "profile-pyspy.db"
    case.unlink(missing_ok=True)
    cmd = [
        pyspy,
        "record",
        "-r",
        str(RATE),
        "--subprocesses",
        "--threads",
        "-f",
        "raw",
        "-o",
        str(raw),
        "--",
        *evcat_command(),
        "scan",
        str(image),
        "--case",
        str(case),
    ]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if not raw.is_file():
        print(f"py-spy failed: {proc.stderr.strip()[-500:]}")
        return None
    summary = parse_pyspy(raw)
    print("\npy-spy: sampled busy seconds by process role (shares are what counts)")
    for role, seconds in summary["sampled_s_by_role"].items():
        print(f"\n{role}: {seconds} s")
        rows = [
            [name, s, f"{100 * s / max(seconds, 1e-9):.0f}%"]
            for name, s in summary["buckets"][role].items()
            if s >= 0.1
        ]
        print(markdown_table(["where", "sampled s", "share"], rows))
    return summary


def run_cprofile(image: Path) -> dict[str, Any]:
    """Profile an in-process ``--workers 1`` scan with cProfile."""
    from catalog.cli import main as evcat_main

    case = OUT / "profile-cprofile.db"
    case.unlink(missing_ok=True)
    args = ["scan", str(image), "--case", str(case), "--no-media-hash"]
    if (
        "--workers"
        in subprocess.run(
            [*evcat_command(), "scan", "--help"], capture_output=True, text=True, check=False
        ).stdout
    ):
        args += ["--workers", "1"]
    profiler = cProfile.Profile()
    with contextlib.suppress(SystemExit):
        profiler.runcall(evcat_main, args, standalone_mode=False)
    stats_path = OUT / "scan.prof"
    profiler.dump_stats(stats_path)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)
    (OUT / "scan.cprofile.txt").write_text(text.getvalue())
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = max(entry[3] for entry in raw.values())
    top = sorted(raw.items(), key=lambda item: item[1][2], reverse=True)[:25]
    rows = [
        {
            "function": f"{func[2]} ({func[0]}:{func[1]})",
            "calls": entry[1],
            "tottime_s": round(entry[2], 2),
            "cumtime_s": round(entry[3], 2),
        }
        for func, entry in top
    ]
    print(f"\ncProfile (--workers 1, no media hash), {total:.1f} s profiled; top by own time:")
    print(
        markdown_table(
            ["function", "calls", "own s", "cumulative s"],
            [[r["function"], r["calls"], r["tottime_s"], r["cumtime_s"]] for r in rows[:15]],
        )
    )
    return {"total_s": round(total, 1), "top_tottime": rows}


def main() -> None:
    """Profile and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", default="tiny.ext4")
    parser.add_argument("--only", choices=["pyspy", "cprofile"])
    args = parser.parse_args()
    image = image_path(args.image)
    sys.path.insert(0, str(REPO))
    result: dict[str, Any] = {"image": args.image}
    if args.only in (None, "pyspy"):
        result["pyspy"] = run_pyspy(image)
    if args.only in (None, "cprofile"):
        result["cprofile"] = run_cprofile(image)
    write_json("profile.json", result)


if __name__ == "__main__":
    main()
