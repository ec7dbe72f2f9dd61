from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import example, given
from hypothesis import strategies as st

from catalog.exports.dfxml import xml_text

_ESCAPE = re.compile(r"\\x([0-9a-f]{2})|\\u([0-9a-f]{4})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()))


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


@given(_any_text)
@example("\x00\x08\x0b\x0c\x0e\x1f")
@example("\x1b[2J\x1b[31mred_alert.txt")
@example("\ufffe\uffff\ud800\udfff")
@example("a&b<c>d\"e'f]]>")
@example("line\nbreak\r\ttab")
def test_any_text_becomes_well_formed_element_content(text: str) -> None:
    element = ET.fromstring(f"<a>{xml_text(text)}</a>".encode())
    parsed = element.text or ""
    assert not _CONTROL.search(parsed)
    if "\\" not in text:
        assert _unescape(parsed) == text


def test_plain_names_are_unchanged() -> None:
    assert xml_text("通話スクリプト.txt") == "通話スクリプト.txt"
    assert xml_text('=HYPERLINK("x").txt') == '=HYPERLINK("x").txt'
