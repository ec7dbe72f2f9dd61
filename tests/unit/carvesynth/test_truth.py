from __future__ import annotations

from pathlib import Path

import pytest

from tests.carvesynth.payloads import Payload
from tests.carvesynth.truth import (
    CarveImage,
    check_isolated,
    intersects,
    locate_unique,
    merge_runs,
    occurrences,
    planted,
    sha256,
)

PAYLOAD = Payload("a.txt", b"abcdef", "text-utf8", "txt", "cd")


def test_planted_records_the_payload_where_it_lies():
    record = planted(PAYLOAD, 16)
    assert (record.offset, record.length, record.end) == (16, 6, 22)
    assert record.sha256 == sha256(b"abcdef")
    assert (record.kind, record.extension, record.marker, record.region) == (
        "text-utf8",
        "txt",
        "cd",
        "unallocated",
    )


def test_occurrences_and_locate_unique():
    image = b"..abcdef..abcdef"
    assert occurrences(image, b"abcdef") == [2, 10]
    assert occurrences(image, b"abcdef", limit=1) == [2]
    assert locate_unique(b"xxabcdefxx", PAYLOAD) == 2
    with pytest.raises(AssertionError, match="found 2 times"):
        locate_unique(image, PAYLOAD)
    with pytest.raises(AssertionError, match="found 0 times"):
        locate_unique(b"nothing", PAYLOAD)


def test_check_isolated_wants_two_nuls_on_each_side():
    check_isolated(b"\x00\x00abcdef\x00\x00", planted(PAYLOAD, 2))
    check_isolated(b"abcdef", planted(PAYLOAD, 0))  # image edges count as isolated
    with pytest.raises(AssertionError, match="touches"):
        check_isolated(b"\x00Xabcdef\x00\x00", planted(PAYLOAD, 2))
    with pytest.raises(AssertionError, match="touches"):
        check_isolated(b"\x00\x00abcdef\x00Y", planted(PAYLOAD, 2))


def test_intersects_is_half_open():
    extents = ((100, 50),)
    assert intersects(extents, 149, 1)
    assert intersects(extents, 90, 11)
    assert not intersects(extents, 150, 10)
    assert not intersects(extents, 90, 10)


def test_merge_runs_joins_touching_units_only():
    assert merge_runs([0, 512, 1024, 4096], 512) == ((0, 1536), (4096, 512))
    assert merge_runs([], 512) == ()


def test_by_name_includes_overwritten_payloads():
    image = CarveImage(Path("x"), [planted(PAYLOAD, 0)], [], [planted(PAYLOAD, 9)])
    assert image.by_name()["a.txt"].offset == 9
