# Full-width digits, letters and punctuation are the input under test here.
# ruff: noqa: RUF001
from __future__ import annotations

import pytest

from parsers.detectors.phone_regions import document_hints
from parsers.detectors.phones import PhoneDetector
from parsers.extractor import Extraction


def detect(text: str, markup: str | None = None):
    return PhoneDetector().detect(Extraction(kind="plain", text=text, markup=markup))


def normalized(text: str) -> list[str]:
    return [f.normalized for f in detect(text)]


@pytest.mark.parametrize(
    ("text", "written", "e164"),
    [
        (
            "お問い合わせ：０１２０－１２３－４５６（受付 9:00-18:00）",
            "０１２０－１２３－４５６",
            "+81120123456",
        ),
        ("電話 03-1234-5678 までご連絡ください", "03-1234-5678", "+81312345678"),
        ("携帯：090-1234-5678", "090-1234-5678", "+819012345678"),
        ("IP電話 050-1234-5678", "050-1234-5678", "+815012345678"),
        ("フリーダイヤル 0120ー123ー456", "0120ー123ー456", "+81120123456"),
        ("TEL.03-1234-5678 (Tokyo)", "03-1234-5678", "+81312345678"),
        ("0800-123-4567 へお電話を", "0800-123-4567", "+818001234567"),
        ("電話番号（03）1234-5678", "03）1234-5678", "+81312345678"),
        ("Call Microsoft Support at 1-800-555-1234 now", "1-800-555-1234", "+18005551234"),
        ("Call (800) 642-7676 immediately", "(800) 642-7676", "+18006427676"),
        ("Helpline 800.555.1234", "800.555.1234", "+18005551234"),
        ("Tel: +44 20 7946 0958", "+44 20 7946 0958", "+442079460958"),
        ("Contact: +91 98765 43210", "+91 98765 43210", "+919876543210"),
        ("phone +81 (0)3-1234-5678", "+81 (0)3-1234-5678", "+81312345678"),
        ("Dial 0044 20 7946 0958 from abroad", "0044 20 7946 0958", "+442079460958"),
        ("London office, call 020 7946 0958", "020 7946 0958", "+442079460958"),
        ("Australia: call (02) 9876 5432", "(02) 9876 5432", "+61298765432"),
    ],
)
def test_phone_numbers_are_normalized_to_e164_at_their_offset(text, written, e164):
    findings = detect(text)
    assert [f.normalized for f in findings] == [e164]
    found = findings[0]
    assert found.kind == "phone"
    assert found.offset == text.find(found.value)
    assert written in text[found.offset : found.offset + len(written) + 1] or found.value in written
    assert 0.0 < found.score <= 1.0
    assert found.rules


def test_the_written_value_is_kept_as_written():
    text = "お問い合わせ：０１２０－１２３－４５６"
    found = detect(text)[0]
    assert found.value == "０１２０－１２３－４５６"
    assert found.offset == text.find("０１２０")


def test_a_number_in_the_text_language_resolves_by_that_region():
    # 03-1234-5678 is valid in Japan, Australia and France; Japanese script decides.
    assert normalized("東京本社 03-1234-5678") == ["+81312345678"]
    # The same digits spaced the Australian way, in an Australian text.
    assert normalized("Melbourne office, call 03 1234 5678") == ["+61312345678"]


def test_the_japanese_layout_resolves_without_other_hints():
    found = detect("Call 0120-123-456 today")[0]
    assert found.normalized == "+81120123456"
    assert "resolve:format" in found.rules


def test_ambiguous_national_number_without_any_hint_is_dropped():
    # Valid in Japan, Australia and France, written in none of their layouts.
    assert detect("call 03.1234.5678 now") == []


def test_numbers_without_a_trunk_zero_are_not_taken_for_european_numbers():
    assert detect("SSN 123-45-6789") == []
    assert detect("code 123 456 789") == []


@pytest.mark.parametrize(
    "text",
    [
        "Date 2024-01-15 and 15/01/2024 and 01.15.2024",
        "Windows version 10.0.19045.2965",
        "ver.3.12.1234.5678",
        "Server 192.168.1.100 and 10.20.30.40",
        "Total $1,234.56 or ¥12,345 or 0120123456円",
        "Invoice No. INV-2024-0012345",
        "Invoice 20240115-0042",
        "Order number 0312345678",
        "〒123-4567 東京都千代田区1-2-3",
        "〒 150-0002",
        "ZIP 12345-6789",
        "Card 4111 1111 1111 1111 exp 12/26",
        "Card 4111-1111-1111-1111",
        "ID 123456789012345678",
        "ISBN 978-4-7741-1234-5",
        "Reference 03123456789012345",
        "AnyDesk ID 123 456 789",
        "sha 0312345678abcdef",
    ],
)
def test_things_that_are_not_phone_numbers_are_not_reported(text):
    assert detect(text) == []


def test_a_phone_inside_a_longer_digit_run_is_not_reported():
    assert detect("serial 9903123456789901") == []


def test_a_date_next_to_a_phone_number_does_not_hide_it():
    text = "2024-01-15 10:22 03-1234-5678 から着信"
    findings = detect(text)
    assert [f.normalized for f in findings] == ["+81312345678"]
    assert findings[0].offset == text.find("03-1234-5678")


def test_bare_digit_run_needs_a_phone_label():
    assert detect("Reference 0120123456 issued") == []
    assert normalized("フリーダイヤル 0120123456") == ["+81120123456"]


def test_numbers_split_by_spaces_dots_dashes_and_parentheses_normalize_alike():
    text = "Call 1 (800) 555-1234, 1.800.555.1234 or 800 555 1234 or +1-800-555-1234"
    findings = detect(text)
    assert [f.normalized for f in findings] == ["+18005551234"]
    assert findings[0].offset == text.find("1 (800)")


def test_two_numbers_give_two_findings_in_order():
    text = "TEL 03-1234-5678 / FAX 03-1234-5679"
    assert normalized(text) == ["+81312345678", "+81312345679"]


def test_markup_is_scanned_and_marked_as_markup():
    markup = '<a href="tel:+18885550123">Call +1-888-555-0123</a>'
    findings = detect("Call +1-888-555-0123", markup=markup)
    assert [f.normalized for f in findings] == ["+18885550123"]
    assert findings[0].source == "markup"
    assert findings[0].offset == markup.find("+18885550123")


def test_numbers_assembled_in_javascript_are_left_to_the_popup_detector():
    markup = '<script>var n = "1-8" + "00-" + "555" + "-0199";</script>'
    assert detect("", markup=markup) == []


def test_consumer_warning_yields_only_its_real_number():
    text = (
        "Consumer alert: Microsoft will never call you. Never call a number shown in a "
        "pop-up and never pay with gift cards. Windows 10 version 22H2 (build 19045.3803). "
        "Report scams to the FTC at 1-877-382-4357 or at reportfraud.ftc.gov.\n"
        "消費者庁：偽の警告画面に表示された電話番号には電話しないでください。消費者ホットライン188。"
    )
    assert normalized(text) == ["+18773824357"]


def test_invoice_yields_only_its_contact_number():
    text = (
        "INVOICE #INV-2024-00153            Date: 2024-01-15\n"
        "Bill to: Acme Corp, 123 Main St, Springfield, IL 62704\n"
        "Widget A (SKU 4006381333931)   2   $12.50   $25.00\n"
        "Subtotal $25.00 Tax 8.25% Total $27.06  Due 2024-02-14\n"
        "Order No. 1234567890  Customer ID 98765432\n"
        "Questions: billing@acme-widgets.com, +1 (217) 555-0142\n"
    )
    assert normalized(text) == ["+12175550142"]


def test_document_hints_name_regions_from_script_and_place_names():
    assert document_hints("東京") == frozenset({"JP"})
    assert "GB" in document_hints("Our London office")
    assert "IN" in document_hints("Noida call centre")
    assert document_hints("nothing here") == frozenset()


def test_indian_mobile_without_trunk_zero_needs_an_indian_hint():
    assert detect("call 98765 43210") == []
    assert normalized("Call our Delhi team on 98765 43210") == ["+919876543210"]


def test_huge_number_soup_is_bounded():
    text = "9 " * 50_000 + "電話 03-1234-5678"
    assert normalized(text) == ["+81312345678"]
