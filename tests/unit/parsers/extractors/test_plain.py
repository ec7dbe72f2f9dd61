from __future__ import annotations

import io
import os

import pytest

from parsers.extractor import ExtractionError, TextLimits
from parsers.extractors.encoding import ByteOffsets
from parsers.extractors.plain import PlainTextExtractor

PLAIN = PlainTextExtractor()


def _extract(data: bytes, limits: TextLimits | None = None, size: int | None = None):
    return PLAIN.extract(
        io.BytesIO(data), len(data) if size is None else size, limits or TextLimits()
    )


def test_shift_jis_call_script_is_decoded_with_file_offsets() -> None:
    text = "マイクロソフトサポートです。\r\n折り返しは03-1234-5678まで。\r\n"
    data = text.encode("shift_jis")
    result = _extract(data)
    assert result.kind == "plain"
    assert result.encoding == "shift_jis"
    assert result.offset_basis == "file"
    assert result.text == "マイクロソフトサポートです。 \n折り返しは03-1234-5678まで。 \n"
    index = result.text.index("03-1234")
    assert ByteOffsets(result.text, "shift_jis").byte_offset(index) == data.index(b"03-1234")


def test_control_characters_are_blanked_without_moving_offsets() -> None:
    data = b"ab\x00\x07cd\rX\x7fY\n"
    result = _extract(data)
    assert result.text == "ab  cd\nX Y\n"
    assert len(result.text) == len(data)


def test_bom_is_reported_and_excluded_from_text() -> None:
    result = _extract(b"\xef\xbb\xbfhello")
    assert (result.text, result.bom_length) == ("hello", 3)


def test_huge_text_is_capped_and_marked_truncated() -> None:
    data = b"0123456789\n" * 100_000
    result = _extract(data, TextLimits(max_text_chars=1000))
    assert len(result.text) == 1000
    assert result.truncated


def test_input_cut_by_the_pipeline_is_marked_truncated() -> None:
    data = b"abc def\n" * 10
    result = _extract(data, TextLimits(max_input_bytes=16), size=len(data))
    assert result.text == "abc def\nabc def\n"
    assert result.truncated


def test_random_bytes_raise_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="undecodable"):
        _extract(os.urandom(8192))


@pytest.mark.parametrize(
    ("name", "mime", "head", "applies"),
    [
        ("notes.txt", None, b"", True),
        ("run.ps1", "application/octet-stream", b"", True),
        ("README", "text/plain", b"hello", True),
        ("script", "text/x-shellscript", b"#!/bin/sh", True),
        ("unknown", None, b"plain words here\n", True),
        ("unknown", None, b"\x00\x01\x02binary", False),
        ("photo.jpg", "image/jpeg", b"\xff\xd8\xff", False),
        ("tool.exe", "application/x-dosexec", b"MZ", False),
    ],
)
def test_applies_to_text_names_and_types(
    name: str, mime: str | None, head: bytes, applies: bool
) -> None:
    assert PLAIN.applies_to(name, mime, head) is applies
