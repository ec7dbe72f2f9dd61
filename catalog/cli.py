"""The batch command line: thin click wrappers over the catalog functions.

stdout carries data only (the ``--json`` envelope); progress and diagnostics go to stderr.
Every expected failure is one line on stderr and an exit code from ``catalog.exitcodes``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from catalog import __version__
from catalog.csvsafe import clean_text, escape_controls
from catalog.errors import EvcatError
from catalog.exitcodes import ExitCode, exit_code_for

F = TypeVar("F", bound=Callable[..., Any])
RESULT_VERSION = 1


def case_option(func: F) -> F:
    """``--case PATH``: the case catalog file."""
    return click.option(
        "--case",
        "case",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Case catalog (SQLite file; created if needed).",
    )(func)


def debug_option(func: F) -> F:
    """``--debug``: show tracebacks."""
    return click.option("--debug", is_flag=True, help="Show tracebacks of failures.")(func)


def guarded(func: F) -> F:
    """Map exceptions to one stderr line and an exit code, in one place."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(kwargs.get("debug"))
        try:
            return func(*args, **kwargs)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except KeyboardInterrupt:
            say("evcat: interrupted; the run is marked interrupted")
            sys.exit(ExitCode.INTERRUPTED)
        except EvcatError as exc:
            if debug:
                raise
            say(f"evcat: {exc}")
            sys.exit(exit_code_for(exc))
        except Exception as exc:
            if debug:
                raise
            say(
                f"evcat: internal error: {type(exc).__name__}: {exc} (run with --debug for details)"
            )
            sys.exit(ExitCode.INTERNAL)

    return wrapper  # type: ignore[return-value]


def say(text: str, *, nl: bool = True) -> None:
    """One diagnostic on stderr, safe to print: undecodable bytes and controls escaped."""
    click.echo(escape_controls(clean_text(text)), err=True, nl=nl)


class StderrProgress:
    """Progress on stderr, at most a few lines a second, only on a terminal."""

    def __init__(self, enabled: bool) -> None:
        """Report only when ``enabled`` (stderr is a terminal)."""
        self._enabled = enabled
        self._last = 0.0
        self._started = time.monotonic()

    def evidence_started(self, exhibit: str, path: str, media_size: int) -> None:
        """Announce an evidence item."""
        say(f"scanning {exhibit} ({media_size:,} bytes)")

    def file_done(self, exhibit: str, n_files: int, n_bytes: int) -> None:
        """Overwrite one status line."""
        now = time.monotonic()
        if not self._enabled or now - self._last < 0.25:
            return
        self._last = now
        rate = n_bytes / 1e6 / max(now - self._started, 1e-6)
        click.echo(
            f"\r  {n_files:,} files, {n_bytes / 1e6:,.1f} MB, {rate:,.1f} MB/s", err=True, nl=False
        )

    def problem(self, message: str) -> None:
        """Problems are counted in the summary; shown live only on a terminal."""
        if self._enabled:
            click.echo("\r", err=True, nl=False)
            say(f"  problem: {message}")


@click.group()
@click.version_option(__version__, prog_name="evcat")
def main() -> None:
    """evcat: catalogue seized disk images with a chain of custody."""


@main.command()
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@case_option
@click.option(
    "--exhibit",
    "exhibits",
    multiple=True,
    help="Exhibit id for each image, in order (default: the image's file name).",
)
@click.option("--examiner", envvar="EVCAT_EXAMINER", help="Examiner name (or EVCAT_EXAMINER).")
@click.option("--no-media-hash", is_flag=True, help="Skip hashing the whole media.")
@click.option(
    "--no-classify", is_flag=True, help="Hashes only: no MIME type, category or EXIF (faster)."
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Content worker processes (0: one per core for images over 256 MiB).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON result envelope on stdout.")
@debug_option
@guarded
def scan(
    images: tuple[Path, ...],
    case: Path,
    exhibits: tuple[str, ...],
    examiner: str | None,
    no_media_hash: bool,
    no_classify: bool,
    workers: int,
    as_json: bool,
    debug: bool,
) -> None:
    """Catalogue every file of each disk IMAGE into the case catalog."""
    from catalog.options import ScanOptions
    from catalog.pipeline import scan as run_scan

    options = ScanOptions(
        exhibits=exhibits,
        media_hash=not no_media_hash,
        examiner=examiner,
        workers=workers,
        classify=not no_classify,
    )
    summary = run_scan(list(images), case, options, StderrProgress(sys.stderr.isatty()))
    totals = summary.totals()
    for item in summary.evidence:
        if item.error:
            say(f"evcat: {item.error}")
    if sys.stderr.isatty():
        click.echo(err=True)  # end the progress line
    say(
        f"scan {summary.status}: {totals['files']:,} files, {totals['bytes']:,} bytes,"
        f" {totals['deleted']:,} deleted, {totals['problems']:,} problems,"
        f" {totals['elapsed']:.1f} s, {totals['mb_per_s']:.1f} MB/s -> {case}"
    )
    if as_json:
        envelope = {
            "version": RESULT_VERSION,
            "command": "scan",
            "status": summary.status,
            "run_id": summary.run_id,
            "totals": totals,
            "evidence": [dataclasses.asdict(item) for item in summary.evidence],
        }
        click.echo(json.dumps(envelope, sort_keys=True))
    sys.exit(_scan_exit(summary.status))


def _scan_exit(status: str) -> ExitCode:
    return {"success": ExitCode.OK, "partial": ExitCode.PARTIAL}.get(status, ExitCode.EVIDENCE)


@main.group()
def export() -> None:
    """Export the case catalog."""


@export.command("csv")
@case_option
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file to write.",
)
@debug_option
@guarded
def export_csv_command(case: Path, output: Path, debug: bool) -> None:
    """One row per catalogued entry, spreadsheet-safe."""
    from catalog.export import export_csv

    count = export_csv(case, output)
    say(f"wrote {count:,} rows to {output}")
