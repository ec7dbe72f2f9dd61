from __future__ import annotations

import io
import quopri

from parsers.extractor import TextLimits
from parsers.extractors.vcard import HEADER, VcardExtractor

VCARD = VcardExtractor()


def _qp(text: str, charset: str) -> str:
    return quopri.encodestring(text.encode(charset)).decode("ascii").replace("\n", "\r\n")


def _cards() -> bytes:
    note = _qp("長い備考です。" * 8, "utf-8")
    return (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        f"N;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:{_qp('山田;太郎;;;', 'shift_jis')}\r\n"
        "TEL;CELL:090-1234-5678\r\nTEL;HOME:03-1111-2222\r\nEMAIL;INTERNET:taro@example.jp\r\n"
        f"NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{note}\r\n"
        "END:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:John\r\n  Smith\r\nN:Smith;John;;;\r\n"
        "item1.ADR;TYPE=home:;;1 Main St\\, Apt 2;Springfield;IL;62701;USA\r\n"
        "BDAY:1950-01-02\r\nORG:Acme;Sales\r\nEND:VCARD\r\n"
    ).encode("ascii")


def test_each_card_becomes_a_row_with_decoded_quoted_printable() -> None:
    data = _cards()
    result = VCARD.extract(io.BytesIO(data), len(data), TextLimits())
    assert result.kind == "vcard"
    assert result.offset_basis == "file"
    assert result.text == data.decode("ascii").replace("\r\n", " \n")
    (table,) = result.tables
    assert table.header == HEADER
    assert table.rows == (
        (
            "山田 太郎",
            "090-1234-5678; 03-1111-2222",
            "taro@example.jp",
            "",
            "",
            "",
            "長い備考です。" * 8,
        ),
        (
            "John Smith",
            "",
            "",
            "1 Main St, Apt 2 Springfield IL 62701 USA",
            "1950-01-02",
            "Acme Sales",
            "",
        ),
    )
    assert table.row_count == 2


def test_utf8_vcard_4_with_escaped_newlines() -> None:
    data = (
        "BEGIN:VCARD\nVERSION:4.0\nFN:佐藤 一郎\nTEL;VALUE=uri:tel:+81-3-1234-5678\n"
        "NOTE:line1\\nline2\nEND:VCARD\n"
    ).encode()
    (table,) = VCARD.extract(io.BytesIO(data), len(data), TextLimits()).tables
    assert table.rows == (("佐藤 一郎", "tel:+81-3-1234-5678", "", "", "", "", "line1 line2"),)


def test_applies_to_vcard_names_types_and_heads() -> None:
    assert VCARD.applies_to("contacts.VCF", None, b"")
    assert VCARD.applies_to("x", "text/x-vcard", b"")
    assert VCARD.applies_to("export.txt", "text/plain", b"\xef\xbb\xbfBEGIN:VCARD\r\n")
    assert not VCARD.applies_to("notes.txt", "text/plain", b"hello")
