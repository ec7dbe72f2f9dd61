from __future__ import annotations

import hashlib
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.extenttaps import ExtentTaps, tappable

DATA = random.Random(3).randbytes(1 << 16)


def _pass(taps: ExtentTaps, chunk: int) -> None:
    for offset in range(0, len(DATA), chunk):
        taps.feed(offset, DATA[offset : offset + chunk])


def _sha256(extents: list[tuple[int, int]]) -> str:
    return hashlib.sha256(b"".join(DATA[o : o + n] for o, n in extents)).hexdigest()


def test_each_tap_gets_exactly_its_extents_across_chunk_boundaries() -> None:
    wanted = {
        "inside-one-chunk": [(10, 20)],
        "across-chunks": [(1000, 5000)],
        "fragmented": [(100, 50), (4000, 9000), (60000, 5536)],
        "overlapping-another-tap": [(1000, 10)],
    }
    taps = ExtentTaps(wanted.items())
    _pass(taps, 4096)
    hashes = taps.hashes()
    assert {key: found.sha256 for key, found in hashes.items()} == {
        key: _sha256(extents) for key, extents in wanted.items()
    }


def test_extents_out_of_order_overlapping_or_past_the_media_get_no_hash() -> None:
    wanted = {
        "backwards": [(5000, 10), (100, 10)],
        "self-overlap": [(100, 50), (120, 50)],
        "past-the-end": [(len(DATA) - 10, 100)],
        "empty": [],
    }
    taps = ExtentTaps(wanted.items())
    _pass(taps, 4096)
    assert taps.hashes() == {}
    assert not tappable([(5000, 10), (100, 10)]) and tappable([(0, 1), (1, 1)])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, len(DATA) - 1), st.integers(1, 3000)), max_size=5),
        max_size=12,
    ),
    st.sampled_from([1, 7, 512, 4096, 1 << 16]),
)
def test_every_complete_tap_hash_equals_its_bytes(
    segments: list[list[tuple[int, int]]], chunk: int
) -> None:
    wanted = [(str(index), sorted(extents)) for index, extents in enumerate(segments)]
    taps = ExtentTaps(wanted)
    _pass(taps, chunk)
    hashes = taps.hashes()
    for key, extents in wanted:
        fits = tappable(extents) and all(o + n <= len(DATA) for o, n in extents)
        assert (key in hashes) == fits
        if fits:
            assert hashes[key].sha256 == _sha256(extents)
