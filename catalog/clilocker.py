"""``evcat locker scan`` and ``evcat locker status``: thin wrappers over ``catalog.locker``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from catalog.cli import (
    RESULT_VERSION,
    case_option,
    debug_option,
    examiner_options,
    guarded,
    main,
    say,
    say_head,
    scan_content_options,
)
from catalog.exitcodes import ExitCode

if TYPE_CHECKING:
    from catalog.locker.status import LockerStatus


@main.group("locker")
def locker_group() -> None:
    """Catalogue a whole evidence locker (a folder tree of images), resumably, with Dask."""


class _TerminalProgress:
    """A progress bar on a terminal; exhibit and retry messages always, problems on a tty."""

    def __init__(self, tty: bool) -> None:
        self._tty = tty

    def update(self, status: LockerStatus) -> None:
        from catalog.locker.status import progress_line

        if self._tty:
            click.echo("\r\x1b[2K" + progress_line(status), err=True, nl=False)

    def message(self, text: str) -> None:
        if ": problem: " in text and not self._tty:
            return
        if self._tty:
            click.echo("\r\x1b[2K", err=True, nl=False)
        say(text)


@locker_group.command("scan")
@click.argument("locker", type=click.Path(file_okay=False, path_type=Path))
@case_option
@click.option(
    "--scheduler", help="Address of an existing Dask scheduler (tcp://HOST:PORT); default: local."
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Worker processes of the local cluster (0: one per core).",
)
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="CSV from the lab: path,exhibit[,description,seized_from,...] per image.",
)
@click.option(
    "--exhibit-rule",
    default="{relpath}",
    show_default=True,
    help="Exhibit id of images not in the manifest: {relpath} {relstem} {stem} {name} {dir}"
    " {parent}.",
)
@click.option(
    "--status-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append a JSON-lines status (units, bytes, rate, ETA, problems) for monitoring.",
)
@scan_content_options
@click.option(
    "--unit-files",
    type=click.IntRange(min=1),
    default=2000,
    show_default=True,
    help="Most entries of a file system in one work unit.",
)
@click.option(
    "--unit-mb",
    type=click.IntRange(min=1),
    default=256,
    show_default=True,
    help="Most content megabytes (MiB) in one work unit.",
)
@click.option(
    "--max-attempts",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Tries of a failing unit before it is recorded as a problem.",
)
@examiner_options
@click.option("--json", "as_json", is_flag=True, help="Print a JSON result envelope on stdout.")
@debug_option
@guarded
def locker_scan(
    locker: Path,
    case: Path,
    scheduler: str | None,
    workers: int,
    manifest: Path | None,
    exhibit_rule: str,
    status_file: Path | None,
    no_media_hash: bool,
    no_classify: bool,
    no_extract: bool,
    no_video_carve: bool,
    hash_set_store: Path | None,
    hash_set_names: tuple[str, ...],
    no_hashsets: bool,
    unit_files: int,
    unit_mb: int,
    max_attempts: int,
    examiner: str | None,
    sign_key: Path | None,
    as_json: bool,
    debug: bool,
) -> None:
    """Catalogue every image under LOCKER into the case; run it again to resume."""
    from catalog.examiner import actor_for
    from catalog.hashsets import store_for_scan
    from catalog.knownfiles import KnownFileMatcher
    from catalog.locker.job import LockerOptions, scan_locker
    from catalog.locker.units import ScanSettings

    actor = actor_for(examiner, sign_key)
    settings = ScanSettings(
        classify=not no_classify,
        extract_text=not no_extract and not no_classify,
        media_hash=not no_media_hash,
        carve_video=not no_video_carve,
        unit_files=unit_files,
        unit_bytes=unit_mb << 20,
    )
    options = LockerOptions(
        scheduler=scheduler,
        workers=workers,
        rule=exhibit_rule,
        manifest=manifest,
        settings=settings,
        max_attempts=max_attempts,
        status_file=status_file,
    )
    store = None if no_hashsets else store_for_scan(hash_set_store)
    known = KnownFileMatcher(store, hash_set_names) if store is not None else None
    tty = sys.stderr.isatty()
    try:
        summary = scan_locker(locker, case, options, actor, _TerminalProgress(tty), known)
    finally:
        if known is not None:
            known.close()
    if tty:
        click.echo(err=True)
    if summary.case_created:
        say(f"created case {case} (no case existed at that path)")
    if summary.interrupted_runs:
        say(f"resumed after {len(summary.interrupted_runs)} interrupted run(s)")
    _say_exhibits(summary.status)
    _say_items(summary.status)
    totals = summary.status.to_json()
    say(
        f"locker scan {summary.outcome}: {len(summary.status.exhibits)} exhibits,"
        f" {totals['units']['done']}/{totals['units']['total']} units done"
        f" ({summary.units_run} this run, {totals['units']['failed']} failed),"
        f" {totals['files']:,} files, {totals['problems']:,} problems,"
        f" {summary.elapsed:.1f} s -> {case}"
    )
    say_head(case)
    if as_json:
        envelope = {
            "version": RESULT_VERSION,
            "command": "locker scan",
            "status": summary.outcome,
            "run_id": summary.run_id,
            "locker": str(summary.locker),
            "status_snapshot": totals,
        }
        click.echo(json.dumps(envelope, sort_keys=True))
    if not summary.status.exhibits:
        say(f"evcat: {locker}: no disk image found; nothing was catalogued")
        sys.exit(ExitCode.EVIDENCE)
    exits = {"success": ExitCode.OK, "partial": ExitCode.PARTIAL}
    sys.exit(exits.get(summary.outcome, ExitCode.EVIDENCE))


def _say_exhibits(status: LockerStatus) -> None:
    for row in status.exhibits:
        say(
            f"  {row['exhibit']}: {row['status'] or row['state']}, {row['files']:,} files,"
            f" {row['done']}/{row['units']} units ({row['failed']} failed),"
            f" {row['problems']:,} problems"
        )


def _say_items(status: LockerStatus) -> None:
    roles = status.items
    if roles:
        say(
            "  locker items: "
            + ", ".join(f"{count:,} {role}" for role, count in sorted(roles.items()))
            + (" (unrecognised files are recorded, not scanned;"
               " see locker_items in the case)" if roles.get("unrecognised") else "")
        )  # fmt: skip


@locker_group.command("status")
@case_option
@click.option(
    "--locker",
    type=click.Path(file_okay=False, path_type=Path),
    help="Only this locker (default: every locker scanned into the case).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON on stdout.")
@debug_option
@guarded
def locker_status(case: Path, locker: Path | None, as_json: bool, debug: bool) -> None:
    """Show where the case's locker scans stand, without running anything."""
    from catalog.locker.opening import COMMAND, command_for
    from catalog.locker.status import progress_line, snapshot
    from catalog.store import open_catalog_readonly

    db = open_catalog_readonly(case)
    try:
        root = locker.resolve() if locker else None
        prefix = command_for(root) if root else COMMAND
        status = snapshot(db, str(root) if root else None, prefix)
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps(status.to_json(), sort_keys=True, ensure_ascii=False))
        return
    if not status.exhibits:
        say(f"{case}: no locker scan recorded" + (f" for {root}" if root else ""))
        return
    run = status.run
    if run is not None:
        say(f"last run {run['run_id']}: {run['status']}, started {run['started']}")
    say(progress_line(status))
    _say_exhibits(status)
    _say_items(status)
