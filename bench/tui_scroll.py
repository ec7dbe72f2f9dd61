"""How the browser copes with a 500,000-row case: open, scroll, jump, re-sort, filter, memory.

Issue 6 asks that a catalog of at least 500,000 file rows opens and scrolls with the file
table responding within a frame or two, and that memory stays under 400 MiB. This script
builds such a catalog with ``tests/fixtures/bigcatalog.py`` (in a child process, so the
build's memory is not counted), runs the app headless (``run_test(size=(120, 40))``) and
times on the app's own thread:

* opening the browse screen (``b``) until the first view is shown (its order built);
* N PageDown and N Down presses, and End/Home jumps, two ways. "press+pause" is
  ``pilot.press`` then ``pilot.pause`` (wall and CPU time); the pilot waits for the process
  to look idle in 20 ms sleeps, so its wall time has a floor of about 60 ms that has
  nothing to do with the app (shown by a key nothing is bound to). "handled+drawn" posts
  the key, waits until every message it caused is handled (no sleeps) and renders the
  frame: the app's own latency, plus ~5 ms of the pilot's bookkeeping (same baseline key);
* gen-2 garbage collections during scrolling (their pauses show up as the max latencies);
* flipping the deleted filter (``d``) on and off, then re-sorting by size (a click on the
  Size title, then ``r``), each until the new view is shown, and the same orders built by
  ``catalog.store.browse.build_order`` alone (a view that fails to build is reported);
* RSS after each stage and the peak (``ru_maxrss``).

Headless runs render each frame's lines but do not write them to a terminal; the cost of
turning a full frame into terminal output is measured once and printed beside them.
``--profile`` runs the open and the handled+drawn presses under cProfile and prints the
top functions (``bench/out/tui_scroll.prof``). Results: ``bench/out/tui_scroll.json``
(``tui_scroll-fixes.json`` with ``--gc-freeze`` or ``--cursor-no-repaint``, which try the
suggested fixes by patching the app in this process).

Usage: python bench/tui_scroll.py [--rows 500000] [--catalog PATH] [--presses 200] [--profile]
                                  [--gc-freeze] [--cursor-no-repaint]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import pstats
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import benchlib

sys.path.insert(0, str(benchlib.REPO))

FRAME_MS = 1000 / 60
EXAMINER = "Bench Examiner"
IDLE_KEY = "x"  # bound to nothing on the browse screen: the harness's own cost
PROFILER: cProfile.Profile | None = None
FREEZE = False  # --gc-freeze: gc.freeze() once the browse screen is open, again every 50 keys


def rss_mib() -> float:
    """The process's resident set now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def peak_rss_mib() -> float:
    """The process's largest resident set so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def summary(samples: list[float]) -> dict[str, float]:
    """Median, 95th percentile and max in ms, and how many exceed one and two frames."""
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 1),
        "max_ms": round(ordered[-1], 1),
        "over_1_frame": sum(sample > FRAME_MS for sample in ordered),
        "over_2_frames": sum(sample > 2 * FRAME_MS for sample in ordered),
    }


@contextmanager
def gen2_pauses(into: list[float]) -> Any:
    """Record the duration (ms) of every full (generation 2) collection inside the block."""
    started: list[float] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            into.append(round((time.perf_counter() - started.pop()) * 1000, 1))

    gc.callbacks.append(callback)
    try:
        yield
    finally:
        gc.callbacks.remove(callback)


@contextmanager
def profiled() -> Any:
    """Run the block under the module's profiler, when ``--profile`` made one."""
    if PROFILER is not None:
        PROFILER.enable()
    try:
        yield
    finally:
        if PROFILER is not None:
            PROFILER.disable()


def build(path: Path, rows: int, seed: int) -> dict[str, float]:
    """Build the catalog in a child process; its build time and peak RSS."""
    command = [sys.executable, __file__, "--build-only", str(path), "--rows", str(rows)]
    output = subprocess.run(
        [*command, "--seed", str(seed)], check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(output.splitlines()[-1]))


def build_here(path: Path, rows: int, seed: int) -> None:
    """The child's side of ``build``: build, print time and peak RSS as JSON."""
    from tests.fixtures.bigcatalog import build_big_catalog

    started = time.perf_counter()
    build_big_catalog(path, rows, seed=seed)
    print(
        json.dumps(
            {"seconds": round(time.perf_counter() - started, 1), "peak_rss_mib": peak_rss_mib()}
        )
    )


def count_files(case: Path) -> int:
    """How many file rows the catalog holds."""
    connection = sqlite3.connect(case)
    try:
        return int(connection.execute("SELECT count(*) FROM files").fetchone()[0])
    finally:
        connection.close()


async def settle(pilot: Any) -> None:
    """Let messages, workers and the messages they post all finish."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def press_pause(pilot: Any, key: str) -> tuple[float, float]:
    """Wall and CPU ms of ``pilot.press(key)`` then ``pilot.pause()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    await pilot.press(key)
    await pilot.pause()
    elapsed = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
    refreeze()
    return elapsed


PRESSED = [0]


def refreeze() -> None:
    """With ``--gc-freeze``, freeze the heap again every 50 keys (as an idle hook could)."""
    PRESSED[0] += 1
    if FREEZE and PRESSED[0] % 50 == 0:
        gc.freeze()


async def handled_drawn(pilot: Any, key: str) -> float:
    """Ms from posting ``key`` until all it caused is handled and the frame is rendered."""
    from textual import events

    app = pilot.app
    with profiled():
        started = time.perf_counter()
        app._driver.send_message(events.Key(key, None))
        for _ in range(3):  # the key, the action's messages, their handlers' messages
            await pilot._wait_for_screen()
        app.screen._on_timer_update()
        elapsed = (time.perf_counter() - started) * 1000
    await pilot.pause()  # untimed: start the next press from idle
    refreeze()
    return elapsed


async def scroll(pilot: Any, presses: int) -> dict[str, Any]:
    """Baseline, PageDown and Down presses, End and Home jumps: both ways, with GC pauses."""
    results: dict[str, Any] = {"gen2_ms": []}
    with gen2_pauses(results["gen2_ms"]):
        for key, count in ((IDLE_KEY, 50), ("pagedown", presses), ("down", presses)):
            timings = [await press_pause(pilot, key) for _ in range(count)]
            results[f"{key} press+pause"] = summary([wall for wall, _ in timings])
            results[f"{key} press+pause CPU"] = summary([cpu for _, cpu in timings])
            results[f"{key} handled+drawn"] = summary(
                [await handled_drawn(pilot, key) for _ in range(count)]
            )
        for key in ("end", "home"):
            results[f"{key} press+pause"] = summary([(await press_pause(pilot, key))[0]])
        jumps: dict[str, list[float]] = {"end": [], "home": []}
        for _ in range(5):
            for key in ("end", "home"):
                jumps[key].append(await handled_drawn(pilot, key))
        for key, samples in jumps.items():
            results[f"{key} handled+drawn"] = summary(samples)
    return results


def store_order(case: Path, file_filter: Any, sort: Any) -> dict[str, Any]:
    """``build_order`` alone on a fresh read-only connection: ms and rows, or the error."""
    from catalog.store import browse, open_catalog_readonly

    db = open_catalog_readonly(case)
    started = time.perf_counter()
    try:
        rows = len(browse.build_order(db, file_filter, sort))
    except Exception as exc:  # reported: that is the finding
        return {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        db.close()
    return {"ms": round((time.perf_counter() - started) * 1000, 1), "rows": rows}


async def views(pilot: Any, case: Path) -> dict[str, Any]:
    """Flip the deleted filter on and off, sort by size (a click on the title), reverse it."""
    from catalog.store import browse
    from tui.widgets.filetable import FileTableHeader

    screen = pilot.app.screen
    table = screen.file_table()
    header = screen.query_one("#table-header", FileTableHeader)

    async def click_size() -> None:
        header.post_message(FileTableHeader.SortClicked("size"))

    async def press(key: str) -> None:
        await pilot.press(key)

    everything, deleted = browse.FileFilter(), browse.FileFilter(deleted_only=True)
    size_up, size_down = browse.FileSort("size"), browse.FileSort("size", True)
    path = browse.FileSort()
    steps: list[tuple[str, Callable[[], Awaitable[None]], Any, Any]] = [
        ("deleted on (d)", lambda: press("d"), deleted, path),
        ("deleted off (d)", lambda: press("d"), everything, path),
        ("sort by size (click)", click_size, everything, size_up),
        ("reverse (r)", lambda: press("r"), everything, size_down),
    ]
    results: dict[str, Any] = {}
    for name, act, file_filter, sort in steps:
        before, started = table.order, time.perf_counter()
        await act()
        await settle(pilot)
        ms = round((time.perf_counter() - started) * 1000, 1)
        shown = table.order is not before and (screen.file_filter, screen.sort) == (
            file_filter,
            sort,
        )
        store = store_order(case, file_filter, sort)
        results[name] = {"ui_ms": ms, "view_shown": shown, "rows": table.row_count, "store": store}
    return results


async def open_browse(pilot: Any, n_rows: int) -> dict[str, Any]:
    """Press ``b`` and wait for the first view; the time and the calls compose makes."""
    from catalog.store import browse

    started = time.perf_counter()
    with profiled():
        await pilot.press("b")
        await settle(pilot)
    shown = time.perf_counter() - started
    table = pilot.app.screen.file_table()
    assert table.row_count == n_rows, (table.row_count, n_rows)
    session = pilot.app.session
    parts = {}
    for name, call in (
        ("categories", lambda: browse.categories(session.reader)),
        ("exhibits", session.exhibits),
    ):
        part = time.perf_counter()
        call()
        parts[name] = round((time.perf_counter() - part) * 1000, 1)
    return {"open_browse_ms": round(shown * 1000, 1), "ui_thread_queries_ms": parts}


def full_frame_ms(app: Any) -> float:
    """Ms to render a full frame and turn it into terminal output (headless runs skip that)."""
    started = time.perf_counter()
    app.screen._compositor.render_update(full=True).render_segments(app.console)
    return round((time.perf_counter() - started) * 1000, 1)


async def drive(case: Path, n_rows: int, presses: int) -> dict[str, Any]:
    """Run the app on ``case``: open, scroll, views, memory."""
    from tui.app import make_app

    results: dict[str, Any] = {"rss_before_app_mib": rss_mib()}
    app = make_app(case, examiner=EXAMINER)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        results.update(await open_browse(pilot, n_rows))
        if FREEZE:
            gc.collect()
            gc.freeze()
        results["rss_after_open_mib"] = rss_mib()
        results["scroll"] = await scroll(pilot, presses)
        results["rss_after_scroll_mib"] = rss_mib()
        results["full_frame_to_terminal_ms"] = full_frame_ms(app)
        results["views"] = await views(pilot, case)
        results["rss_after_views_mib"] = rss_mib()
    results["peak_rss_mib"] = peak_rss_mib()
    return results


def report(results: dict[str, Any]) -> None:
    """Print the measurements as markdown tables."""
    print(f"\ncatalog: {results['rows']:,} rows; build: {results['build']}; other load at the"
          f" start: {results['other_load']} cores")  # fmt: skip
    print(f"fixes tried: {results['fixes_tried'] or 'none'}")
    print(f"open browse: {results['open_browse_ms']} ms until the first view is shown; "
          f"synchronous queries in compose/mount: {results['ui_thread_queries_ms']}")  # fmt: skip
    scrolled = results["scroll"]
    headers = ["key, method", "n", "median ms", "p95 ms", "max ms", "> 1 frame", "> 2 frames"]
    keys = ["n", "median_ms", "p95_ms", "max_ms", "over_1_frame", "over_2_frames"]
    rows = [[name, *(s[key] for key in keys)] for name, s in scrolled.items() if name != "gen2_ms"]
    print(benchlib.markdown_table(headers, rows))
    pauses = scrolled["gen2_ms"]
    print(f"gen-2 collections while scrolling: {len(pauses)}, ms each: {pauses}")
    print(f"one full frame to terminal output: {results['full_frame_to_terminal_ms']} ms")
    rows = [
        [name, step["ui_ms"], step["view_shown"], step["rows"], step["store"]]
        for name, step in results["views"].items()
    ]
    print(benchlib.markdown_table(["view", "UI ms", "shown", "rows", "build_order alone"], rows))
    stages = ("before_app", "after_open", "after_scroll", "after_views")
    rss = ", ".join(f"{stage} {results[f'rss_{stage}_mib']}" for stage in stages)
    print(f"\nRSS MiB: {rss}; peak {results['peak_rss_mib']}")


def no_cursor_repaint() -> None:
    """Try the fix: the cursor's moves redraw its two lines only, not the whole table."""
    from textual.reactive import reactive

    from tui.widgets.filetable import FileTable

    FileTable.cursor_row = reactive(0, repaint=False)
    FileTable.cursor_row.__set_name__(FileTable, "cursor_row")


def main() -> int:
    """Build (or reuse) the catalog, measure, print, write ``bench/out/tui_scroll.json``."""
    global PROFILER, FREEZE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--catalog", type=Path, help="reuse (or build once at) this path")
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--profile", action="store_true", help="cProfile open and presses")
    parser.add_argument("--gc-freeze", action="store_true", help="try fix: gc.freeze() on open")
    parser.add_argument(
        "--cursor-no-repaint", action="store_true", help="try fix: cursor_row repaint=False"
    )
    parser.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        build_here(args.build_only, args.rows, args.seed)
        return 0
    PROFILER = cProfile.Profile() if args.profile else None
    FREEZE = args.gc_freeze
    if args.cursor_no_repaint:
        no_cursor_repaint()
    with tempfile.TemporaryDirectory(prefix="tui-scroll-") as scratch:
        case = args.catalog or Path(scratch) / "big.db"
        build_info: Any = "reused"
        if not case.exists():
            build_info = build(case, args.rows, args.seed)
        rows = count_files(case)
        other_load = benchlib.wait_for_quiet(90)
        results = asyncio.run(drive(case, rows, args.presses))
    fixes = [
        name
        for name, on in (
            ("gc.freeze (every 50 keys)", FREEZE),
            ("cursor repaint=False", args.cursor_no_repaint),
        )
        if on
    ]
    results.update(
        rows=rows,
        build=build_info,
        machine=benchlib.machine(),
        other_load=other_load,
        fixes_tried=fixes,
    )
    report(results)
    name = "tui_scroll-fixes.json" if fixes else "tui_scroll.json"
    print(f"wrote {benchlib.write_json(name, results)}")
    if PROFILER is not None:
        PROFILER.dump_stats(benchlib.OUT / "tui_scroll.prof")
        for order in ("tottime", "cumulative"):
            pstats.Stats(PROFILER).sort_stats(order).print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
