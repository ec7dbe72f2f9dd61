# Full-width digits, letters and punctuation are the input under test here.
# ruff: noqa: RUF001
from __future__ import annotations

import re

from parsers.detectors.scanning import (
    FindingSet,
    SpanSet,
    Target,
    distance_to,
    fold,
    label_for,
    scan_target,
)
from parsers.extractor import Extraction


def test_fold_maps_full_width_forms_without_moving_offsets():
    text = "ＴＥＬ：０３－１２３４－５６７８　ｉｎｆｏ＠ｅｘａｍｐｌｅ．ｊｐ"
    folded = fold(text)
    assert folded == "TEL:03-1234-5678 info@example.jp"
    assert len(folded) == len(text)


def test_fold_reads_a_long_vowel_mark_between_digits_as_a_dash():
    assert fold("0120ー123ー456 エニーデスク") == "0120-123-456 エニーデスク"


def test_scan_target_prefers_markup():
    assert scan_target(Extraction(kind="html", text="a", markup="<b>a</b>")).source == "markup"
    assert scan_target(Extraction(kind="plain", text="a")).source == "text"


def test_distance_to_ignores_matches_inside_the_span_and_beyond_the_window():
    text = "site.py is a file; website"
    word = re.compile("site")
    assert distance_to(text, 0, 7, word, window=10) is None
    assert distance_to(text, 0, 7, word, window=30) == text.find("website") + 3 - 7


def test_label_for_prefers_a_label_before_the_value():
    labels = {"account": re.compile("Account"), "routing": re.compile("routing")}
    text = "Account number: 12345678901, routing number: 021000021"
    start = text.find("1234")
    assert label_for(text, start, start + 11, labels) == ("account", len(" number: "))


def test_span_set_merges_and_answers_covers_and_overlaps():
    spans = SpanSet()
    spans.add(10, 20)
    spans.add(30, 40)
    spans.add(18, 32)
    assert spans.spans() == [(10, 40)]
    spans.add(50, 60)
    assert spans.covers(10)
    assert not spans.covers(40)
    assert spans.covers(55)
    assert spans.overlaps(39, 45)
    assert not spans.overlaps(40, 50)
    assert not spans.overlaps(0, 10)


def test_finding_set_keeps_the_first_occurrence_of_a_value():
    text = "b a b"
    found = FindingSet(Target(text, text, "text"))
    found.add("email", (4, 5), "b", 0.5, ("r",))
    found.add("email", (0, 1), "b", 0.5, ("r",))
    found.add("email", (2, 3), "a", 1.5, ("r",))
    findings = found.findings()
    assert [(f.normalized, f.offset) for f in findings] == [("b", 0), ("a", 2)]
    assert findings[1].score == 1.0
