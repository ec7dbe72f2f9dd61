from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.errors import EvidenceError, SegmentMissing
from parsers.sources.raw import (
    RawParser,
    RawSource,
    SplitRawParser,
    check_split_sizes,
    split_segments,
)


def _make(folder: Path, *names: str, size: int = 8) -> list[Path]:
    paths = []
    for index, name in enumerate(names):
        path = folder / name
        path.write_bytes(bytes([index]) * size)
        paths.append(path)
    return paths


# ------------------------------------------------------------------ split_segments


@pytest.mark.parametrize(
    "names",
    [
        ("disk.000", "disk.001", "disk.002"),
        ("disk.001", "disk.002", "disk.003"),
        ("disk.aa", "disk.ab", "disk.ac"),
        ("image.raw.000", "image.raw.001"),
        ("disk.0001", "disk.0002"),
    ],
)
def test_split_set_is_found_from_its_first_segment(tmp_path: Path, names: tuple[str, ...]) -> None:
    paths = _make(tmp_path, *names)
    assert split_segments(paths[0]) == paths


def test_alphabetic_set_carries_from_az_to_ba(tmp_path: Path) -> None:
    names = [f"disk.{a}{b}" for a in "ab" for b in "abcdefghijklmnopqrstuvwxyz"][:28]
    paths = _make(tmp_path, *names, size=1)
    assert split_segments(paths[0]) == paths
    assert paths[-1].name == "disk.bb"


def test_numeric_set_keeps_the_width_of_the_first_suffix(tmp_path: Path) -> None:
    paths = _make(tmp_path, "disk.001", "disk.002")
    _make(tmp_path, "disk.3", "disk.0003")  # other widths are other files
    assert split_segments(paths[0]) == paths


def test_single_file_is_not_split(tmp_path: Path) -> None:
    (first,) = _make(tmp_path, "disk.001")
    assert split_segments(first) is None


def test_later_segment_given_first_is_not_split(tmp_path: Path) -> None:
    paths = _make(tmp_path, "disk.001", "disk.002", "disk.003")
    assert split_segments(paths[1]) is None


def test_second_alphabetic_segment_given_first_is_not_split(tmp_path: Path) -> None:
    paths = _make(tmp_path, "disk.aa", "disk.ab", "disk.ac")
    assert split_segments(paths[1]) is None


def test_gap_right_after_the_first_segment_means_not_split(tmp_path: Path) -> None:
    paths = _make(tmp_path, "disk.001", "disk.003", "disk.004")
    assert split_segments(paths[0]) is None


def test_gap_in_numbering_ends_the_set(tmp_path: Path) -> None:
    paths = _make(tmp_path, "disk.001", "disk.002", "disk.004")
    assert split_segments(paths[0]) == paths[:2]


def test_directory_with_a_segment_name_ends_the_set(tmp_path: Path) -> None:
    paths = _make(tmp_path, "disk.001", "disk.002")
    (tmp_path / "disk.003").mkdir()
    assert split_segments(paths[0]) == paths


@pytest.mark.parametrize("name", ["disk.dd", "disk.E01", "disk.1", "disk.AA", "disk.abc", "disk"])
def test_names_without_a_split_suffix_are_not_split(tmp_path: Path, name: str) -> None:
    first = tmp_path / name
    first.write_bytes(b"x")
    for sibling in ("disk.002", "disk.ab", "disk.AB", "disk.2"):
        (tmp_path / sibling).write_bytes(b"x")
    assert split_segments(first) is None


# ------------------------------------------------------------------ check_split_sizes


def test_equal_segments_with_a_short_last_one_pass(tmp_path: Path) -> None:
    paths = _make(tmp_path, "disk.001", "disk.002")
    (tmp_path / "disk.003").write_bytes(b"x")
    check_split_sizes([*paths, tmp_path / "disk.003"])


def test_short_middle_segment_raises_segment_missing_naming_it(tmp_path: Path) -> None:
    first, middle, last = _make(tmp_path, "disk.001", "disk.002", "disk.003")
    middle.write_bytes(b"short")
    with pytest.raises(SegmentMissing, match=r"disk\.002: split segment is 5 bytes, expected 8"):
        check_split_sizes([first, middle, last])


def test_long_middle_segment_raises_segment_missing(tmp_path: Path) -> None:
    paths = _make(tmp_path, "disk.001", "disk.002", "disk.003")
    paths[1].write_bytes(bytes(9))
    with pytest.raises(SegmentMissing):
        check_split_sizes(paths)


def test_split_parser_open_refuses_a_set_with_a_short_middle_segment(tmp_path: Path) -> None:
    paths = _make(tmp_path, "disk.001", "disk.002", "disk.003")
    paths[1].write_bytes(b"")
    with pytest.raises(SegmentMissing):
        SplitRawParser().open(paths[0])


def test_split_parser_open_refuses_a_file_that_is_not_a_first_segment(tmp_path: Path) -> None:
    (only,) = _make(tmp_path, "disk.001")
    with pytest.raises(EvidenceError, match="not the first segment"):
        SplitRawParser().open(only)


# ------------------------------------------------------------------ RawSource


@st.composite
def _segments_and_read(draw: st.DrawFn) -> tuple[list[bytes], int, int]:
    segments = draw(st.lists(st.binary(min_size=0, max_size=300), min_size=1, max_size=5))
    total = sum(map(len, segments))
    offset = draw(st.integers(min_value=0, max_value=total + 10))
    size = draw(st.integers(min_value=0, max_value=total + 10))
    return segments, offset, size


@settings(deadline=None)  # creates files: no timing assertions (style guide, section 12)
@given(_segments_and_read())
def test_read_across_segments_equals_slicing_the_concatenation(
    case: tuple[list[bytes], int, int],
) -> None:
    segments, offset, size = case
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for index, data in enumerate(segments):
            path = Path(folder) / f"disk.{index + 1:03d}"
            path.write_bytes(data)
            paths.append(path)
        source = RawSource(paths, fmt="split_raw")
        try:
            whole = b"".join(segments)
            assert source.info.media_size == len(whole)
            assert source.read(offset, size) == whole[offset : offset + size]
        finally:
            source.close()


def test_read_spanning_three_segments(tmp_path: Path) -> None:
    paths = _make(tmp_path, "disk.001", "disk.002", "disk.003", size=4)
    source = RawSource(paths)
    try:
        assert source.read(3, 6) == b"\x00\x01\x01\x01\x01\x02"
        assert source.read(12, 5) == b""
    finally:
        source.close()


def test_info_lists_every_segment_with_its_size(tmp_path: Path) -> None:
    paths = _make(tmp_path, "disk.aa", "disk.ab", size=4)
    (tmp_path / "disk.ac").write_bytes(b"xy")
    source = SplitRawParser().open(paths[0])
    try:
        assert source.info.format == "split_raw"
        assert source.info.media_size == 10
        assert [(s.path, s.size) for s in source.info.segments] == [
            (str(tmp_path / "disk.aa"), 4),
            (str(tmp_path / "disk.ab"), 4),
            (str(tmp_path / "disk.ac"), 2),
        ]
    finally:
        source.close()


def test_missing_segment_file_raises_evidence_error_naming_it(tmp_path: Path) -> None:
    (present,) = _make(tmp_path, "disk.001")
    with pytest.raises(EvidenceError, match=r"disk\.002: cannot open"):
        RawSource([present, tmp_path / "disk.002"])


def test_raw_parser_detects_any_non_empty_head(tmp_path: Path) -> None:
    parser = RawParser()
    assert parser.detect(tmp_path / "x", b"\x00") is True
    assert parser.detect(tmp_path / "x", b"") is False


def test_raw_parser_opens_one_file_as_raw(tmp_path: Path) -> None:
    (image,) = _make(tmp_path, "disk.dd", size=16)
    source = RawParser().open(image)
    try:
        assert source.info.format == "raw"
        assert source.read(0, 100) == bytes(16)
    finally:
        source.close()
