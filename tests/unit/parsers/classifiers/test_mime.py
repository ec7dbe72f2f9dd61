from __future__ import annotations

import struct
import threading
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.classifiers.mime import MagicClassifier, libmagic_version


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def test_empty_content_is_inode_x_empty() -> None:
    assert MagicClassifier().identify(b"") == ("inode/x-empty", "empty")


def test_png_bytes_are_image_png() -> None:
    mime, description = MagicClassifier().identify(_png())
    assert mime == "image/png"
    assert description.startswith("PNG image data, 1 x 1")


def test_plain_text_is_text_plain() -> None:
    mime, description = MagicClassifier().identify(b"Call back number: +1-888-555-0199\n")
    assert mime == "text/plain"
    assert "text" in description


def test_each_thread_gets_correct_answers() -> None:
    results: list[str] = []
    lock = threading.Lock()

    def work(data: bytes) -> None:
        for _ in range(50):
            mime = MagicClassifier().identify(data)[0]
            with lock:
                results.append(mime)

    threads = [
        threading.Thread(target=work, args=(data,)) for data in (_png(), b"plain text\n") * 2
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("image/png") == 100
    assert results.count("text/plain") == 100


def test_libmagic_version_is_dotted_or_unknown() -> None:
    version = libmagic_version()
    assert version == "unknown" or (version.count(".") == 1 and version.replace(".", "").isdigit())


def test_identical_heads_are_answered_from_the_cache_with_libmagics_answer() -> None:
    from parsers.classifiers.mime import MagicClassifier

    classifier = MagicClassifier()
    text = b"Hello this is Microsoft Windows support\n" * 20
    first = classifier.identify(text)
    second = classifier.identify(bytes(text))
    assert first == second == ("text/plain", first[1])
    assert classifier.calls == 1
    assert classifier.identify(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")[0] == "application/pdf"
    assert classifier.calls == 2


def test_a_given_digest_is_the_cache_key() -> None:
    import blake3

    from parsers.classifiers.mime import MagicClassifier

    classifier = MagicClassifier()
    text = b"plain words only\n" * 10
    classifier.identify(text, blake3.blake3(text).digest())
    classifier.identify(text)
    assert classifier.calls == 1


def _libmagic_two_calls(head: bytes) -> tuple[str, str]:
    import magic

    return magic.Magic(mime=True).from_buffer(head), magic.Magic().from_buffer(head)


TEXT_SHAPES = {
    "ascii": b"Call back number: +1-888-555-0199\nThank you.\n",
    "crlf": b"Hello, this is Microsoft support.\r\nYour computer is infected.\r\n",
    "mixed terminators": b"a\r\nb\nc\rd\n",
    "no terminator": b"gift card code please",
    "very long line": b"x" * 600 + b"\n",
    "escape sequences": b"alert \x1b[31mred\x1b[0m\n",
    "overstriking": b"bold_\bline\n",
    "utf-8": "お客様のパソコンはウイルスに感染しています\n".encode(),
    "utf-8 with bom": b"\xef\xbb\xbf" + "サポートセンター\n".encode(),
    "utf-16le with bom": "\ufeffCall now\r\n".encode("utf-16-le"),
    "utf-16be with bom": "\ufeffCall now\n".encode("utf-16-be"),
    "latin-1": "café, déjà vu\n".encode("latin-1"),
    "cp1252": "“smart” quotes\n".encode("cp1252"),
    "shift_jis": "電話番号を確認してください\n".encode("cp932"),
    "euc-jp (a soft-magic description, MIME text/plain)": "電話番号を確認してください\n".encode(
        "euc_jp"
    ),
    "utf-32le with bom (soft-magic description)": "\ufeffhello\n".encode("utf-32-le"),
    "utf-7 signature (soft-magic description)": b"+/v8hello\n",
    "HP 38 'ASCII' entry": b"HP3XAsc(hello)\n",
    "nel": "a\x85b\x85".encode("latin-1"),
    "shell script": b"#!/bin/sh\necho hi\n",
    "python": b"import os\nfrom sys import argv\nprint(argv)\n",
    "html": b"<!DOCTYPE html><html><body>Your PC is infected</body></html>\n",
    "json": b'{"victim": "Tanaka", "phone": "+81-3-1234-5678"}\n',
    "csv": b"name,phone,age\nTanaka,03-1234-5678,78\nSmith,555-0100,81\n",
    "mail": b"From: support@example.com\nSubject: refund\n\nCall us.\n",
    "two bytes": b"ab",
    "trailing nuls": b"hello\x00\x00",
    "pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
}


@pytest.mark.parametrize("shape", sorted(TEXT_SHAPES))
def test_answers_equal_libmagics_two_calls(shape: str) -> None:
    head = TEXT_SHAPES[shape]
    assert MagicClassifier().identify(head) == _libmagic_two_calls(head)


def test_plain_text_costs_one_libmagic_call_and_the_rest_two() -> None:
    classifier = MagicClassifier()
    classifier.identify(TEXT_SHAPES["crlf"])
    classifier.identify(TEXT_SHAPES["html"])
    classifier.identify(TEXT_SHAPES["euc-jp (a soft-magic description, MIME text/plain)"])
    assert (classifier.calls, classifier.mime_calls_saved) == (3, 1)


def test_without_a_safe_database_every_file_gets_both_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from parsers.classifiers import mime

    monkeypatch.setattr(mime, "plain_text_description_implies_text_plain", lambda: False)
    classifier = MagicClassifier()
    assert classifier.identify(TEXT_SHAPES["ascii"]) == _libmagic_two_calls(TEXT_SHAPES["ascii"])
    assert classifier.mime_calls_saved == 0


def test_every_labelled_fixture_gets_libmagics_answers(tmp_path: Path) -> None:
    from tests.fixtures.artefacts.build import build_corpus

    labelled = build_corpus(tmp_path)
    assert len(labelled) > 50
    classifier = MagicClassifier()
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file():
            head = path.read_bytes()[: 64 * 1024]
            assert classifier.identify(head) == _libmagic_two_calls(head), path.name
    assert classifier.mime_calls_saved > 10


_MAGIC_PREFIXES = [
    b"",
    b"#!",
    b"<",
    b"{",
    b"From ",
    b"Subject: ",
    b"%!PS",
    b".TH ",
    b"\\documentclass",
    b"BEGIN:VCARD\n",
    b"diff ",
    b"import ",
    b"HP3",
    b"+/v",
    b"\xef\xbb\xbf",
    b"MZ",
    b"PK\x03\x04",
]


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from(_MAGIC_PREFIXES),
    body=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x30FF), max_size=300
    ),
    encoding=st.sampled_from(["utf-8", "latin-1", "cp932", "utf-16"]),
    terminator=st.sampled_from(["\n", "\r\n", "\r", ""]),
)
def test_texts_with_magic_looking_starts_get_libmagics_answers(
    prefix: bytes, body: str, encoding: str, terminator: str
) -> None:
    head = prefix + (body + terminator).encode(encoding, "ignore")
    if not head:
        return
    assert MagicClassifier().identify(head) == _libmagic_two_calls(head)
