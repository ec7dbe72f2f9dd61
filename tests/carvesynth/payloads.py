"""Real files of each carved kind, made deterministically, to plant on the test disks.

The JPEGs come from PyAV's mjpeg encoder, the DOCX and XLSX from python-docx and openpyxl,
the database from sqlite3; ZIP-based files are re-packed with fixed member dates so the
same call always returns the same bytes. ``evidence()`` is the planted set of a scam call
centre; ``decoy_*`` are innocent files that stay allocated and must never be carved.
"""

from __future__ import annotations

import fractions
import functools
import io
import random
import re
import sqlite3
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import av

from tests.carvesynth import texts
from tests.unit.parsers.carving import builders

FIXED_DATE = (2024, 3, 1, 10, 0, 0)
SIGNATURES = (
    b"\xff\xd8\xff",
    b"\x89PNG",
    b"GIF8",
    b"%PDF",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"SQLite format 3\x00",
    b"\xd0\xcf\x11\xe0",
)
"""File signatures a text payload must not contain (it would start a binary carve)."""


@dataclass(frozen=True)
class Payload:
    """A file to plant: its name on the disk, bytes and what a carver should call it."""

    name: str
    data: bytes
    kind: str
    extension: str
    marker: str | None = None


def jpeg_photo(seed: int, width: int = 160, height: int = 120) -> bytes:
    """A real baseline JPEG of a seeded pattern (bytes differ per seed)."""
    codec = av.CodecContext.create("mjpeg", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "yuvj420p"
    codec.time_base = fractions.Fraction(1, 25)
    frame = av.VideoFrame(width, height, "yuv420p")
    for plane in frame.planes:
        noise = random.Random(seed).randbytes(plane.buffer_size)
        ramp = bytes((x * 3 + seed * 41) & 0xFF for x in range(plane.buffer_size))
        plane.update(bytes((a // 4 + b) & 0xFF for a, b in zip(noise, ramp, strict=True)))
    picture = frame.reformat(format="yuvj420p")
    picture.pts = 0
    packets = [bytes(packet) for packet in codec.encode(picture)]
    packets += [bytes(packet) for packet in codec.encode(None)]
    return packets[0]


def pdf_document(lines: list[str], noise: int = 0, seed: int = 0) -> bytes:
    """A one-page PDF showing ``lines``; ``noise`` bytes of incompressible image data."""
    text = " ".join(f"({line}) Tj T*" for line in lines)
    content = zlib.compress(f"BT /F1 11 Tf 14 TL 40 760 Td {text} ET".encode("latin-1"))
    image = zlib.compress(random.Random(seed).randbytes(noise), 0) if noise else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height %d /ColorSpace /DeviceGray"
        b" /BitsPerComponent 8 /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream"
        % (max(noise, 1), len(image), image),
    ]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def repack_zip(data: bytes) -> bytes:
    """``data``'s members again, deflated, dated ``FIXED_DATE`` (and any dcterms fixed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            body = source.read(member)
            if member.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:\w+[^>]*>)[^<]*", rb"\g<1>2024-03-01T10:00:00Z", body)
            info = zipfile.ZipInfo(member.filename, FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, body)
    return out.getvalue()


def payments_zip() -> bytes:
    """A ZIP of gift-card codes and a receipt, as a closer would keep them."""
    codes = "\n".join(f"GPC-{n:02d},{(n * 7919) % 10**16:016d},100.00,read" for n in range(40))
    members = {"giftcards_march.csv": codes, "receipt_0142.txt": "Paid 499.99 by 5 cards"}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in members.items():
            info = zipfile.ZipInfo(name, FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, body)
    return out.getvalue()


@functools.cache
def script_docx() -> bytes:
    """A real DOCX: the fake "Microsoft support" call script for new operators."""
    import docx  # a test extra, needed only to build an image

    document = docx.Document()
    document.core_properties.author = "Team Lead K."
    document.core_properties.created = datetime(2024, 3, 1, 10, 0, 0)  # noqa: DTZ001
    document.add_heading("Microsoft Windows Support - Script for New Agents", 1)
    for paragraph in texts.script_en().decode("utf-8").split("\n\n"):
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return repack_zip(buffer.getvalue())


@functools.cache
def leads_xlsx() -> bytes:
    """A real XLSX: the lead list the callers work through."""
    import openpyxl  # type: ignore[import-untyped]  # a test extra, only to build images

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "leads"
    for line in texts.lead_list().decode("utf-16-le").splitlines()[1:]:
        sheet.append(line.split(","))
    workbook.properties.creator = "lead-vendor-7"
    workbook.properties.created = datetime(2024, 3, 1, 10, 0, 0)  # noqa: DTZ001
    buffer = io.BytesIO()
    workbook.save(buffer)
    return repack_zip(buffer.getvalue())


@functools.cache
def crm_sqlite() -> bytes:
    """A real SQLite database of victims and call outcomes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "crm.sqlite"
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE victims (id INTEGER PRIMARY KEY, name, phone, paid)")
        connection.execute("CREATE TABLE calls (victim INTEGER, agent, minutes, outcome)")
        rows = [(n, f"victim {n}", f"+1-555-01{n % 100:02d}", n * 50) for n in range(200)]
        connection.executemany("INSERT INTO victims VALUES (?, ?, ?, ?)", rows)
        calls = [(n % 200, f"agent{n % 9}", n % 47, "gift cards") for n in range(300)]
        connection.executemany("INSERT INTO calls VALUES (?, ?, ?, ?)", calls)
        connection.commit()
        connection.close()
        return path.read_bytes()


def evidence() -> list[Payload]:
    """The scam evidence planted (then deleted) on every test disk, in plant order."""
    return [
        Payload("script_en.txt", texts.script_en(), "text-utf8", "txt", texts.SCRIPT_EN_MARKER),
        Payload("anydesk_session.jpg", jpeg_photo(1), "jpeg", "jpg"),
        Payload("qr_wallet.png", builders.png(48, 24), "png", "png"),
        Payload("banner.gif", builders.gif(), "gif", "gif"),
        Payload("refund_receipt.pdf", receipt_pdf(), "pdf", "pdf"),
        Payload("payments.zip", payments_zip(), "zip", "zip"),
        Payload("victims.sqlite", crm_sqlite(), "sqlite", "sqlite"),
        Payload("ms_support_script.docx", script_docx(), "zip", "docx"),
        Payload("leads_march.xlsx", leads_xlsx(), "zip", "xlsx"),
        Payload("script_ja.txt", texts.script_ja(), "text-shiftjis", "txt", texts.SCRIPT_JA_MARKER),
        Payload("leads_export.csv", texts.lead_list(), "text-utf16le", "txt", texts.LEADS_MARKER),
        Payload("defender_alert.html", texts.popup_html(), "text-utf8", "html", texts.POPUP_MARKER),
    ]


def receipt_pdf() -> bytes:
    """The PDF "refund receipt" sent to victims."""
    return pdf_document(
        ["Microsoft Windows Support - Refund Receipt", "Amount: USD 499.99", texts.PHONE_EN]
    )


def old_invoice_pdf() -> bytes:
    """A larger PDF planted first on the FAT disk, so the decoys overwrite its head."""
    return pdf_document(["Invoice 2023-118 - Lifetime Security Plan"], noise=24_000, seed=7)


def decoy_pdf() -> bytes:
    """An innocent allocated PDF (a user manual)."""
    return pdf_document(["Garden hose reel - user manual", "Keep away from frost."], 3_000, 11)


def is_signature_free(data: bytes) -> bool:
    """True when ``data`` holds none of ``SIGNATURES``."""
    return not any(signature in data for signature in SIGNATURES)
