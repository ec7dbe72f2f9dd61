"""CSV export of hostile names: plain text in any spreadsheet, and the same bytes every time.

The names in ``sample_images/hostile/names.img`` are attacker-chosen: formulas, ANSI escape
codes, a newline, bytes that are not UTF-8 and a Shift_JIS name. The assertions are on the
exported bytes, since that is what a spreadsheet or a terminal reads.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from catalog.custody.log import Actor
from catalog.errors import UsageError
from catalog.exports import run_export
from catalog.exports.csvfile import COLUMNS
from catalog.pipeline import ScanOptions, scan
from tests.conftest import EXAMINER, SAMPLE_IMAGES

NAMES_IMAGE = SAMPLE_IMAGES / "hostile" / "names.img"
USB_IMAGE = SAMPLE_IMAGES / "usb_fat.img"
BOM = b"\xef\xbb\xbf"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SJIS_NAME = "台本_サポート.txt".encode("shift_jis")
BAD_UTF8_NAME = b"bad_utf8_\xff\xfe.txt"
JAPANESE_UTF8_NAME = "顧客リスト_2026.csv".encode()
HOSTILE_RAW_NAMES = {
    b"\x1b[2J\x1b[31mred_alert.txt",
    b'=HYPERLINK("evil.example?x","click me").txt',
    b"+cmd.txt",
    b"-rf.txt",
    b"@sum.txt",
    b"line\nbreak.txt",
    BAD_UTF8_NAME,
    JAPANESE_UTF8_NAME,
    SJIS_NAME,
}


@dataclass(frozen=True)
class Exported:
    case: Path
    first: Path
    second: Path
    data: bytes
    rows: list[dict[str, str]]
    manifest: dict[str, object]


@pytest.fixture
def exported(case_path: Path, tmp_path: Path) -> Exported:
    summary = scan(
        [NAMES_IMAGE, USB_IMAGE],
        case_path,
        ScanOptions(examiner=EXAMINER, exhibits=("NAMES-1", "USB-1")),
    )
    assert summary.status == "success"
    exports = tmp_path / "exports"
    first, second = exports / "first.csv", exports / "second.csv"
    run_export(case_path, "csv", first, Actor(EXAMINER))
    run_export(case_path, "csv", second, Actor(EXAMINER))
    data = first.read_bytes()
    with first.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    manifest = json.loads(first.with_name("first.csv.manifest.json").read_text(encoding="utf-8"))
    return Exported(case_path, first, second, data, rows, manifest)


def _query(case: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(case)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def _row_by_raw_name(exported: Exported, raw: bytes) -> dict[str, str]:
    matches = [row for row in exported.rows if row["name_bytes_hex"] == raw.hex()]
    assert len(matches) == 1, raw
    return matches[0]


def test_two_exports_of_the_same_case_are_byte_identical(exported: Exported) -> None:
    assert exported.first.read_bytes() == exported.second.read_bytes()


def test_file_starts_with_utf8_bom(exported: Exported) -> None:
    assert exported.data.startswith(BOM)
    assert not exported.data[len(BOM) :].startswith(BOM)


def test_no_control_byte_but_crlf_line_ends(exported: Exported) -> None:
    assert b"\x1b" not in exported.data
    without_crlf = exported.data.replace(b"\r\n", b"")
    controls = sorted({byte for byte in without_crlf if byte < 0x20 or byte == 0x7F})
    assert controls == []
    text = exported.data.decode("utf-8", errors="surrogateescape")
    assert re.findall(r"[\x80-\x9f]", text) == [], "no C1 control characters either"


def test_one_row_per_catalogued_file_and_fixed_columns(exported: Exported) -> None:
    [(count,)] = _query(exported.case, "SELECT count(*) FROM files")
    assert len(exported.rows) == count > 20
    assert list(exported.rows[0]) == list(COLUMNS)
    assert {row["exhibit"] for row in exported.rows} == {"NAMES-1", "USB-1"}


def test_no_cell_starts_with_a_formula_trigger(exported: Exported) -> None:
    offending = [
        (number, column, cell)
        for number, row in enumerate(exported.rows, start=1)
        for column, cell in row.items()
        if cell.startswith(FORMULA_STARTS)
    ]
    assert offending == []


def test_formula_names_are_prefixed_with_a_quote(exported: Exported) -> None:
    for neutralised in (b"'=HYPERLINK(", b"'+cmd.txt", b"'-rf.txt", b"'@sum.txt"):
        assert neutralised in exported.data, neutralised
    hyperlink = _row_by_raw_name(exported, b'=HYPERLINK("evil.example?x","click me").txt')
    assert hyperlink["name"] == '\'=HYPERLINK("evil.example?x","click me").txt'
    assert hyperlink["neutralised"] == "name"


def test_escape_codes_in_a_name_become_visible_text(exported: Exported) -> None:
    row = _row_by_raw_name(exported, b"\x1b[2J\x1b[31mred_alert.txt")
    assert row["name"] == r"\x1b[2J\x1b[31mred_alert.txt"
    assert row["path"] == r"/\x1b[2J\x1b[31mred_alert.txt"
    assert row["neutralised"].split() == ["path", "name"]


def test_japanese_utf8_name_is_kept_exactly(exported: Exported) -> None:
    assert JAPANESE_UTF8_NAME in exported.data
    [row] = [r for r in exported.rows if r["name"] == "顧客リスト_2026.csv"]
    assert row["name_bytes_hex"] == ""
    assert row["neutralised"] == ""
    assert row["path"] == "/顧客リスト_2026.csv"


@pytest.mark.parametrize("raw", [SJIS_NAME, BAD_UTF8_NAME], ids=["shift_jis", "bad_utf8"])
def test_undecodable_name_has_its_exact_bytes_in_hex(exported: Exported, raw: bytes) -> None:
    row = _row_by_raw_name(exported, raw)
    assert row["exhibit"] == "NAMES-1"
    assert bytes.fromhex(row["name_bytes_hex"]) == raw
    assert row["name"].endswith(".txt")


def test_name_with_newline_stays_on_one_physical_line(exported: Exported) -> None:
    assert exported.data.count(b"\r\n") == len(exported.rows) + 1
    assert exported.data.replace(b"\r\n", b"").count(b"\n") == 0
    assert b"line\\x0abreak.txt" in exported.data
    row = _row_by_raw_name(exported, b"line\nbreak.txt")
    assert row["name"] == r"line\x0abreak.txt"


def test_neutralised_column_names_the_altered_columns(exported: Exported) -> None:
    by_name = {row["name"]: row["neutralised"] for row in exported.rows}
    assert by_name["'+cmd.txt"] == "name"
    assert by_name["'-rf.txt"] == "name"
    assert by_name["'@sum.txt"] == "name"
    assert by_name[r"line\x0abreak.txt"].split() == ["path", "name"]
    assert by_name["report.txt"] == ""
    for row in exported.rows:
        assert set(row["neutralised"].split()) <= set(COLUMNS[:-1])


def test_manifest_lists_exactly_the_neutralised_rows(exported: Exported) -> None:
    expected = [n for n, row in enumerate(exported.rows, start=1) if row["neutralised"]]
    assert len(expected) >= 6  # escape codes, =, +, -, @ and the newline
    assert exported.manifest["neutralised_rows"] == expected
    assert exported.manifest["rows"] == len(exported.rows)


def test_manifest_holds_the_csv_sha256(exported: Exported) -> None:
    files = exported.manifest["files"]
    assert isinstance(files, list)
    assert files[0]["name"] == "first.csv"
    assert files[0]["sha256"] == hashlib.sha256(exported.data).hexdigest()
    assert files[0]["bytes"] == len(exported.data)


def test_export_leaves_the_raw_names_in_the_catalog(exported: Exported) -> None:
    raw_names = {row[0] for row in _query(exported.case, "SELECT name_raw FROM files")}
    assert raw_names >= HOSTILE_RAW_NAMES
    [(name,)] = _query(exported.case, "SELECT name FROM files WHERE name LIKE '%HYPERLINK%'")
    assert name == '=HYPERLINK("evil.example?x","click me").txt'


def test_last_custody_entry_is_the_export_with_its_sha256(exported: Exported) -> None:
    [(body,)] = _query(exported.case, "SELECT body FROM custody_log ORDER BY seq DESC LIMIT 1")
    entry = json.loads(body)
    assert entry["action"] == "export.written"
    assert entry["details"]["format"] == "csv"
    assert entry["details"]["sha256"] == hashlib.sha256(exported.second.read_bytes()).hexdigest()
    assert entry["details"]["output"] == str(exported.second.resolve())
    actions = [
        json.loads(b)["action"] for (b,) in _query(exported.case, "SELECT body FROM custody_log")
    ]
    assert actions.count("export.written") == 2


def test_output_beside_the_evidence_is_refused(case_path: Path, tmp_path: Path) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    image = evidence / "names.img"
    shutil.copyfile(NAMES_IMAGE, image)
    scan([image], case_path, ScanOptions(examiner=EXAMINER))
    before = _query(case_path, "SELECT count(*) FROM custody_log")
    with pytest.raises(UsageError, match="beside the evidence"):
        run_export(case_path, "csv", evidence / "files.csv", Actor(EXAMINER))
    assert sorted(path.name for path in evidence.iterdir()) == ["names.img"]
    assert _query(case_path, "SELECT count(*) FROM custody_log") == before


def test_output_equal_to_the_case_file_is_refused(case_path: Path) -> None:
    scan([USB_IMAGE], case_path, ScanOptions(examiner=EXAMINER))
    before = _query(case_path, "SELECT seq, entry_hash FROM custody_log ORDER BY seq")
    with pytest.raises(UsageError, match="is the case catalog or one of its SQLite files"):
        run_export(case_path, "csv", case_path, Actor(EXAMINER))
    assert _query(case_path, "SELECT seq, entry_hash FROM custody_log ORDER BY seq") == before
    assert not case_path.with_name(case_path.name + ".manifest.json").exists()


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_output_onto_the_catalogs_sqlite_files_is_refused(case_path: Path, suffix: str) -> None:
    scan([USB_IMAGE], case_path, ScanOptions(examiner=EXAMINER))
    with pytest.raises(UsageError, match="SQLite files"):
        run_export(case_path, "csv", case_path.with_name(case_path.name + suffix), Actor(EXAMINER))


def test_manifest_that_would_overwrite_the_catalog_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    case = folder / "out.csv.manifest.json"
    scan([USB_IMAGE], case, ScanOptions(examiner=EXAMINER))
    with pytest.raises(UsageError, match="SQLite files"):
        run_export(case, "csv", folder / "out.csv", Actor(EXAMINER))
    assert _query(case, "SELECT count(*) FROM files")[0][0] > 0
