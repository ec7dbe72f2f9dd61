# ruff: noqa: E501 - held-out texts keep their natural line length
from __future__ import annotations

import pytest

from parsers.detectors.popup import PopupDetector, assembled_strings
from parsers.extractor import Extraction
from tests.fixtures.artefacts.build import html_text
from tests.unit.parsers.detectors.fixture_docs import DOCS, extraction

DETECTOR = PopupDetector()


def detect(markup: str) -> list:
    return DETECTOR.detect(Extraction(kind="html", text=html_text(markup), markup=markup))


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_fixture_is_reported_exactly_when_labelled_a_popup(doc) -> None:
    found = DETECTOR.detect(extraction(doc))
    assert bool(found) == ("popup_template" in doc.categories), [f.rules for f in found]


def test_without_markup_nothing_is_reported() -> None:
    text = "WARNING: your computer is infected. Call Microsoft Support 1-888-555-0142 now."
    assert DETECTOR.detect(Extraction(kind="plain", text=text)) == []


# Held-out pages: written after the rules, in wording the fixtures do not use.
STATIC_POPUP = """<html><body style="background:#c00;color:#fff">
<h1>Microsoft Security Notice</h1>
<p>Virus alert! Your PC is infected with 3 threats and your system has been locked.</p>
<p>Please call the Microsoft helpline at +1 (855) 555-0139 right now. Error 0x800F0922.</p>
</body></html>"""

SPLIT_NUMBER = """<html><head><title>Alert</title></head><body>
<h2>Apple Security</h2><p>Warning: Malware detected on this device. Your data is at risk.</p>
<p>Call Apple Care: <span id="x"></span></p>
<script>
let head = '+1 ' ; head += '(833) ';
let tail = ['555', '0192'].join('-');
document.querySelector('#x').innerText = head + tail;
document.addEventListener('contextmenu', e => e.preventDefault());
</script></body></html>"""


def test_static_page_with_alarm_and_support_number_is_a_popup() -> None:
    (finding,) = detect(STATIC_POPUP)
    assert finding.kind == "popup_template"
    assert finding.value == finding.normalized == "microsoft"
    assert "phone:call_to_action" in finding.rules
    assert finding.source == "markup"
    assert STATIC_POPUP[finding.offset : finding.offset + 5] in finding.snippet


def test_number_built_by_string_pieces_counts_as_an_assembled_phone() -> None:
    (finding,) = detect(SPLIT_NUMBER)
    assert finding.value == "apple"
    assert "phone:js_assembled" in finding.rules
    assert "behaviour:no_context_menu" in finding.rules


def test_assembled_strings_evaluate_concatenation_join_char_codes_and_writes() -> None:
    markup = """<script>
    var a = "1-8" + "00"; var b = ["555", "0100"].join("-");
    var c = String.fromCharCode(49, 50); var d = '\\x41' + "B";
    document.write("03-"); document.write("1234-"); document.write("5678");
    </script>"""
    built = assembled_strings(markup)
    assert "1-800" in built
    assert "555-0100" in built
    assert "12" in built
    assert "AB" in built
    assert "03-1234-5678" in built


NOT_POPUPS = {
    "antivirus shop": """<html><body><h1>ShieldPro Antivirus 2024</h1>
<p>Real-time protection against viruses, malware, ransomware and spyware. Firewall included.</p>
<p>Questions before you buy? Call our sales team on 1-800-555-0181, Monday to Friday.</p>
<footer>Terms | Privacy</footer></body></html>""",
    "news page": """<html><body><h1>Fake virus warnings lock screens of thousands</h1>
<p>The fake alert told users "Your computer has been blocked, call 1-888-555-0100" and played a siren.
Police said the scammers then asked victims for gift cards. Never call a number shown in a pop-up.</p>
</body></html>""",
    "web app": """<html><body><div id="app"></div><script>
window.addEventListener('beforeunload', e => { if (dirty) e.preventDefault(); });
document.addEventListener('keydown', e => { if (e.ctrlKey && e.key === 's') { e.preventDefault(); save(); } });
history.pushState({page: 2}, '', '/page/2');
</script><p>Contact: +44 20 7946 0011</p></body></html>""",
}


@pytest.mark.parametrize("markup", NOT_POPUPS.values(), ids=list(NOT_POPUPS))
def test_unseen_ordinary_pages_are_not_popups(markup: str) -> None:
    assert detect(markup) == []


@pytest.mark.parametrize(
    "markup",
    ["", "<html></html>", "<script>" + "a+" * 50_000 + "</script>", '"' * 100_000, "<" * 10_000],
)
def test_degenerate_markup_gives_nothing(markup: str) -> None:
    assert DETECTOR.detect(Extraction(kind="html", text="", markup=markup)) == []
