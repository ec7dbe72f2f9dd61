"""Body file export of scanned sample images: fls -m's format, readable by mactime."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from catalog.exports.base import ExportSnapshot
from catalog.exports.bodyfile import write_bodyfile
from tests.conftest import SAMPLE_IMAGES
from tests.integration.exportcase import export_bytes, query_rows, scan_sample_case

USB = SAMPLE_IMAGES / "usb_fat.img"
SNAPSHOT = ExportSnapshot(
    case={"case_id": "c1"}, record_seq=1, record_head="ab" * 32, tool_version="evcat test"
)
_MD5 = re.compile(r"^(0|[0-9a-f]{32})$")
_MODE = re.compile(r"^[-pcdbrlshwvV]/([-rdpcblshwvV][-rwxsStT]{9}|-{10})$")


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scan_sample_case(tmp_path_factory.mktemp("case") / "case.db")


def _export(case: Path) -> bytes:
    data, stats = export_bytes(write_bodyfile, case, SNAPSHOT)
    assert stats.rows + 1 == data.count(b"\n"), "one line per entry after the head line"
    return data


def _lines(case: Path) -> list[str]:
    text = _export(case).decode("utf-8")
    assert text.endswith("\n")
    return text[:-1].split("\n")[1:]


def test_first_line_names_the_custody_head_and_has_no_times(case: Path) -> None:
    head = _export(case).decode("utf-8").split("\n")[0].split("|")
    assert len(head) == 11
    assert head[1] == f"evcat custody head {SNAPSHOT.record_head} (entry 1, case c1)"
    assert head[7:] == ["0", "0", "0", "0"]


def test_one_line_of_eleven_valid_fields_per_catalogued_entry(case: Path) -> None:
    lines = _lines(case)
    assert len(lines) == len(query_rows(case, "SELECT file_id FROM files"))
    for line in lines:
        fields = line.split("|")
        assert len(fields) == 11, line
        assert _MD5.match(fields[0]), line
        assert _MODE.match(fields[3]), line
        for number in (*fields[4:7], *fields[7:11]):
            int(number)


def test_known_file_has_its_md5_times_size_and_mode(case: Path) -> None:
    lines = _lines(case)
    assert (
        "8618e62527c7875703447d29d8d48d5a|disk/4194304/docs/report.txt|15|r/rrw-r--r--|0|0|380"
        "|1710438310|1710438310|1710438310|1710438310"
    ) in lines
    # FAT: access date only, no change time (0), creation = modification here
    assert (
        "8618e62527c7875703447d29d8d48d5a|usb/0/docs/report.txt|518|r/rrwxrwxrwx|0|0|380"
        "|1710374400|1710438310|0|1710438310"
    ) in lines


def test_deleted_entries_and_only_they_are_marked(case: Path) -> None:
    marked = sorted(line.split("|")[1] for line in _lines(case) if "(deleted" in line)
    assert marked == [
        "disk/1048576/deleted_lead_list.txt (deleted)",
        "disk/4194304/deleted_lead_list.txt (deleted)",
        "usb/0/deleted_lead_list.txt (deleted)",
    ]
    assert len(query_rows(case, "SELECT 1 FROM files WHERE is_allocated = 0")) == len(marked)


def test_hostile_names_stay_on_their_own_line_with_escapes(case: Path) -> None:
    document = _export(case)
    assert b"\x1b" not in document
    names = {line.split("|")[1] for line in _lines(case) if line.split("|")[1].startswith("names/")}
    assert r"names/0/\x1b[2J\x1b[31mred_alert.txt" in names
    assert r"names/0/line\x0abreak.txt" in names
    assert 'names/0/=HYPERLINK("evil.example?x","click me").txt' in names
    assert "names/0/bad_utf8_\ufffd\ufffd.txt" in names
    assert len(names) == len(query_rows(case, "SELECT 1 FROM files WHERE evidence_id = 'names'"))


def test_same_case_gives_byte_identical_body_files(case: Path, tmp_path: Path) -> None:
    first = _export(case)
    assert _export(case) == first
    assert _export(scan_sample_case(tmp_path / "again.db")) == first


@pytest.mark.skipif(shutil.which("fls") is None, reason="fls (sleuthkit) is not installed")
def test_lines_match_fls_m_apart_from_md5_and_prefix(case: Path) -> None:
    fls = subprocess.run(
        ["fls", "-r", "-m", "usb/", str(USB)],
        capture_output=True,
        check=True,
        text=True,
        env={**os.environ, "TZ": "UTC"},
    )
    ours = {
        "0|usb/" + line.split("|", 1)[1].removeprefix("usb/0/")
        for line in _lines(case)
        if line.split("|")[1].startswith("usb/0/")
    }
    assert ours == set(fls.stdout.splitlines())


@pytest.mark.skipif(shutil.which("mactime") is None, reason="mactime (sleuthkit) is not installed")
def test_mactime_reads_the_body_file(case: Path, tmp_path: Path) -> None:
    body = tmp_path / "case.body"
    body.write_bytes(_export(case))
    result = subprocess.run(
        ["mactime", "-b", str(body), "-d", "-z", "UTC"], capture_output=True, check=True
    )
    rows = result.stdout.decode("utf-8").splitlines()
    assert rows[0] == "Date,Size,Type,Mode,UID,GID,Meta,File Name"
    assert (
        'Thu Mar 14 2024 17:45:10,380,macb,r/rrw-r--r--,0,0,15,"disk/4194304/docs/report.txt"'
        in rows
    )
    assert any(row.endswith(r',"names/0/line\x0abreak.txt"') for row in rows)
    assert b"\x1b" not in result.stdout
