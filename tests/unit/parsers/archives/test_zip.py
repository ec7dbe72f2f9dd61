from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib

import pytest

from parsers.archive import ArchiveError, ArchiveLimits
from parsers.archives.zip import ZipReader
from tests.unit.parsers.archives.craft import (
    build_zip,
    first_member,
    listing,
    patch_name,
    read_all,
    read_in_chunks,
    set_flags,
    set_method,
    zeros_zip,
)

READER = ZipReader()
DOS_NOTE = "ZIP DOS time, local time of the archiving machine (zone unknown)"


def _info(name: str, date_time: tuple[int, ...] = (2024, 5, 6, 7, 8, 10)) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=date_time)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def test_nested_dirs_and_nested_zip_are_listed_one_level_deep() -> None:
    inner = build_zip([("secret.txt", b"inner text")])
    data = build_zip(
        [
            ("a/", b""),
            ("a/b/", b""),
            ("a/b/notes.txt", b"call back on +1 800 555 0100"),
            ("a/b/inner.zip", inner),
        ]
    )
    members = read_all(READER, data)
    assert [(m.path, m.is_dir) for m, _, _ in members] == [
        ("a", True),
        ("a/b", True),
        ("a/b/notes.txt", False),
        ("a/b/inner.zip", False),
    ]
    assert members[0][1] is None and members[0][2] is None
    assert members[2][1] == b"call back on +1 800 555 0100"
    nested = members[3][1]
    assert nested == inner
    assert zipfile.ZipFile(io.BytesIO(nested)).namelist() == ["secret.txt"]


def test_shift_jis_name_without_utf8_flag_is_decoded_and_raw_bytes_kept() -> None:
    raw = "日本語/請求書.txt".encode("cp932")
    placeholder = b"J" * len(raw)
    data = patch_name(build_zip([(placeholder.decode(), b"invoice")]), placeholder, raw)
    [(info, content, error)] = read_all(READER, data)
    assert info.path == "日本語/請求書.txt"
    assert info.name_raw == raw
    assert content == b"invoice" and error is None


def test_utf8_name_without_the_flag_is_decoded_as_utf8() -> None:
    raw = "café/résumé.txt".encode()
    placeholder = b"U" * len(raw)
    data = patch_name(build_zip([(placeholder.decode(), b"cv")]), placeholder, raw)
    [(info, content, _)] = read_all(READER, data)
    assert info.path == "café/résumé.txt"
    assert info.name_raw == raw
    assert content == b"cv"


def test_name_with_utf8_flag_is_decoded() -> None:
    data = build_zip([("Привет/отчёт.txt", b"x")])
    [(info, _, _)] = read_all(READER, data)
    assert info.path == "Привет/отчёт.txt"
    assert info.name_raw == "Привет/отчёт.txt".encode()


def test_western_cp437_name_is_not_mistaken_for_shift_jis() -> None:
    raw = "Müller.txt".encode("cp437")
    placeholder = b"W" * len(raw)
    data = patch_name(build_zip([(placeholder.decode(), b"x")]), placeholder, raw)
    [(info, _, _)] = read_all(READER, data)
    assert info.path == "Müller.txt"


def _unicode_path_extra(raw: bytes, name: str, crc: int | None = None) -> bytes:
    body = b"\x01" + struct.pack("<L", zlib.crc32(raw) if crc is None else crc) + name.encode()
    return struct.pack("<2H", 0x7075, len(body)) + body


@pytest.mark.parametrize(
    ("crc", "expected"), [(None, "документ.txt"), (0xDEADBEEF, "docé.txt")], ids=["ok", "stale"]
)
def test_unicode_path_extra_field_is_honoured_only_when_its_crc_matches(
    crc: int | None, expected: str
) -> None:
    raw = "docé.txt".encode("cp437")
    placeholder = b"P" * len(raw)
    info = _info(placeholder.decode())
    info.extra = _unicode_path_extra(raw, "документ.txt", crc)
    data = patch_name(build_zip([(info, b"x")]), placeholder, raw)
    [(member, content, _)] = read_all(READER, data)
    assert member.path == expected
    assert member.name_raw == raw
    assert content == b"x"


def test_paths_lose_backslashes_drive_letters_and_leading_slashes_but_keep_dotdot() -> None:
    names = ["C:\\Users\\agent\\leads.csv", "/etc/passwd", "../../escape.txt", "dir\\"]
    members = read_all(READER, build_zip([(name, b"") for name in names]))
    assert [(m.path, m.is_dir) for m, _, _ in members] == [
        ("Users/agent/leads.csv", False),
        ("etc/passwd", False),
        ("../../escape.txt", False),
        ("dir", True),
    ]
    assert members[0][0].name_raw == b"C:\\Users\\agent\\leads.csv"


def test_dos_time_is_reported_raw_with_a_zone_note() -> None:
    [(info, _, _)] = read_all(READER, build_zip([(_info("a.txt"), b"x")]))
    assert info.modified == "2024-05-06T07:08:10"
    assert info.zone_note == DOS_NOTE


def test_extended_timestamp_is_preferred_as_utc() -> None:
    info = _info("a.txt")
    info.extra = struct.pack("<2HBl", 0x5455, 5, 1, 1_700_000_000)
    [(member, _, _)] = read_all(READER, build_zip([(info, b"x")]))
    assert member.modified == "2023-11-14T22:13:20Z"
    assert member.zone_note is None


def test_sizes_come_from_the_central_directory() -> None:
    [(info, _, _)] = read_all(READER, build_zip([("a.txt", b"a" * 1000)]))
    assert info.size == 1000
    assert info.compressed_size is not None and info.compressed_size < 100


def test_zip_bomb_stops_at_the_member_limit_without_expanding_it_all() -> None:
    data = zeros_zip(64 << 20)
    assert len(data) < 1 << 20
    limits = ArchiveLimits(max_member_bytes=4 << 20, max_ratio=1_000_000)
    _members, _, content, error = first_member(READER, data, limits)
    assert content is not None and error is None
    tracemalloc.start()
    try:
        with pytest.raises(ArchiveError, match="member size limit reached") as raised:
            content.read()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "zeros.bin" in str(raised.value)
    assert peak < 24 << 20


def test_zip_bomb_yields_at_most_the_limit_before_raising() -> None:
    limits = ArchiveLimits(max_member_bytes=1 << 20, max_ratio=1_000_000)
    _members, _, content, _ = first_member(READER, zeros_zip(16 << 20), limits)
    assert content is not None
    total, exc = read_in_chunks(content)
    assert isinstance(exc, ArchiveError)
    assert (1 << 20) - (1 << 16) <= total <= 1 << 20


def test_member_exactly_at_the_size_limit_reads_whole() -> None:
    limits = ArchiveLimits(max_member_bytes=1 << 20, max_ratio=1_000_000)
    _members, _, content, _ = first_member(READER, zeros_zip(1 << 20), limits)
    assert content is not None
    assert len(content.read()) == 1 << 20


def test_expansion_ratio_limit_stops_a_highly_compressed_member() -> None:
    data = zeros_zip(16 << 20)
    _members, info, content, _ = first_member(READER, data, ArchiveLimits(max_ratio=20))
    assert content is not None and info.compressed_size is not None
    total, exc = read_in_chunks(content)
    assert isinstance(exc, ArchiveError)
    assert "ratio" in str(exc)
    assert total <= max(info.compressed_size, 4096) * 20


def test_total_expansion_limit_spans_members() -> None:
    data = build_zip([("one.bin", bytes(600_000)), ("two.bin", bytes(600_000))])
    limits = ArchiveLimits(max_total_bytes=1_000_000, max_ratio=1_000_000)
    members = listing(READER, data, limits)
    _, first, _ = next(members)
    assert first is not None and len(first.read()) == 600_000
    _, second, _ = next(members)
    assert second is not None
    with pytest.raises(ArchiveError, match="archive expansion limit reached"):
        second.read()


def test_corrupt_crc_raises_on_read() -> None:
    data = build_zip([("a.txt", b"hello world")], method=zipfile.ZIP_STORED)
    data = data.replace(b"hello world", b"hellO world")
    _members, _, content, error = first_member(READER, data)
    assert content is not None and error is None
    with pytest.raises(ArchiveError, match=r"^CRC mismatch in member a\.txt$"):
        content.read()


def test_encrypted_member_has_no_content_and_says_why() -> None:
    data = set_flags(build_zip([("secret.txt", b"x" * 50)]), 0x1)
    [(info, content, error)] = list(listing(READER, data))
    assert info.is_encrypted
    assert content is None
    assert error == "encrypted member (no password given)"


def test_unsupported_compression_names_the_method() -> None:
    data = set_method(build_zip([("a.txt", b"x" * 50)]), 98)
    [(_, content, error)] = list(listing(READER, data))
    assert content is None
    assert error == "unsupported compression method 98 (PPMd)"


def test_a_bad_local_header_is_that_members_error_only() -> None:
    data = build_zip([("a.txt", b"first"), ("b.txt", b"second")], method=zipfile.ZIP_STORED)
    data = data.replace(b"PK\x03\x04", b"PK\x03\x05", 1)
    members = read_all(READER, data)
    assert members[0][1] is None and members[0][2] is not None
    assert "Bad magic number" in members[0][2]
    assert members[1][1:] == (b"second", None)


def test_truncated_zip_raises_archive_error() -> None:
    data = build_zip([("a.txt", b"x" * 1000), ("b.txt", b"y" * 1000)])
    with pytest.raises(ArchiveError, match="unreadable ZIP archive"):
        list(listing(READER, data[: len(data) // 2]))


def test_not_a_zip_raises_archive_error() -> None:
    with pytest.raises(ArchiveError):
        list(listing(READER, b"this is a plain text file, not an archive"))


def test_empty_zip_has_no_members() -> None:
    assert list(listing(READER, build_zip([]))) == []
