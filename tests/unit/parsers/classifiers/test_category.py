from __future__ import annotations

import pytest

from parsers.classifier import CATEGORIES
from parsers.classifiers.category import category_for, extension_of, is_extension_mismatch


@pytest.mark.parametrize(
    ("mime", "category"),
    [
        ("application/pdf", "document"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document"),
        ("application/vnd.ms-excel", "spreadsheet"),
        ("text/csv", "spreadsheet"),
        ("application/vnd.ms-powerpoint", "presentation"),
        ("text/html", "web page"),
        ("message/rfc822", "email"),
        ("application/vnd.sqlite3", "database"),
        ("application/x-dosexec", "executable"),
        ("application/x-pie-executable", "executable"),
        ("text/x-shellscript", "script"),
        ("text/x-python", "script"),
        ("application/zip", "archive"),
        ("application/x-7z-compressed", "archive"),
        ("image/jpeg", "image"),
        ("image/png", "image"),
        ("video/mp4", "video"),
        ("audio/mpeg", "audio"),
        ("text/plain", "text"),
        ("application/octet-stream", "other"),
        ("inode/x-empty", "other"),
        ("application/x-unknown-thing", "other"),
        ("", "other"),
        (None, "other"),
    ],
)
def test_category_for_mime_type(mime: str | None, category: str) -> None:
    assert category_for(mime) == category


def test_exact_types_win_over_the_text_prefix() -> None:
    # text/csv and text/html start with text/ but have categories of their own
    assert category_for("text/csv") != "text"
    assert category_for("text/html") != "text"


@pytest.mark.parametrize(
    "mime",
    [
        "application/pdf",
        "text/csv",
        "application/zip",
        "image/gif",
        "audio/ogg",
        "chemical/x-pdb",
        None,
    ],
)
def test_every_category_is_in_the_closed_set(mime: str | None) -> None:
    assert category_for(mime) in CATEGORIES


@pytest.mark.parametrize(
    ("name", "mime", "mismatch"),
    [
        ("invoice.pdf", "image/png", True),
        ("report.docx", "application/zip", False),
        (
            "report.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            False,
        ),
        ("notes.txt", "text/plain", False),
        ("notes.txt", "text/x-python", False),
        ("notes.txt", "application/x-dosexec", True),
        ("photo.jpg", "image/jpeg", False),
        ("photo.JPG", "image/png", True),
        ("setup.exe", "application/x-dosexec", False),
        ("setup.exe", "text/plain", True),
        ("book.xls", "application/CDFV2", False),
        ("contacts.csv", "text/plain", False),
        ("contacts.csv", "application/csv", False),
    ],
)
def test_extension_mismatch(name: str, mime: str, mismatch: bool) -> None:
    assert is_extension_mismatch(name, mime) is mismatch


@pytest.mark.parametrize(
    "mime", ["", None, "application/octet-stream", "inode/x-empty", "application/x-empty"]
)
@pytest.mark.parametrize("name", ["invoice.pdf", "photo.jpg", "notes.txt", "setup.exe"])
def test_empty_or_unidentified_content_is_never_a_mismatch(name: str, mime: str | None) -> None:
    assert is_extension_mismatch(name, mime) is False


@pytest.mark.parametrize("name", ["data.xyz", "archive.iso", "README", ".bashrc", "trailing."])
def test_unknown_or_missing_extension_is_never_a_mismatch(name: str) -> None:
    assert is_extension_mismatch(name, "application/x-dosexec") is False


def test_text_prefix_does_not_match_a_type_that_merely_starts_with_text() -> None:
    # the "text/" entry allows text/* only: the slash is part of the prefix
    assert is_extension_mismatch("notes.txt", "textual/plain") is True


def test_ads_stream_name_without_known_extension_is_never_a_mismatch() -> None:
    # the pipeline passes an ADS's own stream name (catalog.content.content_name)
    assert is_extension_mismatch("Zone.Identifier", "text/plain") is False
    assert is_extension_mismatch("payload.pdf", "application/x-dosexec") is True


@pytest.mark.parametrize(
    ("name", "extension"),
    [
        ("report.txt", "txt"),
        ("Photo.JPG", "jpg"),
        ("archive.tar.gz", "gz"),
        ("report:final.pdf", "pdf"),
        ("README", ""),
        (".bashrc", ""),
        (".config.json", "json"),
        ("trailing.", ""),
        ("通話スクリプト.txt", "txt"),
        ("", ""),
    ],
)
def test_extension_of(name: str, extension: str) -> None:
    assert extension_of(name) == extension
