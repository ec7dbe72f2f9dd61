"""Reconcile evcat's catalog with The Sleuth Kit's view of every image in ../shared/corpus.

Each ``*.gt.json`` was made with TSK's own tools (fls, icat, img_stat, mmls). For every
file system TSK reads, every entry fls lists must be catalogued with the same path, address,
allocation state and size, and allocated regular files with the same MD5 and SHA-256.
Images TSK cannot read must give an error or problem rows, never a traceback.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from catalog.pipeline import ScanOptions, scan
from tests.conftest import CORPUS, EXAMINER, needs_corpus

pytestmark = [pytest.mark.slow, needs_corpus]

_CONTROL = re.compile(r"[\x00-\x1f]")


def _ground_truths() -> list[Path]:
    return sorted(CORPUS.glob("*.gt.json")) if CORPUS.is_dir() else []


def _tsk_path(path: str) -> str:
    """fls prints control characters (NUL, CR...) as '^'."""
    return _CONTROL.sub("^", path)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Scan every corpus image once into one case; return rows grouped by exhibit."""
    case = tmp_path_factory.mktemp("corpus_case") / "case.db"
    images = [CORPUS / gt.name.removesuffix(".gt.json") for gt in _ground_truths()]
    summary = scan(images, case, ScanOptions(examiner=EXAMINER))
    connection = sqlite3.connect(case)
    connection.row_factory = sqlite3.Row
    files = connection.execute(
        "SELECT f.*, fs.offset AS fs_offset FROM files f JOIN filesystems fs USING (fs_id)"
        " WHERE f.origin = 'fs'"  # archive members are evcat's own rows, not TSK's
    ).fetchall()
    evidence = {row["exhibit"]: dict(row) for row in connection.execute("SELECT * FROM evidence")}
    problems = connection.execute("SELECT * FROM problems").fetchall()
    connection.close()
    return {
        "case": case,
        "summary": {item.exhibit: item for item in summary.evidence},
        "files": files,
        "evidence": evidence,
        "problems": problems,
    }


def _rows_for(scanned: dict[str, Any], exhibit: str, offset: int) -> list[sqlite3.Row]:
    return [r for r in scanned["files"] if r["evidence_id"] == exhibit and r["fs_offset"] == offset]


@pytest.mark.parametrize("gt_path", _ground_truths(), ids=lambda p: p.name.removesuffix(".gt.json"))
def test_every_tsk_entry_is_catalogued_with_same_address_state_and_size(
    scanned: dict[str, Any], gt_path: Path
) -> None:
    truth = json.loads(gt_path.read_text())
    exhibit = truth["image"]
    for fs in truth["filesystems"]:
        rows = _rows_for(scanned, exhibit, fs["offset_bytes"])
        ours = Counter(
            (_tsk_path(r["path"]), r["inode"], bool(r["is_allocated"]), r["size"]) for r in rows
        )
        theirs = Counter((e["path"], e["inode"], e["allocated"], e["size"]) for e in fs["files"])
        assert theirs - ours == Counter(), f"{exhibit}@{fs['offset_bytes']}: entries missing"
        assert ours - theirs == Counter(), f"{exhibit}@{fs['offset_bytes']}: extra entries"


@pytest.mark.parametrize("gt_path", _ground_truths(), ids=lambda p: p.name.removesuffix(".gt.json"))
def test_allocated_file_hashes_equal_icat(scanned: dict[str, Any], gt_path: Path) -> None:
    truth = json.loads(gt_path.read_text())
    exhibit = truth["image"]
    for fs in truth["filesystems"]:
        ours = {
            (_tsk_path(r["path"]), r["inode"]): r
            for r in _rows_for(scanned, exhibit, fs["offset_bytes"])
            if r["is_allocated"]
        }
        checked = 0
        for entry in fs["files"]:
            if not entry["allocated"] or entry.get("md5") is None or entry["type"] != "file":
                continue
            row = ours[(entry["path"], entry["inode"])]
            assert (row["md5"], row["sha256"]) == (entry["md5"], entry["sha256"]), entry["path"]
            checked += 1
        expected = sum(
            1 for e in fs["files"] if e["allocated"] and e.get("md5") and e["type"] == "file"
        )
        assert checked == expected


@pytest.mark.parametrize("gt_path", _ground_truths(), ids=lambda p: p.name.removesuffix(".gt.json"))
def test_media_hash_and_file_system_types_match_tsk(scanned: dict[str, Any], gt_path: Path) -> None:
    truth = json.loads(gt_path.read_text())
    evidence = scanned["evidence"].get(truth["image"])
    assert evidence is not None, "every image that opens gets an evidence row"
    assert evidence["media_size"] == truth["media"]["size"]
    if "md5" in truth["media"]:
        assert evidence["media_md5"] == truth["media"]["md5"]
        assert evidence["media_sha256"] == truth["media"]["sha256"]
    else:  # TSK could not read the whole media (truncated container): neither can we
        assert evidence["media_hash_status"] == "unreadable"
        assert any(
            p["stage"] == "media_hash"
            for p in scanned["problems"]
            if p["evidence_id"] == truth["image"]
        )


@pytest.mark.parametrize(
    "gt_path",
    [p for p in _ground_truths() if not json.loads(p.read_text()).get("tsk_readable", True)],
    ids=lambda p: p.name.removesuffix(".gt.json"),
)
def test_images_tsk_cannot_read_give_problems_not_files(
    scanned: dict[str, Any], gt_path: Path
) -> None:
    exhibit = json.loads(gt_path.read_text())["image"]
    assert not [r for r in scanned["files"] if r["evidence_id"] == exhibit]
    messages = [p["message"] for p in scanned["problems"] if p["evidence_id"] == exhibit]
    assert messages, f"{exhibit}: no problem row explains the empty catalog"
    assert all("\n" not in message for message in messages)


def test_ewf_stored_hash_mismatch_is_a_problem(scanned: dict[str, Any]) -> None:
    truth = json.loads((CORPUS / "email_test.E01.gt.json").read_text())
    evidence = scanned["evidence"]["email_test.E01"]
    assert evidence["media_hash_status"] == "mismatch"
    assert evidence["stored_md5"] == "b817ed2590eeeb39f42445088d369f6c"
    assert evidence["media_md5"] == truth["media"]["md5"]
    assert any(
        "acquisition hash mismatch" in p["message"]
        for p in scanned["problems"]
        if p["evidence_id"] == "email_test.E01"
    )


def test_ewf_stored_hash_match_is_verified(scanned: dict[str, Any]) -> None:
    for exhibit in ("ext2.E01", "nps-2010-emails.E01", "imageformat_mmls_1.E01"):
        assert scanned["evidence"][exhibit]["media_hash_status"] == "verified"


def test_volumes_match_mmls(scanned: dict[str, Any], tmp_path: Path) -> None:
    case = tmp_path / "case.db"
    scan(
        [CORPUS / "mbr.raw", CORPUS / "gpt-512-3p.raw"],
        case,
        ScanOptions(examiner=EXAMINER, media_hash=False),
    )
    connection = sqlite3.connect(case)
    for image in ("mbr.raw", "gpt-512-3p.raw"):
        truth = json.loads((CORPUS / f"{image}.gt.json").read_text())
        ours = sorted(
            connection.execute(
                "SELECT kind, start_sector, length_sectors FROM volumes WHERE evidence_id = ?",
                [image],
            ).fetchall()
        )
        theirs = sorted(
            (v["kind"], v["start_sector"], v["length_sectors"]) for v in truth["volumes"]
        )
        assert ours == theirs
    connection.close()


def test_corpus_case_record_verifies(scanned: dict[str, Any]) -> None:
    """Every exhibit's sealed rows (all formats, APFS included) re-prove as recorded."""
    from catalog.custody.actions import verify_case_file
    from catalog.custody.verify import VerifyOptions

    report = verify_case_file(scanned["case"], VerifyOptions(rehash_evidence=False), None)
    assert report.ok, [check.message for check in report.failures]
    sealed = [check for check in report.checks if check.name == "file rows"]
    assert len(sealed) == len(scanned["summary"])
