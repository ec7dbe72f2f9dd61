"""Hostile evidence: each case ends in an error line or exact problem rows, never a crash."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from catalog.pipeline import ScanOptions, scan
from tests.conftest import CORPUS, EXAMINER, SAMPLE_IMAGES, needs_corpus

HOSTILE = SAMPLE_IMAGES / "hostile"


def _problems(case: Path) -> list[tuple[str, str]]:
    connection = sqlite3.connect(case)
    rows = connection.execute("SELECT stage, message FROM problems ORDER BY problem_id").fetchall()
    connection.close()
    return rows


def _evidence(tmp_path: Path, name: str, data: bytes) -> Path:
    folder = tmp_path / "evidence"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def test_zero_length_file_is_one_evidence_problem(tmp_path: Path, case_path: Path) -> None:
    image = _evidence(tmp_path, "empty.dd", b"")
    summary = scan([image], case_path, ScanOptions(examiner=EXAMINER))
    assert summary.status == "error"
    assert _problems(case_path) == [
        ("evidence", f"{image}: empty file (0 bytes), not a disk image")
    ]


def test_twelve_byte_bogus_file_is_not_a_disk_image(tmp_path: Path, case_path: Path) -> None:
    image = _evidence(tmp_path, "bogus.bin", b"not an image")
    summary = scan([image], case_path, ScanOptions(examiner=EXAMINER))
    assert summary.evidence[0].status == "error"
    [(stage, message)] = _problems(case_path)
    assert stage == "evidence"
    assert message.startswith(f"{image}: no partition table or file system recognised")


def test_random_bytes_are_not_a_disk_image(tmp_path: Path, case_path: Path) -> None:
    data = random.Random(1234).randbytes(3 * 1024 * 1024)
    image = _evidence(tmp_path, "random.dd", data)
    summary = scan([image], case_path, ScanOptions(examiner=EXAMINER))
    assert summary.evidence[0].status == "error"
    assert [stage for stage, _ in _problems(case_path)] == ["evidence"]


def test_truncated_disk_keeps_what_it_can_and_reports_the_rest(
    tmp_path: Path, case_path: Path
) -> None:
    whole = (SAMPLE_IMAGES / "disk.raw").read_bytes()
    image = _evidence(tmp_path, "truncated.dd", whole[: 5 * 1024 * 1024])  # cuts the ext4 partition
    summary = scan([image], case_path, ScanOptions(examiner=EXAMINER))
    item = summary.evidence[0]
    assert item.status in ("partial", "error")
    assert item.n_files > 0, "the intact FAT partition is still catalogued"
    problems = _problems(case_path)
    assert problems, "the cut-off partition must be reported"
    assert all("\n" not in message for _, message in problems)


def test_missing_middle_of_split_set_is_reported(tmp_path: Path, case_path: Path) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    shutil.copy(SAMPLE_IMAGES / "split" / "disk.001", folder / "disk.001")
    shutil.copy(SAMPLE_IMAGES / "split" / "disk.003", folder / "disk.003")
    summary = scan([folder / "disk.001"], case_path, ScanOptions(examiner=EXAMINER))
    assert summary.evidence[0].status in ("partial", "error")
    assert _problems(case_path)


def test_ewf_with_last_segment_missing_names_it(tmp_path: Path, case_path: Path) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    shutil.copy(HOSTILE / "usb_fat.E01", folder / "usb_fat.E01")
    summary = scan([folder / "usb_fat.E01"], case_path, ScanOptions(examiner=EXAMINER))
    assert summary.evidence[0].status == "error"
    [(stage, message)] = _problems(case_path)
    assert stage == "evidence"
    assert "segment usb_fat.E02 missing" in message


def test_two_segment_ewf_opens_whole(case_path: Path) -> None:
    summary = scan([HOSTILE / "usb_fat.E01"], case_path, ScanOptions(examiner=EXAMINER))
    assert summary.status == "success"
    assert summary.evidence[0].n_files > 10


@needs_corpus
def test_corpus_ewf_missing_fourth_segment_names_it(tmp_path: Path, case_path: Path) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    for suffix in ("E01", "E02", "E03"):
        shutil.copy(CORPUS / f"email_test.{suffix}", folder / f"email_test.{suffix}")
    scan([folder / "email_test.E01"], case_path, ScanOptions(examiner=EXAMINER))
    [(_, message)] = _problems(case_path)
    assert "segment email_test.E04 missing (3 segment(s) found)" in message


def test_directory_loop_is_walked_once_without_hanging(case_path: Path) -> None:
    summary = scan([HOSTILE / "loop.img"], case_path, ScanOptions(examiner=EXAMINER))
    connection = sqlite3.connect(case_path)
    paths = sorted(r[0] for r in connection.execute("SELECT path FROM files"))
    connection.close()
    assert "/a/b/up" in paths
    assert not any(path.startswith("/a/b/up/") for path in paths)
    assert summary.status == "success"


def test_case_beside_the_evidence_is_refused(tmp_path: Path) -> None:
    from catalog.errors import UsageError

    image = _evidence(tmp_path, "disk.dd", (SAMPLE_IMAGES / "usb_fat.img").read_bytes())
    with pytest.raises(UsageError, match="beside the evidence"):
        scan([image], image.parent / "case.db", ScanOptions(examiner=EXAMINER))
    assert sorted(p.name for p in image.parent.iterdir()) == ["disk.dd"]


def test_one_bad_image_does_not_stop_the_next(tmp_path: Path, case_path: Path) -> None:
    bad = _evidence(tmp_path, "bad.dd", b"\x00" * 4096)
    summary = scan([bad, SAMPLE_IMAGES / "usb_fat.img"], case_path, ScanOptions(examiner=EXAMINER))
    assert [item.status for item in summary.evidence] == ["error", "ok"]
    assert summary.evidence[1].n_files > 10


def test_bitlocker_partition_is_reported_not_read(tmp_path: Path, case_path: Path) -> None:
    disk = bytearray((SAMPLE_IMAGES / "disk.raw").read_bytes())
    fat_offset = 2048 * 512
    disk[fat_offset + 3 : fat_offset + 11] = b"-FVE-FS-"
    image = _evidence(tmp_path, "bitlocker.dd", bytes(disk))
    summary = scan([image], case_path, ScanOptions(examiner=EXAMINER))
    assert summary.evidence[0].status == "partial"
    problems = _problems(case_path)
    assert problems == [
        (
            "filesystem",
            "partition 2 (Win95 FAT16 (0x0e)) at byte 1048576: BitLocker encrypted volume,"
            " no key given; contents not catalogued",
        )
    ]
    connection = sqlite3.connect(case_path)
    offsets = {r[0] for r in connection.execute("SELECT offset FROM filesystems")}
    connection.close()
    assert offsets == {8192 * 512}, "the ext4 partition is still catalogued"


def test_evidence_file_name_that_is_not_utf8_is_catalogued(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "evidence"
    folder.mkdir()
    raw_name = os.fsencode(folder) + b"/usb_\xff\xfe.img"
    with open(raw_name, "wb") as handle:  # a bytes path: pathlib cannot hold it
        handle.write((SAMPLE_IMAGES / "usb_fat.img").read_bytes())
    image = Path(os.fsdecode(raw_name))
    case = tmp_path / "case" / "case.db"
    summary = scan([image], case, ScanOptions(examiner=EXAMINER))
    assert summary.status == "success"
    connection = sqlite3.connect(case)
    [(exhibit, path)] = connection.execute("SELECT exhibit, path FROM evidence").fetchall()
    connection.close()
    assert exhibit == "usb_\\xff\\xfe.img"
    assert path.endswith("/usb_\\xff\\xfe.img")
    # The stored path names the file again: verify re-hashes it, previews and carving read it.
    from catalog.filecontent import read_file_bytes
    from tests.integration.lockers import evcat

    verify = evcat("verify", str(case))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    [(file_id, size)] = (
        sqlite3.connect(case)
        .execute("SELECT file_id, size FROM files WHERE type = 'file' AND size > 0 LIMIT 1")
        .fetchall()
    )
    assert len(read_file_bytes(case, file_id, 0, 64).data) == min(64, size)
    carve = evcat("carve", "--case", str(case))
    assert carve.returncode in (0, 1), carve.stderr
    assert "cannot" not in carve.stderr and "not found" not in carve.stderr
