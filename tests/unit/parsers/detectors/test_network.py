# Full-width digits, letters and punctuation are the input under test here.
# ruff: noqa: RUF001
from __future__ import annotations

import pytest

from parsers.detectors.network import NetworkDetector
from parsers.detectors.suffixes import bare_domain_verdict, public_suffix
from parsers.extractor import Extraction


def detect(text: str, markup: str | None = None):
    return NetworkDetector().detect(Extraction(kind="plain", text=text, markup=markup))


def of_kind(findings, kind):
    return [f for f in findings if f.kind == kind]


def normalized(text: str, kind: str) -> list[str]:
    return [f.normalized for f in of_kind(detect(text), kind)]


def assert_offsets_exact(text: str, findings) -> None:
    for found in findings:
        if found.kind != "sip_account" or found.value in text:
            assert text.find(found.value) == found.offset, found


# --- e-mail ---------------------------------------------------------------------------


def test_email_is_lower_cased_and_gives_no_domain():
    text = "Write to HelpDesk@Micros0ft-Support.com now"
    findings = detect(text)
    assert [(f.kind, f.normalized) for f in findings] == [
        ("email", "helpdesk@micros0ft-support.com")
    ]
    assert findings[0].value == "HelpDesk@Micros0ft-Support.com"
    assert_offsets_exact(text, findings)


def test_japanese_mobile_mail_and_full_width_address_are_found():
    wide = "ｉｎｆｏ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ"
    text = f"メール：taro.yamada@docomo.ne.jp または {wide}"
    assert normalized(text, "email") == ["taro.yamada@docomo.ne.jp", "info@example.co.jp"]
    assert_offsets_exact(text, detect(text))


@pytest.mark.parametrize(
    "text",
    ["logo@2x.png", "icon@3x.jpg", "user@localhost", "a..b@example.com", "git@github"],
)
def test_things_that_are_not_email_addresses(text):
    assert of_kind(detect(text), "email") == []


# --- URL and domain ---------------------------------------------------------------------


def test_defanged_url_is_restored_and_gives_its_domain():
    text = "Visit hxxps://micros0ft-support[.]com/alert?id=123. Now!"
    findings = detect(text)
    url = of_kind(findings, "url")[0]
    assert url.value == "hxxps://micros0ft-support[.]com/alert?id=123"
    assert url.normalized == "https://micros0ft-support.com/alert?id=123"
    assert "deobfuscated" in url.rules
    domain = of_kind(findings, "domain")[0]
    assert domain.normalized == "micros0ft-support.com"
    assert domain.value == "micros0ft-support[.]com"
    assert_offsets_exact(text, findings)


@pytest.mark.parametrize(
    ("written", "url"),
    [
        ("https://Sub.Example.COM:8443/Path?q=1", "https://sub.example.com:8443/Path?q=1"),
        ("HTTP://EXAMPLE.com/A/B", "http://example.com/A/B"),
        ("hxxp://evil(.)example(.)net/x", "http://evil.example.net/x"),
        ("hXXps[:]//bad[dot]example[dot]org/p", "https://bad.example.org/p"),
        ("ftp://files.example.org/pub/", "ftp://files.example.org/pub/"),
        ("www.example.co.jp/page", "www.example.co.jp/page"),
    ],
)
def test_urls_are_normalized_per_spec(written, url):
    text = f"(see {written}), thanks"
    findings = detect(text)
    assert normalized(text, "url") == [url]
    assert of_kind(findings, "url")[0].value == written
    assert_offsets_exact(text, findings)


def test_url_trailing_punctuation_is_stripped():
    text = 'Go to "https://example.com/path?a=1&b=2".'
    assert normalized(text, "url") == ["https://example.com/path?a=1&b=2"]


def test_url_with_ip_host_gives_url_and_ipv4_but_no_domain():
    text = "download http://203.0.113.9/AnyDesk.exe"
    findings = detect(text)
    assert normalized(text, "url") == ["http://203.0.113.9/AnyDesk.exe"]
    assert of_kind(findings, "domain") == []
    assert normalized(text, "ipv4") == ["203.0.113.9"]


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("Our site example[.]org is down", "example.org"),
        ("see evil(.)co(.)uk", "evil.co.uk"),
        ("log in at secure-login.info", "secure-login.info"),
        ("Amazon.co.jp からのお知らせ", "amazon.co.jp"),
        ("visit reportfraud.ftc.gov", "reportfraud.ftc.gov"),
        ("EXAMPLE.COM", "example.com"),
    ],
)
def test_bare_domains_with_a_known_suffix_are_found(text, domain):
    findings = detect(text)
    assert normalized(text, "domain") == [domain]
    assert_offsets_exact(text, findings)


@pytest.mark.parametrize(
    "text",
    [
        "Files: report.txt setup.exe index.html jquery.min.js readme.md main.py archive.zip",
        "photo.jpeg config.json style.css app.tsx notes.docx",
        "window.top.location = x; this.id = 5; obj.info(); e.target.style.top",
        "System.IO.File and Foo.Com",
        "version 1.2.3 and 10.0.19045",
        "1.2.3.com",
    ],
)
def test_file_names_and_code_are_not_domains(text):
    assert of_kind(detect(text), "domain") == []


def test_ambiguous_tlds_need_a_scheme_or_context():
    assert of_kind(detect("unpack update.zip first"), "domain") == []
    assert normalized("visit the website update.zip", "domain") == ["update.zip"]
    assert normalized("https://update.zip/x", "domain") == ["update.zip"]


def test_camel_case_names_are_code_in_markup_only():
    assert normalized("PayPal.com", "domain") == ["paypal.com"]
    assert detect("x", markup="<script>myApp.info = 1; fooBar.com</script>") == []


def test_public_suffix_prefers_second_level_suffixes():
    assert public_suffix("www.example.co.jp") == "co.jp"
    assert public_suffix("example.com") == "com"
    assert public_suffix("example.invalidtld") is None


def test_bare_domain_verdict_needs_a_letter_before_the_suffix():
    assert bare_domain_verdict("123.co.jp", in_markup=False) is None
    assert bare_domain_verdict("abc123.co.jp", in_markup=False) == "domain"
    assert bare_domain_verdict("tool.py", in_markup=False) == "ambiguous"


# --- SIP ----------------------------------------------------------------------------------


def test_sip_uris_give_user_at_lower_case_host():
    text = "sip:1001@PBX.Example.com:5060 and sips:agent7@voip.example.net;transport=tls"
    findings = detect(text)
    assert normalized(text, "sip_account") == ["1001@pbx.example.com", "agent7@voip.example.net"]
    assert of_kind(findings, "email") == []
    assert_offsets_exact(text, findings)


MICROSIP_INI = """[Settings]
singleMode=1
[Account1]
label=Office
server=sip.callcentre.example.com
proxy=sip.callcentre.example.com
domain=sip.callcentre.example.com
username=2001
password=secret
transport=udp
[Account2]
server=10.0.0.8
username=agent9
"""


def test_softphone_ini_sections_give_accounts():
    findings = of_kind(detect(MICROSIP_INI), "sip_account")
    assert [f.normalized for f in findings] == [
        "2001@sip.callcentre.example.com",
        "agent9@10.0.0.8",
    ]
    assert findings[0].offset == MICROSIP_INI.find("2001")
    assert findings[0].rules == ("config:softphone",)


def test_softphone_xml_account_blocks_give_accounts():
    text = (
        "<zoiper><account><username>3003</username><password>x</password>"
        "<host>voip.example.org</host></account></zoiper>"
    )
    assert normalized(text, "sip_account") == ["3003@voip.example.org"]


def test_account_key_holding_user_at_host_counts():
    text = "[SIP]\nAccount=sip:5005@pbx.example.jp\n"
    assert normalized(text, "sip_account") == ["5005@pbx.example.jp"]


def test_database_config_without_sip_context_gives_no_account():
    text = "[database]\nuser=admin\nhost=db.example.com\n"
    assert of_kind(detect(text), "sip_account") == []


# --- IPv4 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("server=203.0.113.5", "context:config_key"),
        ("2024-01-15 10:22:01 connection from 198.51.100.23 accepted", "context:server_word"),
        ("Remote host: 192.168.0.10:3389", "context:port"),
        ("接続先サーバー 10.0.0.5 に接続", "context:server_word"),
        ("Jan 15 10:22:01 sshd[42]: Accepted 198.51.100.7", "context:log_line"),
    ],
)
def test_ipv4_in_server_config_or_log_context_is_found(text, rule):
    findings = of_kind(detect(text), "ipv4")
    assert len(findings) == 1
    assert rule in findings[0].rules
    assert text.find(findings[0].value) == findings[0].offset


def test_ipv4_leading_zeros_are_dropped():
    assert normalized("proxy 010.001.002.003", "ipv4") == ["10.1.2.3"]


@pytest.mark.parametrize(
    "text",
    [
        "Windows version 10.0.19045.2965",
        "build 1.2.3.4 server",
        "ver 6.1.7601.1 host",
        "v1.2.3.4 server",
        "host 1.2.3.4.5",
        "server 0.0.0.0",
        "server 255.255.255.255",
        "netmask 255.255.255.0 host",
        "host 300.1.2.3",
        "Chrome 120.0.6099.109",
        '10.1.1.1 - - [10/Jan/2024:10:00:00] "GET /" 200 "Mozilla/5.0 Chrome/120.0.0.0"',
        "server agent: Safari/537.36 Edg/118.0.2088.76",
        "The ratio was 1.2.3.4 in the table",
    ],
)
def test_version_strings_and_special_addresses_are_not_ipv4(text):
    found = of_kind(detect(text), "ipv4")
    assert [f.normalized for f in found if f.normalized != "10.1.1.1"] == []


# --- decoys ---------------------------------------------------------------------------------


def test_consumer_warning_yields_only_its_real_identifiers():
    text = (
        "Consumer alert: Microsoft will never call you or show a pop-up with a phone number. "
        "If a page asks you to install AnyDesk.exe or TeamViewer_Setup.exe, close it. "
        "Windows 10 version 22H2 (build 19045.3803). Report it at reportfraud.ftc.gov "
        "or https://www.ic3.gov/Home/FileComplaint."
    )
    findings = detect(text)
    assert sorted((f.kind, f.normalized) for f in findings) == [
        ("domain", "reportfraud.ftc.gov"),
        ("domain", "www.ic3.gov"),
        ("url", "https://www.ic3.gov/Home/FileComplaint"),
    ]
    assert_offsets_exact(text, findings)


def test_markup_offsets_index_the_markup():
    markup = '<a href="https://example.com/x">example.com</a>'
    findings = detect("example.com", markup=markup)
    assert all(f.source == "markup" for f in findings)
    assert_offsets_exact(markup, findings)
