"""The batch CLI: exit codes, data on stdout only, one-line errors on stderr."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog.cli import main
from catalog.exitcodes import ExitCode
from catalog.exports.csvfile import COLUMNS
from tests.conftest import SAMPLE_IMAGES

REQUIRED_COLUMNS = {  # the columns issue 3 asks for, by the CSV's names
    "exhibit",
    "partition_offset",
    "path",
    "name",
    "extension",
    "size",
    "allocated",
    "created",
    "modified",
    "accessed",
    "changed",
    "md5",
    "sha1",
    "sha256",
    "blake3",
    "mime",
    "category",
    "extension_mismatch",
    "known_status",
    "tags",
    "notes",
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_scan_sample_image_exits_zero_with_json_envelope_on_stdout(
    runner: CliRunner, case_path: Path
) -> None:
    result = runner.invoke(
        main, ["scan", str(SAMPLE_IMAGES / "usb_fat.img"), "--case", str(case_path), "--json"]
    )
    assert result.exit_code == ExitCode.OK, result.stderr
    envelope = json.loads(result.stdout)
    assert envelope["status"] == "success"
    assert envelope["version"] == 1
    assert envelope["totals"]["files"] == envelope["evidence"][0]["n_files"] > 10
    assert envelope["totals"]["deleted"] == 1
    assert "scan success:" in result.stderr
    assert "files" in result.stderr and "MB/s" in result.stderr


def test_scan_without_json_prints_nothing_on_stdout(runner: CliRunner, case_path: Path) -> None:
    result = runner.invoke(
        main, ["scan", str(SAMPLE_IMAGES / "usb_fat.img"), "--case", str(case_path)]
    )
    assert result.exit_code == ExitCode.OK
    assert result.stdout == ""


def test_missing_image_is_one_line_and_exit_evidence(
    runner: CliRunner, case_path: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.E01"
    result = runner.invoke(main, ["scan", str(missing), "--case", str(case_path)])
    assert result.exit_code == ExitCode.EVIDENCE
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("evcat:")]
    assert error_lines == [f"evcat: {missing}: no such file"]
    assert "Traceback" not in result.stderr


def test_not_a_disk_image_exits_evidence_without_traceback(
    runner: CliRunner, case_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "ev"
    folder.mkdir()
    bogus = folder / "bogus.bin"
    bogus.write_bytes(b"hello world!")
    result = runner.invoke(main, ["scan", str(bogus), "--case", str(case_path)])
    assert result.exit_code == ExitCode.EVIDENCE
    assert "no partition table or file system recognised" in result.stderr
    assert "Traceback" not in result.stderr


def test_problems_give_exit_partial(runner: CliRunner, case_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ev"
    folder.mkdir()
    truncated = folder / "cut.dd"
    truncated.write_bytes((SAMPLE_IMAGES / "disk.raw").read_bytes()[: 5 * 1024 * 1024])
    result = runner.invoke(main, ["scan", str(truncated), "--case", str(case_path)])
    assert result.exit_code == ExitCode.PARTIAL
    assert "scan partial:" in result.stderr


def test_case_beside_evidence_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "ev"
    folder.mkdir()
    image = folder / "usb.img"
    image.write_bytes((SAMPLE_IMAGES / "usb_fat.img").read_bytes())
    result = runner.invoke(main, ["scan", str(image), "--case", str(folder / "case.db")])
    assert result.exit_code == ExitCode.USAGE
    assert "beside the evidence" in result.stderr
    assert not (folder / "case.db").exists()


def test_catalog_that_is_not_sqlite_is_a_catalog_error(runner: CliRunner, tmp_path: Path) -> None:
    case = tmp_path / "case.db"
    case.write_bytes(b"this is not sqlite" * 100)
    result = runner.invoke(main, ["scan", str(SAMPLE_IMAGES / "usb_fat.img"), "--case", str(case)])
    assert result.exit_code == ExitCode.CATALOG
    assert "not a usable case catalog" in result.stderr


def test_export_csv_has_required_columns_and_one_row_per_entry(
    runner: CliRunner, case_path: Path, tmp_path: Path
) -> None:
    runner.invoke(main, ["scan", str(SAMPLE_IMAGES / "disk.E01"), "--case", str(case_path)])
    output = tmp_path / "files.csv"
    result = runner.invoke(main, ["export", "csv", "--case", str(case_path), "-o", str(output)])
    assert result.exit_code == ExitCode.OK, result.stderr
    with output.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert set(rows[0]) >= REQUIRED_COLUMNS
    assert list(rows[0].keys()) == list(COLUMNS)
    connection = sqlite3.connect(case_path)
    assert len(rows) == connection.execute("SELECT count(*) FROM files").fetchone()[0]
    connection.close()
    by_path = {(r["partition_offset"], r["path"]): r for r in rows}
    deleted = by_path[("4194304", "/deleted_lead_list.txt")]
    assert deleted["allocated"] == "false"
    invoice = by_path[("1048576", "/docs/invoice.pdf")]
    assert (invoice["extension_mismatch"], invoice["mime"]) == ("true", "image/png")
    assert invoice["modified"].endswith("Z")


def test_export_is_deterministic(runner: CliRunner, case_path: Path, tmp_path: Path) -> None:
    runner.invoke(main, ["scan", str(SAMPLE_IMAGES / "usb_fat.img"), "--case", str(case_path)])
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    runner.invoke(main, ["export", "csv", "--case", str(case_path), "-o", str(first)])
    runner.invoke(main, ["export", "csv", "--case", str(case_path), "-o", str(second)])
    assert first.read_bytes() == second.read_bytes()


def test_export_of_missing_case_is_a_catalog_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        main, ["export", "csv", "--case", str(tmp_path / "none.db"), "-o", str(tmp_path / "x.csv")]
    )
    assert result.exit_code == ExitCode.CATALOG
    assert result.stderr.strip() == f"evcat: {tmp_path / 'none.db'}: no such case catalog"


def test_exhibit_ids_name_the_evidence(runner: CliRunner, case_path: Path) -> None:
    result = runner.invoke(
        main,
        [
            "scan",
            str(SAMPLE_IMAGES / "usb_fat.img"),
            "--case",
            str(case_path),
            "--exhibit",
            "EXH-7",
            "--json",
        ],
    )
    assert json.loads(result.stdout)["evidence"][0]["exhibit"] == "EXH-7"
    connection = sqlite3.connect(case_path)
    assert connection.execute("SELECT exhibit FROM evidence").fetchall() == [("EXH-7",)]
    connection.close()


def test_catalog_from_newer_evcat_is_refused(runner: CliRunner, case_path: Path) -> None:
    runner.invoke(main, ["scan", str(SAMPLE_IMAGES / "usb_fat.img"), "--case", str(case_path)])
    connection = sqlite3.connect(case_path)
    connection.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('evcat', '9999_future', '2030-01-01')"
    )
    connection.commit()
    connection.close()
    result = runner.invoke(
        main, ["scan", str(SAMPLE_IMAGES / "usb_fat.img"), "--case", str(case_path)]
    )
    assert result.exit_code == ExitCode.CATALOG
    assert "newer evcat" in result.stderr


def test_no_classify_keeps_hashes_and_leaves_mime_empty(runner: CliRunner, case_path: Path) -> None:
    result = runner.invoke(
        main,
        ["scan", str(SAMPLE_IMAGES / "usb_fat.img"), "--case", str(case_path), "--no-classify"],
    )
    assert result.exit_code == ExitCode.OK, result.stderr
    connection = sqlite3.connect(case_path)
    row = connection.execute(
        "SELECT sha256, mime, category FROM files WHERE path = ?", ["/docs/invoice.pdf"]
    ).fetchone()
    connection.close()
    assert row == ("bb3bb57f98b24830289aa80769336bdca2199ccbb8ea3a47a36bd2bbafb8751d", None, None)


def test_export_of_a_sqlite_file_that_is_no_catalog_is_refused(
    runner: CliRunner, tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    result = runner.invoke(
        main, ["export", "csv", "--case", str(other), "-o", str(tmp_path / "x.csv")]
    )
    assert result.exit_code == ExitCode.CATALOG
    assert "not an evcat case catalog" in result.stderr
    connection = sqlite3.connect(other)
    tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    connection.close()
    assert tables == ["t"], "export must not create (migrate) anything in the file"
