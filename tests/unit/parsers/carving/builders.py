"""Real files of each carved format, made with the standard library and PyAV, for planting."""

from __future__ import annotations

import functools
import io
import sqlite3
import struct
import tempfile
import zipfile
import zlib
from pathlib import Path

from tests.unit.parsers.dvr import carve_builders


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 16, height: int = 8) -> bytes:
    rows = b"".join(
        b"\x00" + bytes((x * 13 + y * 7) & 0xFF for x in range(width * 3)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"tEXt", b"Comment\x00planted")
        + _png_chunk(b"IDAT", zlib.compress(rows))
        + _png_chunk(b"IEND", b"")
    )


def gif() -> bytes:
    screen = b"GIF89a" + struct.pack("<HHBBB", 4, 2, 0x80, 0, 0)
    palette = b"\x00\x00\x00\xff\xff\xff"
    control = b"\x21\xf9\x04\x00\x00\x00\x00\x00"
    comment = b"\x21\xfe\x07planted\x00"
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, 4, 2, 0) + b"\x02\x04\x84\x8f\x01\x05\x00"
    return screen + palette + control + comment + image + b"\x3b"


def pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n"
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def zip_archive(members: dict[str, bytes], comment: bytes = b"", *, stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.comment = comment
    return buffer.getvalue()


def docx() -> bytes:
    return zip_archive(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="x"/>',
            "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="x"/>',
            "word/document.xml": b'<?xml version="1.0"?><w:document>planted</w:document>',
        }
    )


@functools.cache
def sqlite_db() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.db"
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE leads (name TEXT, phone TEXT)")
        connection.executemany(
            "INSERT INTO leads VALUES (?, ?)", [(f"n{i}", f"090{i:08d}") for i in range(300)]
        )
        connection.commit()
        connection.close()
        return path.read_bytes()


def jpeg() -> bytes:
    return carve_builders.jpeg_image(3)


SCRIPT = (
    "お電話ありがとうございます。こちらは還付金のご案内センターです。"
    "Please confirm your account number and the last four digits. "
)


def utf8_text() -> bytes:
    return (SCRIPT * 8).encode("utf-8")


def utf16_text() -> bytes:
    return (SCRIPT * 6).encode("utf-16-le")


def shiftjis_text() -> bytes:
    return (SCRIPT * 6).encode("cp932")
