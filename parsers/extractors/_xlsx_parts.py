"""The small parts of an XLSX workbook: sheet list, relationships, shared strings, styles.

Kept apart from the sheet reader so each stays small; every reader here is an
``XmlTarget`` fed by ``_ooxml.Package.parse``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_FORMAT_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
_DATE_LETTERS = re.compile(r"[ymdhs]", re.IGNORECASE)
_SECONDS_PER_DAY = 86_400
_LOTUS_LEAP_BUG_SERIAL = 60
_LAST_SERIAL = 2_958_465
"""9999-12-31 in the 1900 date system."""


class WorkbookList:
    """Sheet names and relationship ids in ``xl/workbook.xml``, and the date system."""

    def __init__(self) -> None:
        self.sheets: list[tuple[str, str]] = []
        self.date1904 = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{S}sheet":
            self.sheets.append((attrs.get("name", ""), attrs.get(R_ID, "")))
        elif tag == f"{S}workbookPr":
            self.date1904 = attrs.get("date1904", "0").lower() in ("1", "true")

    def end(self, tag: str) -> None:
        """Nothing to do when an element closes."""

    def data(self, text: str) -> None:
        """The workbook list has no character data of interest."""


class Relationships:
    """Relationship id to part name, from a ``.rels`` part."""

    def __init__(self, base: str) -> None:
        self.targets: dict[str, str] = {}
        self._base = base

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == REL and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            name = target.lstrip("/") if target.startswith("/") else self._base + target
            self.targets[attrs.get("Id", "")] = name

    def end(self, tag: str) -> None:
        """Nothing to do when an element closes."""

    def data(self, text: str) -> None:
        """Relationships have no character data."""


class InlineText:
    """Text of ``<t>`` elements, phonetic guides (``<rPh>``) left out; a base for readers."""

    def __init__(self) -> None:
        self._depth_rph = 0
        self._in_t = False
        self._text: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{S}rPh":
            self._depth_rph += 1
        elif tag == f"{S}t":
            self._in_t = True

    def end(self, tag: str) -> None:
        if tag == f"{S}rPh":
            self._depth_rph -= 1
        elif tag == f"{S}t":
            self._in_t = False

    def data(self, text: str) -> None:
        if self._in_t and not self._depth_rph:
            self._text.append(text)

    def take(self) -> str:
        """The text gathered since the last call."""
        text = "".join(self._text)
        self._text = []
        return text


class SharedStrings(InlineText):
    """The shared string table (``xl/sharedStrings.xml``)."""

    def __init__(self) -> None:
        super().__init__()
        self.strings: list[str] = []

    def end(self, tag: str) -> None:
        super().end(tag)
        if tag == f"{S}si":
            self.strings.append(self.take())


class Styles:
    """Which cell style indices (``s``) format numbers as dates (``xl/styles.xml``)."""

    def __init__(self) -> None:
        self._custom: dict[str, str] = {}
        self._in_xfs = False
        self._xf_formats: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{S}numFmt":
            self._custom[attrs.get("numFmtId", "")] = attrs.get("formatCode", "")
        elif tag == f"{S}cellXfs":
            self._in_xfs = True
        elif tag == f"{S}xf" and self._in_xfs:
            self._xf_formats.append(attrs.get("numFmtId", "0"))

    def end(self, tag: str) -> None:
        if tag == f"{S}cellXfs":
            self._in_xfs = False

    def data(self, text: str) -> None:
        """Styles have no character data of interest."""

    def date_styles(self) -> frozenset[int]:
        """Indices of the cell formats that show dates or times."""
        return frozenset(i for i, fmt in enumerate(self._xf_formats) if self._is_date(fmt))

    def _is_date(self, format_id: str) -> bool:
        if format_id in self._custom:
            return bool(_DATE_LETTERS.search(_FORMAT_NOISE.sub("", self._custom[format_id])))
        return format_id.isdigit() and int(format_id) in _DATE_FORMAT_IDS


def serial_to_iso(value: str, date1904: bool) -> str:
    """An Excel date serial as ISO-8601 (``2024-07-01`` or ``2024-07-01 09:30:00``).

    Values that are not a serial in range are returned unchanged.
    """
    try:
        serial = float(value)
    except ValueError:
        return value
    if not 0 <= serial <= _LAST_SERIAL:
        return value
    days = int(serial)
    seconds = round((serial - days) * _SECONDS_PER_DAY)
    if date1904:
        day = date(1904, 1, 1) + timedelta(days=days)
    elif days < _LOTUS_LEAP_BUG_SERIAL:
        day = date(1899, 12, 31) + timedelta(days=days)
    else:
        day = date(1899, 12, 30) + timedelta(days=days)
    if seconds == 0:
        return day.isoformat()
    if seconds >= _SECONDS_PER_DAY:
        return (day + timedelta(days=1)).isoformat()
    hours, rest = divmod(seconds, 3600)
    return f"{day.isoformat()} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
