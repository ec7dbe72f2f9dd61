# ruff: noqa: RUF001 - Japanese test text uses full-width punctuation on purpose
from __future__ import annotations

import codecs
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.extractor import ExtractionError
from parsers.extractors.encoding import ByteOffsets, decode_bytes, strict_decode

JAPANESE = (
    "お問い合わせは０３（１２３４）５６７８まで。東京都千代田区丸の内1丁目、山田太郎様。\n"
    "ウイルスが検出されました。至急サポートセンターにお電話ください。\n"
)
WESTERN = "He said \u201chello\u201d and paid \u20ac20 \u2014 it\u2019s a caf\u00e9.\n"


@pytest.mark.parametrize(
    ("codec", "expected", "bom"),
    [
        ("utf-8", "utf-8", 0),
        ("utf-8-sig", "utf-8", 3),
        ("utf-16", "utf-16-le", 2),
        ("utf-16-le", "utf-16-le", 0),
        ("utf-16-be", "utf-16-be", 0),
        ("utf-32", "utf-32-le", 4),
        ("shift_jis", "shift_jis", 0),
        ("euc_jp", "euc_jp", 0),
        ("iso2022_jp", "iso2022_jp", 0),
    ],
)
def test_japanese_sentence_decodes_exactly_in_each_encoding(
    codec: str, expected: str, bom: int
) -> None:
    decoded = decode_bytes(JAPANESE.encode(codec))
    assert decoded.text == JAPANESE
    assert decoded.encoding == expected
    assert decoded.bom_length == bom


def test_utf16_be_bom_is_detected() -> None:
    decoded = decode_bytes(codecs.BOM_UTF16_BE + JAPANESE.encode("utf-16-be"))
    assert (decoded.text, decoded.encoding, decoded.bom_length) == (JAPANESE, "utf-16-be", 2)


def test_cp932_only_characters_name_cp932() -> None:
    text = "会社名：㈱テスト　番号①②③ ～ご連絡ください～\n"
    decoded = decode_bytes(text.encode("cp932"))
    assert decoded.encoding == "cp932"
    assert decoded.text == text


def test_windows_1252_smart_quotes_and_euro_decode_as_cp1252() -> None:
    decoded = decode_bytes(WESTERN.encode("cp1252"))
    assert decoded.encoding == "cp1252"
    assert decoded.text == WESTERN


def test_short_windows_1252_text_is_still_cp1252() -> None:
    text = "\u201cQuoted\u201d price \u20ac5"
    assert decode_bytes(text.encode("cp1252")).encoding == "cp1252"


def test_ascii_is_utf8_with_full_confidence() -> None:
    decoded = decode_bytes(b"Call +1 888 555 0199\n")
    assert (decoded.encoding, decoded.confidence) == ("utf-8", 1.0)


def test_cyrillic_windows_1251_is_not_mistaken_for_cp1252() -> None:
    text = "Привет, как дела? Это тестовый текст на русском языке."
    decoded = decode_bytes(text.encode("cp1251"))
    assert decoded.text == text


def test_declared_charset_is_used_when_bytes_are_not_utf8() -> None:
    text = "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e"
    decoded = decode_bytes(text.encode("latin-1"), declared="iso-8859-1")
    assert decoded.text == text
    assert decoded.encoding == "cp1252"


def test_declared_charset_does_not_override_valid_utf8() -> None:
    decoded = decode_bytes(JAPANESE.encode("utf-8"), declared="shift_jis")
    assert decoded.encoding == "utf-8"


def test_multibyte_character_cut_at_the_end_is_dropped() -> None:
    data = JAPANESE.encode("utf-8")[:-2]
    decoded = decode_bytes(data)
    assert decoded.encoding == "utf-8"
    assert decoded.text == JAPANESE[:-2]


def test_random_bytes_are_undecodable() -> None:
    data = bytes(range(256)) * 4 + os.urandom(4096)
    with pytest.raises(ExtractionError, match="undecodable text"):
        decode_bytes(data)


def test_strict_decode_rejects_invalid_sequences() -> None:
    assert strict_decode(b"\xff\xfe\xfd", "utf-8") is None
    assert strict_decode(b"abc", "no-such-codec") is None


@pytest.mark.parametrize(
    ("codec", "name", "bom"),
    [
        ("utf-8", "utf-8", b""),
        ("utf-8", "utf-8", codecs.BOM_UTF8),
        ("utf-16-le", "utf-16-le", b""),
        ("utf-16-le", "utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", "utf-16-be", codecs.BOM_UTF16_BE),
        ("shift_jis", "shift_jis", b""),
        ("euc_jp", "euc_jp", b""),
    ],
)
def test_byte_offsets_point_at_each_character(codec: str, name: str, bom: bytes) -> None:
    data = bom + JAPANESE.encode(codec)
    decoded = decode_bytes(data)
    assert decoded.encoding == name
    offsets = ByteOffsets(decoded.text, decoded.encoding, decoded.bom_length)
    for index, ch in enumerate(decoded.text):
        start = offsets.byte_offset(index)
        assert data[start:].startswith(ch.encode(codec))


def test_byte_offsets_of_iso2022jp_point_at_character_or_its_escape() -> None:
    text = "Tel 03-1234-5678 山田 call"
    data = text.encode("iso2022_jp")
    offsets = ByteOffsets(text, "iso2022_jp")
    assert offsets.byte_offset(4) == data.index(b"03-1234")
    assert offsets.byte_offset(text.index("山")) == data.index(b"\x1b$B")
    assert offsets.byte_offset(text.index("田")) == data.index(b"\x1b$B") + 5
    assert offsets.byte_offset(text.index(" call")) == data.index(b"\x1b(B")
    assert offsets.byte_offset(text.index("call")) == data.index(b"call")
    assert offsets.byte_offset(len(text)) == len(data)


def test_byte_offsets_can_go_back() -> None:
    text = "あ" * 200_000 + "x"
    offsets = ByteOffsets(text, "utf-8")
    assert offsets.byte_offset(200_000) == 600_000
    assert offsets.byte_offset(70_000) == 210_000
    assert offsets.byte_offset(3) == 9


def test_byte_offsets_reject_an_index_past_the_end() -> None:
    with pytest.raises(IndexError):
        ByteOffsets("abc", "utf-8").byte_offset(4)


_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from("あいうえおカタカナ漢字日本語電話番号、。「」ー\n"),
    ),
    max_size=200,
)


@settings(max_examples=60, deadline=None)
@given(
    text=_TEXT,
    codec=st.sampled_from(
        ["utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "shift_jis", "cp932", "euc_jp", "cp1252"]
    ),
    bom=st.integers(min_value=0, max_value=4),
    indices=st.lists(st.integers(min_value=0, max_value=200), max_size=20),
)
def test_byte_offset_equals_length_of_encoded_prefix(
    text: str, codec: str, bom: int, indices: list[int]
) -> None:
    if codec == "cp1252":
        text = text.encode("ascii", "ignore").decode() + "\u201c\u20ac\u00e9"
    offsets = ByteOffsets(text, codec, bom)
    for index in sorted(i for i in indices if i <= len(text)):
        assert offsets.byte_offset(index) == len(text[:index].encode(codec)) + bom


def test_kanji_only_shift_jis_list_stays_japanese() -> None:
    text = "氏名,住所\n" + "山田太郎,東京都千代田区丸の内\n" * 20_000
    decoded = decode_bytes(text.encode("cp932"))
    assert (decoded.encoding, decoded.text) == ("shift_jis", text)


def test_korean_euc_kr_is_not_taken_for_euc_jp() -> None:
    text = (
        "안녕하세요. 이것은 한국어 테스트 문장입니다. "
        "대한민국의 수도는 서울입니다. 경제 발전이 빠릅니다."
    )
    decoded = decode_bytes(text.encode("euc_kr"))
    assert decoded.text == text
