from __future__ import annotations

import io
import tarfile

import pytest

from parsers.archive import ArchiveError, ArchiveLimits
from parsers.archives.tar import TarReader
from tests.unit.parsers.archives.craft import first_member, listing, read_all, read_in_chunks

READER = TarReader()
LONG_NAME = "case/" + "very-long-directory-name/" * 8 + "victim list (final).csv"
MTIME = 1_700_000_000


def _entry(name: str, kind: bytes = tarfile.REGTYPE, **fields: object) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mtime = kind, MTIME
    for key, value in fields.items():
        setattr(info, key, value)
    return info


def _tar(
    files: list[tuple[tarfile.TarInfo, bytes]],
    tar_format: int = tarfile.PAX_FORMAT,
    encoding: str = "utf-8",
) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tar_format, encoding=encoding) as archive:
        for info, data in files:
            if info.isreg():
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
            else:
                archive.addfile(info)
    return buffer.getvalue()


def _sample(tar_format: int = tarfile.PAX_FORMAT) -> bytes:
    return _tar(
        [
            (_entry("case", tarfile.DIRTYPE), b""),
            (_entry(LONG_NAME), b"name,phone\nA,+44 20 7946 0000\n"),
            (_entry("case/latest.csv", tarfile.SYMTYPE, linkname=LONG_NAME), b""),
            (_entry("case/copy.csv", tarfile.LNKTYPE, linkname=LONG_NAME), b""),
            (_entry("case/fifo", tarfile.FIFOTYPE), b""),
        ],
        tar_format,
    )


@pytest.mark.parametrize("tar_format", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT])
def test_long_names_dirs_and_links_are_listed_in_stream_order(tar_format: int) -> None:
    members = read_all(READER, _sample(tar_format))
    assert [(m.path, m.is_dir, content, error) for m, content, error in members] == [
        ("case", True, None, None),
        (LONG_NAME, False, b"name,phone\nA,+44 20 7946 0000\n", None),
        ("case/latest.csv", False, None, None),
        ("case/copy.csv", False, None, None),
        ("case/fifo", False, None, None),
    ]
    assert all(m.modified == "2023-11-14T22:13:20Z" for m, _, _ in members)
    assert all(m.zone_note is None for m, _, _ in members)
    assert members[1][0].size == len(b"name,phone\nA,+44 20 7946 0000\n")


def test_legacy_latin1_name_is_decoded_and_raw_bytes_kept() -> None:
    data = _tar([(_entry("café.txt"), b"x")], tarfile.GNU_FORMAT, encoding="latin-1")
    [(info, content, _)] = read_all(READER, data)
    assert info.path == "café.txt"
    assert info.name_raw == b"caf\xe9.txt"
    assert content == b"x"


def test_leading_slash_is_stripped_from_paths() -> None:
    [(info, _, _)] = read_all(READER, _tar([(_entry("/etc/shadow"), b"x")], tarfile.GNU_FORMAT))
    assert info.path == "etc/shadow"


def _corrupt_header(data: bytes, index: int) -> bytes:
    """Garble the checksum of the header of regular member ``index`` (GNU, one block each)."""
    out = bytearray(data)
    offset = index * 1024
    out[offset + 148 : offset + 156] = b"9999999\x00"
    return bytes(out)


def test_corrupt_header_midway_raises_after_the_members_before_it() -> None:
    files = [(_entry(f"f{i}.txt"), b"data") for i in range(3)]
    data = _corrupt_header(_tar(files, tarfile.GNU_FORMAT), 2)
    members = listing(READER, data)
    seen = [next(members)[0].path, next(members)[0].path]
    with pytest.raises(ArchiveError, match="corrupt tar header at offset 2048"):
        next(members)
    assert seen == ["f0.txt", "f1.txt"]


def test_corrupt_first_header_raises() -> None:
    data = _corrupt_header(_tar([(_entry("f.txt"), b"data")], tarfile.GNU_FORMAT), 0)
    with pytest.raises(ArchiveError, match="unreadable tar archive"):
        list(listing(READER, data))


def test_missing_end_of_archive_blocks_is_a_clean_end() -> None:
    data = _tar([(_entry("f.txt"), b"data")], tarfile.GNU_FORMAT)[:1024]
    assert [m.path for m, _, _ in read_all(READER, data)] == ["f.txt"]


def test_truncated_member_data_raises() -> None:
    data = _tar([(_entry("big.bin"), bytes(range(256)) * 40)], tarfile.GNU_FORMAT)[:2048]
    with pytest.raises(ArchiveError):
        read_all(READER, data)


def test_member_limit_names_the_first_member_not_opened() -> None:
    files = [(_entry(f"f{i}.txt"), b"x") for i in range(10)]
    members = read_all(READER, _tar(files, tarfile.GNU_FORMAT), ArchiveLimits(max_members=3))
    assert [m.path for m, _, _ in members] == ["f0.txt", "f1.txt", "f2.txt", "f3.txt"]
    assert members[3][1:] == (None, "member limit reached: further members not opened")
    assert all(error is None for _, _, error in members[:3])


def test_member_larger_than_the_limit_raises_from_read() -> None:
    data = _tar([(_entry("dump.bin"), bytes(3 << 20))], tarfile.GNU_FORMAT)
    _members, _, content, _ = first_member(READER, data, ArchiveLimits(max_member_bytes=1 << 20))
    assert content is not None
    total, exc = read_in_chunks(content)
    assert isinstance(exc, ArchiveError) and "member size limit" in str(exc)
    assert total <= 1 << 20


def test_oversized_extended_header_is_refused_before_reading_it() -> None:
    header = tarfile.TarInfo("././@PaxHeader")
    header.type, header.size = tarfile.XHDTYPE, 5 << 20
    data = header.tobuf(tarfile.USTAR_FORMAT) + bytes(1024)
    with pytest.raises(ArchiveError, match="extended header at offset 0 too large"):
        list(listing(READER, data))


@pytest.mark.parametrize("data", [b"", b"not a tar" * 100, bytes(100)])
def test_non_tar_input_raises(data: bytes) -> None:
    with pytest.raises(ArchiveError):
        list(listing(READER, data))


def test_all_zero_archive_has_no_members() -> None:
    assert list(listing(READER, bytes(10240))) == []
