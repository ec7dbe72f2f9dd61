r"""Sleuth Kit 3.x body file export: the catalog as ``fls -r -m`` would print it.

A body file is the input of ``mactime`` (and of plaso's ``bodyfile`` parser), one line
per catalogued entry::

    MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime

- ``MD5`` is the content MD5, or ``0`` (as fls writes) when there is none.
- ``name`` is ``<exhibit>/<fs_offset><path>``, e.g. ``disk/1048576/docs/report.txt``: the
  exhibit and the file system's byte offset play the part of fls's mount-point prefix, so
  entries of different images and partitions never collide. A deleted entry gets fls's
  `` (deleted)`` suffix, or `` (deleted-realloc)`` when its metadata has been reused.
  Symbolic link targets (fls's `` -> target``) are not in the catalog and not written.
- ``inode`` is the TSK address (``inode`` or NTFS ``entry-type-id``), as fls prints it.
- ``mode_as_string`` is fls's ``N/Mrwxrwxrwx``: the name-type letter, ``/``, the
  metadata-type letter and the permission bits (with ``s``/``S``/``t``/``T``);
  ``----------`` after the slash when the entry has no metadata.
- Times are Unix seconds, floored (``2024-01-01T00:00:00.9Z`` is 1704067200, and
  ``1969-12-31T23:59:59.5Z`` is -1), or 0 when the catalog has no such time.

Escaping: the name field is the only free text. Every C0/C1 control character (newline
and carriage return included) and the three characters that mean something to body file
readers are written as ``\xNN``: ``|`` (the field separator) as ``\x7c``, ``%`` (mactime
decodes ``%XX`` in every field) as ``\x25`` and ``\`` (plaso unescapes ``\\``) as
``\x5c``. One line per entry is thus guaranteed, mactime and plaso print the escape
rather than obey it, and replacing each ``\xNN`` by its character recovers the catalog's
name exactly.

The first line names the record (STYLE 9 puts the custody head in every export) as a
well-formed entry with no times, which mactime skips and plaso reads as a time-less event::

    0|evcat custody head <hash> (entry <seq>, case <case id>)|0|X/----------|0|0|0|0|0|0|0
"""

from __future__ import annotations

import calendar
import re
from typing import TYPE_CHECKING, Any, BinaryIO

from catalog.exports.base import ExportSnapshot, ExportStats
from catalog.model import EntryType
from catalog.store.reads import file_records

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlite_utils import Database

NAME_TYPE_LETTERS: dict[str, str] = {
    EntryType.FILE: "r",
    EntryType.DIR: "d",
    EntryType.SYMLINK: "l",
    EntryType.FIFO: "p",
    EntryType.CHAR_DEVICE: "c",
    EntryType.BLOCK_DEVICE: "b",
    EntryType.SOCKET: "s",
    EntryType.SHADOW: "h",
    EntryType.WHITEOUT: "w",
    EntryType.VIRTUAL_FILE: "v",
    EntryType.VIRTUAL_DIR: "V",
}
"""TSK's ``tsk_fs_name_type_str`` letter per entry type (``-`` for unknown)."""

META_TYPE_LETTERS: dict[str, str] = {
    **NAME_TYPE_LETTERS,
    EntryType.SOCKET: "h",  # TSK's meta letters swap socket and shadow against its name letters
    EntryType.SHADOW: "s",
}
"""TSK's ``tsk_fs_meta_type_str`` letter per entry type (``-`` for unknown)."""

_NAME_ESCAPES = re.compile(r"[\x00-\x1f\x7f-\x9f%|\\]")
_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?Z")
_TIME_COLUMNS = ("accessed", "modified", "changed", "created")  # atime mtime ctime crtime


def write_bodyfile(db: Database, handle: BinaryIO, snapshot: ExportSnapshot) -> ExportStats:
    r"""Write one body file line per catalogued entry, in ``file_records`` order.

    Args:
        db: The case catalog.
        handle: Binary output; lines are UTF-8 and end in ``\n``.
        snapshot: The case state: its custody head goes in the first line.

    Returns:
        The number of entry lines written (the head line not counted).
    """
    stats = ExportStats()
    handle.write(head_line(snapshot).encode("utf-8", "backslashreplace"))
    for row in file_records(db, hide_known=snapshot.hide_known):
        handle.write(body_line(row).encode("utf-8", "backslashreplace"))
        stats.rows += 1
    return stats


def head_line(snapshot: ExportSnapshot) -> str:
    """The time-less first line that names the custody head the export reflects."""
    label = (
        f"evcat custody head {snapshot.record_head} (entry {snapshot.record_seq},"
        f" case {snapshot.case.get('case_id', '')})"
    )
    return f"0|{escape_name(label)}|0|X/----------|0|0|0|0|0|0|0\n"


def body_line(row: Mapping[str, Any]) -> str:
    """The body file line (with its newline) of one ``file_records`` row."""
    fields = [
        row["md5"] or "0",
        escape_name(_display_name(row)),
        row["inode"] or str(row["meta_addr"] or 0),
        mode_string(row["type"], row["mode"]),
        str(row["uid"] or 0),
        str(row["gid"] or 0),
        str(row["size"] or 0),
        *(str(epoch_seconds(row[column])) for column in _TIME_COLUMNS),
    ]
    return "|".join(fields) + "\n"


def _display_name(row: Mapping[str, Any]) -> str:
    name = f"{row['exhibit']}/{row['fs_offset']}{row['path']}"
    if row["is_allocated"]:
        return name
    return name + (" (deleted-realloc)" if row["is_realloc"] else " (deleted)")


def escape_name(name: str) -> str:
    r"""``name`` with controls, ``|``, ``%`` and ``\`` written as ``\xNN``."""
    return _NAME_ESCAPES.sub(lambda match: f"\\x{ord(match.group()):02x}", name)


def mode_string(entry_type: str, mode: int | None) -> str:
    """Fls's ``mode_as_string``, e.g. ``r/rrw-r--r--``; ``r/----------`` without metadata."""
    name_letter = NAME_TYPE_LETTERS.get(entry_type, "-")
    if mode is None:
        return f"{name_letter}/----------"
    return f"{name_letter}/{META_TYPE_LETTERS.get(entry_type, '-')}{_permissions(mode)}"


def _permissions(mode: int) -> str:
    """``rwxr-xr-x`` with set-id and sticky bits as ``ls`` (and TSK) shows them."""
    chars = [letter if mode & (0o400 >> bit) else "-" for bit, letter in enumerate("rwx" * 3)]
    for index, special, lower in ((2, 0o4000, "s"), (5, 0o2000, "s"), (8, 0o1000, "t")):
        if mode & special:
            chars[index] = lower if chars[index] == "x" else lower.upper()
    return "".join(chars)


def epoch_seconds(iso: str | None) -> int:
    """Unix seconds of a catalog time (``YYYY-MM-DDTHH:MM:SS[.f]Z``), floored.

    0 (fls's "not set") when the time is absent or not in the catalog's format.
    """
    if not iso:
        return 0
    match = _ISO.fullmatch(iso)
    if match is None:
        return 0
    return calendar.timegm(tuple(int(part) for part in match.groups()))
