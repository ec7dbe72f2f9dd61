from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from catalog.locator import Locator

# Characters the string form uses as separators or escapes, plus hostile ones.
_HOSTILE = "@#!%/:$~-._ \x00\x1b\n\r\t\x7f\x85é名🙂+=&?"
_text = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(_HOSTILE))
_exhibits = _text.filter(bool)
_offsets = st.none() | st.integers(min_value=0, max_value=2**64)
_optional_text = st.none() | _text


@given(exhibit=_exhibits, fs_offset=_offsets, inode=_optional_text, member=_optional_text)
@example(exhibit="a@b#c!d%e/f:g", fs_offset=0, inode="12-128-3:$DATA", member="x/y!z#@")
@example(exhibit="@", fs_offset=None, inode="", member="")
@example(exhibit="%40", fs_offset=512, inode="%23", member="%21")
@example(exhibit="\x1b[2J", fs_offset=None, inode=None, member="\x00")
def test_parse_of_str_round_trips_every_locator(
    exhibit: str, fs_offset: int | None, inode: str | None, member: str | None
) -> None:
    locator = Locator(exhibit, fs_offset, inode, member)
    assert Locator.parse(str(locator)) == locator


@given(exhibit=_exhibits, fs_offset=_offsets, inode=_optional_text, member=_optional_text)
def test_string_form_has_one_separator_of_each_kind_at_most(
    exhibit: str, fs_offset: int | None, inode: str | None, member: str | None
) -> None:
    text = str(Locator(exhibit, fs_offset, inode, member))
    assert text.count("@") == (fs_offset is not None)
    assert text.count("#") == (inode is not None)
    assert text.count("!") == (member is not None)
    assert text.isprintable()


def test_string_form_of_a_full_locator_is_readable() -> None:
    locator = Locator("disk.E01", 1048576, "5-128-1", "docs/a.txt")
    assert str(locator) == "disk.E01@1048576#5-128-1!docs/a.txt"


def test_exhibit_slash_is_escaped_but_inode_slash_is_not() -> None:
    assert str(Locator("cases/disk.dd", None, "a/b")) == "cases%2Fdisk.dd#a/b"


def test_parse_of_exhibit_only_leaves_other_parts_none() -> None:
    assert Locator.parse("usb.img") == Locator("usb.img")


@pytest.mark.parametrize(
    "text",
    [
        "",  # no exhibit at all
        "@512#5",  # offset but no exhibit
        "#5",  # inode but no exhibit
        "!member",  # member but no exhibit
        "disk.dd@#5",  # empty offset
        "disk.dd@-1#5",  # negative offset
        "disk.dd@12x#5",  # offset with trailing junk
        "disk.dd@0x200",  # hex offset
        "disk.dd@ 512",  # padded offset
    ],
)
def test_parse_rejects_text_that_is_not_a_locator(text: str) -> None:
    with pytest.raises(ValueError):
        Locator.parse(text)


def test_parse_error_names_the_bad_offset() -> None:
    with pytest.raises(ValueError, match="'12x'"):
        Locator.parse("disk.dd@12x")
