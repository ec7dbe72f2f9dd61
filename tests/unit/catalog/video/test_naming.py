from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.video.naming import safe_part, segment_stem


def test_stem_is_sortable_and_readable() -> None:
    stem = segment_stem("DVR-1", 3, "2025-04-28T16:06:18", "DVR-1:hik:blk:0x100000")
    assert stem.startswith("DVR-1_ch03_20250428T160618_")


def test_two_segments_whose_parts_reduce_alike_get_different_names() -> None:
    first = segment_stem("a/b", 1, None, "a/b:k1")
    second = segment_stem("a?b", 1, None, "a?b:k1")
    assert first != second


@settings(max_examples=300, deadline=None)
@given(st.text(), st.one_of(st.none(), st.integers(0, 999)), st.one_of(st.none(), st.text()))
def test_names_are_safe_whatever_the_input(
    exhibit: str, channel: int | None, start: str | None
) -> None:
    stem = segment_stem(exhibit, channel, start, exhibit + "x")
    assert stem and not stem.startswith(".")
    assert set(stem) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
    assert len(stem) < 200


def test_safe_part_never_empty_or_hidden() -> None:
    assert safe_part("") == "x"
    assert safe_part("..") == "x"
    assert safe_part("\x1b[31m=HYPERLINK(") == "31m_HYPERLINK"
