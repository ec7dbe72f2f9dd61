from __future__ import annotations

import io

from parsers.extractor import TextLimits
from parsers.extractors.legacy import OLE_MAGIC, LegacyOfficeExtractor, strings
from tests.unit.parsers.extractors._ole_fixtures import ole_file

LEGACY = LegacyOfficeExtractor()

STREAM = (
    b"\x01\x02\x03\x04"
    + "マイクロソフトサポート".encode("utf-16-le")
    + b"\x00\x00\x07\x08"
    + b"Call +1 888 555 0199\x00\x01"
    + "Remote ID 123 456 789".encode("utf-16-le")
    + b"\x00\x00\x9a\xfe\x01"
    + b"ab\x00"
)


def test_ascii_and_utf16_runs_are_found_in_order() -> None:
    assert strings(STREAM) == [
        "マイクロソフトサポート",
        "Call +1 888 555 0199",
        "Remote ID 123 456 789",
    ]


def test_kana_bytes_inside_utf16_are_not_reported_as_ascii() -> None:
    data = "あいうえおかきくけこ".encode("utf-16-le")
    assert strings(data) == ["あいうえおかきくけこ"]


def test_word_document_stream_strings_are_extracted() -> None:
    data = ole_file("WordDocument", STREAM)
    assert data.startswith(OLE_MAGIC)
    result = LEGACY.extract(io.BytesIO(data), len(data), TextLimits())
    assert result.kind == "legacy"
    assert result.offset_basis == "text"
    assert result.text == "マイクロソフトサポート\nCall +1 888 555 0199\nRemote ID 123 456 789"
    assert result.warnings == ()


def test_unreadable_ole_directory_falls_back_to_raw_bytes() -> None:
    data = OLE_MAGIC + b"\x00" * 100 + b"Visible string here" + b"\x00" * 100
    result = LEGACY.extract(io.BytesIO(data), len(data), TextLimits())
    assert result.text == "Visible string here"
    assert result.warnings[0].startswith("OLE directory unreadable")


def test_applies_to_office_names_with_the_ole_header_only() -> None:
    assert LEGACY.applies_to("script.doc", None, OLE_MAGIC)
    assert LEGACY.applies_to("x", "application/vnd.ms-excel", OLE_MAGIC)
    assert not LEGACY.applies_to("Thumbs.db", None, OLE_MAGIC)
    assert not LEGACY.applies_to("script.doc", None, b"{\\rtf1")
