"""gzip streams as one-member archives (``.gz``, ``.tgz``: the tar inside is the member).

The header is parsed here (RFC 1952) for the original name (FNAME, latin-1) and MTIME
(UTC seconds, 0 meaning absent). ``members()`` is not told the archive's own name, so a
stream without FNAME yields a member whose path is ``""``: the pipeline names it after the
archive (``x.tgz`` -> ``x.tar``). Decompression is zlib's, in C, one member after another
(concatenated members are one stream, zero padding between them is skipped, as gzip
does); the expanded size is not known in advance (ISIZE is modulo 2**32), so
``MemberInfo.size`` is ``None`` and the limits apply as the stream is read. Corrupt or
truncated data raises ``ArchiveError`` from ``read``.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from parsers.archive import ArchiveError, ArchiveLimits, MemberInfo
from parsers.archives.detect import archive_kind
from parsers.archives.limited import ExpansionBudget, limited
from parsers.archives.names import normalise_path, utc_iso

_FHCRC, _FEXTRA, _FNAME, _FCOMMENT, _RESERVED = 0x02, 0x04, 0x08, 0x10, 0xE0
_MAX_FIELD = 64 << 10
"""Longest FNAME or FCOMMENT accepted in the first header."""
_HEAD_BYTES = 10 + 2 + 0xFFFF + 2 * _MAX_FIELD + 2
_CHUNK = 64 << 10
_GZIP_WBITS = 16 + zlib.MAX_WBITS


@dataclass(frozen=True, slots=True)
class GzipHeader:
    """The fields of a gzip member header this reader reports."""

    name: bytes | None
    mtime: int


def _field_end(head: bytes, start: int) -> int:
    """Index just past the NUL ending the zero-terminated field at ``start``."""
    end = head.find(b"\x00", start, start + _MAX_FIELD)
    if end < 0:
        raise ArchiveError("gzip header truncated or its name/comment field is too long")
    return end + 1


def parse_header(head: bytes) -> GzipHeader:
    """Parse the first gzip member header from the stream's first bytes.

    Raises:
        ArchiveError: not a gzip stream, not deflate, reserved flags, or truncated.
    """
    if len(head) < 10 or head[:2] != b"\x1f\x8b":
        raise ArchiveError("not a gzip stream (no 1f 8b signature)")
    if head[2] != 8:
        raise ArchiveError(f"gzip compression method {head[2]} is not deflate")
    flags, mtime = head[3], struct.unpack_from("<L", head, 4)[0]
    if flags & _RESERVED:
        raise ArchiveError(f"gzip header has reserved flag bits set (0x{flags:02x})")
    at = 10
    if flags & _FEXTRA:
        if len(head) < 12:
            raise ArchiveError("gzip header truncated in its extra field")
        at += 2 + struct.unpack_from("<H", head, 10)[0]
    name = None
    if flags & _FNAME:
        end = _field_end(head, at)
        name, at = head[at : end - 1], end
    if flags & _FCOMMENT:
        at = _field_end(head, at)
    if at + (2 if flags & _FHCRC else 0) > len(head):
        raise ArchiveError("gzip header truncated")
    return GzipHeader(name, mtime)


class _Inflater:
    """Expanded bytes of consecutive gzip members, read in bounded pieces."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._inflate = zlib.decompressobj(_GZIP_WBITS)
        self._input = b""
        self._ended = False

    def read(self, size: int, /) -> bytes:
        """Up to ``size`` expanded bytes (``b""`` at the end of the last member).

        Raises:
            ArchiveError: truncated stream or trailing data that is not a gzip member.
            zlib.error: corrupt deflate data or a bad CRC/length trailer.
        """
        while not self._ended:
            if self._inflate.eof:
                self._next_member()
                continue
            if not self._input:
                self._input = self._stream.read(_CHUNK)
                if not self._input:
                    raise ArchiveError("gzip stream truncated (ends inside a member)")
            data = self._inflate.decompress(self._input, max(size, 1))
            self._input = self._inflate.unconsumed_tail
            if data:
                return data
        return b""

    def _next_member(self) -> None:
        """Start the next member after zero padding, or end at the end of the stream."""
        data = self._inflate.unused_data + self._input
        while len(data.lstrip(b"\x00")) < 2:
            more = self._stream.read(_CHUNK)
            if not more:
                if data.strip(b"\x00"):
                    raise ArchiveError("gzip stream has trailing data after its last member")
                self._ended = True
                return
            data += more
        data = data.lstrip(b"\x00")
        if data[:2] != b"\x1f\x8b":
            raise ArchiveError("gzip stream has trailing data after its last member")
        self._inflate = zlib.decompressobj(_GZIP_WBITS)
        self._input = data


class GzipReader:
    """The one decompressed stream of a gzip file, named by its FNAME header."""

    name = "gzip"
    version = 1
    description = "gzip stream as one member: FNAME and MTIME from the header, bombs bounded"
    emits: tuple[str, ...] = ("archive:member",)

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """Accept gzip by its 1f 8b signature (or by name/MIME without any signature)."""
        return archive_kind(name, mime, head) == "gzip"

    def members(
        self, stream: IO[bytes], limits: ArchiveLimits
    ) -> Iterator[tuple[MemberInfo, IO[bytes] | None, str | None]]:
        """Yield the one member: FNAME (or ``""``), MTIME as UTC, the expanded stream.

        Raises:
            ArchiveError: the header is not a valid gzip header.
        """
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
        header = parse_header(stream.read(_HEAD_BYTES))
        stream.seek(0)
        raw = header.name or b""
        path = normalise_path(raw.decode("latin-1"))
        info = MemberInfo(
            path=path,
            name_raw=raw,
            size=None,
            compressed_size=size,
            modified=utc_iso(header.mtime) if header.mtime else None,
        )
        content = limited(
            _Inflater(stream),
            label=path or "gzip member",
            limits=limits,
            compressed_size=size,
            budget=ExpansionBudget(limits.max_total_bytes),
        )
        yield info, content, None
