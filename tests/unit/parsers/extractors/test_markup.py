from __future__ import annotations

from parsers.extractors.markup import SCRIPT_SEPARATOR, declared_charset, html_text, script_literals


def test_visible_text_drops_tags_styles_and_scripts() -> None:
    page = html_text(
        "<html><head><title>Alert</title><style>p{color:red}</style></head>"
        "<body><div>Your PC&nbsp;is &amp; infected</div><p>Call <b>1-888</b>-555-0100</p>"
        "<script>var x = 1;</script></body></html>",
        10_000,
    )
    assert page.text == "Alert\nYour PC is & infected\nCall 1-888-555-0100"
    assert not page.truncated


def test_table_cells_become_tab_separated_rows() -> None:
    page = html_text(
        "<table><tr><th>Name</th><th>Phone</th></tr><tr><td>Bob</td><td>555</td></tr></table>", 1000
    )
    assert page.text == "Name\tPhone\nBob\t555"


def test_script_literals_follow_a_separator_line() -> None:
    page = html_text(
        "<p>Warning</p><script>var n = '+1-8' + \"88-555\" + '-0199'; alert(n);</script>", 1000
    )
    assert page.text == f"Warning\n\n{SCRIPT_SEPARATOR}\n+1-888-555-0199"


def test_script_literal_escapes_and_from_char_code_are_decoded() -> None:
    source = r"""
    // "not a literal"
    /* 'nor this' */
    var a = 'It\'s \u30de\x41\u{1F600}';
    var b = `template ${x}`;
    document.write(String.fromCharCode(48, 51, 45, 49));
    var c = "";
    """
    assert script_literals(source) == ["It's マA\U0001f600", "template ${x}", "03-1"]


def test_unterminated_script_and_bad_marked_section_do_not_stop_the_page() -> None:
    page = html_text("<p>one</p><![foo]> <p>two</p><script>var s = 'open", 1000)
    assert page.text.startswith("one\ntwo")
    assert page.warning is None


def test_text_is_capped_at_max_chars() -> None:
    page = html_text("<p>" + "x" * 5000 + "</p>", 100)
    assert 90 <= len(page.text) <= 100
    assert page.truncated


def test_declared_charset_reads_meta_and_xml_declarations() -> None:
    assert declared_charset(b'<meta charset="Shift_JIS">') == "Shift_JIS"
    assert (
        declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=euc-jp">')
        == "euc-jp"
    )
    assert declared_charset(b'<?xml version="1.0" encoding="windows-1252"?>') == "windows-1252"
    assert declared_charset(b"<html><body>no declaration</body></html>") is None
