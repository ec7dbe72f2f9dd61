"""The values and errors of the hash-set store, shared by its importers and its readers.

Kept apart from ``store.py`` so the line parsers (``formats.py``, ``nsrl.py``) can name
the same records and errors without importing the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.errors import CatalogError, UsageError

KNOWN_GOOD = "known-good"
KNOWN_BAD = "known-bad"
KINDS = (KNOWN_GOOD, KNOWN_BAD)

MD5, SHA1, SHA256 = 1, 2, 4
"""Bits of a row's ``types`` mask: which hashes the row has."""

HASH_TYPES = (("sha256", SHA256), ("sha1", SHA1), ("md5", MD5))
"""Hash names and their bits, strongest first."""

HashRow = tuple[int, bytes | None, bytes | None, bytes | None, str | None, int | None, str | None]
"""One parsed hash-set row: (types, sha256, sha1, md5, file_name, file_size, package)."""


class HashSetFormatError(UsageError):
    """A hash-set source cannot be read, is in no known format, or holds no valid row."""


class HashSetNameConflict(UsageError):
    """A set of that name is already in the store, imported from different content."""


class HashSetNotFound(UsageError, LookupError):
    """No set of that name is in the store."""


class HashSetStoreError(CatalogError):
    """The hash-set store cannot be opened or written (not a store, too new, disk full)."""


@dataclass(frozen=True, slots=True)
class HashSetInfo:
    """One imported set: its identity as the custody log records it."""

    set_id: int
    name: str
    kind: str
    """``known-good`` or ``known-bad``."""
    format: str
    source_path: str
    source_sha256: str
    row_count: int
    imported: str
    """UTC ISO-8601 with ``Z``."""
    examiner: str
    tool: str
    """``evcat X.Y.Z`` that imported the set."""
    hash_types: tuple[str, ...]
    """Which of ``sha256``, ``sha1``, ``md5`` the set's rows have, strongest first."""


@dataclass(frozen=True, slots=True)
class LineProblem:
    """A malformed line of a source, skipped during import."""

    line: int
    """1-based line number (row number for an NSRL database)."""
    message: str


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What ``HashSetStore.import_set`` did."""

    info: HashSetInfo
    already_present: bool
    """The same content was already imported under that name: nothing was done."""
    problems: tuple[LineProblem, ...]
    """The first ``MAX_PROBLEMS`` malformed lines."""
    problem_count: int
    """Every malformed line, including those beyond ``problems``."""


@dataclass(frozen=True, slots=True)
class Match:
    """One set a file was found in."""

    set_id: int
    name: str
    kind: str
    file_name: str | None
    """The name the set gives the file (its first matching row), if it has one."""


MAX_PROBLEMS = 1000


class ProblemLog:
    """Collects line problems, keeping the first ``MAX_PROBLEMS`` and counting all."""

    __slots__ = ("count", "kept")

    def __init__(self) -> None:
        self.kept: list[LineProblem] = []
        self.count = 0

    def add(self, line: int, message: str) -> None:
        """Record that ``line`` was skipped because of ``message``."""
        self.count += 1
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(LineProblem(line, message))


def type_names(mask: int) -> tuple[str, ...]:
    """The hash names of a ``types`` mask, strongest first."""
    return tuple(name for name, bit in HASH_TYPES if mask & bit)
