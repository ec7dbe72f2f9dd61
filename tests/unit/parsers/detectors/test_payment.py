# Full-width digits, letters and punctuation are the input under test here.
# ruff: noqa: RUF001
from __future__ import annotations

import pytest

from parsers.detectors.checksums import aba_routing_valid, iban_mod97, luhn_valid
from parsers.detectors.payment import PaymentDetector
from parsers.extractor import Extraction


def detect(text: str, markup: str | None = None):
    return PaymentDetector().detect(Extraction(kind="plain", text=text, markup=markup))


def of_kind(findings, kind):
    return [f for f in findings if f.kind == kind]


def normalized(text: str, kind: str) -> list[str]:
    return [f.normalized for f in of_kind(detect(text), kind)]


def assert_offsets_exact(text, findings):
    for found in findings:
        assert text.find(found.value) == found.offset, found


# --- checksums ------------------------------------------------------------------------------


def test_iban_mod97_accepts_registry_examples_and_rejects_changed_check_digits():
    assert iban_mod97("GB82WEST12345698765432")
    assert iban_mod97("DE89370400440532013000")
    assert iban_mod97("FR1420041010050500013M02606")
    assert not iban_mod97("GB83WEST12345698765432")
    assert not iban_mod97("DE89 3704")


def test_luhn_and_aba_checks():
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert aba_routing_valid("021000021")
    assert not aba_routing_valid("021000022")


# --- gift cards -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written", "code"),
    [
        (
            "Buy Google Play cards and read me the code: ABCD-EFGH-1234-5678",
            "ABCD-EFGH-1234-5678",
            "ABCDEFGH12345678",
        ),
        (
            "Google Play code 7K3M 9QXZ 2B4N 8RTP 5WLC",
            "7K3M 9QXZ 2B4N 8RTP 5WLC",
            "7K3M9QXZ2B4N8RTP5WLC",
        ),
        ("iTunes card code X9K2M4P7Q1W8E3R5 please", "X9K2M4P7Q1W8E3R5", "X9K2M4P7Q1W8E3R5"),
        ("Amazon claim code AQ4X-7B2K9P-Q3ZT", "AQ4X-7B2K9P-Q3ZT", "AQ4X7B2K9PQ3ZT"),
        ("Steam Wallet code: 4ZK8P-Q2M7X-9HBVT", "4ZK8P-Q2M7X-9HBVT", "4ZK8PQ2M7X9HBVT"),
        ("Vanilla gift card 1234 5678 9012 3456", "1234 5678 9012 3456", "1234567890123456"),
        (
            "ギフト券のカード番号 ＡＢＣ１２３ＤＥＦ４５６ＧＨＩ７",
            "ＡＢＣ１２３ＤＥＦ４５６ＧＨＩ７",
            "ABC123DEF456GHI7",
        ),
        (
            "コンビニで買った電子マネーの番号は AB12-CD34-EF56-GH78 です",
            "AB12-CD34-EF56-GH78",
            "AB12CD34EF56GH78",
        ),
    ],
)
def test_gift_card_codes_with_context_are_found(text, written, code):
    findings = detect(text)
    assert [(f.kind, f.normalized) for f in findings] == [("gift_card_code", code)]
    assert findings[0].value == written
    assert_offsets_exact(text, findings)


def test_gift_card_like_code_without_context_is_not_reported():
    assert detect("Code ABCD-EFGH-1234-5678 (no context here)") == []
    assert detect("License key X9K2M4P7Q1W8E3R5") == []


@pytest.mark.parametrize(
    "text",
    [
        "Apple gift card PASSWORDHELLOWORLD",  # all letters
        "Amazon order 111-1234567-1234567 on 2024-01-15",  # order number and date
        "Apple: sha 3f2a9c1b7d4e8f60aa11",  # lower-case hex
        "Google Play order GPA.1234-5678-9012-34567",  # part of a longer token
        "Amazon gift card 12345678901234567",  # digits only, no grouping
        "Steam https://store.example.com/?code=ABCD1234EFGH5678",  # inside a URL parameter
    ],
)
def test_non_codes_near_gift_card_words_are_not_reported(text):
    assert of_kind(detect(text), "gift_card_code") == []


# --- IBAN -----------------------------------------------------------------------------------


def test_ibans_are_found_with_and_without_spaces():
    text = "Pay to IBAN DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432 now."
    findings = detect(text)
    assert [(f.kind, f.normalized) for f in findings] == [
        ("iban", "DE89370400440532013000"),
        ("iban", "GB82WEST12345698765432"),
    ]
    assert findings[0].value == "DE89 3704 0044 0532 0130 00"
    assert_offsets_exact(text, findings)


def test_iban_with_wrong_check_digits_is_not_reported():
    assert detect("IBAN DE88 3704 0044 0532 0130 00") == []
    assert detect("IBAN GB82WEST12345698765433") == []


def test_iban_of_the_wrong_length_for_its_country_is_not_reported():
    assert detect("IBAN DE89 3704 0044 0532 0130 0012") == []


def test_iban_is_not_also_a_gift_card_code():
    text = "Amazon refund to FR14 2004 1010 0505 0001 3M02 606"
    assert [(f.kind, f.normalized) for f in detect(text)] == [
        ("iban", "FR1420041010050500013M02606")
    ]


# --- bank accounts --------------------------------------------------------------------------


def test_japanese_account_number_with_bank_context():
    text = "三菱UFJ銀行 新宿支店 普通 １２３４５６７ 名義 ヤマダ タロウ"
    findings = detect(text)
    assert [(f.kind, f.normalized) for f in findings] == [("bank_account", "1234567")]
    assert_offsets_exact(text, findings)


def test_japanese_account_number_label():
    assert normalized("振込先 口座番号：7654321", "bank_account") == ["7654321"]


def test_us_account_is_reported_but_not_the_routing_number():
    text = "Account number: 12345678901, routing number: 021000021"
    assert normalized(text, "bank_account") == ["12345678901"]
    assert detect("Routing 021000021") == []


def test_routing_number_labelled_as_account_is_reported():
    assert normalized("Account: 021000021", "bank_account") == ["021000021"]


def test_uk_account_with_sort_code_nearby():
    assert normalized("Sort code 12-34-56, 87654321", "bank_account") == ["87654321"]


def test_numbers_without_bank_context_are_not_accounts():
    assert detect("Order 12345678 shipped") == []
    assert detect("Invoice 12345678, account manager: Bob") == []


def test_phone_number_near_a_bank_is_not_an_account():
    assert detect("銀行の電話番号 0312345678") == []


def test_invoice_yields_only_its_bank_details():
    text = (
        "INVOICE #INV-2024-00153  Date: 2024-01-15\n"
        "Widget A (SKU 4006381333931) 2 x $12.50\n"
        "Order No. 1234567890  Customer ID 98765432\n"
        "Bank: First National, Account 123456789012, Routing 071000013\n"
    )
    assert [(f.kind, f.normalized) for f in detect(text)] == [("bank_account", "123456789012")]


def test_the_target_brand_is_context_but_an_html_target_attribute_is_not():
    assert normalized("Target gift card AB12-CD34-EF56-GH78", "gift_card_code") == [
        "AB12CD34EF56GH78"
    ]
    markup = '<a target="_blank" data-k="x">AB12-CD34-EF56-GH78</a>'
    assert detect("AB12-CD34-EF56-GH78", markup=markup) == []


def test_markup_offsets_index_the_markup():
    markup = "<p>Google Play code: <b>ABCD-EFGH-1234-5678</b></p>"
    findings = detect("Google Play code: ABCD-EFGH-1234-5678", markup=markup)
    assert [f.source for f in findings] == ["markup"]
    assert_offsets_exact(markup, findings)
