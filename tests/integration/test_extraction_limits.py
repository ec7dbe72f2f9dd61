"""Hostile documents end within their limits with a problem row, and the scan goes on.

Issue 4, item 3: a zip bomb, a 1 GiB file of one repeated line, a malformed PDF and DOCX,
a file in no known encoding; plus a parser that runs out of time.
"""

from __future__ import annotations

import os
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from catalog.content import read_content
from catalog.locator import Locator
from catalog.model import EntryType, FileEntry
from catalog.options import ScanOptions
from catalog.pipeline import scan
from parsers.context import Limits
from parsers.extractor import TextLimits
from tests.conftest import EXAMINER
from tests.integration.ext4image import build_ext4

GIB = 1 << 30
LINE = b"Microsoft support: call 0120-123-456 now\n"
SCRIPT = (
    "Agent: Hello, this is Microsoft Windows support. Your computer has a virus and hackers"
    " have your IP address. Do not turn off the computer.\nAgent: Press Win+R, type eventvwr"
    " and open AnyDesk so our technician can connect.\nAgent: To activate the firewall buy"
    " Google Play gift cards worth $500 and read me the code.\nCustomer: OK.\n"
)


class RepeatingFileSystem:
    """One file made of the same line over and over, generated as it is read."""

    def __init__(self, size: int) -> None:
        self.size = size

    def read_chunks(self, entry: FileEntry, chunk_size: int) -> Iterator[bytes]:
        chunk = LINE * (chunk_size // len(LINE) + 1)
        done = 0
        while done < self.size:
            piece = chunk[: min(chunk_size, self.size - done)]
            done += len(piece)
            yield piece


@dataclass
class Context:
    limits: Limits = field(default_factory=Limits)
    problems: list[tuple[str, str]] = field(default_factory=list)

    def problem(self, stage: str, message: str, **kwargs: Any) -> None:
        self.problems.append((stage, message))


def test_a_1_gib_file_of_one_line_is_hashed_whole_and_its_text_cut_at_the_limit() -> None:
    entry = FileEntry(
        locator=Locator("disk", 0, "12"), path="/huge.txt", name="huge.txt",
        name_raw=b"huge.txt", entry_type=EntryType.FILE, size=GIB, meta_addr=12,
        is_allocated=True,
    )  # fmt: skip
    context = Context()
    result = read_content(RepeatingFileSystem(GIB), entry, context, extract_text=True)
    assert result.status == "ok" and result.bytes_hashed == GIB
    document = result.document
    assert document is not None
    assert document.status == "truncated"
    limit = context.limits.text.max_input_bytes
    assert document.problems[-1] == (
        f"text extraction stopped at the {limit} byte limit ({GIB} bytes in the file)"
    )
    assert document.text is not None
    assert len(document.text) == context.limits.stored_text_chars
    phones = {p.finding.normalized for p in document.findings if p.finding.kind == "phone"}
    assert phones == {"+81120123456"}


def _bomb(path: Path) -> None:
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as member:
            for _ in range(512):
                member.write(zeros)
        archive.writestr("after-the-bomb.txt", SCRIPT)


@pytest.fixture(scope="module")
def hostile_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile_documents")
    tree = root / "tree"
    tree.mkdir()
    _bomb(tree / "bomb.zip")
    (tree / "broken.pdf").write_bytes(
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R" + bytes(300)
    )
    (tree / "broken.docx").write_bytes(b"PK\x03\x04" + os.urandom(2000))
    (tree / "unknown.txt").write_bytes(bytes(range(128, 256)) * 64)
    (tree / "script.txt").write_text(SCRIPT)
    (root / "locker").mkdir()
    image = build_ext4(tree, root / "locker" / "hostile.ext4", 32)
    case = root / "case.db"
    scan([image], case, ScanOptions(examiner=EXAMINER, exhibits=("H",)))
    return case


def _problems(case: Path) -> dict[str, list[str]]:
    connection = sqlite3.connect(case)
    rows = connection.execute("SELECT stage, message FROM problems ORDER BY problem_id")
    found: dict[str, list[str]] = {}
    for stage, message in rows:
        found.setdefault(message.split(":")[0], []).append(f"{stage}: {message}")
    connection.close()
    return found


def _status(case: Path, path: str) -> tuple[str | None, str | None]:
    connection = sqlite3.connect(case)
    row = connection.execute(
        "SELECT text_status, content_status FROM files WHERE path = ?", [path]
    ).fetchone()
    connection.close()
    return row


def test_zip_bomb_member_stops_at_the_ratio_limit_and_the_next_member_is_read(
    hostile_case: Path,
) -> None:
    problems = _problems(hostile_case)["/bomb.zip!/zeros.bin"]
    assert len(problems) == 1 and problems[0].startswith("extract: /bomb.zip!/zeros.bin: content")
    assert "ratio" in problems[0]
    assert _status(hostile_case, "/bomb.zip!/zeros.bin")[1] == "partial"
    assert _status(hostile_case, "/bomb.zip!/after-the-bomb.txt") == ("extracted", "ok")


def test_malformed_pdf_and_docx_and_undecodable_text_are_problem_rows(hostile_case: Path) -> None:
    problems = _problems(hostile_case)
    for path in ("/broken.pdf", "/broken.docx", "/unknown.txt"):
        assert len(problems[path]) == 1, problems
        assert problems[path][0].startswith(f"extract: {path}: ")
        assert _status(hostile_case, path) == ("error", "ok")
    assert "undecodable" in problems["/unknown.txt"][0]


def test_the_scan_goes_on_to_find_the_script_after_the_hostile_files(hostile_case: Path) -> None:
    connection = sqlite3.connect(hostile_case)
    kinds = {
        (path, kind)
        for path, kind in connection.execute(
            "SELECT f.path, g.kind FROM findings g JOIN files f USING (file_id)"
        )
    }
    connection.close()
    assert ("/script.txt", "call_script") in kinds
    assert ("/bomb.zip!/after-the-bomb.txt", "call_script") in kinds


def test_a_file_whose_extraction_overruns_its_time_gets_a_problem_row(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "script.txt").write_text(SCRIPT)
    (tmp_path / "locker").mkdir()
    image = build_ext4(tree, tmp_path / "locker" / "slow.ext4", 8)
    case = tmp_path / "case.db"
    limits = Limits(extract_seconds=0.000_001)
    summary = scan([image], case, ScanOptions(examiner=EXAMINER, limits=limits))
    assert summary.status == "partial"
    problems = _problems(case)["/script.txt"]
    assert problems == ["extract: /script.txt: extraction stopped after 1e-06 s (time limit)"]
    assert _status(case, "/script.txt") == ("error", "ok")


class OneChunkFileSystem:
    """A file system whose one file holds ``data``, counting the bytes handed out."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read_chunks(self, entry: FileEntry, chunk_size: int) -> Iterator[bytes]:
        for start in range(0, len(self.data), chunk_size):
            yield self.data[start : start + chunk_size]


def _entry(name: str, size: int) -> FileEntry:
    return FileEntry(
        locator=Locator("disk", 0, "7"), path=f"/{name}", name=name, name_raw=name.encode(),
        entry_type=EntryType.FILE, size=size, meta_addr=7, is_allocated=True,
    )  # fmt: skip


def test_an_empty_file_is_not_sent_for_extraction() -> None:
    result = read_content(OneChunkFileSystem(b""), _entry("empty.txt", 0), Context(),
                          extract_text=True)  # fmt: skip
    assert result.status == "ok" and result.document is None


def test_an_archive_over_the_limit_is_skipped_without_copying_it(monkeypatch) -> None:
    import catalog.content

    made: list[int] = []
    real_spool = catalog.content.Spool
    monkeypatch.setattr(
        catalog.content, "Spool", lambda cap, size: made.append(size) or real_spool(cap, size)
    )
    buffer = __import__("io").BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("payload.bin", os.urandom(300_000))
    data = buffer.getvalue()
    limits = Limits(text=TextLimits(max_input_bytes=100_000))
    result = read_content(OneChunkFileSystem(data), _entry("big.zip", len(data)),
                          Context(limits=limits), extract_text=True)  # fmt: skip
    assert made == []
    assert result.document is not None and result.document.status == "skipped"
    assert result.document.problems == (
        f"zip not opened: {len(data)} bytes exceeds the 100000 byte extraction limit",
    )
