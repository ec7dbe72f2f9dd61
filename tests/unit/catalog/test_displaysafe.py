from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from catalog.displaysafe import ELLIPSIS, display_text, hex_dump, multiline_text

_UNSAFE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_TOKEN = re.compile(
    r"\\\\|\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})|(.)", re.DOTALL
)
_SPOOFS = [
    "\x1b", "\x00", "\x7f", "\x85", "\x9b", "\n", "\r", "\t", "\u061c", "\u200b", "\u200c",
    "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\u2060", "\u2064",
    "\ufeff", "\u2028", "\u2029", "\u00ad", "\ufe0f", "\u3164", "\U000e0041", "\udc85",
    "\udcff", "\ud800", "\u00a0", "\u3000", "\\", "x", "u", "U", "0", "8", "5", "f", "e",
]  # fmt: skip
_hostile = st.text(alphabet=st.characters() | st.sampled_from(_SPOOFS))


def _undo(shown: str) -> str:
    """Read display_text's output back (the escapes as the module docstring defines them)."""
    out = []
    for match in _TOKEN.finditer(shown):
        byte, bmp, astral, plain = match.groups()
        if byte is not None:
            value = int(byte, 16)
            out.append(chr(value if value < 0x80 else 0xDC00 + value))
        elif bmp is not None or astral is not None:
            out.append(chr(int(bmp or astral, 16)))
        else:
            out.append(plain if plain is not None else "\\")
    return "".join(out)


@given(_hostile)
@example("\ud800\udc00")
@example("\\\x1b")
def test_display_text_output_has_no_control_format_separator_or_surrogate(text: str) -> None:
    assert not [c for c in display_text(text) if unicodedata.category(c) in _UNSAFE]


@given(_hostile)
@example("\\x1b\x1b")
@example("\x1b\\x1b")
@example("C:\\Users\\x86\\u200b")
@example("\\\\\\")
@example("\\\U0001f600\U000e0041")
def test_display_text_reads_back_to_the_input_so_no_two_inputs_look_alike(text: str) -> None:
    assert _undo(display_text(text)) == text


@given(_hostile, st.integers(min_value=1, max_value=40))
def test_truncated_text_fits_and_never_cuts_an_escape(text: str, max_chars: int) -> None:
    full = display_text(text)
    shown = display_text(text, max_chars)
    assert len(shown) <= max_chars
    if len(full) <= max_chars:
        assert shown == full
    else:
        assert shown.endswith(ELLIPSIS)
        kept = shown[: -len(ELLIPSIS)]
        assert full.startswith(kept)
        assert not re.search(r"(?<!\\)(\\\\)*\\(x.?|u.{0,3}|U.{0,7})$", kept)


@given(_hostile)
def test_multiline_text_keeps_only_newlines_as_layout(text: str) -> None:
    shown = multiline_text(text)
    assert "\t" not in shown
    assert shown.count("\n") == text.count("\n")
    bad = [c for c in shown if unicodedata.category(c) in _UNSAFE and c != "\n"]
    assert bad == []


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("invoice\u202efdp.exe", "invoice\\u202efdp.exe"),
        ("pay\u200bpal", "pay\\u200bpal"),
        ("a\u2066b\u2069", "a\\u2066b\\u2069"),
        ("\ufeffname", "\\ufeffname"),
        ("line\u2028two", "line\\u2028two"),
        ("tab\there\nnext", "tab\\x09here\\x0anext"),
        ("bad\udcffbyte", "bad\\xffbyte"),
        ("nel\x85", "nel\\u0085"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("no\u00a0break", "no\\u00a0break"),
    ],
)
def test_display_text_escapes_controls_and_invisible_characters(text: str, shown: str) -> None:
    assert display_text(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "通話スクリプト.txt",
        "مرحبا بالعالم",
        "שלום עולם",
        "Ünïcödé café",
        "broken \ufffd char",
        "C:\\Users\\Bob\\Desktop",
        "C:\\xampp\\htdocs",
    ],
)
def test_letters_of_any_script_and_ordinary_backslashes_stay_as_they_are(text: str) -> None:
    assert display_text(text) == text


def test_backslash_is_doubled_only_where_it_could_read_as_an_escape() -> None:
    assert display_text("C:\\x86\\app") == "C:\\\\x86\\app"
    assert display_text("literal \\u200b") == "literal \\\\u200b"
    assert display_text("\\\x1b") == "\\\\\\x1b"
    assert display_text("\\x1b") != display_text("\x1b")


def test_inputs_differing_only_in_an_invisible_character_display_differently() -> None:
    names = [
        "paypal.com",
        "pay\u200bpal.com",
        "pay\u200cpal.com",
        "paypal.com\ufeff",
        "paypal.co\u200dm",
    ]
    assert len({display_text(name) for name in names}) == len(names)


def test_c1_control_and_undecodable_byte_of_the_same_value_look_different() -> None:
    assert display_text("\x85") != display_text("\udc85")


def test_truncation_ends_in_an_ellipsis_within_the_limit() -> None:
    assert display_text("abcdefghij", 5) == "abcd…"
    assert display_text("abcde", 5) == "abcde"
    assert display_text("ab\x1bcdef", 5) == "ab…"
    assert display_text("x" * 10_000_000, 3) == "xx…"


def test_max_chars_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        display_text("abc", 0)


def test_multiline_text_expands_tabs_to_the_next_multiple_of_four() -> None:
    assert multiline_text("a\tb\nabcd\te\n\tf") == "a   b\nabcd    e\n    f"
    assert multiline_text("\x1b\tz") == "\\x1b    z"


def test_multiline_text_escapes_carriage_returns_and_bidi_but_keeps_newlines() -> None:
    assert multiline_text("one\r\ntwo\u202e") == "one\\x0d\ntwo\\u202e"
    assert multiline_text("全角\u3000スペース") == "全角\u3000スペース"


def test_hex_dump_classic_line() -> None:
    assert hex_dump(b"Hello, world!\n\x00\xff") == [
        "00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a 00 ff  |Hello, world!...|"
    ]


def test_hex_dump_pads_the_last_line_so_ascii_columns_align() -> None:
    lines = hex_dump(bytes(range(0x41, 0x41 + 20)), base_offset=0x10)
    assert [line[:8] for line in lines] == ["00000010", "00000020"]
    assert lines[1] == "00000020  51 52 53 54" + " " * 37 + "  |QRST|"
    assert lines[0].index("|") == lines[1].index("|")


def test_hex_dump_offset_column_widens_past_four_gib_for_every_line() -> None:
    lines = hex_dump(bytes(32), base_offset=(1 << 32) - 16)
    assert [line.split()[0] for line in lines] == ["0fffffff0", "100000000"]


def test_hex_dump_ascii_column_shows_only_printable_ascii() -> None:
    line = hex_dump(bytes([0x1B, 0x7F, 0x80, 0x20, 0x7E, 0xE6]), width=6)[0]
    assert line.endswith("|... ~.|")
    assert "1b 7f 80 20 7e e6" in line


def test_hex_dump_of_nothing_is_no_lines_and_bad_width_is_refused() -> None:
    assert hex_dump(b"") == []
    with pytest.raises(ValueError, match="width"):
        hex_dump(b"x", width=0)
