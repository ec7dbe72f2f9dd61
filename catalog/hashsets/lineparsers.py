"""One parser per text hash-set format, turning one decoded line into one hash row.

Each parser's ``feed(text)`` returns a ``HashRow``, ``None`` for a line that carries no
row (comment, header), or raises ``LineError`` with a one-line message for a malformed
line, which the reader records with its line number and skips. Parsers keep the state
their format needs (hashdeep's column line, the CSV header) and nothing else.
"""

from __future__ import annotations

import csv
import re
from typing import Protocol

from catalog.hashsets.records import HASH_TYPES, HashRow

HEX_DIGITS = {"md5": 32, "sha1": 40, "sha256": 64}
_BY_DIGITS = {digits: name for name, digits in HEX_DIGITS.items()}
_BITS = dict(HASH_TYPES)
_MAX_SIZE = (1 << 63) - 1
BSD_LINE = re.compile(r"^(MD5|SHA-?1|SHA-?256|SHA2-256) ?\((.*)\) ?= ?([0-9A-Za-z]*)\s*$", re.I)
GNU_LINE = re.compile(r"^(\\?)(\S+)(?:[ \t]([ *]?)(.*))?$")
_GNU_ESCAPES = re.compile(r"\\(.)")


class LineError(Exception):
    """The line is malformed; the message says why (one line, without the line's text)."""


class LineParser(Protocol):
    """Turns one line of a text format into a row, or ``None`` for a line without one."""

    def feed(self, text: str) -> HashRow | None:
        """Parse ``text`` (one line, no line ending)."""
        ...


def parse_hex(text: str, name: str) -> bytes:
    """The digest ``name`` (``md5``, ``sha1``, ``sha256``) written as hex in ``text``."""
    value = text.strip()
    digits = HEX_DIGITS[name]
    if len(value) != digits:
        raise LineError(f"{name} has {len(value)} characters, expected {digits} hex digits")
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raw = b""
    if len(raw) * 2 != digits:
        raise LineError(f"{name} is not hexadecimal")
    return raw


def parse_size(text: str) -> int | None:
    """A file size in bytes, or ``None`` for an empty field."""
    value = text.strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or int(value) > _MAX_SIZE:
        raise LineError("size is not a whole number of bytes")
    return int(value)


def make_row(
    digests: dict[str, bytes], name: str | None, size: int | None, package: str | None
) -> HashRow:
    """A row from the digests found on a line; a line without any is malformed."""
    if not digests:
        raise LineError("no md5, sha1 or sha256 value")
    types = 0
    for hash_name in digests:
        types |= _BITS[hash_name]
    return (
        types,
        digests.get("sha256"),
        digests.get("sha1"),
        digests.get("md5"),
        name or None,
        size,
        package or None,
    )


class SumsParser:
    r"""``md5sum``/``sha1sum``/``sha256sum`` output, GNU or BSD style, ``#`` comments.

    GNU: ``<hex>  <name>``, ``<hex> *<name>`` (binary mode), ``\\<hex>  <escaped name>``,
    and a bare ``<hex>`` (a plain hash list). BSD: ``MD5 (name) = <hex>``; a BSD line names
    its own algorithm, so any of MD5, SHA1 and SHA256 is accepted whatever the format.
    """

    def __init__(self, fmt: str) -> None:
        self.hash_name = fmt.removesuffix("sum")

    def feed(self, text: str) -> HashRow | None:
        """Parse one line."""
        if text.startswith("#"):
            return None
        bsd = BSD_LINE.match(text)
        if bsd:
            algorithm, name, value = bsd.groups()
            hash_name = "md5" if algorithm.upper() == "MD5" else _bsd_sha(algorithm)
            return make_row({hash_name: parse_hex(value, hash_name)}, name, None, None)
        gnu = GNU_LINE.match(text)
        if gnu is None:
            raise LineError(f"not a {self.hash_name}sum line")
        escaped, value, _mode, name = gnu.groups()
        if escaped and name:
            name = _GNU_ESCAPES.sub(_unescape, name)
        return make_row({self.hash_name: parse_hex(value, self.hash_name)}, name, None, None)


def _bsd_sha(algorithm: str) -> str:
    return "sha1" if algorithm.upper().replace("-", "") == "SHA1" else "sha256"


def _unescape(match: re.Match[str]) -> str:
    char = match.group(1)
    return {"n": "\n", "r": "\r"}.get(char, char)


class HashdeepParser:
    """hashdeep output: a header, a column line, ``##`` comments, one line per file.

    ``%%%% HASHDEEP-1.0``, then ``%%%% size,md5,...,filename``: any subset and order of
    size, md5, sha1, sha256, tiger, whirlpool, filename (the file name may hold commas).
    """

    def __init__(self) -> None:
        self.columns: list[str] | None = None

    def feed(self, text: str) -> HashRow | None:
        """Parse one line."""
        if text.startswith("%%%%"):
            body = text[4:].strip()
            if not body.upper().startswith("HASHDEEP"):
                self._set_columns(body)
            return None
        if text.startswith("##"):
            return None
        if self.columns is None:
            raise LineError("data line before the %%%% column line")
        columns = self.columns
        splits = len(columns) - 1 if columns[-1] == "filename" else -1
        fields = text.split(",", splits)
        if len(fields) != len(columns):
            raise LineError(f"expected {len(columns)} fields, found {len(fields)}")
        values = dict(zip(columns, fields, strict=True))
        digests = {h: parse_hex(values[h], h) for h in HEX_DIGITS if h in values}
        size = parse_size(values["size"]) if "size" in values else None
        return make_row(digests, values.get("filename"), size, None)

    def _set_columns(self, body: str) -> None:
        columns = [column.strip().lower() for column in body.split(",")]
        if not any(column in HEX_DIGITS for column in columns):
            self.columns = None
            raise LineError("column line names no md5, sha1 or sha256 column")
        self.columns = columns


_ROLES = {
    "sha256": ("sha256", "sha2256", "sha256hash", "sha256sum"),
    "sha1": ("sha1", "sha1hash", "sha1sum"),
    "md5": ("md5", "md5hash", "md5sum"),
    "hash": ("hash", "digest", "hashvalue"),
    "file_name": ("filename", "name", "file", "path", "filepath", "fullpath", "fullname"),
    "file_size": ("size", "filesize", "bytes", "length"),
    "package": ("package", "packageid", "product", "productcode", "productname"),
}
_ROLE_OF = {alias: role for role, aliases in _ROLES.items() for alias in aliases}
_HASH_ROLES = ("sha256", "sha1", "md5", "hash")


def column_roles(fields: list[str]) -> list[str | None]:
    """The role of each CSV header field (``None``: ignored); a role is kept once."""
    roles: list[str | None] = []
    for field in fields:
        role = _ROLE_OF.get(re.sub(r"[^a-z0-9]", "", field.lower()))
        roles.append(role if role not in roles else None)
    return roles


def sniff_delimiter(line: str) -> str:
    """The most frequent of ``,``, ``;`` and tab in a header line."""
    return max((",", ";", "\t"), key=line.count)


def split_csv(line: str, delimiter: str) -> list[str]:
    """The fields of one CSV line (quoted fields may hold the delimiter, not line ends)."""
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=True))
    except (csv.Error, StopIteration) as exc:
        raise LineError("unbalanced quotes") from exc


class CsvParser:
    """CSV with a header row naming its columns; ``,``, ``;`` or tab, sniffed from it.

    Case and punctuation of the names are ignored: ``SHA-256``, ``sha256``, ``File Name``...

    ``#`` lines before the header are skipped (PowerShell's ``#TYPE`` line). A ``hash`` or
    ``digest`` column's algorithm follows from its length.
    """

    def __init__(self) -> None:
        self.roles: list[str | None] | None = None
        self.delimiter = ","

    def feed(self, text: str) -> HashRow | None:
        """Parse one line."""
        if self.roles is None:
            self._header(text)
            return None
        fields = split_csv(text, self.delimiter)
        if len(fields) != len(self.roles):
            raise LineError(f"expected {len(self.roles)} fields, found {len(fields)}")
        values = {role: field for role, field in zip(self.roles, fields, strict=True) if role}
        digests = {h: parse_hex(values[h], h) for h in HEX_DIGITS if values.get(h, "").strip()}
        if values.get("hash", "").strip():
            value = values["hash"].strip()
            hash_name = _BY_DIGITS.get(len(value), "sha256")
            digests.setdefault(hash_name, parse_hex(value, hash_name))
        size = parse_size(values.get("file_size", ""))
        return make_row(digests, values.get("file_name"), size, values.get("package"))

    def _header(self, text: str) -> None:
        if text.startswith("#"):
            return
        delimiter = sniff_delimiter(text)
        roles = column_roles(split_csv(text, delimiter))
        if not any(role in _HASH_ROLES for role in roles):
            raise LineError("header names no md5, sha1, sha256 or hash column")
        self.roles, self.delimiter = roles, delimiter


def make_parser(fmt: str) -> LineParser:
    """The line parser of a text format."""
    if fmt == "hashdeep":
        return HashdeepParser()
    if fmt == "csv":
        return CsvParser()
    return SumsParser(fmt)
