from __future__ import annotations

import gzip
import io
import struct
import zlib

import pytest

from parsers.archive import ArchiveError, ArchiveLimits
from parsers.archives.gzip import GzipReader, parse_header
from tests.unit.parsers.archives.craft import first_member, listing, read_all, read_in_chunks

READER = GzipReader()
TEXT = b"Dear customer, your computer is infected. Call 1-800-555-0100.\n" * 50


def _gzip(data: bytes, *, name: str = "", mtime: int = 0) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", fileobj=buffer, mtime=mtime) as stream:
        stream.write(data)
    return buffer.getvalue()


def _zeros_gzip(size: int) -> bytes:
    buffer = io.BytesIO()
    chunk = bytes(1 << 20)
    with gzip.GzipFile(mode="wb", fileobj=buffer, mtime=0) as stream:
        for _ in range(size // len(chunk)):
            stream.write(chunk)
    return buffer.getvalue()


def test_fname_and_mtime_name_and_date_the_member() -> None:
    data = _gzip(TEXT, name="script.txt", mtime=1_700_000_000)
    [(info, content, error)] = read_all(READER, data)
    assert info.path == "script.txt" and info.name_raw == b"script.txt"
    assert info.modified == "2023-11-14T22:13:20Z" and info.zone_note is None
    assert info.size is None and info.compressed_size == len(data)
    assert content == TEXT and error is None


def test_fname_is_latin1() -> None:
    [(info, _, _)] = read_all(READER, _gzip(b"x", name="café.txt"))
    assert info.path == "café.txt"
    assert info.name_raw == b"caf\xe9.txt"


def test_without_fname_or_mtime_the_path_is_empty_and_time_absent() -> None:
    [(info, content, _)] = read_all(READER, gzip.compress(TEXT, mtime=0))
    assert info.path == "" and info.name_raw == b""
    assert info.modified is None
    assert content == TEXT


def test_header_with_extra_comment_and_header_crc_is_parsed() -> None:
    header = b"\x1f\x8b\x08" + bytes([0x04 | 0x08 | 0x10 | 0x02]) + struct.pack("<L", 86400)
    header += b"\x00\x03" + struct.pack("<H", 4) + b"AB\x00\x00" + b"leads.csv\x00" + b"hi\x00"
    header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
    compressor = zlib.compressobj(wbits=-15)
    body = compressor.compress(TEXT) + compressor.flush()
    data = header + body + struct.pack("<2L", zlib.crc32(TEXT), len(TEXT))
    [(info, content, _)] = read_all(READER, data)
    assert info.path == "leads.csv"
    assert info.modified == "1970-01-02T00:00:00Z"
    assert content == TEXT


def test_concatenated_members_are_one_stream_with_zero_padding_skipped() -> None:
    data = gzip.compress(b"first part ") + b"\x00" * 7 + gzip.compress(b"second part")
    [(_, content, _)] = read_all(READER, data)
    assert content == b"first part second part"


def test_trailing_garbage_raises_after_the_data() -> None:
    _members, _, content, _ = first_member(READER, gzip.compress(TEXT) + b"garbage!")
    assert content is not None
    assert content.read(len(TEXT)) == TEXT
    with pytest.raises(ArchiveError, match="trailing data"):
        content.read()


def test_corrupt_deflate_data_raises_from_read_not_from_listing() -> None:
    data = bytearray(gzip.compress(bytes(range(256)) * 64, mtime=0))
    data[20:40] = b"\xff" * 20
    _members, _, content, error = first_member(READER, bytes(data))
    assert content is not None and error is None
    with pytest.raises(ArchiveError, match="corrupt data"):
        content.read()


def test_bad_crc_trailer_raises() -> None:
    data = bytearray(gzip.compress(TEXT, mtime=0))
    data[-8] ^= 0xFF
    _members, _, content, _ = first_member(READER, bytes(data))
    assert content is not None
    with pytest.raises(ArchiveError, match="incorrect data check"):
        content.read()


def test_truncated_stream_raises_from_read() -> None:
    data = gzip.compress(bytes(range(256)) * 64, mtime=0)
    _members, _, content, _ = first_member(READER, data[: len(data) // 2])
    assert content is not None
    with pytest.raises(ArchiveError, match="truncated"):
        content.read()


def test_gzip_bomb_stops_at_the_member_limit() -> None:
    data = _zeros_gzip(32 << 20)
    limits = ArchiveLimits(max_member_bytes=1 << 20, max_ratio=1_000_000)
    _members, _, content, _ = first_member(READER, data, limits)
    assert content is not None
    total, exc = read_in_chunks(content)
    assert isinstance(exc, ArchiveError) and "member size limit" in str(exc)
    assert total <= 1 << 20


def test_gzip_bomb_stops_at_the_ratio_limit() -> None:
    data = _zeros_gzip(32 << 20)
    _members, _, content, _ = first_member(READER, data, ArchiveLimits(max_ratio=50))
    assert content is not None
    total, exc = read_in_chunks(content)
    assert isinstance(exc, ArchiveError) and "ratio" in str(exc)
    assert total <= max(len(data), 4096) * 50


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (b"PK\x03\x04 not gzip", "not a gzip stream"),
        (b"\x1f\x8b\x07\x00" + bytes(6), "method 7"),
        (b"\x1f\x8b\x08\x20" + bytes(6), "reserved flag"),
        (b"\x1f\x8b\x08\x08" + bytes(6) + b"no terminator", "truncated"),
        (b"\x1f\x8b\x08", "not a gzip stream"),
    ],
)
def test_bad_headers_raise_when_listing(head: bytes, message: str) -> None:
    with pytest.raises(ArchiveError, match=message):
        list(listing(READER, head))


def test_parse_header_reads_fname_and_mtime() -> None:
    header = parse_header(_gzip(b"x", name="a.tar", mtime=5))
    assert (header.name, header.mtime) == (b"a.tar", 5)
