"""Exhibit ids and seizure facts for the images found in a locker.

A locker scan registers every image as an exhibit. The lab either lists them in a
manifest CSV (path, exhibit id and the seizure facts of ``catalog.case.ExhibitFacts``) or
lets a naming rule (``{relpath}`` by default, or e.g. ``{relstem}``) derive the id from
the image's path. This module
reads and checks the manifest and plans one exhibit per image, refusing anything
ambiguous (two images with one id, a manifest row that names no image) before a single
row is written.
"""

from __future__ import annotations

import csv
import os
import string
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TextIO

from catalog.case import ExhibitFacts, normalise_hash
from catalog.csvsafe import clean_text, escape_controls
from catalog.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from catalog.locker.discovery import LockerItem

DEFAULT_RULE = "{relpath}"
"""The image's path in the locker: unique, so two images never share an id."""
RULE_FIELDS = ("relpath", "name", "stem", "relstem", "dir", "parent")
MAX_MANIFEST_SIZE = 50 * 1024 * 1024
MAX_FIELD_SIZE = 64 * 1024
REQUIRED_COLUMNS = ("path", "exhibit")
FACT_COLUMNS = tuple(field.name for field in fields(ExhibitFacts))


@dataclass(frozen=True, slots=True)
class ManifestRow:
    """One image's line of the lab's manifest."""

    relpath: str
    """POSIX path relative to the locker root, as in ``LockerItem.relpath``."""
    exhibit: str
    facts: ExhibitFacts
    line: int
    """Line of the manifest the row ends on (1 is the header), for messages."""


@dataclass(frozen=True, slots=True)
class ExhibitPlan:
    """The exhibit an image will be registered as."""

    item: LockerItem
    exhibit: str
    facts: ExhibitFacts
    source: str
    """``manifest`` or ``rule``."""


def safe_id(text: str) -> str:
    """An exhibit id as stored and shown: safe text, control characters escaped, stripped."""
    return escape_controls(clean_text(text)).strip()


def check_rule(rule: str) -> None:
    """Refuse a naming rule with bad braces or a placeholder other than ``RULE_FIELDS``.

    Raises:
        UsageError: the rule cannot be used.
    """
    try:
        parts = list(string.Formatter().parse(rule))
    except ValueError as exc:
        raise UsageError(f"naming rule {rule!r}: {exc}") from exc
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in RULE_FIELDS or spec or conversion:
            known = ", ".join(f"{{{name}}}" for name in RULE_FIELDS)
            raise UsageError(f"naming rule {rule!r}: unknown placeholder {{{field}}} (use {known})")


def exhibit_from_rule(rule: str, item: LockerItem) -> str:
    """The exhibit id that ``rule`` gives ``item``.

    Raises:
        UsageError: the rule is malformed or gives an empty id.
    """
    check_rule(rule)
    relpath = PurePosixPath(item.relpath)
    parent = relpath.parent.as_posix()
    values = {
        "relpath": item.relpath,
        "name": relpath.name,
        "stem": relpath.stem,
        "relstem": relpath.with_suffix("").as_posix() if relpath.suffix else item.relpath,
        "dir": "" if parent == "." else parent,
        "parent": "" if parent == "." else relpath.parent.name,
    }
    exhibit = safe_id(rule.format(**values))
    if not exhibit:
        raise UsageError(f"naming rule {rule!r} gives an empty exhibit id for {item.relpath}")
    return exhibit


def read_manifest(path: Path, root: Path) -> dict[str, ManifestRow]:
    """Read the lab's manifest CSV, keyed by locker relpath.

    Raises:
        UsageError: the manifest is missing, too big, malformed, or has a bad row.
    """
    where = clean_text(str(path))
    try:
        if path.stat().st_size > MAX_MANIFEST_SIZE:
            raise UsageError(f"{where}: manifest is over {MAX_MANIFEST_SIZE >> 20} MiB")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return _read_rows(handle, where, root)
    except UnicodeDecodeError as exc:
        raise UsageError(f"{where}: manifest is not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise UsageError(f"{where}: cannot read the manifest ({exc.strerror or exc})") from exc


def _read_rows(handle: TextIO, where: str, root: Path) -> dict[str, ManifestRow]:
    """Check the header, then every row; the field limit is restored afterwards."""
    previous = csv.field_size_limit(MAX_FIELD_SIZE)
    reader = csv.reader(handle, strict=True)
    rows: dict[str, ManifestRow] = {}
    lines_by_exhibit: dict[str, int] = {}
    try:
        header = _header(next(reader, None), where)
        for cells in reader:
            if any(cell.strip() for cell in cells):
                row = _row(header, cells, where, reader.line_num, root)
                _check_unique(row, rows, lines_by_exhibit, where)
                rows[row.relpath] = row
                lines_by_exhibit[row.exhibit] = row.line
    except csv.Error as exc:
        raise UsageError(f"{where}: line {reader.line_num}: {exc}") from exc
    finally:
        csv.field_size_limit(previous)
    return rows


def _header(cells: list[str] | None, where: str) -> list[str]:
    """Column names, lower-cased; refuse missing, unknown or repeated ones."""
    if cells is None:
        raise UsageError(f"{where}: manifest is empty; it needs a header row (path,exhibit,...)")
    header = [cell.strip().lower() for cell in cells]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise UsageError(f"{where}: line 1: missing column(s) {', '.join(missing)}")
    unknown = [name for name in header if name not in REQUIRED_COLUMNS + FACT_COLUMNS]
    if unknown:
        shown = ", ".join(repr(clean_text(name)) for name in unknown)
        raise UsageError(f"{where}: line 1: unknown column(s) {shown}")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise UsageError(f"{where}: line 1: repeated column(s) {', '.join(repeated)}")
    return header


def _row(header: list[str], cells: list[str], manifest: str, line: int, root: Path) -> ManifestRow:
    """One data row as a ManifestRow."""
    where = f"{manifest}: line {line}"
    if len(cells) > len(header):
        raise UsageError(f"{where}: {len(cells)} cells but the header has {len(header)}")
    values = {name: (cell.strip() or None) for name, cell in zip(header, cells, strict=False)}
    if not values.get("path"):
        raise UsageError(f"{where}: empty path")
    exhibit = safe_id(values.get("exhibit") or "")
    if not exhibit:
        raise UsageError(f"{where}: empty exhibit id")
    facts = {name: values.get(name) for name in FACT_COLUMNS}
    for algorithm in ("md5", "sha1", "sha256"):
        try:
            key = f"acquisition_{algorithm}"
            facts[key] = normalise_hash(algorithm, facts[key])
        except UsageError as exc:
            raise UsageError(f"{where}: {exc}") from exc
    relpath = _locker_relpath(str(values["path"]), root, where)
    return ManifestRow(relpath, exhibit, ExhibitFacts(**facts), line)


def _locker_relpath(text: str, root: Path, where: str) -> str:
    """A manifest path (relative, backslashed or absolute) as a locker relpath."""
    posix = text.replace("\\", "/")
    if Path(posix).is_absolute():
        absolute = Path(os.path.normpath(posix))
        for base in (root.resolve(), root.absolute()):
            if absolute.is_relative_to(base) and absolute != base:
                return clean_text(absolute.relative_to(base).as_posix())
        raise UsageError(f"{where}: path {clean_text(text)!r} is outside the locker {root}")
    relative = PurePosixPath(os.path.normpath(posix)).as_posix()
    if relative in (".", "..") or relative.startswith("../"):
        raise UsageError(f"{where}: path {clean_text(text)!r} is outside the locker {root}")
    return clean_text(relative)


def _check_unique(
    row: ManifestRow, rows: Mapping[str, ManifestRow], exhibits: Mapping[str, int], where: str
) -> None:
    """Refuse a path or an exhibit id that an earlier row already named."""
    if row.relpath in rows:
        first = rows[row.relpath].line
        raise UsageError(f"{where}: line {row.line}: duplicate path {row.relpath} (line {first})")
    if row.exhibit in exhibits:
        first = exhibits[row.exhibit]
        raise UsageError(
            f"{where}: line {row.line}: duplicate exhibit id {row.exhibit!r} (line {first})"
        )


def plan_exhibits(
    items: Sequence[LockerItem],
    rule: str = DEFAULT_RULE,
    manifest: Mapping[str, ManifestRow] | None = None,
) -> list[ExhibitPlan]:
    """One exhibit per image, in relpath order: manifest rows win, the rule names the rest.

    Raises:
        UsageError: a bad rule, a manifest row naming no image, or two images with one id.
    """
    check_rule(rule)
    manifest = manifest or {}
    _check_manifest_names_images(items, manifest)
    plans: list[ExhibitPlan] = []
    owners: dict[str, str] = {}
    for item in sorted((item for item in items if item.role == "image"), key=_by_relpath):
        row = manifest.get(item.relpath)
        if row is not None:
            plan = ExhibitPlan(item, row.exhibit, row.facts, "manifest")
        else:
            plan = ExhibitPlan(item, exhibit_from_rule(rule, item), ExhibitFacts(), "rule")
        if plan.exhibit in owners:
            raise UsageError(
                f"exhibit id {plan.exhibit!r} would name both {owners[plan.exhibit]} and"
                f" {item.relpath}; change the naming rule {rule!r} or list them in a manifest"
            )
        owners[plan.exhibit] = item.relpath
        plans.append(plan)
    return plans


def _by_relpath(item: LockerItem) -> str:
    return item.relpath


def _check_manifest_names_images(
    items: Sequence[LockerItem], manifest: Mapping[str, ManifestRow]
) -> None:
    """Refuse a manifest row whose path is not a discovered image."""
    by_relpath = {item.relpath: item for item in items}
    for relpath, row in sorted(manifest.items()):
        item = by_relpath.get(relpath)
        if item is not None and item.role == "image":
            continue
        what = "not found" if item is None else f"it is a {item.role}: {item.reason}"
        raise UsageError(
            f"manifest line {row.line} names {relpath}, which is not an image in the locker"
            f" ({what})"
        )
