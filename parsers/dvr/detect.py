"""Which recorder file system a disk holds: each index parser tried in turn.

Each reader returns None when its signature is absent, so trying them all costs a few
sector reads. A reader that fails on hostile bytes in a way it did not foresee is caught
here: the disk then gets a problem and the carving fallback, never a crashed scan.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from parsers.dvr.dahua import read_dhfs
from parsers.dvr.disk import DiskBytes
from parsers.dvr.hikvision import read_hikvision
from parsers.dvr.model import DAHUA, HIKVISION, WFS, DvrListing, DvrProblem, DvrVolume
from parsers.dvr.wfs import read_wfs

READERS: tuple[tuple[str, Callable[[DiskBytes], DvrListing | None]], ...] = (
    (HIKVISION, read_hikvision),
    (DAHUA, read_dhfs),
    (WFS, read_wfs),
)
"""(vendor, index reader), in detection order."""

PARSER_VERSION = 1
"""Bumped when a reader's output for the same bytes changes (written into the catalog)."""

UNFORESEEN = (ValueError, IndexError, KeyError, OverflowError, RecursionError, struct.error)
"""What a parser may raise on bytes it did not foresee; caught at the DVR stage's edges."""


def read_dvr(disk: DiskBytes) -> DvrListing | None:
    """The first recorder index found on ``disk``, or None when no signature matches."""
    for vendor, reader in READERS:
        try:
            listing = reader(disk)
        except UNFORESEEN as exc:
            broken = DvrListing(DvrVolume(vendor, "unknown", 0))
            broken.problems.append(DvrProblem(f"{vendor} index unreadable: {exc}"))
            return broken
        if listing is not None:
            return listing
    return None
