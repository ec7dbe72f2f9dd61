from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from catalog.csvsafe import FORMULA_TRIGGERS, escape_controls, neutralise_cell

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ESCAPE = re.compile(r"\\x([0-9a-f]{2})")
_CONTROL_CHARS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]]
_hostile_text = st.text(
    alphabet=st.characters(codec="utf-8")
    | st.sampled_from([*FORMULA_TRIGGERS, *_CONTROL_CHARS, "'", "\\", "x", "1"])
)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)


@given(_hostile_text)
@example("=1+1")
@example("\t=cmd")
@example("\r-1")
@example("\x00=1")
@example("\n@SUM(A1)")
def test_cell_never_starts_with_a_formula_trigger(text: str) -> None:
    assert not neutralise_cell(text).startswith(FORMULA_TRIGGERS)


@given(_hostile_text)
@example("\x1b[2J\x07\x9b31m\x85\x7f")
def test_cell_never_contains_a_c0_or_c1_control_character(text: str) -> None:
    assert _CONTROL.search(neutralise_cell(text)) is None


@given(_hostile_text.filter(lambda t: not t.startswith(FORMULA_TRIGGERS) and "\\" not in t))
@example("name\x1b[2J.txt")
@example("\x00leading nul")
def test_non_trigger_text_is_recovered_by_undoing_the_escapes(text: str) -> None:
    assert _unescape(neutralise_cell(text)) == text


@given(st.sampled_from(FORMULA_TRIGGERS), _hostile_text.filter(lambda t: "\\" not in t))
def test_trigger_text_is_recovered_after_the_quote_prefix(trigger: str, rest: str) -> None:
    text = trigger + rest
    cell = neutralise_cell(text)
    assert cell.startswith("'")
    assert _unescape(cell[1:]) == text


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_characters=_CONTROL_CHARS)))
def test_plain_text_without_triggers_or_controls_is_unchanged(text: str) -> None:
    if text.startswith(FORMULA_TRIGGERS):
        assert neutralise_cell(text) == "'" + text
    else:
        assert neutralise_cell(text) == text


def test_hyperlink_formula_is_quoted() -> None:
    assert neutralise_cell('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'


def test_terminal_clear_screen_sequence_is_escaped() -> None:
    assert neutralise_cell("\x1b[2J") == "\\x1b[2J"


def test_tab_trigger_is_quoted_and_escaped() -> None:
    assert neutralise_cell("\t=1") == "'\\x09=1"


def test_none_becomes_empty_cell() -> None:
    assert neutralise_cell(None) == ""


@pytest.mark.parametrize(("value", "cell"), [(0, "0"), (-5, "'-5"), (1.5, "1.5"), (True, "True")])
def test_non_string_values_are_formatted_then_neutralised(value: object, cell: str) -> None:
    assert neutralise_cell(value) == cell


def test_escape_controls_uses_two_lower_case_hex_digits() -> None:
    assert escape_controls("a\x00b\x9fc\x7f") == "a\\x00b\\x9fc\\x7f"


def test_escape_controls_leaves_printable_unicode_alone() -> None:
    assert escape_controls("通話スクリプト é ø") == "通話スクリプト é ø"


def test_clean_text_shows_any_lone_surrogate_not_only_undecodable_bytes() -> None:
    from catalog.csvsafe import clean_text

    assert clean_text("a\udcffb") == "a\\xffb"  # an undecodable byte of a host path
    assert clean_text("a\ud800b") == "a\\ud800b"  # a surrogate no byte decodes to
    assert clean_text("台本") == "台本"


def test_host_path_reverses_clean_text_for_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    import os

    from catalog.csvsafe import clean_text, host_path

    raw = os.fsencode(tmp_path) + b"/usb_\xff\xfe.img"
    with open(raw, "wb") as handle:
        handle.write(b"x")
    stored = clean_text(os.fsdecode(raw))
    assert stored.endswith("usb_\\xff\\xfe.img")
    assert os.fsencode(host_path(stored)) == raw


def test_host_path_prefers_a_name_that_holds_the_escape_as_text(tmp_path: Path) -> None:
    from catalog.csvsafe import host_path

    literal = tmp_path / "usb_\\xff.img"
    literal.write_bytes(b"x")
    assert host_path(str(literal)) == literal
    assert host_path(str(tmp_path / "plain.img")) == tmp_path / "plain.img"
