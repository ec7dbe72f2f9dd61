# ruff: noqa: RUF001, E501 - held-out texts keep full-width punctuation and natural line length
from __future__ import annotations

import pytest

from parsers.detectors.callscript import CallScriptDetector
from parsers.extractor import Extraction
from tests.unit.parsers.detectors.fixture_docs import DOCS, extraction

DETECTOR = CallScriptDetector()


def detect(text: str) -> list:
    return DETECTOR.detect(Extraction(kind="plain", text=text))


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_fixture_is_reported_exactly_when_labelled_a_call_script(doc) -> None:
    found = DETECTOR.detect(extraction(doc))
    assert bool(found) == ("call_script" in doc.categories), [f.rules for f in found]


# Held-out texts: written after the rules, in wording the fixtures do not use.
UNSEEN_SCRIPTS = {
    "microsoft": """
Opening line - "Hi, I'm calling you from Windows service centre regarding your computer."
Tell him his machine is showing critical errors and that hackers from abroad are misusing his IP address.
Ask him to hold the Windows button and press R, then type eventvwr. Show him the red errors.
Ask her to download Supremo and to tell you the code on her screen.
Price list: 3 years protection $349. Payment with Target cards or Google Play.
If she says she will call her bank, say: "Madam, your bank cannot help with a hacking case."
""",
    "generic": """
担当：「市役所 保険年金課の者です。医療費の還付金 28,000円 がございます。」
担当：「申請期限が本日までとなっておりますので、至急お手続きをお願いします。」
相手が「書類は届いていない」と言った場合：「先月お送りしましたが、期限が過ぎてしまいました」と答える。
担当：「お近くのATMに行って、携帯電話でこちらにお電話ください。」
担当：「画面の『お振込み』を押してください。次に、お伝えする番号を入力してください。」
""",
    "amazon": """
AMAZON SECURITY DESK - PITCH 2
Rep: Hello, you have reached Amazon fraud protection. I see a suspicious order of a MacBook for $1,899.
Rep: To block the order I need to connect to your computer. Please open the browser and download AnyDesk.
Rep: The refund portal shows $18,990, too much was sent. Please return the rest with Amazon gift cards.
If the customer doubts, tell him the account will be frozen by the end of the day.
""",
}


@pytest.mark.parametrize(("brand", "text"), UNSEEN_SCRIPTS.items(), ids=list(UNSEEN_SCRIPTS))
def test_unseen_scripts_are_reported_with_their_brand(brand: str, text: str) -> None:
    (finding,) = detect(text)
    assert finding.kind == "call_script"
    assert finding.normalized == brand == finding.value
    assert 0.5 <= finding.score <= 1.0
    assert any(rule.startswith("structure:") for rule in finding.rules)


UNSEEN_NOT_SCRIPTS = {
    "bank warning": """
Your bank will never ask you to move money to a 'safe account'. Fraudsters may call pretending to be
from our fraud team or the police. They often say your account is compromised and that you must act
immediately. If you get a call like this, hang up and call the number on the back of your card.
Never give anyone remote access to your computer, and never buy gift cards to pay someone you don't know.
""",
    "family blog": """
Last week my mum got one of those calls. The scammer claimed to be from Microsoft and said her computer
was infected with a virus. He told her to press Win+R and type eventvwr, then asked her to install AnyDesk.
When he asked for $400 in Google Play cards she finally called me. Please share this with your parents.
""",
    "billing script": """
Agent: Thank you for calling Skyline Broadband, this is Priya. Can I have your account number?
Customer: I was billed twice this month.
Agent: I'm sorry about that. I can see the duplicate payment of $59.99, I will process a refund now.
Agent: The refund will reach your card in 3 to 5 working days. Is there anything else I can help with?
If the customer asks for compensation, offer one month of free upgrade.
""",
    "helpdesk ja": """
社内ヘルプデスク対応マニュアル
１．社員から内線で連絡を受けたら、チケットを作成してください。
２．ウイルス感染の疑いがある場合は、LANケーブルを抜くよう案内してください。
３．リモート操作の前に、必ず本人の同意を得てください。
担当：「情報システム部の田中です。これから画面共有を開始します。」
""",
}


@pytest.mark.parametrize("text", UNSEEN_NOT_SCRIPTS.values(), ids=list(UNSEEN_NOT_SCRIPTS))
def test_unseen_warnings_stories_and_legitimate_scripts_are_not_reported(text: str) -> None:
    assert detect(text) == []


def test_snippet_and_offset_point_at_evidence_in_the_text() -> None:
    text = "Team notes\n\n" + UNSEEN_SCRIPTS["amazon"]
    (finding,) = detect(text)
    assert finding.offset is not None
    assert finding.snippet
    assert text[finding.offset : finding.offset + 3].lower() in finding.snippet.lower()


def test_full_width_letters_are_read_like_ascii() -> None:
    wide = UNSEEN_SCRIPTS["amazon"].replace("AnyDesk", "ＡｎｙＤｅｓｋ")
    (finding,) = detect(wide)
    assert "remote:anydesk" in finding.rules


@pytest.mark.parametrize("text", ["", "   \n", "a" * 100_000, "Agent: hello\n" * 5000])
def test_empty_or_degenerate_text_gives_nothing(text: str) -> None:
    assert detect(text) == []


def test_cues_scattered_over_a_long_text_do_not_add_up() -> None:
    filler = "The committee met again and discussed the budget for the coming year.\n" * 150
    pieces = [
        "Agent: welcome to the annual meeting.",
        "A virus outbreak delayed the harvest; the farm was hacked by storms.",
        "Members may pay with gift cards at the shop.",
        "TeamViewer training is offered to volunteers.",
        "If the customer says the jam is too sweet, offer another jar.",
    ]
    text = filler.join(pieces)
    assert len(text) > 40_000
    assert detect(text) == []


def test_a_script_inside_a_long_document_is_found() -> None:
    filler = "Minutes of the weekly meeting: nothing to report.\n" * 400
    text = filler + UNSEEN_SCRIPTS["microsoft"] + filler
    (finding,) = detect(text)
    assert finding.value == "microsoft"
    assert text[finding.offset : finding.offset + 4] in finding.snippet
