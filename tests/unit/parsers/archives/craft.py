"""Builders for hand-crafted archives: names zipfile will not write, flags, bombs."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterator
from typing import IO

from parsers.archive import ArchiveLimits, MemberInfo

LOCAL_SIG = b"PK\x03\x04"
CENTRAL_SIG = b"PK\x01\x02"


def build_zip(
    entries: list[tuple[str | zipfile.ZipInfo, bytes]], method: int = zipfile.ZIP_DEFLATED
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries:
            if isinstance(name, str):  # a fixed time: the same bytes on every build
                name = zipfile.ZipInfo(name, date_time=(2024, 1, 15, 9, 30, 0))
                name.compress_type = method
                name.external_attr = 0o600 << 16
            archive.writestr(name, data)
    return buffer.getvalue()


def patch_name(data: bytes, placeholder: bytes, raw: bytes) -> bytes:
    """Swap a same-length ASCII placeholder for raw name bytes in both headers."""
    assert len(placeholder) == len(raw)
    assert data.count(placeholder) == 2, "placeholder must occur in exactly two headers"
    return data.replace(placeholder, raw)


def _header_offsets(data: bytes, signature: bytes) -> list[int]:
    offsets, at = [], data.find(signature)
    while at >= 0:
        offsets.append(at)
        at = data.find(signature, at + 1)
    return offsets


def patch_u16(data: bytes, local_field: int, central_field: int, value: int) -> bytes:
    """Set a 16-bit field in every local header and every central directory entry."""
    out = bytearray(data)
    for at in _header_offsets(data, LOCAL_SIG):
        struct.pack_into("<H", out, at + local_field, value)
    for at in _header_offsets(data, CENTRAL_SIG):
        struct.pack_into("<H", out, at + central_field, value)
    return bytes(out)


def set_flags(data: bytes, flags: int) -> bytes:
    return patch_u16(data, 6, 8, flags)


def set_method(data: bytes, method: int) -> bytes:
    return patch_u16(data, 8, 10, method)


def zeros_zip(size: int, name: str = "zeros.bin") -> bytes:
    """A deflated member of ``size`` zero bytes, written a MiB at a time."""
    buffer = io.BytesIO()
    chunk = bytes(1 << 20)
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with (
        zipfile.ZipFile(buffer, "w") as archive,
        archive.open(info, "w", force_zip64=True) as member,
    ):
        for _ in range(size // len(chunk)):
            member.write(chunk)
    return buffer.getvalue()


def listing(
    reader: object, data: bytes, limits: ArchiveLimits | None = None
) -> Iterator[tuple[MemberInfo, IO[bytes] | None, str | None]]:
    members = reader.members  # type: ignore[attr-defined]
    return members(io.BytesIO(data), limits or ArchiveLimits())


def first_member(
    reader: object, data: bytes, limits: ArchiveLimits | None = None
) -> tuple[
    Iterator[tuple[MemberInfo, IO[bytes] | None, str | None]],
    MemberInfo,
    IO[bytes] | None,
    str | None,
]:
    """The first member, and its generator: keep that alive, the content lives as long."""
    members = listing(reader, data, limits)
    info, content, error = next(members)
    return members, info, content, error


def read_all(
    reader: object, data: bytes, limits: ArchiveLimits | None = None
) -> list[tuple[MemberInfo, bytes | None, str | None]]:
    """Every member with its content read to the end."""
    return [
        (info, None if content is None else content.read(), error)
        for info, content, error in listing(reader, data, limits)
    ]


def read_in_chunks(content: IO[bytes], chunk: int = 1 << 16) -> tuple[int, Exception | None]:
    """Bytes read before the stream ended or raised, and what it raised."""
    total = 0
    try:
        while piece := content.read(chunk):
            total += len(piece)
    except Exception as exc:  # the tests assert the exact type
        return total, exc
    return total, None
