"""File slack: the bytes a file's last clusters hold past the file's end.

A file system allocates whole clusters or blocks, so after the last byte of a file the
rest of its last cluster keeps whatever was there before: often a fragment of a deleted
document. TSK's data runs of the file's data attribute say which clusters it owns; the
slack is what those runs cover beyond the file's size, capped at ``MAX_SLACK``.
"""

from __future__ import annotations

import pytsk3

from parsers.filesystems.unallocated import Extent

MAX_SLACK = 1 << 20
"""Most slack bytes taken from one file (preallocated NTFS files can own far more)."""
_DATA_ATTRIBUTES = (int(pytsk3.TSK_FS_ATTR_TYPE_DEFAULT), int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA))
_NO_RUNS = int(pytsk3.TSK_FS_ATTR_RES) | int(pytsk3.TSK_FS_ATTR_COMP)
_SPARSE = int(pytsk3.TSK_FS_ATTR_RUN_FLAG_SPARSE) | int(pytsk3.TSK_FS_ATTR_RUN_FLAG_FILLER)
MAX_RUNS = 1 << 16
"""Most data runs walked per file (a hostile run list can be endless)."""


def slack_extents(
    handle: pytsk3.FS_Info,
    fs_offset: int,
    block_size: int,
    meta_addr: int,
    size: int,
    attr: tuple[int, int] | None = None,
) -> list[Extent]:
    """Absolute ``(offset, length)`` extents of a file's slack; empty when it has none.

    Args:
        handle: The open file system.
        fs_offset: Its byte offset in the image.
        block_size: Its block (TSK's allocation unit) size in bytes.
        meta_addr: The file's metadata address.
        size: The file's size in bytes.
        attr: ``(type, id)`` of an NTFS stream; None for the default data attribute.

    Resident, compressed and sparse tails have no slack on the disk. Unreadable metadata
    gives no slack rather than an error: slack is a bonus, never a reason to stop.
    """
    try:
        attribute = _data_attribute(handle.open_meta(inode=meta_addr), attr)
        if attribute is None:
            return []
        return _beyond(attribute, fs_offset, block_size, size)
    except (OSError, RuntimeError, ValueError, OverflowError):
        return []


def _data_attribute(tsk_file: pytsk3.File, attr: tuple[int, int] | None) -> pytsk3.Attribute:
    for attribute in tsk_file:
        kind, ident = int(attribute.info.type), int(attribute.info.id)
        if (attr is not None and (kind, ident) == attr) or (
            attr is None and kind in _DATA_ATTRIBUTES
        ):
            return None if int(attribute.info.flags) & _NO_RUNS else attribute
    return None


def _beyond(
    attribute: pytsk3.Attribute, fs_offset: int, block_size: int, size: int
) -> list[Extent]:
    extents: list[Extent] = []
    position = 0  # file offset of the current run's first byte
    wanted = MAX_SLACK
    for index, run in enumerate(attribute):
        if index >= MAX_RUNS or wanted <= 0:
            break
        length = int(run.len) * block_size
        end = position + length
        if end > size and not int(run.flags) & _SPARSE:
            skip = max(size - position, 0)
            take = min(length - skip, wanted)
            extents.append((fs_offset + int(run.addr) * block_size + skip, take))
            wanted -= take
        position = end
    return [extent for extent in extents if extent[1] > 0]
