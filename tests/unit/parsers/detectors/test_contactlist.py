# ruff: noqa: E501 - held-out texts keep their natural line length
from __future__ import annotations

import pytest

from parsers.detectors.contactlist import ContactListDetector, tables_from_text
from parsers.extractor import Extraction, Table
from tests.unit.parsers.detectors.fixture_docs import DOCS, extraction

DETECTOR = ContactListDetector()
TEXT_FORMATS = {"csv", "tsv", "txt", "vcf", "json"}


def detect_text(text: str) -> list:
    return DETECTOR.detect(Extraction(kind="plain", text=text))


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_fixture_tables_are_reported_exactly_when_labelled_a_contact_list(doc) -> None:
    found = DETECTOR.detect(extraction(doc))
    assert bool(found) == ("contact_list" in doc.categories), [f.rules for f in found]


@pytest.mark.parametrize("doc", [d for d in DOCS if d.fmt in TEXT_FORMATS], ids=lambda d: d.name)
def test_fixture_text_without_tables_gives_the_same_answer(doc) -> None:
    with_tables = DETECTOR.detect(extraction(doc))
    text_only = DETECTOR.detect(extraction(doc, with_tables=False))
    assert [f.value for f in text_only] == [f.value for f in with_tables]


def test_value_is_the_number_of_people_rows_and_rules_name_the_columns() -> None:
    doc = next(d for d in DOCS if d.name == "leads_tokyo_0301.csv")
    (finding,) = DETECTOR.detect(extraction(doc))
    assert finding.value == finding.normalized == "25"
    assert {"column:name", "column:phone", "column:age", "column:prefecture"} <= set(finding.rules)
    assert 0.5 <= finding.score <= 1.0


def test_family_address_book_is_reported_but_marked_personal_with_a_lower_score() -> None:
    book = next(d for d in DOCS if d.name == "住所録.csv")
    leads = next(d for d in DOCS if d.name == "leads_tokyo_0301.csv")
    (personal,) = DETECTOR.detect(extraction(book))
    (lead,) = DETECTOR.detect(extraction(leads))
    assert "shape:personal" in personal.rules
    assert personal.score < lead.score


# Held-out tables: written after the rules.
HEADERLESS_JA = "\n".join(
    f"{name},{age},0{lead}0-{1200 + i}-{3400 + i},{pref}"
    for i, (name, age, lead, pref) in enumerate(
        [("斎藤 和夫", 77, 9, "茨城県"), ("長谷川 澄子", 81, 8, "栃木県"), ("村上 昭", 69, 9, "群馬県"),
         ("近藤 孝子", 74, 7, "長野県"), ("坂本 豊", 83, 9, "岐阜県"), ("遠藤 静江", 79, 8, "三重県")]
    )
)  # fmt: skip
MARKDOWN_US = """| Name | Phone | Age | State |
|---|---|---|---|
| Eleanor Price | (503) 555-0131 | 78 | OR |
| George Fisher | (503) 555-0162 | 81 | OR |
| Alice Moreno | (702) 555-0119 | 72 | NV |
| Howard Bell | (702) 555-0175 | 69 | NV |
| Irene Cole | (801) 555-0148 | 84 | UT |
"""


def test_headerless_rows_are_classified_by_their_cells() -> None:
    (finding,) = detect_text(HEADERLESS_JA)
    assert finding.value == "6"
    assert {"column:name", "column:phone", "column:age", "column:prefecture"} <= set(finding.rules)


def test_markdown_table_of_people_is_a_contact_list() -> None:
    (finding,) = detect_text(MARKDOWN_US)
    assert finding.value == "5"


DIRECTORY = """Department,Extension,Direct line,Floor
Front Desk Office,100,03-5555-0100,1
Restaurant Store,210,03-5555-0210,2
Spa Office,305,03-5555-0305,3
Business Center Office,410,03-5555-0410,4
Concierge Office,120,03-5555-0120,1
Housekeeping Department,500,03-5555-0500,B1
"""
ORDERS = """order_id,date,sku,qty,unit_price,total
A-1001,2024-02-01,SKU-1007,2,19.99,39.98
A-1002,2024-02-01,SKU-1021,1,89.00,89.00
A-1003,2024-02-02,SKU-1014,5,4.50,22.50
A-1004,2024-02-02,SKU-1007,1,19.99,19.99
A-1005,2024-02-03,SKU-1035,3,12.00,36.00
A-1006,2024-02-03,SKU-1042,1,240.00,240.00
"""


@pytest.mark.parametrize("text", [DIRECTORY, ORDERS], ids=["directory", "orders"])
def test_unseen_directories_and_order_tables_are_not_contact_lists(text: str) -> None:
    assert detect_text(text) == []


def test_organisation_rows_are_not_counted_as_people() -> None:
    header = ("name", "phone", "age")
    rows = tuple((f"Person Number{'abcdefg'[i]}", f"090-1111-22{i:02d}", "70") for i in range(6))
    rows += (("Acme Trading Inc", "03-1234-5678", ""),)
    (finding,) = DETECTOR.detect(
        Extraction(kind="xlsx", text="", tables=(Table("s", header, rows, 7),))
    )
    assert finding.value == "6"


def test_truncated_table_extrapolates_people_rows_to_the_row_count() -> None:
    header = ("氏名", "電話", "年齢")
    rows = tuple((f"山田 太{'郎一二三四五'[i]}", f"090-1111-22{i:02d}", "70") for i in range(6))
    (finding,) = DETECTOR.detect(
        Extraction(kind="csv", text="", tables=(Table("", header, rows, 600),))
    )
    assert finding.value == "600"


def test_fewer_than_five_people_is_not_a_list() -> None:
    assert (
        detect_text("name,phone,age\nAnn Lee,+1 212 555 0101,70\nBo Kim,+1 212 555 0102,71\n") == []
    )


def test_vcards_and_json_become_tables() -> None:
    cards = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {i}\r\nTEL:+81 90 1234 56{i:02d}\r\nEND:VCARD\r\n"
        for i in range(3)
    )
    (table,) = tables_from_text(cards)
    assert table.header is not None and "TEL" in table.header and len(table.rows) == 3
    (records,) = tables_from_text('[{"name": "A", "tel": "1"}, {"name": "B", "tel": "2"}]')
    assert records.header == ("name", "tel") and records.rows == (("A", "1"), ("B", "2"))


@pytest.mark.parametrize(
    "text", ["", "{", "[1, 2, 3]", "BEGIN:VCARD", ",,,\n" * 10_000, "x" * 50_000]
)
def test_malformed_text_gives_nothing(text: str) -> None:
    assert detect_text(text) == []


def test_people_with_an_employer_column_are_still_people() -> None:
    header = ("Name", "Company", "Phone", "City")
    rows = tuple(
        (f"{first} Walker", "Acme Trading Inc", f"+1 312 555 01{i:02d}", "Chicago")
        for i, first in enumerate(["Ann", "Bob", "Carl", "Dina", "Eve", "Fay"])
    )
    (finding,) = DETECTOR.detect(
        Extraction(kind="csv", text="", tables=(Table("", header, rows, 6),))
    )
    assert finding.value == "6"
