from __future__ import annotations

import gzip
import io
import tarfile
import zipfile

import pytest

from parsers.archives import BUILTIN_ARCHIVES, choose_archive
from parsers.archives.detect import is_tar_header
from tests.unit.parsers.archives.craft import build_zip

ZIP_HEAD = build_zip([("a.txt", b"x")])[:512]
GZIP_HEAD = gzip.compress(b"x", mtime=0)  # fixed bytes: xdist workers must collect the same ids
ODF_HEAD = build_zip(
    [("mimetype", b"application/vnd.oasis.opendocument.text")], method=zipfile.ZIP_STORED
)[:512]
OOXML = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _tar_head() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        info = tarfile.TarInfo("a.txt")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    return buffer.getvalue()[:512]


def _v7_head() -> bytes:
    """A ustar header with its magic wiped and the checksum recomputed: a v7 header."""
    head = bytearray(_tar_head())
    head[257:265] = bytes(8)
    head[148:156] = b" " * 8
    head[148:156] = b"%06o\x00 " % sum(head)
    return bytes(head)


def _chosen(name: str, mime: str | None, head: bytes) -> str | None:
    reader = choose_archive(name, mime, head)
    return None if reader is None else reader.name


@pytest.mark.parametrize(
    ("name", "mime", "head", "expected"),
    [
        ("evidence.zip", "application/zip", ZIP_HEAD, "zip"),
        ("renamed.dat", None, ZIP_HEAD, "zip"),
        ("empty.zip", None, b"PK\x05\x06" + bytes(18), "zip"),
        ("app.apk", "application/vnd.android.package-archive", ZIP_HEAD, "zip"),
        ("tool.jar", "application/java-archive", ZIP_HEAD, "zip"),
        ("book.epub", "application/epub+zip", ZIP_HEAD, "zip"),
        ("logs.tgz", "application/gzip", GZIP_HEAD, "gzip"),
        ("looks-like.zip", "application/gzip", GZIP_HEAD, "gzip"),
        ("backup.tar", "application/x-tar", _tar_head(), "tar"),
        ("old", None, _v7_head(), "tar"),
        ("damaged.zip", None, b"\x00" * 64, "zip"),
        ("damaged.tar.gz", None, b"", "gzip"),
        ("unknown", "application/x-tar", b"junk", "tar"),
        ("letter.docx", None, ZIP_HEAD, None),
        ("sheet.XLSX", None, ZIP_HEAD, None),
        ("slides.pptx", None, ZIP_HEAD, None),
        ("renamed.bin", OOXML, ZIP_HEAD, None),
        ("report.odt", None, ZIP_HEAD, None),
        ("renamed.bin", "application/vnd.oasis.opendocument.spreadsheet", ZIP_HEAD, None),
        ("renamed.bin", None, ODF_HEAD, None),
        ("notes.txt", "text/plain", b"hello world", None),
        ("blank", None, b"", None),
    ],
)
def test_choose_archive(name: str, mime: str | None, head: bytes, expected: str | None) -> None:
    assert _chosen(name, mime, head) == expected


def test_zip_signature_wins_over_a_gzip_name() -> None:
    assert _chosen("mislabelled.gz", "application/gzip", ZIP_HEAD) == "zip"


def test_random_block_is_not_a_tar_header() -> None:
    assert not is_tar_header(bytes(range(256)) * 2)
    assert not is_tar_header(bytes(512))
    assert is_tar_header(_v7_head())


def test_builtin_readers_are_described_and_uniquely_named() -> None:
    names = [reader.name for reader in BUILTIN_ARCHIVES]
    assert names == ["zip", "gzip", "tar"]
    for reader in BUILTIN_ARCHIVES:
        assert reader.version >= 1
        assert reader.description and reader.emits
        assert type(reader).__doc__
