"""The HTML case report: complete, deterministic and inert whatever the evidence holds."""

from __future__ import annotations

import io
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlite_utils

from catalog.case import CaseFacts, ExhibitFacts, add_exhibit, init_case
from catalog.custody import log
from catalog.custody.actions import add_tag, verify_case_file
from catalog.custody.log import Actor
from catalog.custody.verify import VerifyOptions
from catalog.exports.base import ExportSnapshot
from catalog.exports.report import PROBLEM_LIST_LIMIT, write_report
from catalog.options import ScanOptions
from catalog.pipeline import scan
from catalog.store import reads
from tests.conftest import EXAMINER, SAMPLE_IMAGES

USB = SAMPLE_IMAGES / "usb_fat.img"
NAMES = SAMPLE_IMAGES / "hostile" / "names.img"

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "div", "p",
    "strong", "code", "span", "section", "table", "thead", "tbody", "tr", "th", "td",
    "footer",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"lang", "charset", "http-equiv", "content", "class", "id"}
CSP = "default-src 'none'; style-src 'unsafe-inline'"

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


class ReportParser(HTMLParser):
    """Collects every start tag, all text, and each section's tables as rows of cell text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.tables: dict[str, list[list[list[str]]]] = {}
        self.ids: dict[str, str] = {}
        self._section = ""
        self._in_head = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        attributes = dict(attrs)
        if tag == "section":
            self._section = attributes.get("id") or ""
        elif tag == "table":
            self.tables.setdefault(self._section, []).append([])
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head:
            self.tables[self._section][-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and not self._in_head:
            self.tables[self._section][-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def body_rows(self, section: str, index: int = 0) -> list[list[str]]:
        """The body rows (not the header) of a section's ``index``-th table."""
        return self.tables[section][index]


def _scan(case_path: Path) -> None:
    scan([USB, NAMES], case_path, ScanOptions(examiner=EXAMINER, exhibits=("usb", "names")))


def _snapshot(db: sqlite_utils.Database) -> ExportSnapshot:
    head = log.head(db)
    assert head is not None
    case = reads.case_record(db)
    assert case is not None
    return ExportSnapshot(
        case=case, record_seq=head.seq, record_head=head.entry_hash, tool_version="evcat 0.2.0"
    )


def _render(case_path: Path, snapshot: ExportSnapshot | None = None) -> bytes:
    db = sqlite_utils.Database(str(case_path))
    try:
        handle = io.BytesIO()
        write_report(db, handle, snapshot or _snapshot(db))
    finally:
        db.close()
    return handle.getvalue()


def _parse(data: bytes) -> ReportParser:
    parser = ReportParser()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return parser


def _sql(case_path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(case_path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def _execute(case_path: Path, sql: str, *params: object) -> None:
    connection = sqlite3.connect(case_path)
    try:
        with connection:
            connection.execute(sql, params)
    finally:
        connection.close()


@pytest.fixture
def scanned(case_path: Path) -> Path:
    _scan(case_path)
    return case_path


def test_report_is_self_contained_html_with_a_strict_csp(scanned: Path) -> None:
    data = _render(scanned)
    parser = _parse(data)
    assert data.startswith(b"<!DOCTYPE html>\n")
    metas = [dict(attrs) for tag, attrs in parser.tags if tag == "meta"]
    assert {"charset": "utf-8"} in metas
    assert {"http-equiv": "Content-Security-Policy", "content": CSP} in metas
    for forbidden in (b"<script", b"<link", b"<img", b"<a ", b"src=", b"href=", b"url("):
        assert forbidden not in data.lower()
    assert {tag for tag, _ in parser.tags} <= ALLOWED_TAGS


def test_every_exhibit_shows_its_media_hashes(scanned: Path) -> None:
    parser = _parse(_render(scanned))
    overview = {row[0]: row for row in parser.body_rows("exhibits")}
    media = _sql(
        scanned,
        "SELECT evidence_id, media_md5, media_sha1, media_sha256, media_blake3 FROM evidence",
    )
    assert sorted(overview) == ["names", "usb"]
    text = "".join(parser.text)
    for exhibit, *hashes in media:
        assert all(hashes)
        assert overview[str(exhibit)][5] == hashes[2]
        assert overview[str(exhibit)][6] == "not verified"
        for value in hashes:
            assert str(value) in text


def test_category_counts_match_the_catalog(scanned: Path) -> None:
    parser = _parse(_render(scanned))
    expected = [
        [str(exhibit), str(category), f"{files:,}", f"{size:,}"]
        for exhibit, category, files, size in _sql(
            scanned,
            "SELECT evidence_id, coalesce(category, 'uncategorised') AS c, count(*),"
            " coalesce(sum(size), 0) FROM files GROUP BY evidence_id, c ORDER BY evidence_id, c",
        )
    ]
    assert len(expected) >= 3
    assert parser.body_rows("categories") == expected


def test_file_systems_are_listed_per_exhibit(scanned: Path) -> None:
    parser = _parse(_render(scanned))
    rows = parser.body_rows("filesystems")
    expected = _sql(
        scanned, "SELECT evidence_id, fs_type, file_count FROM filesystems ORDER BY evidence_id"
    )
    assert [(row[0], row[2], row[7]) for row in rows] == [
        (str(exhibit), str(fs_type), f"{count:,}") for exhibit, fs_type, count in expected
    ]


def test_custody_entries_appear_in_order_with_their_hashes(scanned: Path) -> None:
    parser = _parse(_render(scanned))
    db = sqlite_utils.Database(str(scanned))
    try:
        expected = [(str(e.seq), e.action, e.entry_hash) for e in log.entries(db)]
    finally:
        db.close()
    rows = parser.body_rows("custody")
    assert [(row[0], row[2], row[6]) for row in rows] == expected
    assert [action for _, action, _ in expected][:4] == [
        "case.created", "exhibit.added", "exhibit.added", "scan.started",
    ]  # fmt: skip
    assert expected[-1][1] == "scan.finished"
    assert all(row[7] for row in rows)  # every entry has a summary
    assert rows[-1][7].endswith("0 problems")


def test_record_head_is_shown_with_the_verify_command(scanned: Path) -> None:
    db = sqlite_utils.Database(str(scanned))
    try:
        head = log.head(db)
    finally:
        db.close()
    assert head is not None
    data = _render(scanned).decode("utf-8")
    block = data[data.index('id="record-head"') : data.index("</div>")]
    assert head.entry_hash in block
    assert f"custody entry {head.seq}" in block
    assert f"--expect-head {head.entry_hash}" in block


def test_two_reports_are_byte_identical_even_after_an_export_entry(scanned: Path) -> None:
    db = sqlite_utils.Database(str(scanned))
    try:
        snapshot = _snapshot(db)
        first = io.BytesIO()
        write_report(db, first, snapshot)
        with db.atomic():
            log.append(db, "export.written", Actor(EXAMINER), {"format": "report"})
        second = io.BytesIO()
        write_report(db, second, snapshot)
    finally:
        db.close()
    assert first.getvalue() == second.getvalue()
    assert b"export.written</td>" not in second.getvalue()
    assert _render(scanned, snapshot) == first.getvalue()


def test_export_entries_inside_the_record_are_left_out(scanned: Path) -> None:
    db = sqlite_utils.Database(str(scanned))
    try:
        with db.atomic():
            export = log.append(db, "export.written", Actor(EXAMINER), {"format": "report"})
    finally:
        db.close()
    [(file_id,)] = _sql(scanned, "SELECT file_id FROM files WHERE evidence_id = 'usb' LIMIT 1")
    add_tag(scanned, str(file_id), "relevant", Actor(EXAMINER))
    data = _render(scanned)
    seqs = [int(row[0]) for row in _parse(data).body_rows("custody")]
    assert seqs == [n for n in range(1, export.seq + 2) if n != export.seq]
    assert export.entry_hash.encode() not in data


def test_entries_after_the_snapshot_are_left_out(scanned: Path) -> None:
    db = sqlite_utils.Database(str(scanned))
    try:
        snapshot = _snapshot(db)
    finally:
        db.close()
    [(file_id,)] = _sql(scanned, "SELECT file_id FROM files WHERE evidence_id = 'usb' LIMIT 1")
    add_tag(scanned, str(file_id), "later", Actor(EXAMINER))
    rows = _parse(_render(scanned, snapshot)).body_rows("custody")
    assert rows[-1][0] == str(snapshot.record_seq)
    assert "later" not in _render(scanned, snapshot).decode("utf-8")
    assert "tag \u201clater\u201d" in _render(scanned).decode("utf-8")


def _verify_entry(case_path: Path, checks: list[tuple[str, bool, str]], **extra: object) -> None:
    db = sqlite_utils.Database(str(case_path))
    try:
        details = {
            "ok": all(ok for _, ok, _ in checks),
            "evidence_rehashed": True,
            "checks": [{"name": n, "ok": ok, "message": m} for n, ok, m in checks],
            **extra,
        }
        with db.atomic():
            log.append(db, "verify.run", Actor(EXAMINER), details)
    finally:
        db.close()


def _verification(case_path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Per exhibit: the overview's verification word and the facts table's full text."""
    parser = _parse(_render(case_path))
    overview = {row[0]: row[6] for row in parser.body_rows("exhibits")}
    full = {}
    for table in parser.tables["exhibits"][1:]:
        facts = {row[0]: row[1] for row in table}
        full[facts["Exhibit id"]] = facts["Verification"]
    return overview, full


def test_verification_status_is_the_latest_verify_run_naming_the_exhibit(scanned: Path) -> None:
    assert _verification(scanned)[0] == {"names": "not verified", "usb": "not verified"}
    _verify_entry(
        scanned,
        [
            ("custody chain", True, "9 entries"),
            ("evidence", True, "exhibit 'names': SHA-256 abc matches"),
            ("evidence", True, "exhibit 'usb': SHA-256 def matches"),
        ],
    )
    overview, full = _verification(scanned)
    assert overview == {"names": "verified", "usb": "verified"}
    assert full["usb"].startswith("verified (custody entry 10, ")
    assert full["usb"].endswith("): 1 checks hold")

    _verify_entry(
        scanned,
        [("file rows", False, "exhibit 'usb': 3 file rows changed"), ("runs", False, "run x")],
        evidence_rehashed=False,
    )
    overview, full = _verification(scanned)
    assert overview == {"names": "verified", "usb": "FAILED"}  # names: still entry 10
    assert full["names"].startswith("verified (custody entry 10, ")
    assert full["usb"].startswith("FAILED (custody entry 11, ")
    assert full["usb"].endswith("): exhibit 'usb': 3 file rows changed")
    custody = _parse(_render(scanned)).body_rows("custody")
    assert custody[-1][2] == "verify.run"
    assert custody[-1][7].startswith("verification FAILED: 2 of 2 checks failed; first: exhibit")


def test_verification_status_agrees_with_a_real_verify_run(scanned: Path) -> None:
    report = verify_case_file(scanned, VerifyOptions(), Actor(EXAMINER))
    expected = {}
    for exhibit in ("names", "usb"):
        named = [check for check in report.checks if f"exhibit {exhibit!r}" in check.message]
        assert named
        expected[exhibit] = "verified" if all(check.ok for check in named) else "FAILED"
    assert _verification(scanned)[0] == expected


def test_no_problems_then_capped_problem_list(scanned: Path) -> None:
    assert "No problems were recorded." in _render(scanned).decode("utf-8")
    [(run_id,)] = _sql(scanned, "SELECT run_id FROM runs")
    connection = sqlite3.connect(scanned)
    with connection:
        connection.executemany(
            "INSERT INTO problems (run_id, evidence_id, stage, message, created)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (run_id, "usb", "walk" if n % 2 else "content", f"problem {n}", "t")
                for n in range(PROBLEM_LIST_LIMIT + 5)
            ],
        )
    connection.close()
    parser = _parse(_render(scanned))
    stages = parser.body_rows("problems", 0)
    assert stages == [["usb", "content", "503"], ["usb", "walk", "502"]]
    listed = parser.body_rows("problems", 1)
    assert len(listed) == PROBLEM_LIST_LIMIT
    assert listed[0][-1] == "problem 0"
    assert "5 more are in the case catalog" in "".join(parser.text)


def _hostile_case(case_path: Path) -> None:
    actor = Actor(EXAMINER)
    init_case(
        case_path,
        CaseFacts(case_number='\x1b[2J=HYPERLINK("http://x")', title=SCRIPT, agency=IMG),
        actor,
    )
    facts = ExhibitFacts(description=SCRIPT, seized_from=IMG, seized_by="Eve\u202etxt.exe")
    add_exhibit(case_path, NAMES, "names", facts, actor)
    _scan(case_path)
    [(run_id,)] = _sql(case_path, "SELECT run_id FROM runs")
    for (path,) in _sql(
        case_path,
        "SELECT path FROM files WHERE evidence_id = 'names'"
        " AND (name LIKE '%HYPERLINK%' OR instr(name, char(27)) > 0) ORDER BY path",
    ):
        _execute(
            case_path,
            "INSERT INTO problems (run_id, evidence_id, locator, stage, message, created)"
            " VALUES (?, 'names', ?, 'content', ?, 't')",
            run_id,
            f"{path}{SCRIPT}",
            f"{path}: cannot read {IMG}\x00\x1b]0;title\x07",
        )
    _execute(case_path, "UPDATE filesystems SET label = ? WHERE evidence_id = 'usb'", SCRIPT)
    [(file_id,)] = _sql(case_path, "SELECT file_id FROM files WHERE evidence_id = 'names' LIMIT 1")
    add_tag(case_path, str(file_id), f"{IMG}\u202e", actor)


def test_hostile_strings_come_out_inert(case_path: Path) -> None:
    _hostile_case(case_path)
    assert _sql(case_path, "SELECT count(*) FROM problems") == [(2,)]  # ESC and =HYPERLINK(
    data = _render(case_path)
    parser = _parse(data)
    assert b"\x1b" not in data
    assert b"\x00" not in data
    assert b"\x07" not in data
    assert "\u202e".encode() not in data
    assert b"<script" not in data.lower()
    assert b"<img" not in data.lower()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS
        assert {name for name, _ in attrs} <= ALLOWED_ATTRIBUTES, (tag, attrs)
    text = "".join(parser.text)
    # The hostile strings are all there, as text to read, with controls made visible.
    assert text.count(SCRIPT) >= 5  # title, description, 2 locators, label
    assert text.count(IMG) >= 5  # agency, seized from, 2 messages, tag
    assert "\\x1b[2J=HYPERLINK(" in text
    assert "\\x00\\x1b]0;title\\x07" in text
    assert "Eve\\u202etxt.exe" in text
    assert 'HYPERLINK("evil.example' in text


def test_hostile_case_report_is_deterministic(case_path: Path) -> None:
    _hostile_case(case_path)
    assert _render(case_path) == _render(case_path)
