# ruff: noqa: RUF001 - Japanese test text uses full-width punctuation on purpose
from __future__ import annotations

import io

from parsers.extractor import TextLimits
from parsers.extractors.encoding import ByteOffsets
from parsers.extractors.markup import SCRIPT_SEPARATOR
from parsers.extractors.web import HtmlExtractor

HTML = HtmlExtractor()

POPUP = """<!DOCTYPE html>
<html><head><meta charset="Shift_JIS"><title>Windows セキュリティ警告</title>
<script>
window.onbeforeunload = function () { return "leave?"; };
var tel = "0120-" + "123-" + "456";
</script></head>
<body oncontextmenu="return false">
<h1>ウイルスに感染しています</h1>
<p>今すぐサポートに電話してください：<span id="tel"></span></p>
</body></html>
"""


def _extract(data: bytes):
    return HTML.extract(io.BytesIO(data), len(data), TextLimits())


def test_popup_page_keeps_markup_visible_text_and_js_number() -> None:
    data = POPUP.encode("shift_jis")
    result = _extract(data)
    assert result.kind == "html"
    assert result.encoding == "shift_jis"
    assert result.offset_basis == "file"
    assert result.markup is not None
    assert "onbeforeunload" in result.markup
    assert result.text == (
        "Windows セキュリティ警告\nウイルスに感染しています\n今すぐサポートに電話してください：\n\n"
        f"{SCRIPT_SEPARATOR}\nleave?\n0120-123-456"
    )
    index = result.markup.index("oncontextmenu")
    assert ByteOffsets(result.markup, "shift_jis").byte_offset(index) == data.index(
        b"oncontextmenu"
    )


def test_meta_charset_is_honoured_for_ambiguous_bytes() -> None:
    data = '<meta charset="windows-1252"><p>Caf\u00e9 \u201cdeal\u201d</p>'.encode("cp1252")
    result = _extract(data)
    assert result.encoding == "cp1252"
    assert result.text == "Caf\u00e9 \u201cdeal\u201d"


def test_applies_to_html_names_and_hta() -> None:
    assert HTML.applies_to("index.HTM", None, b"")
    assert HTML.applies_to("support.hta", None, b"")
    assert HTML.applies_to("page", "text/html; charset=utf-8", b"")
    assert not HTML.applies_to("notes.txt", "text/plain", b"")
