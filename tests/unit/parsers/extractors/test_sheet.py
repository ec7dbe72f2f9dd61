from __future__ import annotations

import datetime
import io
import zipfile

import openpyxl
import pytest

from parsers.extractor import ExtractionError, TextLimits
from parsers.extractors._xlsx_parts import serial_to_iso
from parsers.extractors.sheet import XlsxExtractor, column_index

SHEET = XlsxExtractor()


def _workbook() -> bytes:
    workbook = openpyxl.Workbook()
    leads = workbook.active
    leads.title = "顧客"
    leads.append(["氏名", "電話番号", "年齢", "生年月日"])
    leads.append(["山田太郎", "090-1234-5678", 72, datetime.date(1952, 3, 4)])
    naive = datetime.datetime(1950, 1, 2, 10, 30)  # noqa: DTZ001 - Excel cells have no zone
    leads.append(["鈴木花子", "08022223333", None, naive])
    leads["F4"] = "far cell"
    prices = workbook.create_sheet("Prices")
    prices.append(["item", "price"])
    prices.append(["support plan", 299.99])
    prices.append([True, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _extract(data: bytes, limits: TextLimits | None = None):
    return SHEET.extract(io.BytesIO(data), len(data), limits or TextLimits())


def test_each_sheet_becomes_a_table_and_tab_separated_text() -> None:
    result = _extract(_workbook())
    assert result.kind == "xlsx"
    assert result.text == (
        "[顧客]\n"
        "氏名\t電話番号\t年齢\t生年月日\n"
        "山田太郎\t090-1234-5678\t72\t1952-03-04\n"
        "鈴木花子\t08022223333\t\t1950-01-02 10:30:00\n"
        "\t\t\t\t\tfar cell\n"
        "[Prices]\n"
        "item\tprice\n"
        "support plan\t299.99\n"
        "TRUE"
    )
    leads, prices = result.tables
    assert leads.name == "顧客"
    assert leads.header == ("氏名", "電話番号", "年齢", "生年月日")
    assert leads.rows == (
        ("山田太郎", "090-1234-5678", "72", "1952-03-04"),
        ("鈴木花子", "08022223333", "", "1950-01-02 10:30:00"),
        ("", "", "", "", "", "far cell"),
    )
    assert leads.row_count == 3
    assert prices.header == ("item", "price")
    assert not result.truncated


def test_rows_beyond_the_limit_are_counted_not_kept() -> None:
    result = _extract(_workbook(), TextLimits(max_table_rows=1))
    assert result.tables[0].rows == (("山田太郎", "090-1234-5678", "72", "1952-03-04"),)
    assert result.tables[0].row_count == 3
    assert result.truncated
    assert "far cell" in result.text


def _package(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


S_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R_NS = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
RELS = (
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
WORKBOOK = (
    b"<workbook "
    + S_NS
    + b" "
    + R_NS
    + b'><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)


def test_shared_strings_skip_phonetic_guides_and_inline_strings_are_read() -> None:
    shared = (
        b"<sst "
        + S_NS
        + "><si><t>山田</t><rPh sb='0' eb='2'><t>ヤマダ</t></rPh></si>".encode()
        + b"<si><r><t>rich </t></r><r><t>text</t></r></si></sst>"
    )
    sheet = (
        b"<worksheet " + S_NS + b'><sheetData><row r="1">'
        b'<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        b'<c r="C1" t="inlineStr"><is><t>inline</t></is></c><c r="D1" t="s"><v>99</v></c>'
        b"</row></sheetData></worksheet>"
    )
    data = _package(
        {
            "xl/workbook.xml": WORKBOOK,
            "xl/_rels/workbook.xml.rels": RELS,
            "xl/sharedStrings.xml": shared,
            "xl/worksheets/sheet1.xml": sheet,
        }
    )
    assert _extract(data).text == "[S]\n山田\trich text\tinline"


def test_hostile_column_reference_does_not_allocate_a_huge_row() -> None:
    sheet = (
        b"<worksheet " + S_NS + b'><sheetData><row><c r="A1" t="str"><v>a</v></c>'
        b'<c r="XFD1" t="str"><v>far</v></c></row></sheetData></worksheet>'
    )
    data = _package(
        {
            "xl/workbook.xml": WORKBOOK,
            "xl/_rels/workbook.xml.rels": RELS,
            "xl/worksheets/sheet1.xml": sheet,
        }
    )
    result = _extract(data)
    assert result.text == "[S]\na"
    assert result.truncated


def test_entity_declaration_in_shared_strings_is_refused() -> None:
    shared = b'<!DOCTYPE sst [<!ENTITY a "aaaa">]><sst ' + S_NS + b"><si><t>&a;</t></si></sst>"
    data = _package(
        {
            "xl/workbook.xml": WORKBOOK,
            "xl/_rels/workbook.xml.rels": RELS,
            "xl/sharedStrings.xml": shared,
        }
    )
    with pytest.raises(ExtractionError, match="refused"):
        _extract(data)


def test_not_a_workbook_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError, match=r"xl/workbook\.xml missing"):
        _extract(_package({"word/document.xml": b"<x/>"}))
    with pytest.raises(ExtractionError, match="not a readable ZIP"):
        _extract(b"garbage" * 100)


def test_column_index_and_serial_dates() -> None:
    assert column_index("A1") == 0
    assert column_index("AB12") == 27
    assert column_index("12") is None
    assert serial_to_iso("45474", date1904=False) == "2024-07-01"
    assert serial_to_iso("45474.5", date1904=False) == "2024-07-01 12:00:00"
    assert serial_to_iso("0", date1904=True) == "1904-01-01"
    assert serial_to_iso("abc", date1904=False) == "abc"
    assert serial_to_iso("-5", date1904=False) == "-5"


def test_full_text_and_rows_stop_reading_and_dimension_gives_the_count() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "big"
    sheet.append(["name", "phone"])
    for i in range(3000):
        sheet.append([f"person {i}", f"090-{i:08d}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    result = _extract(data, TextLimits(max_text_chars=100, max_table_rows=5))
    (table,) = result.tables
    assert table.header == ("name", "phone")
    assert len(table.rows) == 5
    assert table.row_count == 3000
    assert result.truncated
