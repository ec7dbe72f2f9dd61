"""The case commands: init, add, tag, note, keys, sign and verify, through the CLI.

Each expected failure is one ``evcat:`` line on stderr with its exit code and no traceback;
each change to a case is a custody entry.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from catalog.cli import main
from catalog.exitcodes import ExitCode
from tests.conftest import EXAMINER, SAMPLE_IMAGES

USB_IMAGE = SAMPLE_IMAGES / "usb_fat.img"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _run(runner: CliRunner, *args: object) -> Result:
    return runner.invoke(main, [str(arg) for arg in args])


def _error_lines(result: Result) -> list[str]:
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("evcat:")]


def _entries(case: Path) -> list[dict[str, Any]]:
    connection = sqlite3.connect(case)
    try:
        rows = connection.execute("SELECT body FROM custody_log ORDER BY seq").fetchall()
    finally:
        connection.close()
    return [json.loads(body) for (body,) in rows]


def _query(case: Path, sql: str, *parameters: object) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(case)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


def _init(runner: CliRunner, case: Path, *extra: str) -> Result:
    result = _run(runner, "case", "init", case, *extra)
    assert result.exit_code == ExitCode.OK, result.stderr
    return result


def _scanned_case(runner: CliRunner, case: Path, image: Path = USB_IMAGE, *extra: str) -> Path:
    result = _run(runner, "scan", image, "--case", case, *extra)
    assert result.exit_code == ExitCode.OK, result.stderr
    return case


def _file_id(case: Path, path: str = "/docs/report.txt") -> str:
    [(file_id,)] = _query(case, "SELECT file_id FROM files WHERE path = ?", path)
    return str(file_id)


def _keys(runner: CliRunner, folder: Path, name: str) -> Path:
    folder.mkdir(exist_ok=True)
    key = folder / name
    result = _run(runner, "key", "generate", key)
    assert result.exit_code == ExitCode.OK, result.stderr
    return key


# case init


def test_case_init_creates_the_case_and_logs_case_created(
    runner: CliRunner, case_path: Path
) -> None:
    _init(
        runner,
        case_path,
        "--case-number",
        "2026-TK-0042",
        "--title",
        "Tech support scam",
        "--agency",
        "Tokyo MPD",
        "--time-zone",
        "Asia/Tokyo",
    )
    [facts] = _query(
        case_path, "SELECT case_number, title, agency, site_time_zone, created_by FROM case_info"
    )
    assert facts == ("2026-TK-0042", "Tech support scam", "Tokyo MPD", "Asia/Tokyo", EXAMINER)
    [entry] = _entries(case_path)
    assert entry["action"] == "case.created"
    assert entry["examiner"] == EXAMINER
    assert entry["details"]["case"]["case_number"] == "2026-TK-0042"
    assert entry["prev_hash"] == "0" * 64


def test_case_init_twice_is_a_one_line_usage_error(runner: CliRunner, case_path: Path) -> None:
    _init(runner, case_path, "--title", "first")
    result = _run(runner, "case", "init", case_path, "--title", "second")
    assert result.exit_code == ExitCode.USAGE
    assert _error_lines(result) == [f"evcat: {case_path}: already holds a case; pick a new path"]
    assert _query(case_path, "SELECT title FROM case_info") == [("first",)]
    assert len(_entries(case_path)) == 1


def test_unknown_time_zone_is_a_usage_error(runner: CliRunner, case_path: Path) -> None:
    result = _run(runner, "case", "init", case_path, "--time-zone", "Mars/Olympus_Mons")
    assert result.exit_code == ExitCode.USAGE
    [line] = _error_lines(result)
    assert "unknown time zone 'Mars/Olympus_Mons'" in line
    retry = _run(runner, "case", "init", case_path, "--time-zone", "Asia/Tokyo")
    assert retry.exit_code == ExitCode.OK, retry.stderr


def test_no_examiner_anywhere_is_a_usage_error_and_writes_nothing(
    runner: CliRunner, case_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EVCAT_EXAMINER")
    result = _run(runner, "case", "init", case_path)
    assert result.exit_code == ExitCode.USAGE
    [line] = _error_lines(result)
    assert "--examiner" in line and "EVCAT_EXAMINER" in line
    assert list(case_path.parent.iterdir()) == []


def test_examiner_from_the_config_file_is_recorded(
    runner: CliRunner, case_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('examiner = "Cfg Name"\n', encoding="utf-8")
    monkeypatch.setenv("EVCAT_CONFIG", str(config))
    monkeypatch.delenv("EVCAT_EXAMINER")
    _init(runner, case_path)
    [entry] = _entries(case_path)
    assert entry["examiner"] == "Cfg Name"
    assert _query(case_path, "SELECT created_by FROM case_info") == [("Cfg Name",)]


def test_examiner_option_wins_over_environment(runner: CliRunner, case_path: Path) -> None:
    _init(runner, case_path, "--examiner", "Opt Name")
    assert _entries(case_path)[0]["examiner"] == "Opt Name"


# add and scan


def test_add_reads_local_seizure_time_in_the_case_time_zone(
    runner: CliRunner, case_path: Path
) -> None:
    _init(runner, case_path, "--time-zone", "Asia/Tokyo")
    md5 = hashlib.md5(USB_IMAGE.read_bytes()).hexdigest()
    result = _run(
        runner,
        "add",
        case_path,
        USB_IMAGE,
        "--exhibit",
        "USB-1",
        "--seized-when",
        "2026-03-01T10:00",
        "--acquisition-md5",
        md5.upper(),
    )
    assert result.exit_code == ExitCode.OK, result.stderr
    [row] = _query(case_path, "SELECT exhibit, path, seized_when, acquisition_md5 FROM exhibits")
    assert row == ("USB-1", str(USB_IMAGE.resolve()), "2026-03-01T01:00:00Z", md5)
    entry = _entries(case_path)[-1]
    assert entry["action"] == "exhibit.added"
    assert entry["details"]["seized_when_as_given"] == "2026-03-01T10:00"


def test_scan_of_an_added_image_uses_its_exhibit_id(runner: CliRunner, case_path: Path) -> None:
    _init(runner, case_path, "--time-zone", "Asia/Tokyo")
    _run(runner, "add", case_path, USB_IMAGE, "--exhibit", "USB-1")
    result = _run(runner, "scan", USB_IMAGE, "--case", case_path, "--json")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert json.loads(result.stdout)["evidence"][0]["exhibit"] == "USB-1"
    assert _query(case_path, "SELECT DISTINCT evidence_id FROM files") == [("USB-1",)]
    assert _query(case_path, "SELECT exhibit FROM exhibits") == [("USB-1",)]


def test_bad_acquisition_hash_is_a_usage_error(runner: CliRunner, case_path: Path) -> None:
    _init(runner, case_path)
    result = _run(
        runner, "add", case_path, USB_IMAGE, "--exhibit", "USB-1", "--acquisition-sha1", "abc"
    )
    assert result.exit_code == ExitCode.USAGE
    [line] = _error_lines(result)
    assert "SHA1 'abc'" in line and "40 hex digits" in line
    assert _query(case_path, "SELECT count(*) FROM exhibits") == [(0,)]
    assert len(_entries(case_path)) == 1


def test_duplicate_exhibit_id_is_a_usage_error(runner: CliRunner, case_path: Path) -> None:
    _init(runner, case_path)
    assert _run(runner, "add", case_path, USB_IMAGE, "--exhibit", "USB-1").exit_code == 0
    result = _run(runner, "add", case_path, SAMPLE_IMAGES / "disk.raw", "--exhibit", "USB-1")
    assert result.exit_code == ExitCode.USAGE
    [line] = _error_lines(result)
    assert "'USB-1' is already registered" in line
    assert _query(case_path, "SELECT exhibit, path FROM exhibits") == [
        ("USB-1", str(USB_IMAGE.resolve()))
    ]


def test_add_to_a_missing_case_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "case.db"
    result = _run(runner, "add", missing, USB_IMAGE, "--exhibit", "USB-1")
    assert result.exit_code in (ExitCode.USAGE, ExitCode.CATALOG)
    [line] = _error_lines(result)
    assert str(missing) in line
    assert not missing.exists()


# tags and notes


def test_tag_adds_a_row_and_a_custody_entry(runner: CliRunner, case_path: Path) -> None:
    _scanned_case(runner, case_path)
    file_id = _file_id(case_path)
    result = _run(runner, "tag", case_path, file_id, "call-script")
    assert result.exit_code == ExitCode.OK, result.stderr
    entry = _entries(case_path)[-1]
    assert entry["action"] == "tag.added"
    assert entry["details"]["tag"]["file_id"] == file_id
    assert entry["details"]["tag"]["tag"] == "call-script"
    assert _query(case_path, "SELECT file_id, tag, examiner, custody_seq FROM tags") == [
        (file_id, "call-script", EXAMINER, entry["seq"])
    ]


def test_note_adds_a_row_and_a_custody_entry(runner: CliRunner, case_path: Path) -> None:
    _scanned_case(runner, case_path)
    file_id = _file_id(case_path)
    result = _run(runner, "note", case_path, file_id, "script read to victims")
    assert result.exit_code == ExitCode.OK, result.stderr
    entry = _entries(case_path)[-1]
    assert entry["action"] == "note.added"
    assert entry["details"]["note"]["note"] == "script read to victims"
    assert _query(case_path, "SELECT file_id, note, custody_seq FROM notes") == [
        (file_id, "script read to victims", entry["seq"])
    ]


@pytest.mark.parametrize("command", ["tag", "note"])
def test_unknown_file_id_is_a_usage_error(runner: CliRunner, case_path: Path, command: str) -> None:
    _scanned_case(runner, case_path)
    before = len(_entries(case_path))
    result = _run(runner, command, case_path, "no-such-file", "text")
    assert result.exit_code == ExitCode.USAGE
    assert _error_lines(result) == [
        f"evcat: {case_path}: no catalogued file with id 'no-such-file'"
    ]
    assert len(_entries(case_path)) == before


# keys, signing and verify


def test_key_generate_writes_a_private_key_0600_and_a_public_key(
    runner: CliRunner, tmp_path: Path
) -> None:
    key = _keys(runner, tmp_path / "keys", "examiner.key")
    public = key.with_name("examiner.key.pub")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")


def test_key_generate_refuses_to_overwrite(runner: CliRunner, tmp_path: Path) -> None:
    key = _keys(runner, tmp_path / "keys", "examiner.key")
    original = key.read_bytes()
    result = _run(runner, "key", "generate", key)
    assert result.exit_code == ExitCode.USAGE
    [line] = _error_lines(result)
    assert "already exists" in line
    assert key.read_bytes() == original


def test_signed_scan_verifies_with_its_public_key(
    runner: CliRunner, case_path: Path, tmp_path: Path
) -> None:
    key = _keys(runner, tmp_path / "keys", "examiner.key")
    _scanned_case(runner, case_path, USB_IMAGE, "--sign-key", str(key))
    assert _query(case_path, "SELECT count(*) FROM custody_signatures")[0][0] >= 1
    result = _run(runner, "verify", case_path, "--public-key", f"{key}.pub")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert "checkpoint signatures verify" in result.stderr


def test_verify_with_another_key_fails_naming_the_key_file(
    runner: CliRunner, case_path: Path, tmp_path: Path
) -> None:
    key = _keys(runner, tmp_path / "keys", "examiner.key")
    other = _keys(runner, tmp_path / "keys", "other.key")
    _scanned_case(runner, case_path, USB_IMAGE, "--sign-key", str(key))
    result = _run(runner, "verify", case_path, "--public-key", f"{other}.pub")
    assert result.exit_code == ExitCode.VERIFY_FAILED
    [line] = _error_lines(result)
    assert "verification FAILED" in line
    assert f"{other}.pub" in line


def test_sign_signs_the_current_head(runner: CliRunner, case_path: Path, tmp_path: Path) -> None:
    key = _keys(runner, tmp_path / "keys", "examiner.key")
    _scanned_case(runner, case_path)
    head = _entries(case_path)[-1]
    result = _run(runner, "sign", case_path, "--key", key)
    assert result.exit_code == ExitCode.OK, result.stderr
    [line] = result.stderr.splitlines()
    assert line == f"signed custody entry {head['seq']} ({_head_hash(case_path)})"
    assert _query(case_path, "SELECT seq, examiner FROM custody_signatures") == [
        (head["seq"], EXAMINER)
    ]
    verified = _run(runner, "verify", case_path, "--public-key", f"{key}.pub")
    assert verified.exit_code == ExitCode.OK, verified.stderr


def _head_hash(case: Path) -> str:
    [(entry_hash,)] = _query(case, "SELECT entry_hash FROM custody_log ORDER BY seq DESC LIMIT 1")
    return str(entry_hash)


def test_verify_case_option_works_like_the_argument(runner: CliRunner, case_path: Path) -> None:
    _scanned_case(runner, case_path)
    by_argument = _run(runner, "verify", case_path, "--no-evidence", "--read-only", "--json")
    by_option = _run(
        runner, "verify", "--case", case_path, "--no-evidence", "--read-only", "--json"
    )
    assert by_argument.exit_code == by_option.exit_code == ExitCode.OK
    assert json.loads(by_option.stdout) == json.loads(by_argument.stdout)
    assert json.loads(by_option.stdout)["ok"] is True


def test_verify_logs_a_verify_run_entry(runner: CliRunner, case_path: Path) -> None:
    _scanned_case(runner, case_path)
    before = len(_entries(case_path))
    result = _run(runner, "verify", case_path)
    assert result.exit_code == ExitCode.OK, result.stderr
    entries = _entries(case_path)
    assert len(entries) == before + 1
    assert entries[-1]["action"] == "verify.run"
    assert entries[-1]["details"]["ok"] is True
    assert entries[-1]["details"]["evidence_rehashed"] is True


def test_verify_read_only_needs_no_examiner_and_adds_no_entry(
    runner: CliRunner, case_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scanned_case(runner, case_path)
    before = _entries(case_path)
    monkeypatch.delenv("EVCAT_EXAMINER")
    result = _run(runner, "verify", case_path, "--read-only")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert _entries(case_path) == before
    assert result.stderr.splitlines()[-1].startswith(f"verified: {case_path}")


def _tampered_case(runner: CliRunner, case: Path, tmp_path: Path) -> Path:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    image = evidence / "usb.img"
    shutil.copyfile(USB_IMAGE, image)
    _scanned_case(runner, case, image, "--exhibit", "USB-7")
    data = bytearray(image.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(255 - byte for byte in data[middle : middle + 16])
    image.write_bytes(bytes(data))
    return image


def test_verify_of_tampered_evidence_fails_in_one_line(
    runner: CliRunner, case_path: Path, tmp_path: Path
) -> None:
    _tampered_case(runner, case_path, tmp_path)
    result = _run(runner, "verify", case_path)
    assert result.exit_code == ExitCode.VERIFY_FAILED
    [line] = _error_lines(result)
    assert line.startswith(f"evcat: verification FAILED for {case_path}: ")
    assert "exhibit 'USB-7'" in line and "evidence changed" in line
    assert result.stdout == ""
    entry = _entries(case_path)[-1]
    assert (entry["action"], entry["details"]["ok"]) == ("verify.run", False)


def test_verify_json_reports_the_failure_on_stdout(
    runner: CliRunner, case_path: Path, tmp_path: Path
) -> None:
    _tampered_case(runner, case_path, tmp_path)
    result = _run(runner, "verify", case_path, "--json", "--read-only")
    assert result.exit_code == ExitCode.VERIFY_FAILED
    report = json.loads(result.stdout)
    assert report["ok"] is False
    failed = [check for check in report["checks"] if not check["ok"]]
    assert [check["name"] for check in failed] == ["evidence"]
    assert "USB-7" in failed[0]["message"]


def test_verify_no_evidence_skips_the_rehash(
    runner: CliRunner, case_path: Path, tmp_path: Path
) -> None:
    _tampered_case(runner, case_path, tmp_path)
    result = _run(runner, "verify", case_path, "--no-evidence", "--read-only", "--json")
    assert result.exit_code == ExitCode.OK, result.stderr
    assert "evidence" not in {check["name"] for check in json.loads(result.stdout)["checks"]}
