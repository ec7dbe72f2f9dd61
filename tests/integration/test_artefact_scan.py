"""Scanning an image of scam documents: findings, archive members, text search, exports.

The labelled corpus (tests/fixtures/artefacts) is written into an ext4 image and scanned
like a seized USB stick; the catalog must hold what the detectors find, traceable to the
byte, and the custody record must seal it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog.cli import main
from catalog.custody.actions import verify_case_file
from catalog.custody.verify import VerifyOptions
from catalog.options import ScanOptions
from catalog.pipeline import scan
from tests.conftest import EXAMINER
from tests.fixtures.artefacts.build import build_corpus
from tests.integration.ext4image import build_ext4

NESTED_SCRIPT = "こちらはマイクロソフトサポートです。ウイルスに感染しています。".encode()


def _nested_zip() -> bytes:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("deep/note.txt", NESTED_SCRIPT)
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as archive:
        archive.writestr("inner.zip", inner.getvalue())
        archive.writestr("readme.txt", b"call +1 800 555 0199 now")
    return outer.getvalue()


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("artefact_scan")
    tree = root / "tree"
    tree.mkdir()
    corpus = build_corpus(tree / "evidence")
    (tree / "nested.zip").write_bytes(_nested_zip())
    (root / "locker").mkdir()
    image = build_ext4(tree, root / "locker" / "usb.ext4", 64)
    case = root / "case.db"
    summary = scan([image], case, ScanOptions(examiner=EXAMINER, exhibits=("USB1",)))
    return {"case": case, "tree": tree, "corpus": corpus, "summary": summary}


def _rows(case: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    connection = sqlite3.connect(case)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def _findings(case: Path) -> list[sqlite3.Row]:
    return _rows(
        case,
        "SELECT g.*, f.path, f.origin, f.text_encoding FROM findings g"
        " JOIN files f USING (file_id) ORDER BY g.finding_id",
    )


def test_every_labelled_document_is_found_at_its_path(scanned: dict) -> None:
    found = {(row["path"], row["kind"]) for row in _findings(scanned["case"])}
    missing = [
        (labelled.path.name, category)
        for labelled in scanned["corpus"]
        for category in labelled.categories
        if not any(
            path.startswith(f"/evidence/{labelled.path.name}") and kind == category
            for path, kind in found
        )
    ]
    assert missing == []


def test_byte_offsets_point_at_the_value_in_the_file(scanned: dict) -> None:
    checked = 0
    for row in _findings(scanned["case"]):
        if (
            row["offset_basis"] != "file"
            or row["origin"] != "fs"
            or row["kind"].endswith(("_script", "_template", "_list"))
        ):
            continue
        data = (scanned["tree"] / row["path"].lstrip("/")).read_bytes()
        value = row["value"]
        if row["kind"] == "sip_account" and "config:" in row["rules"]:
            value = value.split("@")[0]  # user and server come from two config keys
        encoded = value.encode(row["text_encoding"])
        assert data[row["offset"] : row["offset"] + len(encoded)] == encoded, dict(row)
        checked += 1
    assert checked > 100


def test_archive_members_are_rows_under_their_archive_with_their_own_hashes(
    scanned: dict,
) -> None:
    members = {
        row["path"]: row
        for row in _rows(scanned["case"], "SELECT * FROM files WHERE origin = 'archive'")
    }
    deep = members["/nested.zip!/inner.zip!/deep/note.txt"]
    assert deep["sha256"] == hashlib.sha256(NESTED_SCRIPT).hexdigest()
    assert deep["size"] == len(NESTED_SCRIPT)
    inner = members["/nested.zip!/inner.zip"]
    assert deep["parent_file_id"] == inner["file_id"]
    outer = _rows(scanned["case"], "SELECT * FROM files WHERE path = '/nested.zip'")[0]
    assert inner["parent_file_id"] == outer["file_id"]
    assert deep["file_id"].startswith(outer["file_id"] + ".")
    assert deep["locator"].endswith("!inner.zip%21/deep/note.txt")
    assert deep["inode"] == outer["inode"] and deep["is_allocated"] == outer["is_allocated"]
    phones = [
        row
        for row in _findings(scanned["case"])
        if row["path"] == "/nested.zip!/readme.txt" and row["kind"] == "phone"
    ]
    assert [row["normalized"] for row in phones] == ["+18005550199"]


def test_counts_in_the_summary_match_the_catalog(scanned: dict) -> None:
    item = scanned["summary"].evidence[0]
    members = _rows(scanned["case"], "SELECT count(*) FROM files WHERE origin = 'archive'")[0][0]
    findings = _rows(scanned["case"], "SELECT count(*) FROM findings")[0][0]
    assert (item.n_members, item.n_findings) == (members, findings)
    assert members > 3 and findings > 300


def test_search_finds_japanese_substrings_long_and_short(scanned: dict) -> None:
    runner = CliRunner()
    long_query = runner.invoke(main, ["search", "--case", str(scanned["case"]), "ウイルスに感染"])
    assert long_query.exit_code == 0, long_query.output
    assert "/nested.zip!/inner.zip!/deep/note.txt" in long_query.stdout
    assert "[ウイルスに感染]" in long_query.stdout
    short_query = runner.invoke(main, ["search", "--case", str(scanned["case"]), "感染"])
    assert "/nested.zip!/inner.zip!/deep/note.txt" in short_query.stdout
    nothing = runner.invoke(main, ["search", "--case", str(scanned["case"]), "zzqqxx"])
    assert nothing.stdout.count("\n") == 1  # the header only


def test_findings_command_lists_kinds_and_values(scanned: dict) -> None:
    result = CliRunner().invoke(
        main, ["findings", "--case", str(scanned["case"]), "--kind", "btc_address", "--json"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines and all('"kind": "btc_address"' in line for line in lines)
    by_value = CliRunner().invoke(
        main, ["findings", "--case", str(scanned["case"]), "--by-value", "--kind", "phone"]
    )
    assert by_value.stdout.splitlines()[0].split("\t") == [
        "kind", "normalized", "file_count", "exhibit_count", "exhibits", "score",
    ]  # fmt: skip


def test_findings_export_has_the_exact_columns_and_one_row_per_finding(
    scanned: dict, tmp_path: Path
) -> None:
    out = tmp_path / "findings.csv"
    result = CliRunner().invoke(
        main, ["export", "findings", "--case", str(scanned["case"]), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert list(rows[0])[:10] == [
        "exhibit", "partition_offset", "path", "offset", "kind", "value", "normalized",
        "score", "rules", "snippet",
    ]  # fmt: skip
    assert len(rows) == len(_findings(scanned["case"]))
    member_rows = [row for row in rows if row["path"] == "/nested.zip!/readme.txt"]
    assert member_rows and member_rows[0]["exhibit"] == "USB1"
    assert all(not row["snippet"].startswith(("=", "+", "-", "@")) for row in rows)


def test_verify_seals_findings_and_catches_an_edited_one(scanned: dict, tmp_path: Path) -> None:
    copy = tmp_path / "case.db"
    copy.write_bytes(scanned["case"].read_bytes())
    assert verify_case_file(copy, VerifyOptions(rehash_evidence=False), None).ok
    connection = sqlite3.connect(copy)
    connection.execute(
        "UPDATE findings SET normalized = '+10000000000' WHERE finding_id ="
        " (SELECT min(finding_id) FROM findings WHERE kind = 'phone')"
    )
    connection.commit()
    connection.close()
    report = verify_case_file(copy, VerifyOptions(rehash_evidence=False), None)
    assert not report.ok
    assert any("findings rows changed" in check.message for check in report.checks)


def test_a_number_on_two_exhibits_links_them(tmp_path: Path) -> None:
    number = "+1 (888) 555-0147"
    images = []
    (tmp_path / "locker").mkdir()
    for exhibit, name, text in (
        ("LAPTOP", "popup.html", f"<html><body><h1>VIRUS ALERT</h1>Call {number}</body></html>"),
        ("USB", "script.txt", f"Agent: give the customer our number {number} again.\n"),
    ):
        tree = tmp_path / exhibit
        tree.mkdir()
        (tree / name).write_text(text)
        images.append(build_ext4(tree, tmp_path / "locker" / f"{exhibit}.ext4", 8))
    case = tmp_path / "case.db"
    scan(images, case, ScanOptions(examiner=EXAMINER, exhibits=("LAPTOP", "USB")))
    result = CliRunner().invoke(
        main, ["findings", "--case", str(case), "--by-value", "--min-files", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    links = [json.loads(line) for line in result.stdout.splitlines()]
    assert links == [
        {
            "kind": "phone",
            "normalized": "+18885550147",
            "file_count": 2,
            "exhibit_count": 2,
            "exhibits": "LAPTOP USB",
            "score": links[0]["score"],
        }
    ]
