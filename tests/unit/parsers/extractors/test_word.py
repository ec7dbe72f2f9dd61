from __future__ import annotations

import io
import zipfile

import docx
import pytest

from parsers.extractor import ExtractionError, Table, TextLimits
from parsers.extractors.word import DocxExtractor

WORD = DocxExtractor()


def _docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("マイクロソフトサポートです。")
    paragraph = document.add_paragraph("Call ")
    paragraph.add_run("+1-888-555-0199").bold = True
    paragraph.add_run(" now.")
    table = document.add_table(rows=3, cols=2)
    rows = [("氏名", "電話番号"), ("山田太郎", "090-1234-5678"), ("鈴木花子", "080-2222-3333")]
    for r, (name, phone) in enumerate(rows):
        table.cell(r, 0).text = name
        table.cell(r, 1).text = phone
    document.add_paragraph("End of script")
    document.sections[0].header.paragraphs[0].text = "Confidential"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _extract(data: bytes, limits: TextLimits | None = None):
    return WORD.extract(io.BytesIO(data), len(data), limits or TextLimits())


def test_paragraphs_tables_and_headers_become_lines() -> None:
    result = _extract(_docx())
    assert result.kind == "docx"
    assert result.text == (
        "マイクロソフトサポートです。\n"
        "Call +1-888-555-0199 now.\n"
        "氏名\t電話番号\n"
        "山田太郎\t090-1234-5678\n"
        "鈴木花子\t080-2222-3333\n"
        "End of script\n"
        "\n"
        "Confidential"
    )
    assert result.tables == (
        Table(
            name="",
            header=("氏名", "電話番号"),
            rows=(("山田太郎", "090-1234-5678"), ("鈴木花子", "080-2222-3333")),
            row_count=2,
        ),
    )
    assert not result.truncated


def _package(document_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


W_NS = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_tabs_breaks_and_deleted_text_are_handled() -> None:
    xml = (
        b"<w:document " + W_NS + b"><w:body><w:p><w:r><w:t>A</w:t><w:tab/><w:t>B</w:t>"
        b"<w:br/><w:t>C</w:t></w:r><w:del><w:r><w:delText>gone</w:delText></w:r></w:del></w:p>"
        b"</w:body></w:document>"
    )
    assert _extract(_package(xml)).text == "A\tB\nC"


def test_comments_and_footnotes_are_read() -> None:
    xml = (
        b"<w:document "
        + W_NS
        + b"><w:body><w:p><w:r><w:t>Body</w:t></w:r></w:p></w:body></w:document>"
    )
    comments = (
        b"<w:comments "
        + W_NS
        + b"><w:comment><w:p><w:r><w:t>call back 9am</w:t></w:r></w:p></w:comment></w:comments>"
    )
    result = _extract(_package(xml, {"word/comments.xml": comments}))
    assert result.text == "Body\n\ncall back 9am"


def test_bad_zip_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="not a readable ZIP package"):
        _extract(b"PK\x03\x04 this is not really a zip file at all")


def test_missing_document_part_raises_extraction_error() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ExtractionError, match=r"word/document\.xml missing"):
        _extract(buffer.getvalue())


def test_entity_bomb_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>'
        b"<w:document "
        + W_NS
        + b"><w:body><w:p><w:r><w:t>&e;&e;&e;&e;</w:t></w:r></w:p></w:body></w:document>"
    )
    with pytest.raises(ExtractionError, match="DOCTYPE/ENTITY declaration refused"):
        _extract(_package(bomb))


def test_external_entity_is_refused() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<w:document "
        + W_NS
        + b"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    )
    with pytest.raises(ExtractionError, match="refused"):
        _extract(_package(xxe))


def test_malformed_xml_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="malformed XML"):
        _extract(_package(b"<w:document " + W_NS + b"><w:body><w:p></w:body>"))


def test_part_over_the_byte_budget_is_cut_and_marked_truncated() -> None:
    paragraphs = b"".join(b"<w:p><w:r><w:t>line %d</w:t></w:r></w:p>" % i for i in range(5000))
    xml = b"<w:document " + W_NS + b"><w:body>" + paragraphs + b"</w:body></w:document>"
    data = _package(xml)
    result = _extract(data, TextLimits(max_input_bytes=max(len(data), 20_000)))
    assert result.truncated
    assert result.text.startswith("line 0\nline 1\n")


def test_applies_to_word_names() -> None:
    assert WORD.applies_to("script.docx", None, b"PK")
    assert WORD.applies_to("macro.docm", None, b"PK")
    assert not WORD.applies_to("book.xlsx", None, b"PK")
