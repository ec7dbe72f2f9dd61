from __future__ import annotations

import io
import os
import re

import pypdf
import pytest

from parsers.extractor import ExtractionError, TextLimits
from parsers.extractors.pdf import PdfExtractor
from tests.unit.parsers.extractors._pdf_fixtures import cid_pdf, helvetica_pdf, looping_pages_pdf

PDF = PdfExtractor()


def _extract(data: bytes, limits: TextLimits | None = None):
    return PDF.extract(io.BytesIO(data), len(data), limits or TextLimits())


def test_helvetica_page_text_is_extracted() -> None:
    result = _extract(helvetica_pdf(["Microsoft Support", "Call +1 (888) 555-0199 now!"]))
    assert result.kind == "pdf"
    assert result.text == "Microsoft Support\nCall +1 (888) 555-0199 now!"
    assert result.warnings == ()
    assert not result.truncated


def test_japanese_cid_font_is_mapped_through_to_unicode() -> None:
    result = _extract(cid_pdf("マイクロソフト サポート 電話 03-1234-5678"))
    assert result.text == "マイクロソフト サポート 電話 03-1234-5678"


def test_text_is_capped_at_the_limit() -> None:
    result = _extract(helvetica_pdf(["x" * 200, "y" * 200]), TextLimits(max_text_chars=50))
    assert result.text == "x" * 50
    assert result.truncated


def test_repaired_startxref_is_read_with_library_warnings() -> None:
    data = re.sub(rb"startxref\n\d+", b"startxref\n99999", helvetica_pdf(["repaired"]))
    result = _extract(data)
    assert result.text == "repaired"
    assert any(w.startswith("pypdf: ") for w in result.warnings)


def test_truncated_pdf_raises_extraction_error() -> None:
    data = helvetica_pdf(["some text"])
    with pytest.raises(ExtractionError, match=r"^pdf: unreadable"):
        _extract(data[: len(data) // 2])


def test_garbage_xref_raises_extraction_error() -> None:
    data = re.sub(
        rb"xref\n.*?trailer",
        b"xref\n0 3\ngarbage garbage\ntrailer",
        helvetica_pdf(["x"]),
        flags=re.S,
    )
    with pytest.raises(ExtractionError, match=r"^pdf: unreadable"):
        _extract(data)


def test_page_tree_loop_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="cyclic"):
        _extract(looping_pages_pdf())


def test_random_bytes_raise_extraction_error() -> None:
    with pytest.raises(ExtractionError):
        _extract(b"%PDF-1.7\n" + os.urandom(20_000))


def test_encrypted_pdf_raises_extraction_error() -> None:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(helvetica_pdf(["secret"]))))
    writer.encrypt("hunter2", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ExtractionError, match="encrypted"):
        _extract(buffer.getvalue())


def test_file_over_the_input_limit_is_refused() -> None:
    data = helvetica_pdf(["x"])
    with pytest.raises(ExtractionError, match="byte extraction limit"):
        _extract(data, TextLimits(max_input_bytes=100))


def test_applies_to_pdf_names_types_and_heads() -> None:
    assert PDF.applies_to("a.PDF", None, b"")
    assert PDF.applies_to("x", "application/pdf", b"")
    assert PDF.applies_to("renamed.txt", "text/plain", b"%PDF-1.4\n")
    assert not PDF.applies_to("a.txt", "text/plain", b"hello")
