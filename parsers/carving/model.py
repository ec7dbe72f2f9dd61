"""The values file carving returns, shared by the format carvers and the scan loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parsers.dvr.containers.window import Window

JPEG, PNG, GIF, PDF, ZIP, SQLITE = "jpeg", "png", "gif", "pdf", "zip", "sqlite"
TEXT_UTF8, TEXT_UTF16LE, TEXT_SHIFTJIS = "text-utf8", "text-utf16le", "text-shiftjis"
TEXT_KINDS = (TEXT_UTF8, TEXT_UTF16LE, TEXT_SHIFTJIS)
KINDS = (JPEG, PNG, GIF, PDF, ZIP, SQLITE, *TEXT_KINDS)
"""The closed set of ``CarvedFile.kind`` values. Office files built on ZIP keep kind
``zip``; their type shows in ``extension`` (``docx``, ``xlsx``, ``pptx``, ``odt``...)."""


@dataclass(frozen=True, slots=True)
class CarvedFile:
    """One carved item: ``length`` bytes at absolute ``offset`` of the disk image."""

    offset: int
    length: int
    kind: str
    extension: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class CarveProblem:
    """Something found that could not be carved, or a range that could not be read."""

    message: str
    offset: int | None = None

    def __str__(self) -> str:
        return self.message if self.offset is None else f"0x{self.offset:x}: {self.message}"


@dataclass(slots=True)
class FileCarveResult:
    """What carving found in the given ranges."""

    items: list[CarvedFile] = field(default_factory=list)
    problems: list[CarveProblem] = field(default_factory=list)
    bytes_scanned: int = 0


@dataclass(frozen=True, slots=True)
class Found:
    """A format carver's answer: the item ends (exclusive) at ``end``."""

    end: int
    kind: str
    extension: str
    note: str = ""


def be16(window: Window, pos: int) -> int | None:
    """A big-endian u16 at ``pos``, or None outside the window."""
    data = window.get(pos, 2)
    return int.from_bytes(data, "big") if len(data) == 2 else None


def be32(window: Window, pos: int) -> int | None:
    """A big-endian u32 at ``pos``, or None outside the window."""
    data = window.get(pos, 4)
    return int.from_bytes(data, "big") if len(data) == 4 else None


def le16(window: Window, pos: int) -> int | None:
    """A little-endian u16 at ``pos``, or None outside the window."""
    data = window.get(pos, 2)
    return int.from_bytes(data, "little") if len(data) == 2 else None


def le32(window: Window, pos: int) -> int | None:
    """A little-endian u32 at ``pos``, or None outside the window."""
    data = window.get(pos, 4)
    return int.from_bytes(data, "little") if len(data) == 4 else None
