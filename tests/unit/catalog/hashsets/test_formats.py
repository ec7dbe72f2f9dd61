from __future__ import annotations

import io
from pathlib import Path

import pytest

from catalog.hashsets import HashSetFormatError, LineProblem, detect_format
from catalog.hashsets.formats import MAX_LINE, iter_text_rows, numbered_lines
from catalog.hashsets.records import MD5, SHA1, SHA256, ProblemLog
from tests.unit.catalog.hashsets.conftest import (
    ANYDESK,
    SCRIPT,
    TEAMVIEWER,
    make_rds,
    rds_row,
    write,
)


def parse(text: str | bytes, fmt: str) -> tuple[list[tuple[object, ...]], list[LineProblem]]:
    data = text.encode() if isinstance(text, str) else text
    problems = ProblemLog()
    rows = list(iter_text_rows(io.BytesIO(data), fmt, problems))
    assert problems.count == len(problems.kept)
    return rows, problems.kept


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{TEAMVIEWER.md5}  tv.exe\n", "md5sum"),
        (f"# made by md5sum\n\n{TEAMVIEWER.sha1.upper()} *tv.exe\n", "sha1sum"),
        (f"{TEAMVIEWER.sha256}\n", "sha256sum"),
        (f"MD5 (tv.exe) = {TEAMVIEWER.md5}\n", "md5sum"),
        (f"SHA1 (tv.exe) = {TEAMVIEWER.sha1}\n", "sha1sum"),
        (f"SHA256 (tv.exe) = {TEAMVIEWER.sha256}\n", "sha256sum"),
        ("%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n", "hashdeep"),
        ("File Name;SHA-256;Size\n", "csv"),
        ('#TYPE Microsoft.PowerShell.Commands.FileHashInfo\n"Algorithm","Hash","Path"\n', "csv"),
        (f"\ufeff{TEAMVIEWER.md5}  tv.exe\r\n", "md5sum"),
    ],
)
def test_detect_format_from_the_first_data_line(tmp_path: Path, text: str, expected: str) -> None:
    assert detect_format(write(tmp_path / "set.txt", text)) == expected


def test_detect_format_reads_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "set.txt"
    path.write_bytes(f"{TEAMVIEWER.sha256}  tv.exe\r\n".encode("utf-16"))
    assert detect_format(path) == "sha256sum"


def test_detect_format_finds_rdsv3_database(tmp_path: Path) -> None:
    assert detect_format(make_rds(tmp_path / "rds.db", [rds_row(TEAMVIEWER, "tv")])) == (
        "nsrl-rdsv3"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "no data line"),
        (b"hello world\n", "cannot tell the format from line 1"),
        (b"# only a comment\n\nabc  not-a-hash\n", "cannot tell the format from line 3"),
    ],
)
def test_detect_format_refuses_unknown_text(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(content)
    with pytest.raises(HashSetFormatError, match=message) as caught:
        detect_format(path)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_detect_format_refuses_sqlite_without_file_table(tmp_path: Path) -> None:
    path = make_rds(tmp_path / "other.db", [], schema="CREATE TABLE t (x);")
    with pytest.raises(HashSetFormatError, match="without a FILE table"):
        detect_format(path)


def test_detect_format_of_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(HashSetFormatError, match=r"missing\.txt: cannot read"):
        detect_format(tmp_path / "missing.txt")


def test_sums_gnu_bsd_binary_and_escaped_lines() -> None:
    text = (
        f"{TEAMVIEWER.md5.upper()}  TeamViewer Setup.exe\r\n"
        f"{ANYDESK.md5} *AnyDesk.exe\r\n"
        f"\\{SCRIPT.md5}  dir\\\\new\\nline.docx\r\n"
        f"MD5 (with (parens).txt) = {TEAMVIEWER.md5}\r\n"
        f"{ANYDESK.md5}\r\n"
    )
    rows, problems = parse(text, "md5sum")
    assert problems == []
    assert [(row[0], row[3], row[4]) for row in rows] == [
        (MD5, bytes.fromhex(TEAMVIEWER.md5), "TeamViewer Setup.exe"),
        (MD5, bytes.fromhex(ANYDESK.md5), "AnyDesk.exe"),
        (MD5, bytes.fromhex(SCRIPT.md5), "dir\\new\nline.docx"),
        (MD5, bytes.fromhex(TEAMVIEWER.md5), "with (parens).txt"),
        (MD5, bytes.fromhex(ANYDESK.md5), None),
    ]


def test_sums_bsd_line_names_its_own_algorithm() -> None:
    rows, problems = parse(f"SHA256 (tv.exe) = {TEAMVIEWER.sha256.upper()}\n", "md5sum")
    assert problems == []
    assert rows == [(SHA256, bytes.fromhex(TEAMVIEWER.sha256), None, None, "tv.exe", None, None)]


def test_sums_malformed_lines_are_reported_with_their_numbers() -> None:
    text = (
        "# sha256sum output\n"
        f"{TEAMVIEWER.sha256}  good.exe\n"
        f"{TEAMVIEWER.md5}  short.exe\n"
        "\n"
        f"{'z' * 64}  nothex.exe\n"
        f"SHA256 (bsd.exe) = {TEAMVIEWER.sha256[:-1]}\n"
        f"{ANYDESK.sha256}  also-good.exe\n"
    )
    rows, problems = parse(text, "sha256sum")
    assert [row[4] for row in rows] == ["good.exe", "also-good.exe"]
    assert problems == [
        LineProblem(3, "sha256 has 32 characters, expected 64 hex digits"),
        LineProblem(5, "sha256 is not hexadecimal"),
        LineProblem(6, "sha256 has 63 characters, expected 64 hex digits"),
    ]


def test_hashdeep_columns_in_any_order_with_commas_in_names() -> None:
    text = (
        "%%%% HASHDEEP-1.0\r\n"
        "%%%% size,sha256,md5,filename\r\n"
        "## Invoked from: C:\\cases\r\n"
        "## $ hashdeep -r .\r\n"
        "##\r\n"
        f"1234,{TEAMVIEWER.sha256.upper()},{TEAMVIEWER.md5},C:\\tools\\tv, setup.exe\r\n"
    )
    rows, problems = parse(text, "hashdeep")
    assert problems == []
    assert rows == [
        (
            SHA256 | MD5,
            bytes.fromhex(TEAMVIEWER.sha256),
            None,
            bytes.fromhex(TEAMVIEWER.md5),
            "C:\\tools\\tv, setup.exe",
            1234,
            None,
        )
    ]


def test_hashdeep_malformed_lines_are_reported_with_their_numbers() -> None:
    text = (
        f"5,{TEAMVIEWER.md5},early.exe\n"
        "%%%% HASHDEEP-1.0\n"
        "%%%% size,md5,sha1,filename\n"
        f"5,{TEAMVIEWER.md5}\n"
        f"x5,{TEAMVIEWER.md5},{TEAMVIEWER.sha1},size.exe\n"
        f"5,{TEAMVIEWER.md5},{TEAMVIEWER.sha1[2:]},sha1.exe\n"
        f"5,{ANYDESK.md5},{ANYDESK.sha1},ok.exe\n"
    )
    rows, problems = parse(text, "hashdeep")
    assert [row[4] for row in rows] == ["ok.exe"]
    assert rows[0][0] == SHA1 | MD5
    assert problems == [
        LineProblem(1, "data line before the %%%% column line"),
        LineProblem(4, "expected 4 fields, found 2"),
        LineProblem(5, "size is not a whole number of bytes"),
        LineProblem(6, "sha1 has 38 characters, expected 40 hex digits"),
    ]


def test_hashdeep_column_line_without_a_hash_is_a_problem() -> None:
    rows, problems = parse("%%%% HASHDEEP-1.0\n%%%% size,tiger,filename\n1,ab,x\n", "hashdeep")
    assert rows == []
    assert problems == [
        LineProblem(2, "column line names no md5, sha1 or sha256 column"),
        LineProblem(3, "data line before the %%%% column line"),
    ]


def test_csv_with_semicolons_and_case_insensitive_header() -> None:
    text = (
        '"File Name";"SHA-256";"MD5";Size;Package\r\n'
        f'"tv;setup.exe";{TEAMVIEWER.sha256.upper()};{TEAMVIEWER.md5};1234;remote tools\r\n'
        f"anydesk.exe;;{ANYDESK.md5};;\r\n"
    )
    rows, problems = parse(text, "csv")
    assert problems == []
    assert rows == [
        (
            SHA256 | MD5,
            bytes.fromhex(TEAMVIEWER.sha256),
            None,
            bytes.fromhex(TEAMVIEWER.md5),
            "tv;setup.exe",
            1234,
            "remote tools",
        ),
        (MD5, None, None, bytes.fromhex(ANYDESK.md5), "anydesk.exe", None, None),
    ]


def test_csv_tab_delimited_and_hash_column_of_any_algorithm() -> None:
    text = f"hash\tpath\n{TEAMVIEWER.sha1}\ta.exe\n{ANYDESK.sha256}\tb.exe\n"
    rows, problems = parse(text, "csv")
    assert problems == []
    assert [(row[0], row[4]) for row in rows] == [(SHA1, "a.exe"), (SHA256, "b.exe")]


def test_csv_malformed_lines_are_reported_with_their_numbers() -> None:
    text = (
        "name,sha1\n"
        f"a.exe,{TEAMVIEWER.sha1}\n"
        "b.exe\n"
        f'"c.exe,{TEAMVIEWER.sha1}\n'
        "d.exe,\n"
        f"e.exe,{TEAMVIEWER.sha1},extra\n"
    )
    rows, problems = parse(text, "csv")
    assert [row[4] for row in rows] == ["a.exe"]
    assert problems == [
        LineProblem(3, "expected 2 fields, found 1"),
        LineProblem(4, "unbalanced quotes"),
        LineProblem(5, "no md5, sha1 or sha256 value"),
        LineProblem(6, "expected 2 fields, found 3"),
    ]


def test_names_that_are_not_utf8_are_read_as_latin1() -> None:
    data = b"\xef\xbb\xbf" + TEAMVIEWER.md5.encode() + b"  caf\xe9.exe\r\n"
    rows, problems = parse(data, "md5sum")
    assert problems == []
    assert rows[0][4] == "café.exe"


def test_utf16_source_with_bom_is_read() -> None:
    data = f"{TEAMVIEWER.md5}  ümlaut.exe\r\n{ANYDESK.md5}  b.exe\r\n".encode("utf-16")
    rows, problems = parse(data, "md5sum")
    assert problems == []
    assert [row[4] for row in rows] == ["ümlaut.exe", "b.exe"]


def test_overlong_line_is_reported_and_the_next_line_still_read() -> None:
    data = b"x" * (MAX_LINE * 3) + b"\n" + f"{ANYDESK.md5}  b.exe\n".encode()
    rows, problems = parse(data, "md5sum")
    assert problems == [LineProblem(1, f"line longer than {MAX_LINE} bytes")]
    assert [row[4] for row in rows] == ["b.exe"]


def test_numbered_lines_keeps_numbers_across_chunks_and_a_last_line_without_newline() -> None:
    lines = [f"line {i}" for i in range(30_000)]
    data = "\r\n".join(lines).encode()
    assert list(numbered_lines(io.BytesIO(data))) == list(enumerate(lines, 1))
