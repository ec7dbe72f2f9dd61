"""DiskBytes' range walk shared by both carvers: clipped to the disk, each byte once."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from parsers.dvr.disk import DiskBytes, carve_ranges


@given(
    st.lists(st.tuples(st.integers(-100, 5000), st.integers(-10, 3000)), max_size=12),
    st.integers(0, 4096),
)
def test_carve_ranges_stay_inside_the_disk_and_never_overlap(
    ranges: list[tuple[int, int]], size: int
) -> None:
    disk = DiskBytes.from_bytes(bytes(size))
    clipped = [r for r in carve_ranges(disk, ranges) if r.start < r.end]
    assert all(0 <= r.start < r.end <= size for r in clipped)
    assert all(a.end <= b.start for a, b in itertools.pairwise(clipped))
    wanted = {
        b for offset, length in ranges for b in range(max(offset, 0), min(offset + length, size))
    }
    assert {b for r in clipped for b in range(r.start, r.end)} == wanted


def test_a_range_partly_outside_or_overlapping_says_so() -> None:
    disk = DiskBytes.from_bytes(bytes(100))
    first, second = carve_ranges(disk, [(50, 100), (60, 10)])
    assert (first.start, first.end, [at for _, at in first.notes]) == (50, 100, [50])
    assert (second.start, second.end, [at for _, at in second.notes]) == (100, 70, [60])
