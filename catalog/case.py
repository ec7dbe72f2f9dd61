"""Cases and exhibits: the facts an examiner records before any scan.

``init_case`` creates the case catalog with its own facts; ``add_exhibit`` registers a disk
image as an exhibit with its seizure facts and acquisition hashes. Both write their
custody entry in the same transaction as the rows they add. A scan of an unregistered
image registers it on the way (``ensure_exhibit``), so batch runs need no extra step.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from catalog.csvsafe import clean_text
from catalog.custody import log
from catalog.errors import UsageError
from catalog.store import open_catalog, open_existing_catalog
from catalog.timeutil import utc_now

if TYPE_CHECKING:
    from sqlite_utils import Database

    from catalog.custody.log import Actor

_HEX_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64}


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What ``evcat case init`` records about the case (all optional)."""

    case_number: str | None = None
    title: str | None = None
    agency: str | None = None
    site_time_zone: str | None = None
    """IANA zone of the seizure site (e.g. ``Asia/Tokyo``): local seizure times use it."""


@dataclass(frozen=True, slots=True)
class ExhibitFacts:
    """Seizure facts and acquisition hashes of one exhibit (all optional)."""

    description: str | None = None
    seized_from: str | None = None
    seized_where: str | None = None
    seized_when: str | None = None
    """ISO-8601; without an offset it is read in the case's site time zone."""
    seized_by: str | None = None
    acquisition_tool: str | None = None
    acquisition_md5: str | None = None
    acquisition_sha1: str | None = None
    acquisition_sha256: str | None = None


def check_time_zone(name: str | None) -> None:
    """Refuse a time zone name the IANA database does not know.

    Raises:
        UsageError: unknown zone.
    """
    if name is None:
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(
            f"unknown time zone {name!r} (use an IANA name such as Asia/Tokyo)"
        ) from exc


def normalise_hash(algorithm: str, value: str | None) -> str | None:
    """A hash given by the examiner, lower-case, checked for its length and digits.

    Raises:
        UsageError: not a hex digest of the algorithm's length.
    """
    if value is None:
        return None
    text = value.strip().lower()
    if not re.fullmatch(rf"[0-9a-f]{{{_HEX_LENGTHS[algorithm]}}}", text):
        raise UsageError(
            f"acquisition {algorithm.upper()} {value!r} is not {_HEX_LENGTHS[algorithm]} hex digits"
        )
    return text


def utc_seizure_time(text: str | None, site_time_zone: str | None) -> str | None:
    """A seizure time as UTC ISO-8601; a time without offset is read in the site's zone.

    Raises:
        UsageError: not ISO-8601, or local with no site time zone to read it in.
    """
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise UsageError(f"seizure time {text!r} is not ISO-8601 (2026-03-01T09:30+09:00)") from exc
    if moment.tzinfo is None:
        if site_time_zone is None:
            raise UsageError(
                f"seizure time {text!r} has no UTC offset and the case has no --time-zone;"
                " add an offset (e.g. +09:00)"
            )
        moment = moment.replace(tzinfo=ZoneInfo(site_time_zone))
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def case_facts(db: Database) -> dict[str, Any] | None:
    """The ``case_info`` row, or None when the case has not been created."""
    return next(db.query("SELECT * FROM case_info"), None)


def create_case(db: Database, facts: CaseFacts, actor: Actor) -> dict[str, Any]:
    """Write the case's facts and the ``case.created`` entry (inside a transaction).

    Raises:
        UsageError: the catalog already holds a case, or the time zone is unknown.
    """
    if case_facts(db) is not None:
        raise UsageError("the catalog already holds a case")
    check_time_zone(facts.site_time_zone)
    row = {
        "singleton": 1,
        "case_id": str(uuid.uuid4()),
        **{key: clean_text(value) if value else None for key, value in asdict(facts).items()},
        "created": utc_now(),
        "created_by": actor.examiner,
    }
    db.table("case_info").insert(row)
    log.append(db, "case.created", actor, {"case": _without(row, "singleton")})
    return row


def init_case(path: Path, facts: CaseFacts, actor: Actor) -> dict[str, Any]:
    """Create a new case catalog at ``path``.

    Raises:
        UsageError: ``path`` already holds a case.
        CatalogError: ``path`` cannot be created or is not a catalog.
    """
    check_time_zone(facts.site_time_zone)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = open_catalog(path)
    try:
        with db.atomic():
            if case_facts(db) is not None:
                raise UsageError(f"{path}: already holds a case; pick a new path")
            return create_case(db, facts, actor)
    finally:
        db.close()


def exhibit_for_path(db: Database, image: Path) -> str | None:
    """The exhibit id registered for ``image`` (by resolved path), if any."""
    row = db.execute(
        "SELECT exhibit FROM exhibits WHERE path = ?", [registered_path(image)]
    ).fetchone()
    return str(row[0]) if row else None


def registered_path(image: Path) -> str:
    """How an exhibit's image path is stored: absolute, resolved, safe text."""
    return clean_text(str(image.resolve()))


def register_exhibit(
    db: Database, exhibit: str, image: Path, facts: ExhibitFacts, actor: Actor
) -> dict[str, Any]:
    """Add an exhibit row and its ``exhibit.added`` entry (inside a transaction).

    Raises:
        UsageError: the id or the image is already registered, or a fact is malformed.
    """
    exhibit = clean_text(exhibit).strip()
    if not exhibit:
        raise UsageError("an exhibit id cannot be empty")
    existing = db.execute("SELECT path FROM exhibits WHERE exhibit = ?", [exhibit]).fetchone()
    if existing:
        raise UsageError(f"exhibit {exhibit!r} is already registered for {existing[0]}")
    other = exhibit_for_path(db, image)
    if other is not None:
        raise UsageError(f"{image}: already registered as exhibit {other!r}")
    site_zone = (case_facts(db) or {}).get("site_time_zone")
    row = {
        "exhibit": exhibit,
        "path": registered_path(image),
        "description": facts.description,
        "seized_from": facts.seized_from,
        "seized_where": facts.seized_where,
        "seized_when": utc_seizure_time(facts.seized_when, site_zone),
        "seized_by": facts.seized_by,
        "acquisition_tool": facts.acquisition_tool,
        "acquisition_md5": normalise_hash("md5", facts.acquisition_md5),
        "acquisition_sha1": normalise_hash("sha1", facts.acquisition_sha1),
        "acquisition_sha256": normalise_hash("sha256", facts.acquisition_sha256),
        "added": utc_now(),
        "added_by": actor.examiner,
    }
    row = {
        key: clean_text(value) if isinstance(value, str) else value for key, value in row.items()
    }
    db.table("exhibits").insert(row)
    details: dict[str, Any] = {"exhibit": row}
    if facts.seized_when is not None:
        details["seized_when_as_given"] = clean_text(facts.seized_when)
    log.append(db, "exhibit.added", actor, details)
    return row


def add_exhibit(
    path: Path, image: Path, exhibit: str, facts: ExhibitFacts, actor: Actor
) -> dict[str, Any]:
    """Register ``image`` as ``exhibit`` in the case at ``path``.

    Raises:
        UsageError: no case at ``path``, the image is missing, or the exhibit is a duplicate.
        CatalogError: the catalog cannot be opened.
    """
    if not path.is_file():
        raise UsageError(f"{path}: no such case; create it with `evcat case init {path}`")
    if not image.exists():
        raise UsageError(f"{image}: no such evidence file")
    check_not_beside_evidence(path, [image])
    db = open_existing_catalog(path)
    try:
        with db.atomic():
            if case_facts(db) is None:
                raise UsageError(f"{path}: not a case yet; run `evcat case init {path}`")
            return register_exhibit(db, exhibit, image, facts, actor)
    finally:
        db.close()


def check_not_beside_evidence(target: Path, images: list[Path]) -> None:
    """Refuse to write ``target`` into a folder that holds evidence.

    Raises:
        UsageError: ``target`` would sit beside one of ``images``.
    """
    target_dir = target.resolve().parent
    for image in images:
        if image.exists() and image.resolve().parent == target_dir:
            raise UsageError(
                f"{target}: would be written beside the evidence {image.name};"
                " evidence folders are read-only, choose another path"
            )


def _without(row: dict[str, Any], key: str) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name != key}
