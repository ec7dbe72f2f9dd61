r"""DFXML export: the catalog as fiwalk writes it (DFXML 1.0), for DFXML tools to read.

Layout (fiwalk's): ``<dfxml>`` holds ``<metadata>`` (``dc:type``), ``<creator>``
(program ``evcat`` and its version), then per exhibit one ``<source>`` (image file name,
sector size, image size and media hashes) followed by one ``<volume offset=...>`` per file
system found in it, each holding a ``<fileobject>`` per catalogued entry. ``partition``
numbers a file system within its exhibit from 1 and ``id`` numbers file objects through
the document from 1. ``filename`` is the path from the file system root without the leading
``/``, as fiwalk writes it. ``inode`` is the metadata address (the full TSK address,
NTFS ``entry-type-id`` included, is in the locator), ``mode`` the permission bits as TSK
reports them, times are the catalog's UTC ISO-8601 strings, and ``hashdigest`` types are
``md5``, ``sha1``, ``sha256`` and ``blake3``. ``nlink``, ``byte_runs`` and
``parent_object`` are not in the catalog and not written.

What fiwalk has no element for is in the ``evcat`` namespace (``urn:evcat:dfxml:1``):
the case id and number, the custody sequence and head hash the export reflects (in
``<metadata>``), the exhibit id (in ``<source>`` and ``<volume>``), and per file object
its ``evcat:locator`` and, when needed, ``evcat:name_hex``.

Determinism: nothing comes from the clock or the host (no ``execution_environment``), and
rows come in the reads' stable orders, so the same case gives the same bytes.

Escaping: names are attacker-controlled and XML 1.0 cannot hold every character, so all
text first has each C0/C1 control character (tab, newline and carriage return included,
since XML parsers would normalise them) written as ``\xNN``, and U+FFFE, U+FFFF and any
lone surrogate as ``\uNNNN``; then ``&``, ``<`` and ``>`` become entities. The document is
always well-formed. Whenever a file object's written name is not exactly its directory
entry's raw bytes in UTF-8 (an escape was applied, or the bytes are not valid UTF-8 and
were shown with U+FFFD), ``<evcat:name_hex>`` holds those raw bytes in hex: with it, the
hex is authoritative; without it, the name is literal. It covers the last path component;
a parent's own file object carries the parent's.

The document is written as it is read, one file object at a time, so memory stays flat
however many files the case holds.
"""

from __future__ import annotations

import itertools
import re
from operator import itemgetter
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.sax.saxutils import escape

from catalog.exports.base import ExportSnapshot, ExportStats, raw_name_hex
from catalog.exports.bodyfile import NAME_TYPE_LETTERS
from catalog.model import EntryType
from catalog.store.reads import file_records, filesystem_records, source_records

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from sqlite_utils import Database

DFXML_NS = "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"
EVCAT_NS = "urn:evcat:dfxml:1"

_META_TYPES = {
    EntryType.FILE: 1,
    EntryType.DIR: 2,
    EntryType.FIFO: 3,
    EntryType.CHAR_DEVICE: 4,
    EntryType.BLOCK_DEVICE: 5,
    EntryType.SYMLINK: 6,
    EntryType.SHADOW: 7,
    EntryType.SOCKET: 8,
    EntryType.WHITEOUT: 9,
    EntryType.VIRTUAL_FILE: 10,
    EntryType.VIRTUAL_DIR: 11,
}
"""TSK's ``TSK_FS_META_TYPE_ENUM`` value per entry type (0, undefined, for unknown)."""

_XML_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_TIMES = (("mtime", "modified"), ("ctime", "changed"), ("atime", "accessed"))
_HASHES = ("md5", "sha1", "sha256", "blake3")
_HEADER = f"""<?xml version="1.0" encoding="UTF-8"?>
<dfxml xmlns="{DFXML_NS}"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:evcat="{EVCAT_NS}"
  version="1.0">
"""


def write_dfxml(db: Database, handle: BinaryIO, snapshot: ExportSnapshot) -> ExportStats:
    """Write the case as one DFXML document.

    Args:
        db: The case catalog.
        handle: Binary output; the document is UTF-8.
        snapshot: The case state the export reflects (case id, custody head, tool version).

    Returns:
        The number of ``<fileobject>`` elements written.

    Raises:
        RuntimeError: a file row's file system was not among its exhibit's (a read-order bug).
    """
    stats = ExportStats()
    groups = _FileGroups(file_records(db, hide_known=snapshot.hide_known))
    handle.write((_HEADER + _metadata(snapshot) + _creator(snapshot)).encode("utf-8"))
    for source in source_records(db):
        handle.write(_source(source).encode("utf-8"))
        for partition, fs in enumerate(filesystem_records(db, source["exhibit"]), start=1):
            handle.write(_volume_start(fs, source).encode("utf-8"))
            for row in groups.take(fs["fs_id"]):
                stats.rows += 1
                handle.write(_fileobject(row, partition, stats.rows).encode("utf-8"))
            handle.write(b"  </volume>\n")
    groups.check_exhausted()
    handle.write(b"</dfxml>\n")
    return stats


class _FileGroups:
    """``file_records`` cut into one run of rows per file system, taken in order."""

    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        self._groups = itertools.groupby(rows, key=itemgetter("fs_id"))
        self._pending = next(self._groups, None)

    def take(self, fs_id: str) -> Iterator[dict[str, Any]]:
        """The rows of ``fs_id`` if they come next, else none."""
        if self._pending is None or self._pending[0] != fs_id:
            return
        yield from self._pending[1]
        self._pending = next(self._groups, None)

    def check_exhausted(self) -> None:
        """Raise if rows were left over: their file system was never visited."""
        if self._pending is not None:
            raise RuntimeError(f"DFXML export: files of file system {self._pending[0]} not written")


def xml_text(value: object) -> str:
    r"""``value`` as XML 1.0 character data: unsafe characters as ``\xNN``/``\uNNNN``."""
    return escape(_XML_UNSAFE.sub(_escape_char, str(value)))


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _element(name: str, value: object, indent: int = 6) -> str:
    """One ``<name>value</name>`` line, or nothing when the value is None."""
    if value is None:
        return ""
    return f"{' ' * indent}<{name}>{xml_text(value)}</{name}>\n"


def _metadata(snapshot: ExportSnapshot) -> str:
    case = snapshot.case
    return (
        "  <metadata>\n"
        + _element("dc:type", "Disk Image", 4)
        + _element("evcat:case_id", case.get("case_id"), 4)
        + _element("evcat:case_number", case.get("case_number"), 4)
        + _element("evcat:custody_seq", snapshot.record_seq, 4)
        + _element("evcat:custody_head", snapshot.record_head, 4)
        + "  </metadata>\n"
    )


def _creator(snapshot: ExportSnapshot) -> str:
    return (
        '  <creator version="1.0">\n'
        + _element("program", "evcat", 4)
        + _element("version", snapshot.tool_version.removeprefix("evcat "), 4)
        + "  </creator>\n"
    )


def _source(source: Mapping[str, Any]) -> str:
    hashes = "".join(
        f'    <hashdigest type="{kind}">{xml_text(source[f"media_{kind}"])}</hashdigest>\n'
        for kind in _HASHES
        if source[f"media_{kind}"]
    )
    return (
        "  <source>\n"
        + _element("image_filename", source["registered_path"] or source["scanned_path"], 4)
        + _element("sectorsize", source["sector_size"], 4)
        + _element("imagesize", source["media_size"], 4)
        + hashes
        + _element("evcat:exhibit", source["exhibit"], 4)
        + "  </source>\n"
    )


def _volume_start(fs: Mapping[str, Any], source: Mapping[str, Any]) -> str:
    block_count = fs["block_count"]
    return (
        f'  <volume offset="{int(fs["offset"])}">\n'
        + _element("partition_offset", fs["offset"], 4)
        + _element("sector_size", source["sector_size"], 4)
        + _element("block_size", fs["block_size"], 4)
        + _element("ftype_str", str(fs["fs_type"]).lower(), 4)
        + _element("block_count", block_count, 4)
        + _element("first_block", 0 if block_count else None, 4)
        + _element("last_block", block_count - 1 if block_count else None, 4)
        + _element("evcat:exhibit", source["exhibit"], 4)
    )


def _fileobject(row: Mapping[str, Any], partition: int, object_id: int) -> str:
    parts = [
        "    <fileobject>\n",
        _element("filename", row["path"].removeprefix("/")),
        _element("partition", partition),
        _element("id", object_id),
        _element("name_type", NAME_TYPE_LETTERS.get(row["type"], "-")),
        _element("filesize", row["size"] or 0),
        _element("alloc" if row["is_allocated"] else "unalloc", 1),
        *_meta(row),
        *(_element(tag, row[column]) for tag, column in _TIMES),
        _element("crtime", row["created"]),
        _element("libmagic", row["magic_description"]),
        *(_hashdigest(kind, row[kind]) for kind in _HASHES),
        _element("evcat:locator", row["locator"]),
        _element("evcat:name_hex", _name_hex(row)),
        "    </fileobject>\n",
    ]
    return "".join(parts)


def _meta(row: Mapping[str, Any]) -> list[str]:
    """Inode and, when the entry has metadata, its type, permission bits and owner."""
    has_meta = row["mode"] is not None
    return [
        _element("inode", row["meta_addr"]),
        _element("meta_type", _META_TYPES.get(row["type"], 0) if has_meta else None),
        _element("mode", row["mode"] & 0o7777 if has_meta else None),
        _element("uid", row["uid"]),
        _element("gid", row["gid"]),
    ]


def _hashdigest(kind: str, value: str | None) -> str:
    if not value:
        return ""
    return f'      <hashdigest type="{kind}">{xml_text(value)}</hashdigest>\n'


def _name_hex(row: Mapping[str, Any]) -> str | None:
    """The raw name bytes in hex when the written name does not spell them exactly."""
    return raw_name_hex(row["name_raw"], _XML_UNSAFE.sub(_escape_char, row["name"]))
