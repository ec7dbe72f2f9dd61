"""Any bytes given to any reader either list members or raise ArchiveError, nothing else."""

from __future__ import annotations

import gzip
import io
import struct
import tarfile
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.archive import ArchiveError, ArchiveLimits
from parsers.archives import BUILTIN_ARCHIVES
from tests.unit.parsers.archives.craft import build_zip

LIMITS = ArchiveLimits(max_members=50, max_member_bytes=1 << 20, max_total_bytes=4 << 20)
READERS = {reader.name: reader for reader in BUILTIN_ARCHIVES}


def _valid_tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in (("d/" + "n" * 120, b"long name"), ("b.txt", b"b" * 700)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("l")
        link.type, link.linkname = tarfile.SYMTYPE, "b.txt"
        archive.addfile(link)
    return buffer.getvalue()


def _valid_zip() -> bytes:
    stamped = zipfile.ZipInfo("t.txt", date_time=(2020, 1, 2, 3, 4, 6))
    stamped.extra = struct.pack("<2HBl", 0x5455, 5, 1, 1_600_000_000)
    members = [("a/", b""), ("a/x.txt", b"hello " * 200), (stamped, bytes(range(256)))]
    return build_zip(members)  # the ZipInfo member is stored, the others deflated


VALID = {
    "zip": _valid_zip(),
    "gzip": gzip.compress(b"payload " * 300, mtime=7) + gzip.compress(b"tail"),
    "tar": _valid_tar(),
}
SIGNATURES = [b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b\x08", b"\x1f\x8b\x08\x1f"]


def _consume(reader_name: str, data: bytes) -> None:
    """List every member and read each content to its end; ArchiveError is allowed."""
    try:
        for info, content, error in READERS[reader_name].members(io.BytesIO(data), LIMITS):
            assert isinstance(info.path, str) and isinstance(info.name_raw, bytes)
            assert error is None or isinstance(error, str)
            if content is not None:
                try:
                    while content.read(1 << 16):
                        pass
                except ArchiveError:
                    pass
    except ArchiveError:
        pass


@st.composite
def _mutated(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    cut = draw(st.integers(0, len(data)))
    return bytes(data[:cut] if draw(st.booleans()) else data)


HOSTILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("reader_name", sorted(READERS))
@HOSTILE
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_list_or_raise_archive_error(reader_name: str, data: bytes) -> None:
    _consume(reader_name, data)


@pytest.mark.parametrize("reader_name", sorted(READERS))
@HOSTILE
@given(signature=st.sampled_from(SIGNATURES), rest=st.binary(max_size=1024))
def test_signature_then_garbage_lists_or_raises_archive_error(
    reader_name: str, signature: bytes, rest: bytes
) -> None:
    _consume(reader_name, signature + rest)


@pytest.mark.parametrize("reader_name", sorted(READERS))
@HOSTILE
@given(data=st.data())
def test_mutated_valid_archive_lists_or_raises_archive_error(
    reader_name: str, data: st.DataObject
) -> None:
    _consume(reader_name, data.draw(_mutated(VALID[reader_name])))


@pytest.mark.parametrize("reader_name", sorted(READERS))
def test_valid_samples_list_without_errors(reader_name: str) -> None:
    members = list(READERS[reader_name].members(io.BytesIO(VALID[reader_name]), LIMITS))
    assert members
    assert all(error is None for _, _, error in members)
