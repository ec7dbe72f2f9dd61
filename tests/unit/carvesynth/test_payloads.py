from __future__ import annotations

import io
import sqlite3
import zipfile

from parsers.carving.model import KINDS
from tests.carvesynth import payloads


def test_evidence_covers_every_kind_with_unique_names_and_bytes():
    evidence = payloads.evidence()
    assert {item.kind for item in evidence} == set(KINDS)
    assert len({item.name for item in evidence}) == len(evidence)
    assert len({item.data for item in evidence}) == len(evidence)
    for item in evidence:
        assert (item.marker is not None) == item.kind.startswith("text"), item.name


def test_evidence_is_the_same_bytes_every_time():
    first, second = payloads.evidence(), payloads.evidence()
    assert [item.data for item in first] == [item.data for item in second]


def test_jpeg_photo_is_a_whole_jpeg_that_differs_by_seed():
    photo = payloads.jpeg_photo(1)
    assert photo.startswith(b"\xff\xd8\xff")
    assert photo.endswith(b"\xff\xd9")
    assert photo == payloads.jpeg_photo(1) != payloads.jpeg_photo(2)
    assert len(photo) > 8192


def test_pdf_document_has_an_xref_pointing_at_its_objects():
    pdf = payloads.pdf_document(["hello"], noise=100, seed=1)
    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.endswith(b"%%EOF\n")
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[xref:].startswith(b"xref\n0 7\n")
    first = int(pdf[xref:].split(b"\n")[3][:10])
    assert pdf[first:].startswith(b"1 0 obj")


def test_old_invoice_is_larger_than_the_decoys_that_overwrite_it():
    assert len(payloads.old_invoice_pdf()) > 20_000


def test_office_files_are_real_zips_with_fixed_dates():
    docx = zipfile.ZipFile(io.BytesIO(payloads.script_docx()))
    assert "Microsoft Windows Support" in docx.read("word/document.xml").decode()
    xlsx = zipfile.ZipFile(io.BytesIO(payloads.leads_xlsx()))
    assert "xl/workbook.xml" in xlsx.namelist()
    for archive in (docx, xlsx, zipfile.ZipFile(io.BytesIO(payloads.payments_zip()))):
        assert {info.date_time for info in archive.infolist()} == {payloads.FIXED_DATE}
    assert b"2024-03-01T10:00:00Z" in docx.read("docProps/core.xml")


def test_crm_database_opens_and_counts_its_rows(tmp_path):
    path = tmp_path / "crm.sqlite"
    path.write_bytes(payloads.crm_sqlite())
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("SELECT count(*) FROM victims").fetchone() == (200,)
        assert connection.execute("SELECT count(*) FROM calls").fetchone() == (300,)
    finally:
        connection.close()
    assert payloads.crm_sqlite().startswith(b"SQLite format 3\x00")


def test_is_signature_free_spots_each_signature():
    assert payloads.is_signature_free(b"plain text")
    for signature in payloads.SIGNATURES:
        assert not payloads.is_signature_free(b"text " + signature + b" more")
