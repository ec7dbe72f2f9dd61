from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.filesystems.unallocated import merge_extents, unallocated_extents


def test_gaps_between_allocated_runs_at_both_ends_and_overlaps() -> None:
    allocated = [(1100, 100), (1150, 100), (1500, 50), (900, 150), (3000, 10)]
    assert unallocated_extents(1000, 1000, allocated) == [(1050, 50), (1250, 250), (1550, 450)]


def test_nothing_allocated_is_one_gap_and_all_allocated_is_none() -> None:
    assert unallocated_extents(0, 4096, []) == [(0, 4096)]
    assert unallocated_extents(0, 4096, [(0, 4096)]) == []


def test_merge_joins_touching_and_overlapping_runs() -> None:
    assert merge_extents([(10, 5), (0, 10), (12, 10), (40, 0)]) == [(0, 22)]


extents = st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 600)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 1000), st.integers(0, 4000), extents)
def test_gaps_are_exactly_the_bytes_no_run_covers(
    start: int, size: int, runs: list[tuple[int, int]]
) -> None:
    gaps = unallocated_extents(start, size, runs)
    covered = {byte for offset, length in runs for byte in range(offset, offset + length)}
    expected = {byte for byte in range(start, start + size) if byte not in covered}
    found = [byte for offset, length in gaps for byte in range(offset, offset + length)]
    assert len(found) == len(set(found))
    assert set(found) == expected
    assert all(length > 0 for _, length in gaps)
    assert gaps == sorted(gaps)
