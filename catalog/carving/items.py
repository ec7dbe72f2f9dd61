"""Carved items as file entries: a name, a path under ``/$CarvedFiles`` and a locator.

The locator's address part, ``carved:<offset>:<length>``, names the item's bytes in the
disk image, so anything holding the locator (a preview, an export, a re-check) reads the
same bytes back without the scan's help. ``CarvedBytes`` streams them, in the place of a
file system's ``read_chunks``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from catalog.locator import Locator
from catalog.model import EntryType, FileEntry

if TYPE_CHECKING:
    from catalog.carving.regions import CarveRegion
    from catalog.model import FileSystemRecord

FOLDER = "/$CarvedFiles"
"""Where carved items sit in their file system's tree."""
SLACK_FOLDER = f"{FOLDER}/$Slack"
"""Where text found in file slack sits."""
_ADDRESS = re.compile(r"carved:(\d+):(\d+)")

Read = Callable[[int, int], bytes]


def carved_address(offset: int, length: int) -> str:
    """The address part of a carved item's locator."""
    return f"carved:{offset}:{length}"


def parse_carved_address(inode: str | None) -> tuple[int, int] | None:
    """``(offset, length)`` of a carved item's address, or None for any other address."""
    match = _ADDRESS.fullmatch(inode or "")
    return (int(match[1]), int(match[2])) if match else None


def item_name(offset: int, extension: str) -> str:
    """A carved item's file name: its absolute offset in hex, then its type's extension."""
    return f"{offset:012x}.{extension}" if extension else f"{offset:012x}"


def carved_entry(
    exhibit: str, region: CarveRegion, offset: int, length: int, extension: str
) -> FileEntry:
    """The entry of ``length`` bytes carved at absolute ``offset`` in ``region``."""
    folder = SLACK_FOLDER if region.kind == "slack" else FOLDER
    name = item_name(offset, extension)
    return FileEntry(
        locator=Locator(exhibit, region.record.offset, carved_address(offset, length)),
        path=f"{folder}/{name}",
        name=name,
        name_raw=name.encode(),
        entry_type=EntryType.FILE,
        size=length,
        meta_addr=0,
        is_allocated=False,
    )


def folder_entry(exhibit: str, record: FileSystemRecord, path: str = FOLDER) -> FileEntry:
    """The virtual folder row that holds a file system's carved items."""
    name = path.rsplit("/", 1)[-1]
    return FileEntry(
        locator=Locator(exhibit, record.offset, path),
        path=path,
        name=name,
        name_raw=name.encode(),
        entry_type=EntryType.VIRTUAL_DIR,
        size=0,
        meta_addr=0,
        is_allocated=True,
        is_virtual=True,
    )


class CarvedBytes:
    """Streams carved items' bytes from the image, as a file system streams a file's."""

    def __init__(self, read: Read, media_size: int) -> None:
        """Read through ``read(offset, length)`` of an image of ``media_size`` bytes."""
        self._read = read
        self._media_size = media_size

    def read_chunks(self, entry: FileEntry, chunk_size: int) -> Iterator[bytes]:
        """The item's bytes in chunks of at most ``chunk_size``.

        Raises:
            OSError: the item lies outside the image or its bytes cannot be read.
        """
        span = parse_carved_address(entry.locator.inode)
        if span is None:
            raise OSError(f"{entry.path}: not a carved item's address")
        offset, length = span
        if offset + length > self._media_size:
            raise OSError(f"{entry.path}: carved bytes run past the end of the image")
        end = offset + length
        while offset < end:
            chunk = self._read(offset, min(chunk_size, end - offset))
            if not chunk:
                raise OSError(f"{entry.path}: image read returned nothing at byte {offset}")
            yield chunk
            offset += len(chunk)
