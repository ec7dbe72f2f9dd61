"""What every exporter receives and returns.

An exporter is a function ``(db, handle, snapshot) -> ExportStats`` that writes one file to
a binary handle. It must be deterministic: the same case gives the same bytes, so nothing
in the output may come from the clock, the host or the order SQLite happens to return rows
in. The framework (``catalog.exports.run``) opens the case, writes the file atomically,
writes the manifest and records the export in the custody log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass(frozen=True, slots=True)
class ExportSnapshot:
    """The state of the case an export reflects."""

    case: dict[str, Any]
    """The ``case_info`` row: case_id, case_number, title, agency, site_time_zone, ..."""
    record_seq: int
    """The last custody entry the export reflects (export entries themselves excluded)."""
    record_head: str
    """That entry's hash: exports of an unchanged case carry the same value."""
    tool_version: str
    """``evcat X.Y.Z``."""
    hide_known: bool = False
    """Leave out files a known-good hash set matched (and their findings)."""


@dataclass(slots=True)
class ExportStats:
    """What an exporter wrote."""

    rows: int = 0
    neutralised_rows: list[int] = field(default_factory=list)
    """CSV: 1-based data row numbers where a cell was altered against formula injection."""


def raw_name_hex(raw: object, written: str) -> str | None:
    """A name's raw bytes in hex, when the form an export wrote does not spell them exactly.

    Exports escape hostile names for their format; this keeps the exact bytes recoverable
    (None when the written name already is those bytes in UTF-8, or there are none).
    """
    if not isinstance(raw, bytes | bytearray | memoryview):
        return None
    exact = bytes(raw)
    return None if written.encode("utf-8", "surrogatepass") == exact else exact.hex()


Exporter = Callable[["Database", BinaryIO, ExportSnapshot], ExportStats]
