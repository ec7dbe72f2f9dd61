"""Find the file system(s) in one volume: TSK first, then APFS, then known encryption.

What is found is returned as open handlers; what is not becomes a problem row naming the
volume and what was seen there (BitLocker: "encrypted volume, no key given").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytsk3

from catalog.locator import Locator
from catalog.model import FileSystemRecord, VolumeKind, VolumeRecord
from parsers.filesystems.apfs import looks_like_apfs, open_apfs_volumes, reopen_apfs_volume
from parsers.filesystems.tsk import FS_TYPES_BY_NAME, TskFileSystem, open_tsk_file_system

if TYPE_CHECKING:
    from parsers.context import ParseContext
    from parsers.filesystem import OpenFileSystem
    from parsers.source import EvidenceSource
    from parsers.tskimage import TskImage

BITLOCKER_SIGNATURE = b"-FVE-FS-"
"""OEM id of a BitLocker (and BitLocker To Go) volume boot sector, at byte 3."""


def describe_volume(volume: VolumeRecord) -> str:
    """How a message names a volume: partition slot and offset, or the whole image."""
    if volume.kind is VolumeKind.WHOLE:
        return "whole image"
    return f"partition {volume.index} ({volume.description}) at byte {volume.offset}"


def open_file_systems(
    source: EvidenceSource, image: TskImage, volume: VolumeRecord, ctx: ParseContext, exhibit: str
) -> list[OpenFileSystem]:
    """Open every file system in ``volume``; record a problem when there is none."""
    head = source.read(volume.offset, 4096)
    where = Locator(exhibit, volume.offset)
    if head[3:11] == BITLOCKER_SIGNATURE:
        ctx.problem(
            "filesystem",
            f"{describe_volume(volume)}: BitLocker encrypted volume,"
            " no key given; contents not catalogued",
            locator=where,
        )
        return []
    opened = open_tsk_file_system(image, volume.offset)
    if opened is not None:
        handle, detection = opened
        index = None if volume.kind is VolumeKind.WHOLE else volume.index
        return [TskFileSystem(handle, volume.offset, detection, volume_index=index, image=image)]
    if looks_like_apfs(head):
        try:
            return list(open_apfs_volumes(source, volume.offset, volume.size, ctx, exhibit))
        except OSError as exc:
            ctx.problem(
                "filesystem",
                f"{describe_volume(volume)}: APFS container unreadable ({str(exc).split('. ')[0]})",
                locator=where,
                exc=exc,
            )
            return []
    if volume.kind is not VolumeKind.WHOLE:
        ctx.problem(
            "filesystem", f"{describe_volume(volume)}: no file system recognised", locator=where
        )
    return []


def reopen_file_system(
    source: EvidenceSource, image: TskImage, record: FileSystemRecord
) -> OpenFileSystem:
    """Open again, in another process, a file system found earlier (from its record).

    Raises:
        OSError: it cannot be opened the way it was found.
    """
    if record.fs_type == "APFS":
        index = int(record.detection.rsplit(" ", 1)[-1])
        return reopen_apfs_volume(source, record.offset, index)
    if record.detection == "autodetect":
        handle = pytsk3.FS_Info(image, record.offset)
    else:
        handle = pytsk3.FS_Info(image, record.offset, FS_TYPES_BY_NAME[record.fs_type])
    return TskFileSystem(handle, record.offset, record.detection, record.volume_index, image)
