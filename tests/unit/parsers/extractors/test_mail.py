# ruff: noqa: RUF001 - Japanese test text uses full-width punctuation on purpose
from __future__ import annotations

import io
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from parsers.extractor import ExtractionError, TextLimits
from parsers.extractors.mail import EmlExtractor, MhtExtractor, header_text

EML = EmlExtractor()
MHT = MhtExtractor()


def _message() -> bytes:
    message = MIMEMultipart()
    message["From"] = "=?ISO-2022-JP?B?GyRCOzNFRBsoQiAbJEJCQE86GyhC?= <taro@example.jp>"
    message["To"] = "victim@example.com"
    message["Subject"] = Header("【重要】サポートのお知らせ", "iso-2022-jp")
    message["Date"] = "Mon, 01 Jul 2024 10:00:00 +0900"
    message.attach(MIMEText("お電話ください：03-1234-5678\n", "plain", "iso-2022-jp"))
    message.attach(MIMEText("<p>Call <b>+1 888 555 0199</b></p>", "html", "utf-8"))
    attachment = MIMEApplication(b"%PDF-1.4", Name="invoice.pdf")
    attachment.add_header("Content-Disposition", "attachment", filename=("utf-8", "", "請求書.pdf"))
    message.attach(attachment)
    return message.as_bytes()


def test_eml_gives_decoded_headers_bodies_and_attachment_names() -> None:
    data = _message()
    result = EML.extract(io.BytesIO(data), len(data), TextLimits())
    assert result.kind == "eml"
    assert result.text == (
        "From: 山田 太郎 <taro@example.jp>\n"
        "To: victim@example.com\n"
        "Subject: 【重要】サポートのお知らせ\n"
        "Date: Mon, 01 Jul 2024 10:00:00 +0900\n"
        "\n"
        "お電話ください：03-1234-5678\n"
        "\n"
        "Call +1 888 555 0199\n"
        "\n"
        "attachment: 請求書.pdf"
    )
    assert result.markup == "<p>Call <b>+1 888 555 0199</b></p>"
    assert result.encoding == "iso2022_jp"
    assert result.warnings == ()


def test_raw_shift_jis_header_and_body_are_detected() -> None:
    data = (
        "Subject: 至急ご連絡ください\nContent-Type: text/plain\n\n"
        "本文です。電話番号は090-1111-2222。\n"
    ).encode("shift_jis")
    result = EML.extract(io.BytesIO(data), len(data), TextLimits())
    assert result.text == "Subject: 至急ご連絡ください\n\n本文です。電話番号は090-1111-2222。"


def test_header_text_decodes_rfc2047_words() -> None:
    assert header_text("=?utf-8?q?caf=C3=A9?= =?utf-8?b?5pel5pys?=") == "café日本"
    assert header_text("=?x-unknown?q?abc?=") == "abc"


MHT_DATA = b"""From: <Saved by Windows Internet Explorer 8>
Subject: Microsoft Support
Date: Mon, 1 Jul 2024 10:00:00 +0900
MIME-Version: 1.0
Content-Type: multipart/related; type="text/html"; boundary="----=_NextPart_000"

------=_NextPart_000
Content-Type: text/html; charset="shift_jis"
Content-Transfer-Encoding: quoted-printable
Content-Location: http://support-alert.example/index.html

<html><body><h1>=8Cx=8D=90</h1><p>Call 0120-=
999-888</p><script>var n =3D "050-" + "1234-5678";</script></body></html>
------=_NextPart_000
Content-Type: image/png
Content-Transfer-Encoding: base64
Content-Location: http://support-alert.example/logo.png

iVBORw0KGgo=
------=_NextPart_000--
"""


def test_mht_decodes_quoted_printable_shift_jis_page() -> None:
    result = MHT.extract(io.BytesIO(MHT_DATA), len(MHT_DATA), TextLimits())
    assert result.kind == "mht"
    assert result.text == (
        "From: <Saved by Windows Internet Explorer 8>\n"
        "Subject: Microsoft Support\n"
        "Date: Mon, 1 Jul 2024 10:00:00 +0900\n"
        "Location: http://support-alert.example/index.html\n"
        "\n"
        "警告\nCall 0120-999-888\n\n----- script strings -----\n050-1234-5678"
    )
    assert result.markup is not None
    assert '"050-" + "1234-5678"' in result.markup


def test_applies_to_separates_saved_pages_from_mail() -> None:
    assert MHT.applies_to("page.mht", None, b"")
    assert MHT.applies_to("x", "message/rfc822", MHT_DATA[:512])
    assert not EML.applies_to("x", "message/rfc822", MHT_DATA[:512])
    assert EML.applies_to("x", "message/rfc822", b"From: a@b\nSubject: hi\n\nbody")
    assert EML.applies_to("mail.eml", None, b"")


def test_message_with_no_headers_still_gives_its_body() -> None:
    data = b"just some text that is not really mail"
    result = EML.extract(io.BytesIO(data), len(data), TextLimits())
    assert result.text == "just some text that is not really mail"


def test_undecodable_part_becomes_a_warning() -> None:
    import os

    body = os.urandom(4096)
    data = b"Subject: x\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n" + body
    result = EML.extract(io.BytesIO(data), len(data), TextLimits())
    assert result.text == "Subject: x"
    assert result.warnings == ("part text/plain: undecodable text (no character set fits)",)


def test_extraction_error_type_is_raised_for_parse_failures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import email

    def boom(data: bytes) -> None:
        raise IndexError("broken")

    monkeypatch.setattr(email, "message_from_bytes", boom)
    with pytest.raises(ExtractionError, match="malformed MIME message"):
        EML.extract(io.BytesIO(b"x"), 1, TextLimits())
