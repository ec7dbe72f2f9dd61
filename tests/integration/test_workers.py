"""Content read in worker processes gives exactly the rows of an in-process scan."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from catalog.pipeline import ScanOptions, scan
from tests.conftest import CORPUS, EXAMINER, SAMPLE_IMAGES

COLUMNS = "path, inode, size, is_allocated, content_status, md5, sha256, blake3, mime, exif"


def _listing(case: Path) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(case)
    rows = connection.execute(
        f"SELECT evidence_id, {COLUMNS} FROM files ORDER BY 1, 2, 3"
    ).fetchall()
    connection.close()
    return rows


def _images() -> list[Path]:
    images = [SAMPLE_IMAGES / "disk.E01", SAMPLE_IMAGES / "hostile" / "names.img"]
    corpus = [CORPUS / name for name in ("ntfs.bin", "apfs.raw", "nps-2010-emails.E01")]
    return images + [path for path in corpus if path.exists()]


def test_two_workers_and_in_process_catalogue_the_same(tmp_path: Path) -> None:
    serial, parallel = tmp_path / "serial.db", tmp_path / "parallel.db"
    first = scan(_images(), serial, ScanOptions(examiner=EXAMINER, workers=1, media_hash=False))
    second = scan(_images(), parallel, ScanOptions(examiner=EXAMINER, workers=2, media_hash=False))
    assert _listing(serial) == _listing(parallel)
    assert [e.problems for e in first.evidence] == [e.problems for e in second.evidence]


def _problems(case: Path) -> list[tuple[str, str]]:
    connection = sqlite3.connect(case)
    rows = connection.execute("SELECT stage, message FROM problems ORDER BY 1, 2").fetchall()
    connection.close()
    return rows


def test_problems_met_in_workers_are_recorded_like_in_process(tmp_path: Path) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    image = folder / "cut.dd"
    image.write_bytes((SAMPLE_IMAGES / "disk.raw").read_bytes()[: 5 * 1024 * 1024 + 300 * 1024])
    scan([image], tmp_path / "serial.db", ScanOptions(examiner=EXAMINER, workers=1))
    scan([image], tmp_path / "parallel.db", ScanOptions(examiner=EXAMINER, workers=2))
    assert _problems(tmp_path / "serial.db") == _problems(tmp_path / "parallel.db")
    assert _problems(tmp_path / "serial.db")
