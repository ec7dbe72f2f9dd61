from __future__ import annotations

import io

import pytest

from parsers.extractor import ExtractionError, TextLimits
from parsers.extractors.rtf import MAX_DEPTH, RtfExtractor

RTF = RtfExtractor()


def _text(data: bytes, limits: TextLimits | None = None) -> str:
    return RTF.extract(io.BytesIO(data), len(data), limits or TextLimits()).text


def test_shift_jis_escapes_with_ansicpg932_decode() -> None:
    data = (
        rb"{\rtf1\ansi\ansicpg932\deff0"
        rb"{\fonttbl{\f0\fnil\fcharset128 \'82\'6c\'82\'72 \'96\'be\'92\'a9;}}"
        rb"{\colortbl ;\red255\green0\blue0;}{\*\generator Riched20 10.0;}"
        rb"\pard\f0\fs22\'93\'fa\'96\'7b\'8c\'ea\'83\'65\'83\'58\'83\'67 \'83A\par"
        rb"}"
    )
    assert _text(data) == "日本語テスト ア"


def test_font_charset_selects_the_code_page_in_a_western_document() -> None:
    data = (
        rb"{\rtf1\ansi\ansicpg1252"
        rb"{\fonttbl{\f0\fswiss\fcharset0 Arial;}{\f1\fnil\fcharset128 MS Gothic;}}"
        rb"\f0 Caf\'e9 \f1\'93\'64\'98\'62\f0  \ldblquote ok\rdblquote\par}"
    )
    assert _text(data) == "Caf\u00e9 電話 \u201cok\u201d"


def test_unicode_escapes_skip_their_fallback_characters() -> None:
    data = rb"{\rtf1\ansi\uc1\u12510?\u12452?{\uc2\u12463\'81\'48}\u-10179?\u-8704? end\par}"
    assert _text(data) == "マイク\U0001f600 end"


def test_fields_pictures_and_ignorable_destinations_are_skipped() -> None:
    data = (
        rb"{\rtf1\ansi{\field{\*\fldinst{HYPERLINK "
        rb'"http://evil.example"}}{\fldrslt{link text}}}\par'
        rb"{\pict\wmetafile8 0102030405}{\*\shppict hidden}"
        rb"cell1\cell cell2\cell\row "
        rb"Escaped \{ braces \} and \\ backslash\line tab\tab end\par}"
    )
    assert _text(data) == "link text\ncell1\tcell2\nEscaped { braces } and \\ backslash\ntab\tend"


def test_binary_data_is_skipped_by_length() -> None:
    data = rb"{\rtf1 before {\*\blipuid x}\bin5 {}\\x after\par}"
    assert _text(data) == "before after"


def test_not_rtf_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError, match=r"no \{\\rtf header"):
        _text(b"plain text pretending")


def test_deep_nesting_raises_extraction_error() -> None:
    data = b"{\\rtf1 " + b"{" * (MAX_DEPTH + 5) + b"x" + b"}" * (MAX_DEPTH + 5) + b"}"
    with pytest.raises(ExtractionError, match="nested deeper"):
        _text(data)


def test_long_document_is_capped() -> None:
    data = b"{\\rtf1 " + b"word " * 10_000 + b"}"
    result = RTF.extract(io.BytesIO(data), len(data), TextLimits(max_text_chars=100))
    assert len(result.text) <= 100
    assert result.truncated


def test_applies_to_rtf_names_and_heads() -> None:
    assert RTF.applies_to("letter.rtf", None, b"")
    assert RTF.applies_to("letter.doc", "text/rtf", b"{\\rtf1")
    assert RTF.applies_to("noname", None, b"{\\rtf1\\ansi")
    assert not RTF.applies_to("a.txt", "text/plain", b"hello")
