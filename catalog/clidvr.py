"""The ``dvr`` commands: list a case's recordings, export clips, declare a recorder's clock.

Thin wrappers over ``catalog.video``: ``list`` prints the rows ``evcat export carved``
writes (same columns, same order), ``export`` writes original bytes and MP4s with custody
entries, ``clock`` records the zone in which a recorder's wall-clock times are to be read.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from catalog.cli import case_option, debug_option, examiner_options, guarded, main, say, say_head
from catalog.clitable import emit_rows
from catalog.errors import UsageError
from catalog.exitcodes import ExitCode

_LIST_COLUMNS = (
    "exhibit", "channel", "start", "end", "status", "kind", "offset", "length", "sha256",
    "vendor", "source", "time_basis",
)  # fmt: skip


def _moment(text: str | None, name: str) -> dt.datetime | None:
    """An ISO-8601 time from the command line, compared with the listing's times.

    A time without a zone is read as the listing reads it (recorder wall-clock, or UTC
    once the exhibit's zone is declared).
    """
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"{name} {text!r}: not an ISO-8601 time") from exc
    if moment.tzinfo is not None:
        return moment.astimezone(dt.UTC)
    return moment.replace(tzinfo=dt.UTC)


@main.group("dvr")
def dvr_group() -> None:
    """CCTV recorder disks: recordings, carved clips, clocks and export."""


@dvr_group.command("list")
@case_option
@click.option("--exhibit", help="Only this exhibit.")
@click.option("--channel", type=click.IntRange(min=0), help="Only this camera channel.")
@click.option("--all-columns", is_flag=True, help="Every column of `evcat export carved`.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of tab-separated.")
@debug_option
@guarded
def dvr_list(
    case: Path,
    exhibit: str | None,
    channel: int | None,
    all_columns: bool,
    as_json: bool,
    debug: bool,
) -> None:
    """Every recording segment and carved clip or snapshot in the case."""
    from catalog.store import open_catalog_readonly
    from catalog.video.listing import COLUMNS, records

    db = open_catalog_readonly(case)
    try:
        columns = COLUMNS if all_columns or as_json else _LIST_COLUMNS
        count = emit_rows(records(db, exhibit, channel), columns, as_json)
    finally:
        db.close()
    say(f"{count:,} video segments")


@dvr_group.command("export")
@case_option
@click.option("--exhibit", required=True, help="The exhibit whose segments to export.")
@click.option("--channel", type=click.IntRange(min=0), help="Only this camera channel.")
@click.option("--from", "start_from", help="Only segments that end at or after this time.")
@click.option("--to", "start_to", help="Only segments that start at or before this time.")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@examiner_options
@debug_option
@guarded
def dvr_export(
    case: Path,
    exhibit: str,
    channel: int | None,
    start_from: str | None,
    start_to: str | None,
    out_dir: Path,
    examiner: str | None,
    sign_key: Path | None,
    debug: bool,
) -> None:
    """Write each selected segment to OUT_DIR as its original bytes and as an MP4."""
    from catalog.examiner import actor_for
    from catalog.video.export import Selection, export_segments

    actor = actor_for(examiner, sign_key)
    selection = Selection(
        exhibit, channel, _moment(start_from, "--from"), _moment(start_to, "--to")
    )
    result = export_segments(case, selection, out_dir, actor)
    failures = 0
    for item in result:
        mp4 = "no MP4"
        if item.mp4:
            timing = ", generated timestamps" if item.synthetic_timestamps else ""
            mp4 = f"{item.mp4.name} SHA-256 {item.mp4_sha256} ({item.packets} packets{timing})"
        say(f"{item.original.name} SHA-256 {item.original_sha256}; {mp4}")
        if item.error:
            failures += 1
            say(f"evcat: {item.segment_id}: {item.error}")
    say(f"exported {len(result):,} segments to {out_dir}")
    say_head(case)
    sys.exit(ExitCode.PARTIAL if failures else ExitCode.OK)


@dvr_group.command("clock")
@case_option
@click.option("--exhibit", required=True, help="The recorder's exhibit.")
@click.option("--zone", required=True, help="IANA zone the recorder's clock was set to.")
@click.option(
    "--skew-seconds",
    type=int,
    default=0,
    show_default=True,
    help="How far the recorder's clock ran ahead of true time (negative: behind).",
)
@click.option("--note", help="How the zone and skew were established (photo, reference clock).")
@examiner_options
@debug_option
@guarded
def dvr_clock(
    case: Path,
    exhibit: str,
    zone: str,
    skew_seconds: int,
    note: str | None,
    examiner: str | None,
    sign_key: Path | None,
    debug: bool,
) -> None:
    """Declare the zone (and skew) of a recorder's clock: its times then read as UTC."""
    from catalog.examiner import actor_for
    from catalog.video.clockdecl import declare_clock

    actor = actor_for(examiner, sign_key)
    declare_clock(case, exhibit, zone, skew_seconds, note, actor)
    say(f"{exhibit}: recorder clock declared as {zone} (skew {skew_seconds:+d} s)")
    say_head(case)
