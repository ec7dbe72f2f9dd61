"""``evcat carve``: carve a scanned case's exhibits (a thin wrapper over ``catalog.carving``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from catalog.cli import case_option, debug_option, examiner_options, guarded, main, say, say_head
from catalog.exitcodes import ExitCode


@main.command("carve")
@case_option
@click.option(
    "--exhibit", "exhibits", multiple=True, help="Only this exhibit (repeatable; default: all)."
)
@examiner_options
@click.option(
    "--hashsets",
    "hash_set_store",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Hash-set store to look carved files up in (default: $EVCAT_HASHSETS or the"
    " user's store, when it exists).",
)
@click.option("--hashset", "hash_set_names", multiple=True, help="Only this hash set.")
@click.option("--no-hashsets", is_flag=True, help="No known-file lookups.")
@click.option("--no-extract", is_flag=True, help="No text extraction or artefact detection.")
@click.option("--slack", is_flag=True, help="Also look for text in every file's slack.")
@debug_option
@guarded
def carve(
    case: Path,
    exhibits: tuple[str, ...],
    examiner: str | None,
    sign_key: Path | None,
    hash_set_store: Path | None,
    hash_set_names: tuple[str, ...],
    no_hashsets: bool,
    no_extract: bool,
    slack: bool,
    debug: bool,
) -> None:
    """Carve files and text from the free and unpartitioned space of scanned exhibits.

    Carved items are catalogued like any file (hashes, type, text, findings, hash sets)
    and listed by `evcat export carved`. An earlier carving of the exhibit is replaced.
    """
    from catalog.carving.command import carve_case
    from catalog.carving.stage import CarveSettings
    from catalog.examiner import actor_for
    from catalog.hashsets import store_for_scan
    from catalog.knownfiles import KnownFileMatcher
    from parsers.context import Limits

    actor = actor_for(examiner, sign_key)
    store = None if no_hashsets else store_for_scan(hash_set_store)
    known = KnownFileMatcher(store, hash_set_names) if store is not None else None
    try:
        settings = CarveSettings(classify=True, extract_text=not no_extract, slack=slack)
        summary = carve_case(case, actor, exhibits, settings, Limits(), known)
    finally:
        if known is not None:
            known.close()
    for item in summary.exhibits:
        if item.error:
            say(f"evcat: {item.error}")
        say(
            f"exhibit {item.exhibit}: {item.status}, {item.items:,} items carved from"
            f" {item.bytes_scanned:,} bytes of {item.regions} regions"
            f" ({item.duplicates:,} duplicates of catalogued files), {item.problems:,} problems"
        )
    say(f"carve {summary.status}: {summary.elapsed:.1f} s -> {case}")
    say_head(case)
    codes = {"success": ExitCode.OK, "partial": ExitCode.PARTIAL}
    sys.exit(codes.get(summary.status, ExitCode.EVIDENCE))
