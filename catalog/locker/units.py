"""Work units of a locker scan: what a worker is asked to do, and what it sends back.

A unit is a plain value, so it can be stored in the case catalog (the resumable queue)
and sent to any Dask worker. Three kinds exist:

* ``plan``: open one image, read its volumes and file systems, walk each file system's
  metadata once and cut it into ranges of entries (by count and by bytes);
* ``media``: hash the whole media of one image;
* ``files``: hash, classify and analyse the entries ``seq_start <= seq < seq_end`` of one
  file system, in the walk's order (the same ``seq`` a single-process scan gives them).

Results carry rows by value; only the coordinator writes them to the catalog.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from catalog.model import FileSystemRecord
from catalog.rows import stable_id

Row = dict[str, Any]

PLAN, MEDIA, FILES = "plan", "media", "files"
KIND_ORDER = {PLAN: 0, FILES: 1, MEDIA: 2}
"""Dispatch order within the queue: plans first, so the files units they make start early."""

UNIT_FILES = 2000
"""Most entries in one ``files`` unit (bounds a result's rows)."""
UNIT_BYTES = 256 << 20
"""Most content bytes in one ``files`` unit (bounds a unit's time; one bigger file is alone)."""


@dataclass(frozen=True, slots=True)
class ScanSettings:
    """What every unit of an exhibit is asked to do (kept with the units across runs)."""

    classify: bool = True
    extract_text: bool = True
    media_hash: bool = True
    carve_video: bool = True
    unit_files: int = UNIT_FILES
    unit_bytes: int = UNIT_BYTES

    def to_json(self) -> Row:
        """The settings as JSON values."""
        return asdict(self)

    @classmethod
    def from_json(cls, values: Row) -> ScanSettings:
        """Settings stored by ``to_json``."""
        return cls(**{name: values[name] for name in cls.__dataclass_fields__ if name in values})


@dataclass(frozen=True, slots=True)
class FileRange:
    """Entries ``seq_start <= seq < seq_end`` of one file system, as the plan found them."""

    fs: FileSystemRecord
    fs_id: str
    parser: tuple[str, int]
    seq_start: int
    seq_end: int
    first_locator: str
    """Locator of entry ``seq_start``: a worker checks it walks the same file system."""
    files: int
    content_bytes: int


@dataclass(frozen=True, slots=True)
class UnitTask:
    """One unit of work, by value: everything a worker needs besides the image itself."""

    unit_id: str
    exhibit: str
    kind: str
    image: str
    run_id: str
    settings: ScanSettings
    range: FileRange | None = None

    def to_json(self) -> str:
        """The task as stored in ``work_units.task`` (the run id is the dispatching run's)."""
        values: Row = {"image": self.image, "settings": self.settings.to_json()}
        if self.range is not None:
            values["range"] = {
                **asdict(self.range),
                "fs": asdict(self.range.fs),
                "parser": list(self.range.parser),
            }
        return json.dumps(values, sort_keys=True)

    @classmethod
    def from_row(cls, row: Row, run_id: str) -> UnitTask:
        """The task stored in a ``work_units`` row, dispatched by ``run_id``."""
        values = json.loads(row["task"])
        file_range = None
        if "range" in values:
            stored = values["range"]
            file_range = FileRange(
                **{
                    **stored,
                    "fs": FileSystemRecord(**stored["fs"]),
                    "parser": (stored["parser"][0], int(stored["parser"][1])),
                }
            )
        return cls(
            unit_id=row["unit_id"],
            exhibit=row["exhibit"],
            kind=row["kind"],
            image=values["image"],
            run_id=run_id,
            settings=ScanSettings.from_json(values["settings"]),
            range=file_range,
        )


def unit_id(exhibit: str, kind: str, *parts: object) -> str:
    """A unit's id: the same exhibit and work give the same id in every run."""
    return stable_id(exhibit, "unit", kind, *parts)


@dataclass(frozen=True, slots=True)
class ProblemRecord:
    """A problem a worker met; the coordinator makes it a ``problems`` row."""

    stage: str
    message: str
    locator: str | None = None
    offset: int | None = None
    exception_type: str | None = None
    parser: tuple[str, int] | None = None


@dataclass(slots=True)
class UnitResult:
    """What a unit sends back: rows by table, problems, counts and follow-up units."""

    unit_id: str
    rows: dict[str, list[Row]] = field(default_factory=dict)
    problems: list[ProblemRecord] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    follow_ups: list[UnitTask] = field(default_factory=list)
    """Units a plan made (files ranges and the media hash)."""
    fatal: str | None = None
    """The image cannot be catalogued at all (the exhibit ends as ``error``)."""
    media: Row | None = None
    """A media unit's digests and the acquisition hashes stored in the container."""
    worker: str | None = None
    """The Dask worker that did the unit (host and address), kept with the unit."""

    def add_rows(self, table: str, rows: list[Row]) -> None:
        """Queue rows for ``table``."""
        if rows:
            self.rows.setdefault(table, []).extend(rows)

    def count(self, name: str, value: int = 1) -> None:
        """Add to one of the unit's counts."""
        self.counts[name] = self.counts.get(name, 0) + value
