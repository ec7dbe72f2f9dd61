"""Known-file hash sets: a SQLite store shared by every case, its importers and lookups.

Sets (NSRL RDSv3, hashdeep, md5sum/sha1sum/sha256sum, CSV) are imported once into the
store; a scan looks each hashed file up and marks it known-good or known-bad. This
package is the only place that writes the store.
"""

from __future__ import annotations

from catalog.hashsets.formats import FORMATS, detect_format
from catalog.hashsets.paths import default_store_path, store_for_scan
from catalog.hashsets.records import (
    KINDS,
    KNOWN_BAD,
    KNOWN_GOOD,
    HashSetFormatError,
    HashSetInfo,
    HashSetNameConflict,
    HashSetNotFound,
    HashSetStoreError,
    ImportResult,
    LineProblem,
    Match,
)
from catalog.hashsets.store import HashSetStore

__all__ = [
    "FORMATS",
    "KINDS",
    "KNOWN_BAD",
    "KNOWN_GOOD",
    "HashSetFormatError",
    "HashSetInfo",
    "HashSetNameConflict",
    "HashSetNotFound",
    "HashSetStore",
    "HashSetStoreError",
    "ImportResult",
    "LineProblem",
    "Match",
    "default_store_path",
    "detect_format",
    "store_for_scan",
]
