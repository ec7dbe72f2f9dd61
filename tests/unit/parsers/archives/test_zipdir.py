from __future__ import annotations

import io
import struct
import zipfile

import pytest

from parsers.archive import ArchiveLimits
from parsers.archives import zipdir
from parsers.archives.zip import ZipReader
from tests.unit.parsers.archives.craft import build_zip, read_all

READER = ZipReader()


def _many(count: int) -> bytes:
    return build_zip([(f"f{index:02d}.txt", f"member {index}".encode()) for index in range(count)])


def _claim_entries(data: bytes, entries: int) -> bytes:
    """Rewrite the end record's entry counts (the directory itself is unchanged)."""
    at = data.rfind(b"PK\x05\x06")
    return data[: at + 8] + struct.pack("<2H", entries, entries) + data[at + 12 :]


def test_member_limit_lists_the_first_members_then_names_the_first_skipped() -> None:
    members = read_all(READER, _many(12), ArchiveLimits(max_members=5))
    assert [m.path for m, _, _ in members[:5]] == [f"f{i:02d}.txt" for i in range(5)]
    assert [content for _, content, _ in members[:5]] == [f"member {i}".encode() for i in range(5)]
    last, content, error = members[5]
    assert len(members) == 6
    assert last.path == "f05.txt" and last.name_raw == b"f05.txt"
    assert content is None
    assert error == "member limit reached: 7 more members not opened"


def test_member_limit_shows_zipfile_only_the_kept_entries() -> None:
    data = _many(50)
    bounded = zipdir.bound_directory(io.BytesIO(data), 3)
    assert bounded.skipped is not None and bounded.skipped.name == b"f03.txt"
    assert zipfile.ZipFile(bounded.stream).namelist() == ["f00.txt", "f01.txt", "f02.txt"]


def test_archive_within_the_limit_is_given_to_zipfile_unchanged() -> None:
    stream = io.BytesIO(_many(4))
    bounded = zipdir.bound_directory(stream, 4)
    assert bounded.stream is stream and bounded.skipped is None


def test_end_record_claiming_more_entries_than_exist_lists_only_real_ones() -> None:
    data = _claim_entries(_many(3), 0xFFFF)
    members = read_all(READER, data, ArchiveLimits(max_members=10))
    assert [m.path for m, _, _ in members] == ["f00.txt", "f01.txt", "f02.txt"]
    assert all(error is None for _, _, error in members)


def test_claimed_count_is_reported_when_the_limit_cuts() -> None:
    data = _claim_entries(_many(6), 40_000)
    members = read_all(READER, data, ArchiveLimits(max_members=2))
    assert members[-1][2] == "member limit reached: 39998 more members not opened"


def test_zip64_end_records_written_for_a_cut_directory_are_read_by_zipfile() -> None:
    data = _many(7)
    end = zipdir.find_end(io.BytesIO(data), len(data))
    assert end is not None and not end.is_zip64
    cut = end.start
    for _ in range(5):
        cut = data.find(b"PK\x01\x02", cut + 1)
    tail = zipdir._end_records(0x10000, cut - end.start, end.offset, cut)
    view = data[:cut] + tail
    parsed = zipdir.find_end(io.BytesIO(view), len(view))
    assert parsed is not None and parsed.is_zip64 and parsed.entries == 0x10000
    archive = zipfile.ZipFile(io.BytesIO(view))
    assert archive.namelist() == [f"f{i:02d}.txt" for i in range(5)]
    assert archive.read("f04.txt") == b"member 4"


def test_prepended_data_does_not_break_the_cut() -> None:
    data = b"MZ self-extractor stub" * 10 + _many(9)
    members = read_all(READER, data, ArchiveLimits(max_members=4))
    assert [content for _, content, _ in members[:4]] == [f"member {i}".encode() for i in range(4)]
    assert members[4][2] == "member limit reached: 5 more members not opened"


def test_member_limit_holds_even_if_zipfile_is_given_the_whole_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        "parsers.archives.zip.bound_directory",
        lambda stream, _: zipdir.BoundedDirectory(stream, None),
    )
    members = read_all(READER, _many(12), ArchiveLimits(max_members=5))
    assert len(members) == 6
    assert members[5][0].path == "f05.txt"
    assert members[5][2] == "member limit reached: 7 more members not opened"
