"""The problem messages a scan records about an image as a whole, in one place.

``evcat scan`` (``catalog.evidencescan``) and the locker's plan units
(``catalog.locker.tasks``) word these the same way, so both catalogue the same image
with the same problem rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.errors import EvidenceError, NotADiskImage
from catalog.model import VolumeKind
from parsers.fsdetect import describe_volume

if TYPE_CHECKING:
    from pathlib import Path

    from catalog.model import EvidenceInfo, FileSystemRecord, VolumeRecord

STOPPERS = (EvidenceError, OSError, RuntimeError, ValueError)
"""What stops an image's scan: recorded as the exhibit's error, and the run goes on."""


def overhang(volume: VolumeRecord, media_size: int) -> str | None:
    """A partition that ends past the end of the image (a truncated image), or None."""
    beyond = volume.offset + volume.size - media_size
    if volume.kind is VolumeKind.PARTITION and beyond > 0:
        return (
            f"{describe_volume(volume)} extends {beyond} bytes"
            " past the end of the image (truncated image?)"
        )
    return None


def walk_stopped(record: FileSystemRecord, exc: BaseException) -> str:
    """A file system's walk that ended on an error."""
    return f"{record.fs_type} at byte {record.offset}: walk stopped ({type(exc).__name__}: {exc})"


def not_a_disk_image(image: Path | str, info: EvidenceInfo) -> NotADiskImage:
    """The error for an image with no partition table and no file system evcat reads."""
    return NotADiskImage(
        f"{image}: no partition table or file system recognised"
        f" ({info.format} image, {info.media_size} bytes); not a disk image,"
        " or an unsupported or encrypted one"
    )


def scan_stopped(image: Path | str, exc: BaseException) -> str:
    """Why an image's scan stopped: a ``NotADiskImage`` says so, anything else is named."""
    if isinstance(exc, NotADiskImage):
        return str(exc)
    first_line = str(exc).splitlines()[0] if str(exc) else ""
    return f"{image}: scan stopped ({type(exc).__name__}: {first_line})"
