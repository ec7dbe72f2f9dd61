from __future__ import annotations

import io

import pytest

from parsers.extractor import ExtractionError, Table, TextLimits
from parsers.extractors.delimited import CsvExtractor, sniff_delimiter

CSV = CsvExtractor()


def _extract(data: bytes, limits: TextLimits | None = None):
    return CSV.extract(io.BytesIO(data), len(data), limits or TextLimits())


def test_shift_jis_csv_gives_text_and_table_with_header() -> None:
    text = (
        "氏名,電話番号,メール\r\n"
        "山田太郎,090-1234-5678,taro@example.jp\r\n"
        '"鈴木, 花子",080-2222-3333,hanako@example.jp\r\n'
    )
    result = _extract(text.encode("cp932"))
    assert result.kind == "csv"
    assert result.encoding == "shift_jis"
    assert result.offset_basis == "file"
    assert result.text == text.replace("\r\n", " \n")
    assert result.tables == (
        Table(
            name="",
            header=("氏名", "電話番号", "メール"),
            rows=(
                ("山田太郎", "090-1234-5678", "taro@example.jp"),
                ("鈴木, 花子", "080-2222-3333", "hanako@example.jp"),
            ),
            row_count=2,
        ),
    )


def test_headerless_tsv_keeps_every_row_as_data() -> None:
    data = b"Yamada\t+81 90 1234 5678\t72\nSuzuki\t+81 80 2222 3333\t68\n"
    table = _extract(data).tables[0]
    assert table.header is None
    assert table.rows == (
        ("Yamada", "+81 90 1234 5678", "72"),
        ("Suzuki", "+81 80 2222 3333", "68"),
    )


def test_rows_are_capped_but_counted() -> None:
    data = b"name;phone\n" + b"".join(b"p%d;555-%04d\n" % (i, i) for i in range(50))
    result = _extract(data, TextLimits(max_table_rows=10, max_cell_chars=3))
    table = result.tables[0]
    assert table.header == ("nam", "pho")
    assert len(table.rows) == 10
    assert table.row_count == 50
    assert table.rows[0] == ("p0", "555")
    assert result.truncated


def test_oversized_field_stops_the_table_with_a_warning() -> None:
    data = b'a,b\n1,"' + b"x" * 200_000 + b'"\n2,3\n'
    result = _extract(data)
    assert result.tables[0].rows == ()
    assert result.warnings[0].startswith("CSV parsing stopped at line")


def test_binary_content_raises_extraction_error() -> None:
    with pytest.raises(ExtractionError):
        _extract(bytes(range(256)) * 64)


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("a;b;c\n1;2,5;3\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ('name,"x;y"\n1,2\n', ","),
        ("single column\nvalues\n", ","),
    ],
)
def test_sniff_delimiter(sample: str, expected: str) -> None:
    assert sniff_delimiter(sample) == expected
