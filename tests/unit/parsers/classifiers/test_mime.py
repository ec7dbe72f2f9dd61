from __future__ import annotations

import struct
import threading
import zlib

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
