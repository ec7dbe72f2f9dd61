from __future__ import annotations

import pytest

from tests.carvesynth import texts
from tests.carvesynth.payloads import is_signature_free

TEXTS = {
    "script_en": (texts.script_en, "utf-8", texts.SCRIPT_EN_MARKER),
    "script_ja": (texts.script_ja, "shift_jis", texts.SCRIPT_JA_MARKER),
    "lead_list": (texts.lead_list, "utf-16-le", texts.LEADS_MARKER),
    "popup_html": (texts.popup_html, "utf-8", texts.POPUP_MARKER),
}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_text_decodes_holds_its_marker_and_no_signature(name):
    build, encoding, marker = TEXTS[name]
    data = build()
    assert len(data) > 1024
    assert len(data) % 512
    assert marker in data.decode(encoding)
    assert is_signature_free(data)


@pytest.mark.parametrize("name", ["script_en", "script_ja", "popup_html"])
def test_eight_bit_texts_hold_no_nul_or_control_bytes(name):
    data = TEXTS[name][0]()
    assert not set(data) & (set(range(0x09)) | set(range(0x0E, 0x20)))


def test_english_script_carries_the_artefacts_a_detector_looks_for():
    text = texts.script_en().decode("utf-8")
    for artefact in (texts.PHONE_EN, texts.DOMAIN, texts.ANYDESK_ID, texts.BTC_ADDRESS):
        assert artefact in text
    assert "gift card" in text
    assert 2048 <= len(text) <= 4096


def test_japanese_script_is_shift_jis_readable_as_cp932():
    data = texts.script_ja()
    assert data.decode("cp932") == data.decode("shift_jis")
    text = data.decode("shift_jis")
    assert "マイクロソフトサポートです" in text
    assert "ウイルスに感染しています" in text
    assert texts.PHONE_JA in text
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_lead_list_is_csv_of_names_phones_and_emails():
    lines = texts.lead_list().decode("utf-16-le").splitlines()
    assert lines[1] == "lead_id,name,phone,email,age,status"
    rows = [line.split(",") for line in lines[2:]]
    assert len(rows) == 36
    assert all(len(row) == 6 and "@" in row[3] for row in rows)
    assert any(row[2].startswith("090-") for row in rows)


def test_popup_names_defender_and_a_toll_free_number():
    html = texts.popup_html().decode("utf-8")
    assert "Windows Defender Alert" in html
    assert f"Toll Free {texts.PHONE_POPUP}" in html


def test_decoy_note_variants_differ_and_hold_no_marker():
    assert texts.decoy_note(1) != texts.decoy_note(2)
    note = texts.decoy_note(1).decode("utf-8")
    markers = (texts.SCRIPT_EN_MARKER, texts.LEADS_MARKER, texts.POPUP_MARKER)
    assert not any(marker in note for marker in markers)
