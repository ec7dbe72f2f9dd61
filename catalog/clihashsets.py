"""``evcat hashset ...``: import known-file hash sets, list them, apply them, export one.

Thin wrappers over ``catalog.hashsets`` (the shared store), ``catalog.knownapply`` and the
export framework. The store is ``--store PATH``, else ``$EVCAT_HASHSETS``, else the user's
data directory (``~/.local/share/evcat/hashsets.db``).
"""

from __future__ import annotations

from pathlib import Path

import click

from catalog.cli import (
    F,
    case_option,
    debug_option,
    examiner_option,
    examiner_options,
    guarded,
    main,
    output_option,
    say,
    say_head,
)
from catalog.examiner import actor_for


def store_option(func: F) -> F:
    """``--store PATH``: the hash-set store."""
    return click.option(
        "--store",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Hash-set store (default: $EVCAT_HASHSETS or ~/.local/share/evcat/hashsets.db).",
    )(func)


def resolve_store(store: Path | None) -> Path:
    """The store path given, or the default one."""
    from catalog.hashsets import default_store_path

    return store or default_store_path()


@main.group("hashset")
def hashset_group() -> None:
    """Known-file hash sets: NSRL, hashdeep, md5sum/sha1sum/sha256sum, CSV."""


@hashset_group.command("import")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--name", required=True, help="Name of the set (unique in the store).")
@click.option("--kind", required=True, type=click.Choice(["known-good", "known-bad"]))
@click.option(
    "--format",
    "fmt",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "nsrl-rdsv3", "hashdeep", "md5sum", "sha1sum", "sha256sum", "csv"]),
)
@store_option
@examiner_option
@debug_option
@guarded
def hashset_import(
    path: Path,
    name: str,
    kind: str,
    fmt: str,
    store: Path | None,
    examiner: str | None,
    debug: bool,
) -> None:
    """Import the hash set at PATH into the store (importing it again changes nothing)."""
    from catalog.hashsets import HashSetStore

    actor = actor_for(examiner, None)
    target = resolve_store(store)
    hash_sets = HashSetStore(target)
    try:
        result = hash_sets.import_set(path, name, kind, fmt, actor.examiner)
    finally:
        hash_sets.close()
    for problem in result.problems:
        say(f"{path}: line {problem.line}: {problem.message}")
    if result.problem_count > len(result.problems):
        say(f"{path}: {result.problem_count - len(result.problems):,} more malformed lines")
    info = result.info
    verb = "already in" if result.already_present else "imported into"
    say(
        f"{info.name} ({info.kind}, {info.format}, {info.row_count:,} rows,"
        f" SHA-256 {info.source_sha256}) {verb} {target}"
    )


@hashset_group.command("list")
@store_option
@debug_option
@guarded
def hashset_list(store: Path | None, debug: bool) -> None:
    """List the sets in the store (tab-separated on stdout)."""
    from catalog.hashsets import HashSetStore

    target = resolve_store(store)
    if not target.is_file():
        say(f"{target}: no hash-set store yet")
        return
    hash_sets = HashSetStore(target)
    try:
        click.echo("name\tkind\tformat\trows\tsource_sha256\timported\texaminer")
        for info in hash_sets.sets():
            click.echo(
                f"{info.name}\t{info.kind}\t{info.format}\t{info.row_count}"
                f"\t{info.source_sha256}\t{info.imported}\t{info.examiner}"
            )
    finally:
        hash_sets.close()


@hashset_group.command("apply")
@case_option
@store_option
@click.option("--set", "names", multiple=True, help="Only this set (repeatable; default: all).")
@examiner_options
@debug_option
@guarded
def hashset_apply(
    case: Path,
    store: Path | None,
    names: tuple[str, ...],
    examiner: str | None,
    sign_key: Path | None,
    debug: bool,
) -> None:
    """Re-evaluate every file of the case against the hash sets (logged)."""
    from catalog.knownapply import apply_hash_sets

    result = apply_hash_sets(case, resolve_store(store), names, actor_for(examiner, sign_key))
    say(
        f"{result.known_good:,} known-good and {result.known_bad:,} known-bad files;"
        f" {result.findings:,} known-bad findings; custody entry {result.custody_seq}"
    )
    say_head(case)


@hashset_group.command("export")
@case_option
@output_option
@examiner_options
@debug_option
@guarded
def hashset_export(
    case: Path, output: Path, examiner: str | None, sign_key: Path | None, debug: bool
) -> None:
    """Write the case's notable files as a hashdeep set (for the next raid's known-bad list)."""
    from catalog.exports import run_export

    result = run_export(case, "hashdeep", output, actor_for(examiner, sign_key))
    say(
        f"wrote {result.stats.rows:,} notable files to {output} (SHA-256 {result.sha256});"
        f" manifest {result.manifest.name}; custody entry {result.custody_seq}"
    )
    say_head(case)
