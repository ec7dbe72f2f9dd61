from __future__ import annotations

import io
import random
import zlib

import openpyxl

from parsers.carving import carve_files
from parsers.carving.text import find_text
from parsers.dvr.disk import DiskBytes
from tests.unit.parsers.carving import builders


def _carve(payload: bytes, *, min_text: int = 512) -> list[tuple[int, int, str, str]]:
    data = random.Random(5).randbytes(777) + payload + random.Random(6).randbytes(999)
    result = carve_files(DiskBytes.from_bytes(data), [(0, len(data))], min_text=min_text)
    return [(i.offset, i.length, i.kind, i.extension) for i in result.items]


def test_png_with_a_bad_chunk_crc_is_rejected() -> None:
    good = builders.png()
    bad = bytearray(good)
    bad[40] ^= 0x01
    assert _carve(good) == [(777, len(good), "png", "png")]
    assert _carve(bytes(bad)) == []


def test_gif_without_an_image_is_rejected() -> None:
    good = builders.gif()
    no_image = good[: good.index(b"\x2c")] + b"\x3b"
    assert _carve(good) == [(777, len(good), "gif", "gif")]
    assert _carve(no_image) == []


def test_pdf_incremental_update_ends_at_the_last_eof() -> None:
    first = builders.pdf()
    update = first + b"1 0 obj\n<< >>\nendobj\nstartxref\n9\n%%EOF\n"
    assert _carve(update) == [(777, len(update), "pdf", "pdf")]


def test_pdf_without_startxref_is_rejected() -> None:
    assert _carve(builders.pdf().replace(b"startxref", b"startxreg")) == []


def test_two_pdfs_in_a_row_are_two_items() -> None:
    pdf = builders.pdf()
    assert _carve(pdf + pdf) == [
        (777, len(pdf), "pdf", "pdf"),
        (777 + len(pdf), len(pdf), "pdf", "pdf"),
    ]


def test_zip_holding_a_stored_zip_is_carved_whole() -> None:
    inner = builders.zip_archive({"in.txt": b"inner"})
    outer = builders.zip_archive({"inner.zip": inner, "z.txt": b"z" * 50}, stored=True)
    assert _carve(outer) == [(777, len(outer), "zip", "zip")]


def test_zip_whose_directory_does_not_point_back_is_rejected() -> None:
    archive = bytearray(builders.zip_archive({"a.txt": b"a" * 100}))
    central = archive.index(b"PK\x01\x02")
    archive[central + 42] = 5
    assert _carve(bytes(archive)) == []


def test_xlsx_and_odt_are_recognised_from_their_members() -> None:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    xlsx = buffer.getvalue()
    odt = builders.zip_archive(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
        stored=True,
    )
    assert _carve(xlsx) == [(777, len(xlsx), "zip", "xlsx")]
    assert _carve(odt) == [(777, len(odt), "zip", "odt")]


def test_sqlite_without_a_valid_page_count_is_a_problem() -> None:
    database = bytearray(builders.sqlite_db())
    database[92:96] = b"\xde\xad\xbe\xef"
    data = bytes(1000) + bytes(database)
    result = carve_files(DiskBytes.from_bytes(data), [(0, len(data))])
    assert [item.kind for item in result.items if item.kind == "sqlite"] == []
    assert [problem.offset for problem in result.problems] == [1000]


def test_truncated_jpeg_is_rejected() -> None:
    jpeg = builders.jpeg()
    assert _carve(jpeg) == [(777, len(jpeg), "jpeg", "jpg")]
    assert _carve(jpeg[:-2]) == []


def test_text_shorter_than_min_text_is_not_reported() -> None:
    text = b"\x00" + b"call back now " * 20 + b"\x00"
    assert find_text(text, 0, 512) == []
    assert [(r.start, r.end, r.kind) for r in find_text(text, 0, 100)] == [
        (1, len(text) - 1, "text-utf8")
    ]


def test_japanese_text_is_told_apart_by_encoding() -> None:
    for data, kind in (
        (builders.utf8_text(), "text-utf8"),
        (builders.utf16_text(), "text-utf16le"),
        (builders.shiftjis_text(), "text-shiftjis"),
    ):
        runs = find_text(b"\x00\x00\x00" + data + b"\x00\x00\x00", 100, 512)
        assert [(r.start, r.end, r.kind) for r in runs] == [(103, 103 + len(data), kind)]


def test_compressed_bytes_are_not_text() -> None:
    data = zlib.compress(random.Random(8).randbytes(1 << 20))
    assert find_text(data, 0, 512) == []
