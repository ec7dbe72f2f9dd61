from __future__ import annotations

import pytest

from parsers.archives.names import decode_name, normalise_path, utc_iso


@pytest.mark.parametrize(
    ("raw", "legacy", "expected"),
    [
        (b"plain.txt", "cp437", "plain.txt"),
        ("résumé.pdf".encode(), "cp437", "résumé.pdf"),
        ("顧客リスト.xlsx".encode("cp932"), "cp437", "顧客リスト.xlsx"),
        ("ｶﾀｶﾅ.txt".encode("cp932"), "cp437", "ｶﾀｶﾅ.txt"),
        ("Müller.txt".encode("cp437"), "cp437", "Müller.txt"),
        (b"caf\xe9.txt", "latin-1", "café.txt"),
    ],
)
def test_decode_name(raw: bytes, legacy: str, expected: str) -> None:
    assert decode_name(raw, legacy) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a/b/c.txt", "a/b/c.txt"),
        ("a\\b\\c.txt", "a/b/c.txt"),
        ("C:\\Windows\\evil.dll", "Windows/evil.dll"),
        ("d:/x", "x"),
        ("///abs/path", "abs/path"),
        ("dir/", "dir"),
        ("../../x", "../../x"),
        ("name\x00hidden", "name"),
        ("/", ""),
    ],
)
def test_normalise_path(name: str, expected: str) -> None:
    assert normalise_path(name) == expected


def test_utc_iso_formats_with_z_and_rejects_out_of_range() -> None:
    assert utc_iso(0) == "1970-01-01T00:00:00Z"
    assert utc_iso(1_700_000_000.7) == "2023-11-14T22:13:20Z"
    assert utc_iso(10**20) is None
    assert utc_iso(float("nan")) is None
