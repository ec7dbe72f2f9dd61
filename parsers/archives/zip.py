"""ZIP archives through zipfile, with the names and times the archiving machine meant.

zipfile decodes names without the UTF-8 flag as cp437, which garbles the UTF-8 and
Shift_JIS names real tools write; this reader recovers the stored bytes and decodes them
again (Info-ZIP Unicode Path field, then strict UTF-8, then CP932 when it reads as
Japanese, then cp437). DOS times are local times of an unknown zone and are reported raw
with a note; the extended-timestamp field, when present, gives UTC instead.

Member limit: zipfile is shown at most ``max_members`` central directory entries (see
``zipdir``); when there are more, the last tuple yielded names the first member left out,
with content ``None`` and the error ``member limit reached: N more members not opened``.
Per-member trouble (encryption, an unsupported method, a bad local header) is that
member's error; only an unreadable central directory raises ``ArchiveError``.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO

from parsers.archive import ArchiveError, ArchiveLimits, MemberInfo
from parsers.archives.detect import archive_kind, is_document
from parsers.archives.limited import ExpansionBudget, describe_error, limited
from parsers.archives.names import decode_name, normalise_path, utc_iso
from parsers.archives.zipdir import SkippedEntry, bound_directory

_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_UNICODE_PATH = 0x7075
_EXTENDED_TIME = 0x5455
_DOS_NOTE = "ZIP DOS time, local time of the archiving machine (zone unknown)"
_SUPPORTED = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, 14})
_METHOD_NAMES = {
    1: "shrink",
    6: "implode",
    9: "deflate64",
    14: "LZMA",
    93: "Zstandard",
    95: "XZ",
    98: "PPMd",
    99: "AES encryption",
}
_OPEN_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    RuntimeError,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    KeyError,
    IndexError,
    OverflowError,
)

Member = tuple[MemberInfo, IO[bytes] | None, str | None]


def _extra_fields(extra: bytes) -> dict[int, bytes]:
    """Extra-field blocks by header ID (the first of each ID wins)."""
    fields: dict[int, bytes] = {}
    at = 0
    while at + 4 <= len(extra):
        tag, size = struct.unpack_from("<2H", extra, at)
        fields.setdefault(tag, extra[at + 4 : at + 4 + size])
        at += 4 + size
    return fields


def _unicode_path(field: bytes | None, raw: bytes) -> str | None:
    """The Info-ZIP Unicode Path (0x7075), if present and written for this very name."""
    if field is None or len(field) < 5 or field[0] != 1:
        return None
    if struct.unpack_from("<L", field, 1)[0] != zlib.crc32(raw):
        return None
    try:
        return field[5:].decode("utf-8")
    except UnicodeDecodeError:
        return None


def _name(flags: int, raw: bytes, fields: dict[int, bytes]) -> str:
    if flags & _UTF8_FLAG:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return decode_name(raw, "cp437")
    unicode = _unicode_path(fields.get(_UNICODE_PATH), raw)
    return unicode if unicode is not None else decode_name(raw, "cp437")


def _times(date_time: tuple[int, ...], fields: dict[int, bytes]) -> tuple[str | None, str | None]:
    """(modified, zone_note): extended timestamp as UTC, else the raw DOS local time."""
    stamp = fields.get(_EXTENDED_TIME, b"")
    if len(stamp) >= 5 and stamp[0] & 1:
        utc = utc_iso(struct.unpack_from("<l", stamp, 1)[0])
        if utc is not None:
            return utc, None
    year, month, day, hour, minute, second = date_time
    if month == 0 or day == 0:
        return None, None
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}", _DOS_NOTE


def _describe(label: str, exc: Exception) -> str:
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc):
        return f"CRC mismatch in member {label}"
    return describe_error(label, exc)


def member_info(info: zipfile.ZipInfo) -> MemberInfo:
    """What the central directory says about one member, names and times decoded."""
    raw = info.orig_filename.encode("utf-8" if info.flag_bits & _UTF8_FLAG else "cp437")
    fields = _extra_fields(info.extra)
    name = _name(info.flag_bits, raw, fields)
    modified, zone_note = _times(info.date_time, fields)
    return MemberInfo(
        path=normalise_path(name),
        name_raw=raw,
        size=info.file_size,
        compressed_size=info.compress_size,
        modified=modified,
        zone_note=zone_note,
        is_dir=name.replace("\\", "/").endswith("/"),
        is_encrypted=bool(info.flag_bits & _ENCRYPTED_FLAG),
    )


def _unopenable(info: zipfile.ZipInfo, member: MemberInfo) -> str | None:
    """Why a member cannot be expanded before trying, or ``None``."""
    if member.is_encrypted:
        return "encrypted member (no password given)"
    if info.compress_type not in _SUPPORTED:
        method = _METHOD_NAMES.get(info.compress_type, "unknown")
        return f"unsupported compression method {info.compress_type} ({method})"
    return None


def _skipped(entry: SkippedEntry) -> Member:
    name = _name(entry.flags, entry.name, _extra_fields(entry.extra))
    info = MemberInfo(normalise_path(name), entry.name, None, None, None)
    more = "further" if entry.more is None else str(entry.more)
    return info, None, f"member limit reached: {more} more members not opened"


class ZipReader:
    """Lists ZIP members (JAR, APK, EPUB too) and expands them within the limits."""

    name = "zip"
    version = 1
    description = "ZIP members via zipfile: legacy names decoded, DOS times raw, bombs bounded"
    emits: tuple[str, ...] = ("archive:member",)

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """ZIP by signature (or by name/MIME without a signature), not OOXML/ODF documents."""
        return archive_kind(name, mime, head) == "zip" and not is_document(name, mime, head)

    def members(self, stream: IO[bytes], limits: ArchiveLimits) -> Iterator[Member]:
        """Yield ``(info, content, error)`` per member in central directory order.

        Raises:
            ArchiveError: not a ZIP, or its central directory is unreadable.
        """
        try:
            bounded = bound_directory(stream, limits.max_members)
            archive = zipfile.ZipFile(bounded.stream)
        except _OPEN_ERRORS as exc:
            raise ArchiveError(f"unreadable ZIP archive ({type(exc).__name__}: {exc})") from exc
        budget = ExpansionBudget(limits.max_total_bytes)
        with archive:
            infos = archive.infolist()
            for info in infos[: limits.max_members]:
                yield from self._member(archive, info, limits, budget)
        if bounded.skipped is not None:
            yield _skipped(bounded.skipped)
        elif len(infos) > limits.max_members:
            first = member_info(infos[limits.max_members])
            more = len(infos) - limits.max_members
            yield first, None, f"member limit reached: {more} more members not opened"

    def _member(
        self,
        archive: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        limits: ArchiveLimits,
        budget: ExpansionBudget,
    ) -> Iterator[Member]:
        member = member_info(info)
        if member.is_dir:
            yield member, None, None
            return
        reason = _unopenable(info, member)
        if reason is not None:
            yield member, None, reason
            return
        try:
            handle = archive.open(info)
        except _OPEN_ERRORS as exc:
            yield member, None, f"cannot open member ({type(exc).__name__}: {exc})"
            return
        with handle:
            content = limited(
                handle,
                label=member.path,
                limits=limits,
                compressed_size=info.compress_size,
                budget=budget,
                describe=_describe,
            )
            yield member, content, None
