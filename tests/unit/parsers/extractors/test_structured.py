from __future__ import annotations

import datetime
import io
import plistlib

import pytest

from parsers.extractor import ExtractionError, TextLimits
from parsers.extractors.structured import BinaryPlistExtractor, JsonExtractor, XmlExtractor


def test_json_text_is_the_decoded_source() -> None:
    data = '{"anydesk_id": "123 456 789", "名前": "山田"}'.encode()
    result = JsonExtractor().extract(io.BytesIO(data), len(data), TextLimits())
    assert (result.kind, result.text, result.offset_basis) == ("json", data.decode(), "file")


def test_xml_entity_bomb_is_kept_as_text_never_expanded() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;&b;&b;</l>'
    )
    result = XmlExtractor().extract(io.BytesIO(data), len(data), TextLimits())
    assert result.text == data.decode()


def test_xml_declaration_charset_is_honoured() -> None:
    text = '<?xml version="1.0" encoding="Shift_JIS"?><config><name>電話</name></config>'
    data = text.encode("shift_jis")
    result = XmlExtractor().extract(io.BytesIO(data), len(data), TextLimits())
    assert (result.text, result.encoding) == (text, "shift_jis")


def test_binary_plist_values_become_key_value_lines() -> None:
    value = {
        "Label": "com.example.support",
        "Servers": ["sip.example.net", "10.0.0.5"],
        "Port": 5060,
        "Created": datetime.datetime(2024, 7, 1, 10, 0, 0),  # noqa: DTZ001 - plists are naive
        "Nested": {"Phone": "+81 3 1234 5678"},
        "Blob": b"\x00\x01",
    }
    data = plistlib.dumps(value, fmt=plistlib.FMT_BINARY)
    extractor = BinaryPlistExtractor()
    assert extractor.applies_to("x.plist", None, data[:16])
    assert not XmlExtractor().applies_to("x.plist", None, data[:16])
    result = extractor.extract(io.BytesIO(data), len(data), TextLimits())
    assert result.text == (
        "Created: 2024-07-01 10:00:00\n"
        "Label: com.example.support\n"
        "Phone: +81 3 1234 5678\n"
        "Port: 5060\n"
        "Servers: sip.example.net\n"
        "Servers: 10.0.0.5"
    )


def test_malformed_binary_plist_raises_extraction_error() -> None:
    data = b"bplist00" + b"\xff" * 40
    with pytest.raises(ExtractionError, match="bplist: malformed"):
        BinaryPlistExtractor().extract(io.BytesIO(data), len(data), TextLimits())


def test_applies_to_json_and_xml_names_and_types() -> None:
    assert JsonExtractor().applies_to("prefs.json", None, b"")
    assert JsonExtractor().applies_to("x", "application/json", b"")
    assert XmlExtractor().applies_to("feed", "text/xml", b"")
    assert XmlExtractor().applies_to("logo.svg", "image/svg+xml", b"")
    assert not XmlExtractor().applies_to("a.txt", "text/plain", b"")
