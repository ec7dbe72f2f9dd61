"""What the caller asks of a scan: the one options record both front-ends fill in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from parsers.context import Limits


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """What the caller asks of a scan."""

    examiner: str
    """Who runs the scan: recorded on every custody entry (required, no default)."""
    exhibits: tuple[str, ...] = ()
    """Exhibit ids, one per image in order; missing ones default to the image's file name."""
    media_hash: bool = True
    carve_video: bool = True
    """Carve video and snapshots from a DVR's uncovered ranges, or from a disk with no
    file system and no recorder index."""
    carve: bool = False
    """Carve files and text from each file system's free space and the unpartitioned
    space (``--carve``); carved items are catalogued like any file."""
    carve_slack: bool = False
    """With ``carve``: also look for text in every allocated file's slack (``--slack``)."""
    limits: Limits = field(default_factory=Limits)
    classify: bool = True
    """Run libmagic/EXIF on every file (off: hashes only, much faster)."""
    extract_text: bool = True
    """Extract text, open archives and detect scam artefacts (needs ``classify``)."""
    hash_set_store: Path | None = None
    """Known-file hash-set store to look every file up in (None: no lookups)."""
    hash_set_names: tuple[str, ...] = ()
    """Only these sets of the store (empty: all of them)."""
    workers: int = 0
    """Content worker processes; 0 picks one per core for images over 256 MiB, else none."""
    signing_key: Path | None = None
    """Ed25519 private key: sign each new custody head as a checkpoint."""
