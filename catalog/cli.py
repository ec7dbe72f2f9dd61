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
from catalog.examiner import actor_for
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
        help="Case catalog (SQLite file).",
    )(func)


def examiner_option(func: F) -> F:
    """``--examiner NAME`` (or EVCAT_EXAMINER, or the config file)."""
    return click.option(
        "--examiner",
        help="Examiner's name (or EVCAT_EXAMINER, or examiner= in the config file).",
    )(func)


def examiner_options(func: F) -> F:
    """``--examiner NAME`` and ``--sign-key KEY``."""
    func = click.option(
        "--sign-key",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Ed25519 private key: sign the new custody head (or EVCAT_SIGNING_KEY/config).",
    )(func)
    return examiner_option(func)


def scan_content_options(func: F) -> F:
    """What a scan does to each file: media hash, classification, extraction, hash sets.

    Adds ``no_media_hash``, ``no_classify``, ``hash_set_store``, ``hash_set_names``,
    ``no_hashsets``, ``no_extract`` and ``no_video_carve`` (``evcat scan`` and ``evcat locker
    scan``).
    """
    options = (
        click.option("--no-media-hash", is_flag=True, help="Skip hashing the whole media."),
        click.option(
            "--no-classify",
            is_flag=True,
            help="Hashes only: no MIME type, category or EXIF (faster).",
        ),
        click.option(
            "--hashsets",
            "hash_set_store",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Hash-set store to look files up in (default: $EVCAT_HASHSETS or the user's"
            " store, when it exists).",
        ),
        click.option(
            "--hashset", "hash_set_names", multiple=True, help="Only this hash set (repeatable)."
        ),
        click.option("--no-hashsets", is_flag=True, help="No known-file lookups."),
        click.option(
            "--no-extract",
            is_flag=True,
            help="No text extraction, archive opening or artefact detection (faster).",
        ),
        click.option(
            "--no-video-carve",
            is_flag=True,
            help="Do not carve video from DVR disks' uncovered ranges or from unreadable disks.",
        ),
    )
    for option in reversed(options):
        func = option(func)
    return func


def say_head(case: Path) -> None:
    """End a changing command with the case's custody head (STYLE 9)."""
    from catalog.custody.actions import current_head

    head = current_head(case)
    if head is not None:
        say(f"custody head: entry {head.seq} {head.entry_hash}")


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
@examiner_options
@scan_content_options
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Content worker processes (0: one per core for images over 256 MiB).",
)
@click.option(
    "--carve",
    is_flag=True,
    help="Also carve files and text from free space and unpartitioned space (slower).",
)
@click.option(
    "--slack", is_flag=True, help="With --carve: also look for text in every file's slack."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON result envelope on stdout.")
@debug_option
@guarded
def scan(
    images: tuple[Path, ...],
    case: Path,
    exhibits: tuple[str, ...],
    examiner: str | None,
    sign_key: Path | None,
    no_media_hash: bool,
    no_classify: bool,
    hash_set_store: Path | None,
    hash_set_names: tuple[str, ...],
    no_hashsets: bool,
    no_extract: bool,
    no_video_carve: bool,
    workers: int,
    carve: bool,
    slack: bool,
    as_json: bool,
    debug: bool,
) -> None:
    """Catalogue every file of each disk IMAGE into the case catalog.

    DVR disks (Hikvision, Dahua DHFS4.1, WFS) are listed from their recorder index.
    """
    from catalog.hashsets import store_for_scan
    from catalog.options import ScanOptions
    from catalog.pipeline import scan as run_scan

    actor = actor_for(examiner, sign_key)
    options = ScanOptions(
        examiner=actor.examiner,
        exhibits=exhibits,
        media_hash=not no_media_hash,
        carve_video=not no_video_carve,
        carve=carve or slack,
        carve_slack=slack,
        workers=workers,
        classify=not no_classify,
        extract_text=not no_extract,
        hash_set_store=None if no_hashsets else store_for_scan(hash_set_store),
        hash_set_names=hash_set_names,
        signing_key=actor.signing_key,
    )
    summary = run_scan(list(images), case, options, StderrProgress(sys.stderr.isatty()))
    if summary.case_created:
        say(f"created case {case} (no case existed at that path)")
    totals = summary.totals()
    for item in summary.evidence:
        if item.error:
            say(f"evcat: {item.error}")
    if sys.stderr.isatty():
        click.echo(err=True)  # end the progress line
    say(
        f"scan {summary.status}: {totals['files']:,} files, {totals['bytes']:,} bytes,"
        f" {totals['deleted']:,} deleted, {totals['archive_members']:,} archive members,"
        f" {totals['findings']:,} findings, {totals['known_good']:,} known-good and"
        f" {totals['known_bad']:,} known-bad files, {totals['problems']:,} problems,"
        f" {totals['elapsed']:.1f} s, {totals['mb_per_s']:.1f} MB/s -> {case}"
    )
    if carve or slack:
        say(
            f"{totals['carved']:,} items carved from unallocated space"
            f" ({totals['carved_duplicates']:,} duplicates of catalogued files):"
            f" evcat export carved --case {case} -o FILE"
        )
    if totals["video_segments"]:
        say(
            f"{totals['video_segments']:,} video segments (DVR recordings, carved clips):"
            f" evcat dvr list --case {case}"
        )
    say_head(case)
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


def output_option(func: F) -> F:
    """``-o FILE``: where an export goes."""
    return click.option(
        "-o",
        "--output",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="File to write (its manifest goes beside it as FILE.manifest.json).",
    )(func)


@main.group("case")
def case_group() -> None:
    """Create and describe cases."""


@case_group.command("init")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--case-number", help="The agency's case number.")
@click.option("--title", help="Case title.")
@click.option("--agency", help="Investigating agency.")
@click.option("--time-zone", help="IANA time zone of the seizure site (e.g. Asia/Tokyo).")
@examiner_options
@debug_option
@guarded
def case_init(
    path: Path,
    case_number: str | None,
    title: str | None,
    agency: str | None,
    time_zone: str | None,
    examiner: str | None,
    sign_key: Path | None,
    debug: bool,
) -> None:
    """Create a new case catalog at PATH."""
    from catalog.case import CaseFacts, init_case

    actor = actor_for(examiner, sign_key)
    facts = CaseFacts(case_number=case_number, title=title, agency=agency, site_time_zone=time_zone)
    row = init_case(path, facts, actor)
    say(f"created case {row['case_id']} at {path}")
    say_head(path)


@main.command("add")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("image", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--exhibit", required=True, help="Exhibit id (e.g. the evidence bag number).")
@click.option("--description", help="What the exhibit is.")
@click.option("--seized-from", help="Person or company it was seized from.")
@click.option("--seized-where", help="Where it was seized.")
@click.option("--seized-when", help="When (ISO-8601; local times use the case's time zone).")
@click.option("--seized-by", help="Who seized it.")
@click.option("--acquisition-tool", help="Imaging tool and version.")
@click.option("--acquisition-md5", help="MD5 of the media recorded at acquisition.")
@click.option("--acquisition-sha1", help="SHA-1 of the media recorded at acquisition.")
@click.option("--acquisition-sha256", help="SHA-256 of the media recorded at acquisition.")
@examiner_options
@debug_option
@guarded
def add_command(
    path: Path,
    image: Path,
    exhibit: str,
    examiner: str | None,
    sign_key: Path | None,
    debug: bool,
    **facts: str | None,
) -> None:
    """Register disk IMAGE as an exhibit of the case at PATH."""
    from catalog.case import ExhibitFacts, add_exhibit

    actor = actor_for(examiner, sign_key)
    row = add_exhibit(path, image, exhibit, ExhibitFacts(**facts), actor)
    say(f"added exhibit {row['exhibit']} ({row['path']}) to {path}")
    say_head(path)


@main.command("verify")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--case", "case", type=click.Path(dir_okay=False, path_type=Path), help="Case.")
@click.option("--expect-head", help="A custody head noted earlier: it must still be in the log.")
@click.option(
    "--public-key",
    "public_keys",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Examiner's Ed25519 public key: checkpoints must be signed by it (repeatable).",
)
@click.option("--no-evidence", is_flag=True, help="Check the record only; do not re-hash.")
@click.option("--read-only", is_flag=True, help="Do not log the verification (no examiner).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@examiner_options
@debug_option
@guarded
def verify_command(
    path: Path | None,
    case: Path | None,
    expect_head: str | None,
    public_keys: tuple[Path, ...],
    no_evidence: bool,
    read_only: bool,
    as_json: bool,
    examiner: str | None,
    sign_key: Path | None,
    debug: bool,
) -> None:
    """Prove the case at PATH (or --case) and its evidence are unchanged."""
    from catalog.custody.actions import verify_case_file
    from catalog.custody.verify import VerifyOptions, report_json
    from catalog.errors import UsageError

    target = path or case
    if target is None or (path and case and path != case):
        raise UsageError("give the case once: evcat verify PATH (or --case PATH)")
    actor = None if read_only else actor_for(examiner, sign_key)
    options = VerifyOptions(expect_head, public_keys, rehash_evidence=not no_evidence)
    report = verify_case_file(target, options, actor)
    for check in report.checks:
        say(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.message}")
    if as_json:
        click.echo(report_json(report))
    if report.ok:
        say(f"verified: {target} ({report.entries} custody entries, head {report.head})")
    else:
        say(f"evcat: verification FAILED for {target}: {report.failures[0].message}")
    if not read_only:
        say_head(target)
    sys.exit(ExitCode.OK if report.ok else ExitCode.VERIFY_FAILED)


def _annotation_command(name: str, text_name: str, summary: str, done: str) -> None:
    """``evcat tag`` / ``evcat note``: one logged annotation of a catalogued file."""

    @main.command(name, help=summary)
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    @click.argument("file_id")
    @click.argument(text_name)
    @examiner_options
    @debug_option
    @guarded
    def command(
        path: Path,
        file_id: str,
        examiner: str | None,
        sign_key: Path | None,
        debug: bool,
        **text: str,
    ) -> None:
        from catalog.custody import actions

        annotate = actions.add_tag if name == "tag" else actions.add_note
        annotate(path, file_id, text[text_name], actor_for(examiner, sign_key))
        say(done.format(file_id=file_id, text=text[text_name]))
        say_head(path)


_annotation_command(
    "tag", "tag", "Tag catalogued file FILE_ID of the case at PATH.", "tagged {file_id}: {text}"
)
_annotation_command(
    "note",
    "text",
    "Attach a note to catalogued file FILE_ID of the case at PATH.",
    "noted {file_id}",
)


@main.group("key")
def key_group() -> None:
    """Examiner signing keys (Ed25519)."""


@key_group.command("generate")
@click.argument("private_key", type=click.Path(dir_okay=False, path_type=Path))
@debug_option
@guarded
def key_generate(private_key: Path, debug: bool) -> None:
    """Write a new key pair: PRIVATE_KEY (mode 0600) and PRIVATE_KEY.pub."""
    from catalog.custody.signing import generate_key_pair

    public = generate_key_pair(private_key)
    say(f"wrote {private_key} (keep it secret) and {public} (give it to the court)")


@main.command("sign")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--key", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Private key."
)
@examiner_option
@debug_option
@guarded
def sign_command(path: Path, key: Path, examiner: str | None, debug: bool) -> None:
    """Sign the current head of the custody log of the case at PATH."""
    from catalog.custody.actions import sign_head

    seq, entry_hash = sign_head(path, key, actor_for(examiner, None))
    say(f"signed custody entry {seq} ({entry_hash})")


@main.group()
def export() -> None:
    """Court-ready exports, each with a manifest and a custody entry."""


def _export_command(export_format: str, summary: str) -> None:
    @export.command(export_format, help=summary)
    @case_option
    @output_option
    @click.option(
        "--hide-known", is_flag=True, help="Leave out files matched by known-good hash sets."
    )
    @examiner_options
    @debug_option
    @guarded
    def command(
        case: Path,
        output: Path,
        hide_known: bool,
        examiner: str | None,
        sign_key: Path | None,
        debug: bool,
    ) -> None:
        from catalog.exports import run_export

        actor = actor_for(examiner, sign_key)
        result = run_export(case, export_format, output, actor, hide_known=hide_known)
        say(
            f"wrote {result.stats.rows:,} rows to {output} (SHA-256 {result.sha256});"
            f" manifest {result.manifest.name}; custody entry {result.custody_seq}"
        )
        say_head(case)
        if result.stats.neutralised_rows:
            say(
                f"{len(result.stats.neutralised_rows):,} rows had cells neutralised against"
                " formula injection or control characters (see the 'neutralised' column)"
            )


for _format, _summary in (
    ("csv", "One row per catalogued entry, spreadsheet-safe (UTF-8 with BOM)."),
    ("dfxml", "Digital Forensics XML, as fiwalk writes it."),
    ("bodyfile", "TSK body file for mactime and plaso timelines."),
    ("case", "CASE/UCO JSON-LD (validates with case_validate)."),
    ("report", "A self-contained HTML report of the case."),
    ("findings", "One row per scam artefact found, with its file and byte offset."),
    ("carved", "One row per DVR segment, carved video clip or snapshot, and carved file."),
):
    _export_command(_format, _summary)


from catalog import clicarve, clidvr, clifindings, clihashsets, clilocker  # noqa: E402, F401  (register more commands)


@main.command("tui")
@click.argument("case", required=False, type=click.Path(dir_okay=False, path_type=Path))
@examiner_option
@debug_option
@guarded
def tui_command(case: Path | None, examiner: str | None, debug: bool) -> None:
    """Open the examiner's terminal UI on CASE (asks which case when none is given)."""
    from tui.app import make_app

    make_app(case, examiner=examiner).run()
