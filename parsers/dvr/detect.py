"""Which recorder file system a disk holds: each index parser tried in turn.

Each reader returns None when its signature is absent, so trying them all costs a few
sector reads. A reader that fails on hostile bytes in a way it did not foresee is caught
here: the disk then gets a problem and the carving fallback, never a crashed scan.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from parsers.dvr.disk import DiskBytes
from parsers.dvr.model import DvrListing, DvrProblem, DvrVolume

READERS: tuple[tuple[str, str, str], ...] = (
    ("hikvision", "parsers.dvr.hikvision", "read_hikvision"),
    ("dahua-dhfs41", "parsers.dvr.dahua", "read_dhfs"),
    ("wfs", "parsers.dvr.wfs", "read_wfs"),
)
"""(vendor, module, function) of every index reader, in detection order."""

PARSER_VERSION = 1
"""Bumped when a reader's output for the same bytes changes (written into the catalog)."""


def _reader(module: str, function: str) -> Callable[[DiskBytes], DvrListing | None]:
    reader: Callable[[DiskBytes], DvrListing | None] = getattr(
        importlib.import_module(module), function
    )
    return reader


def read_dvr(disk: DiskBytes) -> DvrListing | None:
    """The first recorder index found on ``disk``, or None when no signature matches."""
    for vendor, module, function in READERS:
        try:
            listing = _reader(module, function)(disk)
        except (ValueError, IndexError, KeyError, OverflowError, RecursionError) as exc:
            broken = DvrListing(DvrVolume(vendor, "unknown", 0))
            broken.problems.append(DvrProblem(f"{vendor} index unreadable: {exc}"))
            return broken
        if listing is not None:
            return listing
    return None
