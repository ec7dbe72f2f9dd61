from __future__ import annotations

import io
import random

import pytest

from parsers.extractor import Extraction, ExtractionError, TextLimits
from parsers.extractors import BUILTIN_EXTRACTORS, choose_extractor


def test_extractors_have_unique_names_versions_and_descriptions() -> None:
    names = [extractor.name for extractor in BUILTIN_EXTRACTORS]
    assert len(names) == len(set(names))
    for extractor in BUILTIN_EXTRACTORS:
        assert extractor.name == extractor.name.lower()
        assert isinstance(extractor.version, int) and extractor.version >= 1
        assert extractor.description and "\n" not in extractor.description
        assert extractor.emits in (("text",), ("text", "table"))
        assert type(extractor).__doc__


def test_plain_text_is_tried_last() -> None:
    assert BUILTIN_EXTRACTORS[-1].name == "plain"


@pytest.mark.parametrize(
    ("name", "mime", "head", "expected"),
    [
        ("notes.txt", "text/plain", b"hello", "plain"),
        ("run.bat", "text/x-msdos-batch", b"@echo off", "plain"),
        ("config", None, b"server=10.0.0.5\n", "plain"),
        ("popup.html", "text/html", b"<html>", "html"),
        ("alert.hta", None, b"<html>", "html"),
        ("saved.mht", "message/rfc822", b"From: <Saved by Windows Internet Explorer 8>", "mht"),
        ("mail.eml", "message/rfc822", b"From: a@b", "eml"),
        ("script.docx", "application/zip", b"PK\x03\x04", "docx"),
        ("leads.xlsx", "application/zip", b"PK\x03\x04", "xlsx"),
        ("leads.xls", "application/vnd.ms-excel", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy"),
        ("invoice.pdf", "application/pdf", b"%PDF-1.4", "pdf"),
        ("invoice.txt", "text/plain", b"%PDF-1.4", "pdf"),
        ("letter.rtf", "text/rtf", b"{\\rtf1", "rtf"),
        ("letter.doc", "text/rtf", b"{\\rtf1", "rtf"),
        ("leads.csv", "text/csv", b"name,phone", "csv"),
        ("contacts.vcf", "text/vcard", b"BEGIN:VCARD", "vcard"),
        ("History", "application/vnd.sqlite3", b"SQLite format 3\x00", "sqlite"),
        ("prefs.json", "application/json", b"{}", "json"),
        ("service.conf", "text/xml", b"<?xml", "xml"),
        ("Info.plist", "application/octet-stream", b"bplist00", "bplist"),
        ("logo.svg", "image/svg+xml", b"<svg", "xml"),
    ],
)
def test_choose_extractor_picks_the_specific_reader(
    name: str, mime: str | None, head: bytes, expected: str
) -> None:
    chosen = choose_extractor(name, mime, head)
    assert chosen is not None
    assert chosen.name == expected


@pytest.mark.parametrize(
    ("name", "mime", "head"),
    [
        ("photo.jpg", "image/jpeg", b"\xff\xd8\xff\xe0"),
        ("notes.txt", "image/png", b"\x89PNG\r\n\x1a\n"),
        ("tool.exe", "application/x-dosexec", b"MZ\x90\x00"),
        ("clip.mp4", "video/mp4", b"\x00\x00\x00\x18ftypmp42"),
        ("song.mp3", "audio/mpeg", b"ID3"),
        ("Thumbs.db", "application/CDFV2", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        ("blob", "application/octet-stream", b"\x00\x01\x02\x03"),
        ("archive.zip", "application/zip", b"PK\x03\x04"),
    ],
)
def test_choose_extractor_returns_none_without_text(
    name: str, mime: str | None, head: bytes
) -> None:
    assert choose_extractor(name, mime, head) is None


_RANDOM = random.Random(20240701).randbytes(8192)
HOSTILE = [
    b"",
    _RANDOM,
    b"PK\x03\x04" + _RANDOM,
    b"%PDF-1.7\n" + _RANDOM,
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + _RANDOM,
    b"SQLite format 3\x00" + _RANDOM,
    b"{\\rtf1" + _RANDOM,
    b"bplist00" + _RANDOM,
    b"\xff\xfe" + _RANDOM[:999],
    b"<html><script>var a = '" + _RANDOM,
]


@pytest.mark.parametrize("extractor", BUILTIN_EXTRACTORS, ids=lambda e: e.name)
def test_hostile_bytes_give_an_extraction_or_extraction_error(extractor) -> None:
    for data in HOSTILE:
        try:
            result = extractor.extract(io.BytesIO(data), len(data), TextLimits())
        except ExtractionError as exc:
            assert "\n" not in str(exc)
        else:
            assert isinstance(result, Extraction)
            assert result.kind == extractor.name
            assert "\x00" not in result.text
