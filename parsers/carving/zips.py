"""Carver for ZIP archives and the office formats built on them (OOXML, OpenDocument).

A ZIP is read from its end: the end-of-central-directory record (EOCD) gives the central
directory, whose entries point back to local headers. Carving starts at a local header,
searches forward for an EOCD whose directory lies between them and whose every entry points
at a local header of the same name, one of them the header carving started from. An EOCD
that does not fit (one of a ZIP stored inside this one) is skipped and the search goes on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from parsers.carving.model import ZIP, Found, le16, le32

if TYPE_CHECKING:
    from parsers.dvr.containers.window import Window

LOCAL = b"PK\x03\x04"
CENTRAL = b"PK\x01\x02"
EOCD = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP64_EOCD = b"PK\x06\x06"
METHODS = frozenset({0, 1, 6, 8, 9, 12, 14, 19, 93, 95, 96, 97, 98, 99})
MAX_EOCD_TRIES = 256
MAX_ENTRIES = 1 << 20
MAX_NAMES = 4096
OOXML = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
ODF = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}


def _local_ok(window: Window, pos: int, name: bytes | None = None) -> bool:
    """True when a plausible local header (with ``name``, if given) is at ``pos``."""
    header = window.get(pos, 30)
    if len(header) < 30 or header[:4] != LOCAL:
        return False
    method, name_len = int.from_bytes(header[8:10], "little"), le16(window, pos + 26) or 0
    if method not in METHODS or not 0 < name_len <= 4096:
        return False
    return name is None or window.get(pos + 30, name_len) == name


def _zip64_directory(window: Window, offset: int, eocd: int) -> tuple[int, int, int, int] | None:
    """(entries, directory size, directory offset, record position) from the ZIP64 records."""
    locator = window.get(eocd - 20, 20)
    if len(locator) < 20 or locator[:4] != ZIP64_LOCATOR:
        return None
    record = offset + int.from_bytes(locator[8:16], "little")
    data = window.get(record, 56) if offset <= record < eocd else b""
    if len(data) < 56 or data[:4] != ZIP64_EOCD:
        return None
    entries, size, start = (int.from_bytes(data[i : i + 8], "little") for i in (32, 40, 48))
    return entries, size, start, record


def _directory(window: Window, offset: int, eocd: int) -> tuple[int, int, int] | None:
    """(entries, first entry offset, directory end) of the EOCD at ``eocd``, or None."""
    record = window.get(eocd, 22)
    if len(record) < 22 or record[4:8] != b"\x00\x00\x00\x00":
        return None
    entries, total = le16(window, eocd + 8), le16(window, eocd + 10)
    size, start = le32(window, eocd + 12), le32(window, eocd + 16)
    if entries != total or size is None or start is None or total is None:
        return None
    end = eocd
    if 0xFFFF in (entries, total) or 0xFFFFFFFF in (size, start):
        zip64 = _zip64_directory(window, offset, eocd)
        if zip64 is None:
            return None
        total, size, start, end = zip64
    first = offset + start
    if not total or first + size != end or first < offset + 30:
        return None
    return total, first, end


def _entries(window: Window, offset: int, count: int, first: int, end: int) -> list[str] | None:
    """Member names of a directory whose entries all point at matching local headers."""
    names: list[str] = []
    pos, starts_here = first, False
    for _ in range(min(count, MAX_ENTRIES)):
        fixed = window.get(pos, 46)
        if len(fixed) < 46 or fixed[:4] != CENTRAL:
            return None
        name_len, extra_len, comment_len = (
            int.from_bytes(fixed[i : i + 2], "little") for i in (28, 30, 32)
        )
        local = int.from_bytes(fixed[42:46], "little")
        name = window.get(pos + 46, name_len)
        if local != 0xFFFFFFFF and not _local_ok(window, offset + local, name):
            return None
        starts_here |= local == 0
        if len(names) < MAX_NAMES:
            names.append(name.decode("utf-8", "replace"))
        pos += 46 + name_len + extra_len + comment_len
    return names if pos == end and count <= MAX_ENTRIES and starts_here else None


def _office_type(window: Window, offset: int, names: list[str]) -> str:
    """``docx``/``xlsx``/``pptx``/``odt``/``ods``/``odp`` from the member names, else ``zip``."""
    if "[Content_Types].xml" in names:
        for member, extension in OOXML.items():
            if member in names:
                return extension
    if names and names[0] == "mimetype":
        skip = (le16(window, offset + 26) or 0) + (le16(window, offset + 28) or 0)
        size = min(le32(window, offset + 18) or 0, 128)
        return ODF.get(window.get(offset + 30 + skip, size), "zip")
    return "zip"


def carve_zip(window: Window, offset: int, stop: int) -> Found | None:
    """The ZIP whose first local header is at ``offset``, through its EOCD and comment."""
    if not _local_ok(window, offset):
        return None
    pos = offset + 30
    for _ in range(MAX_EOCD_TRIES):
        eocd = window.find(EOCD, pos, stop)
        if eocd < 0:
            return None
        pos = eocd + 1
        directory = _directory(window, offset, eocd)
        comment = le16(window, eocd + 20)
        if directory is None or comment is None or eocd + 22 + comment > stop:
            continue
        names = _entries(window, offset, *directory)
        if names is not None:
            extension = _office_type(window, offset, names)
            note = f"{directory[0]} members" + ("" if extension == "zip" else f", {extension}")
            return Found(eocd + 22 + comment, ZIP, extension, note)
    return None
