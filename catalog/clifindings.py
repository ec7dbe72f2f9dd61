"""The ``findings`` and ``search`` commands: what the scan found, for a person or a pipe.

stdout carries the data (tab-separated lines, controls escaped, or JSON lines with
``--json``); stderr the diagnostics. Both are thin wrappers over ``catalog.store.findings``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from catalog.cli import case_option, debug_option, guarded, main, say
from catalog.clitable import emit_rows
from parsers.detector import FINDING_KINDS

if TYPE_CHECKING:
    from sqlite_utils import Database


def _open(case: Path) -> Database:
    from catalog.store import open_catalog_readonly

    return open_catalog_readonly(case)


_FINDING_COLUMNS = (
    "exhibit", "partition_offset", "path", "offset", "offset_basis", "kind", "normalized",
    "score", "rules", "snippet", "file_id",
)  # fmt: skip
_LINK_COLUMNS = ("kind", "normalized", "file_count", "exhibit_count", "exhibits", "score")


@main.command("findings")
@case_option
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(FINDING_KINDS),
    help="Only this kind (repeatable; default: all).",
)
@click.option("--exhibit", help="Only findings on this exhibit.")
@click.option(
    "--by-value",
    is_flag=True,
    help="One line per value: the files and exhibits it appears in (links between exhibits).",
)
@click.option(
    "--min-files",
    type=click.IntRange(min=1),
    default=1,
    help="With --by-value: in at least N files.",
)
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of tab-separated.")
@debug_option
@guarded
def findings_command(
    case: Path,
    kinds: tuple[str, ...],
    exhibit: str | None,
    by_value: bool,
    min_files: int,
    as_json: bool,
    debug: bool,
) -> None:
    """List the scam artefacts found in the case: documents and identifiers."""
    from catalog.store import findings

    db = _open(case)
    try:
        if by_value:
            count = emit_rows(findings.value_links(db, kinds, min_files), _LINK_COLUMNS, as_json)
        else:
            rows = findings.finding_records(db, kinds, exhibit)
            count = emit_rows(rows, _FINDING_COLUMNS, as_json)
    finally:
        db.close()
    say(f"{count:,} {'values' if by_value else 'findings'}")


@main.command("search")
@case_option
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of tab-separated.")
@debug_option
@guarded
def search_command(case: Path, query: str, limit: int, as_json: bool, debug: bool) -> None:
    """Files whose extracted text contains QUERY (any language, case-insensitive)."""
    from catalog.store.findings import search_text

    db = _open(case)
    try:
        hits = search_text(db, query, limit)
    finally:
        db.close()
    rows = (
        {"exhibit": h.exhibit, "path": h.path, "snippet": h.snippet, "file_id": h.file_id}
        for h in hits
    )
    count = emit_rows(rows, ("exhibit", "path", "snippet", "file_id"), as_json)
    say(f"{count:,} files match" + (f" (first {limit})" if count == limit else ""))
