# Full-width digits, letters and punctuation are the input under test here.
# ruff: noqa: RUF001
from __future__ import annotations

import pytest

from parsers.detectors.remote import RemoteAccessDetector
from parsers.extractor import Extraction


def detect(text: str, markup: str | None = None):
    return RemoteAccessDetector().detect(Extraction(kind="plain", text=text, markup=markup))


def pairs(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.normalized) for f in detect(text)]


@pytest.mark.parametrize(
    ("text", "written", "kind", "digits"),
    [
        (
            "Please open AnyDesk and read me the number: 123 456 789",
            "123 456 789",
            "anydesk_id",
            "123456789",
        ),
        (
            "TeamViewer ID: 1 234 567 890 Password: 4x7k2p",
            "1 234 567 890",
            "teamviewer_id",
            "1234567890",
        ),
        ("チームビューアーのID 123-456-789 をメモ", "123-456-789", "teamviewer_id", "123456789"),
        ("anydesk id 987654321", "987654321", "anydesk_id", "987654321"),
        (
            "Remote session 1 122 334 455 (via Team Viewer)",
            "1 122 334 455",
            "teamviewer_id",
            "1122334455",
        ),
    ],
)
def test_ids_near_the_product_are_found_with_digits_only(text, written, kind, digits):
    findings = detect(text)
    assert [(f.kind, f.normalized) for f in findings] == [(kind, digits)]
    assert findings[0].value == written
    assert findings[0].offset == text.find(written)


def test_full_width_id_near_katakana_product_name():
    text = "エニーデスクを起動して、アドレス「９８７ ６５４ ３２１」を教えてください"
    findings = detect(text)
    assert pairs(text) == [("anydesk_id", "987654321")]
    assert findings[0].offset == text.find("９８７")


def test_the_nearest_product_decides_the_kind():
    text = "Use AnyDesk 234567891 or, if that fails, TeamViewer 1122334455 instead"
    assert pairs(text) == [("anydesk_id", "234567891"), ("teamviewer_id", "1122334455")]


def test_a_number_without_product_context_is_not_reported():
    assert detect("Your order 123 456 789 has shipped") == []
    assert detect("ID: 1234567890") == []


def test_a_product_mentioned_far_away_is_not_context():
    text = "AnyDesk" + " filler" * 20 + " order 123 456 789"
    assert detect(text) == []


def test_a_phone_number_is_not_an_id():
    assert detect("AnyDesk help: call +1 234 567 890") == []
    assert detect("Install AnyDesk. Phone 555 123 456 for help") == []


def test_an_id_label_nearer_than_a_phone_label_keeps_the_id():
    text = "AnyDesk: call us at +1 234 567 890 or give ID 876543210"
    assert pairs(text) == [("anydesk_id", "876543210")]


def test_ids_do_not_start_with_zero_or_sit_inside_longer_numbers():
    assert detect("AnyDesk 012345678") == []
    assert detect("AnyDesk 12345678901234") == []
    assert detect("AnyDesk 123 456 789 012 345") == []


def test_anydesk_alias_is_lower_cased():
    text = "AnyDesk alias: Support-Team@AD"
    findings = detect(text)
    assert pairs(text) == [("anydesk_id", "support-team@ad")]
    assert findings[0].offset == text.find("Support-Team@AD")


def test_alias_needs_anydesk_in_the_text_and_is_not_an_email_domain():
    assert detect("write to someone@ad") == []
    assert detect("AnyDesk: mail someone@ad.example.com") == []


def test_consumer_warning_naming_the_products_yields_nothing():
    text = (
        "Warning: scammers ask you to install AnyDesk or TeamViewer. Never read your ID to "
        "anyone who calls you unexpectedly. Report it to 188 or the FTC."
    )
    assert detect(text) == []
