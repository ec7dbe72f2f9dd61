"""Reading catalogued files back from the evidence: whole files, windows, members, refusals."""

from __future__ import annotations

import gzip
import hashlib
import io
import random
import re
import shutil
import sqlite3
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

import catalog.filecontent as filecontent
from catalog.errors import EvidenceError, EvidenceNotFound, UsageError
from catalog.filecontent import MAX_WINDOW, read_file_bytes
from catalog.pipeline import ScanOptions, scan
from tests.conftest import EXAMINER, SAMPLE_IMAGES
from tests.integration.ext4image import build_ext4

BIG = random.Random(7).randbytes(3 << 20)
NOTE = "こちらはサポートです。".encode()
LONG = b"".join(b"line %06d\n" % i for i in range(30_000))
TAR_TEXT = b"tar member text\n"


def _rows(case: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    connection = sqlite3.connect(case)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def _file_id(case: Path, path: str, exhibit: str | None = None) -> str:
    sql = "SELECT file_id FROM files WHERE path = ?" + (" AND evidence_id = ?" if exhibit else "")
    rows = _rows(case, sql, path, *([exhibit] if exhibit else []))
    assert len(rows) >= 1, path
    return str(rows[0]["file_id"])


@pytest.fixture(scope="module")
def sample_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    case = tmp_path_factory.mktemp("content_sample") / "case.db"
    summary = scan(
        [SAMPLE_IMAGES / "disk.E01", SAMPLE_IMAGES / "usb_fat.img"],
        case,
        ScanOptions(examiner=EXAMINER, exhibits=("disk", "usb")),
    )
    assert summary.status == "success"
    return case


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tgz() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("pkg/notes.txt")
        info.size = len(TAR_TEXT)
        tar.addfile(info, io.BytesIO(TAR_TEXT))
    return gzip.compress(buffer.getvalue(), mtime=0)  # no FNAME: a nameless gzip member


@pytest.fixture(scope="module")
def archive_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("content_archives")
    tree = root / "tree"
    tree.mkdir()
    (tree / "big.bin").write_bytes(BIG)
    inner = _zip({"deep/note.txt": NOTE})
    entries = {"inner.zip": inner, "dir/": b"", "dir/long.txt": LONG}
    (tree / "nested.zip").write_bytes(_zip(entries, zipfile.ZIP_DEFLATED))
    (tree / "bundle.tgz").write_bytes(_tgz())
    (root / "locker").mkdir()
    image = build_ext4(tree, root / "locker" / "usb.ext4", 16)
    case = root / "case" / "case.db"
    case.parent.mkdir()
    summary = scan([image], case, ScanOptions(examiner=EXAMINER, exhibits=("USB1",)))
    assert summary.status == "success"
    return case


def test_whole_small_files_hash_to_their_catalogued_sha256(sample_case: Path) -> None:
    rows = _rows(
        sample_case,
        "SELECT file_id, path, size, sha256 FROM files"
        " WHERE type = 'file' AND is_virtual = 0 AND sha256 IS NOT NULL",
    )
    assert len(rows) >= 16  # 8 files and a volume label, per FAT file system
    for row in rows:
        got = read_file_bytes(sample_case, row["file_id"], 0, MAX_WINDOW)
        assert hashlib.sha256(got.data).hexdigest() == row["sha256"], row["path"]
        assert (got.offset, got.file_size, got.truncated) == (0, row["size"], False)


DELETED_SHA256 = "19520ce9e7ecebb2d0c88403e47e4ad160f132a9230ac2331c9b86094ff2d4ef"
JAPANESE_SHA256 = "f141ed1c28eb17405ae2c06f37d8b4cfbaebb75d2f33f3bbbe3558205c650491"


def test_deleted_and_japanese_named_files_read_back_on_ext4(sample_case: Path) -> None:
    for path, sha256 in [
        ("/deleted_lead_list.txt", DELETED_SHA256),
        ("/scripts/通話スクリプト.txt", JAPANESE_SHA256),
    ]:
        file_id = _rows(
            sample_case,
            "SELECT file_id FROM files JOIN filesystems USING (fs_id)"
            " WHERE path = ? AND fs_type LIKE 'ext%'",
            path,
        )[0]["file_id"]
        got = read_file_bytes(sample_case, file_id)
        assert hashlib.sha256(got.data).hexdigest() == sha256


def test_source_names_exhibit_file_system_offset_and_inode(sample_case: Path) -> None:
    row = _rows(
        sample_case,
        "SELECT file_id, inode FROM files JOIN filesystems USING (fs_id)"
        " WHERE files.evidence_id = 'disk' AND path = '/docs/report.txt' AND offset = 1048576",
    )[0]
    got = read_file_bytes(sample_case, row["file_id"])
    assert got.source == f"exhibit disk, FAT16 at byte 1048576, inode {row['inode']}"


def test_window_of_a_small_file_is_the_slice_at_that_offset(sample_case: Path) -> None:
    file_id = _file_id(sample_case, "/docs/report.txt", "usb")
    whole = read_file_bytes(sample_case, file_id).data
    middle = read_file_bytes(sample_case, file_id, 100, 50)
    assert (middle.data, middle.truncated) == (whole[100:150], True)
    tail = read_file_bytes(sample_case, file_id, 370, 50)
    assert (tail.data, tail.truncated) == (whole[370:], False)
    end = read_file_bytes(sample_case, file_id, len(whole), 10)
    assert (end.data, end.truncated) == (b"", False)


@pytest.mark.parametrize(
    ("offset", "length"),
    [(0, 4096), (1, 10), ((1 << 20) - 3, 7), ((2 << 20) + 12345, 70_000), (len(BIG) - 5, 100)],
)
def test_windows_of_a_large_file_match_its_bytes_across_chunk_boundaries(
    archive_case: Path, offset: int, length: int
) -> None:
    got = read_file_bytes(archive_case, _file_id(archive_case, "/big.bin"), offset, length)
    assert got.data == BIG[offset : offset + length]
    assert got.file_size == len(BIG)
    assert got.truncated == (offset + length < len(BIG))


def test_length_is_capped_at_one_mib(archive_case: Path) -> None:
    got = read_file_bytes(archive_case, _file_id(archive_case, "/big.bin"), 5, 10 << 20)
    assert len(got.data) == MAX_WINDOW == 1 << 20
    assert got.data == BIG[5 : 5 + MAX_WINDOW]
    assert got.truncated


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/nested.zip!/inner.zip!/deep/note.txt", NOTE),
        ("/nested.zip!/dir/long.txt", LONG),
        ("/bundle.tgz!/bundle.tar!/pkg/notes.txt", TAR_TEXT),
    ],
)
def test_archive_member_reads_back_to_its_catalogued_sha256(
    archive_case: Path, path: str, data: bytes
) -> None:
    row = _rows(archive_case, "SELECT * FROM files WHERE path = ?", path)[0]
    got = read_file_bytes(archive_case, row["file_id"], 0, MAX_WINDOW)
    assert got.data == data
    assert hashlib.sha256(got.data).hexdigest() == row["sha256"]
    assert got.source.endswith(", archive member " + path.split("!/", 1)[1])


def test_window_inside_a_compressed_member(archive_case: Path) -> None:
    file_id = _file_id(archive_case, "/nested.zip!/dir/long.txt")
    got = read_file_bytes(archive_case, file_id, 200_000, 33)
    assert (got.data, got.truncated) == (LONG[200_000:200_033], True)


def test_member_of_an_archive_over_the_spool_limit_is_refused(
    archive_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(filecontent, "MAX_ARCHIVE_BYTES", 100)
    file_id = _file_id(archive_case, "/nested.zip!/inner.zip!/deep/note.txt")
    with pytest.raises(UsageError, match=r"^/nested\.zip: archive of \d+ bytes is over"):
        read_file_bytes(archive_case, file_id)


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/docs", "a directory has no content"),
        ("/$MBR", "virtual"),
        ("/$OrphanFiles", "no content"),
    ],
)
def test_entries_without_content_are_refused(sample_case: Path, path: str, words: str) -> None:
    with pytest.raises(UsageError, match=f"^{re.escape(path)}: .*{words}") as info:
        read_file_bytes(sample_case, _file_id(sample_case, path, "usb"))
    assert "\n" not in str(info.value)


def test_directory_member_of_an_archive_is_refused(archive_case: Path) -> None:
    row = _rows(archive_case, "SELECT file_id FROM files WHERE type = 'dir' AND origin = 'archive'")
    with pytest.raises(UsageError, match="a directory has no content"):
        read_file_bytes(archive_case, row[0]["file_id"])


def test_unknown_file_id_is_refused(sample_case: Path) -> None:
    with pytest.raises(UsageError, match="no file with id 'nope-0000000001'"):
        read_file_bytes(sample_case, "nope-0000000001")


@pytest.mark.parametrize(("offset", "length"), [(-1, 10), (0, -1), (10_000, 10)])
def test_bad_offset_or_length_is_refused(sample_case: Path, offset: int, length: int) -> None:
    file_id = _file_id(sample_case, "/docs/report.txt", "usb")
    with pytest.raises(UsageError):
        read_file_bytes(sample_case, file_id, offset, length)


def test_moved_image_is_refused_naming_its_registered_path(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    image = evidence / "stick.img"
    shutil.copyfile(SAMPLE_IMAGES / "usb_fat.img", image)
    case = tmp_path / "case" / "case.db"
    case.parent.mkdir()
    scan([image], case, ScanOptions(examiner=EXAMINER, exhibits=("STICK",)))
    file_id = _file_id(case, "/docs/report.txt")
    assert len(read_file_bytes(case, file_id).data) == 380
    image.rename(tmp_path / "elsewhere.img")
    with pytest.raises(EvidenceNotFound) as info:
        read_file_bytes(case, file_id)
    message = str(info.value)
    assert str(image.resolve()) in message
    assert "STICK" in message
    assert isinstance(info.value, EvidenceError)


class _SpySource:
    """Forwards to a real evidence source and records whether it was closed."""

    def __init__(self, source: Any, closed: list[bool]) -> None:
        self._source = source
        self._closed = closed
        closed.append(False)
        self._index = len(closed) - 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    def close(self) -> None:
        self._closed[self._index] = True
        self._source.close()


@pytest.mark.parametrize(
    ("path", "offset", "raises"),
    [
        ("/big.bin", 0, None),
        ("/nested.zip!/inner.zip!/deep/note.txt", 0, None),
        ("/big.bin", 1 << 30, UsageError),  # refused before the evidence is opened
    ],
)
def test_evidence_source_is_always_closed(
    archive_case: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    offset: int,
    raises: type[Exception] | None,
) -> None:
    closed: list[bool] = []
    real_open = filecontent.open_evidence
    monkeypatch.setattr(
        filecontent, "open_evidence", lambda *args: _SpySource(real_open(*args), closed)
    )
    file_id = _file_id(archive_case, path)
    if raises is None:
        read_file_bytes(archive_case, file_id, offset, 10)
        assert closed == [True]
    else:
        with pytest.raises(raises):
            read_file_bytes(archive_case, file_id, offset, 10)
        assert all(closed)


def test_unreadable_content_is_an_evidence_error_and_closes_the_source(
    archive_case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[bool] = []
    real_open = filecontent.open_evidence
    monkeypatch.setattr(
        filecontent, "open_evidence", lambda *args: _SpySource(real_open(*args), closed)
    )

    def broken(*_args: object) -> Any:
        raise OSError("short read at offset 0 of 3145728")
        yield b""

    monkeypatch.setattr("parsers.filesystems.tsk.TskFileSystem.read_chunks", broken)
    with pytest.raises(EvidenceError, match=r"^/big\.bin: content unreadable \(OSError: short"):
        read_file_bytes(archive_case, _file_id(archive_case, "/big.bin"), 0, 10)
    assert closed == [True]
