"""Fast free-run finding equals a one-step-per-unit reference on any map."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.filesystems.bitmaps import clear_bit_runs, zero_entry_runs


def _runs(free: list[bool]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for index, is_free in enumerate(free):
        if not is_free:
            continue
        if runs and sum(runs[-1]) == index:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((index, 1))
    return runs


def _reference_bits(bitmap: bytes, count: int, msb_first: bool) -> list[tuple[int, int]]:
    count = min(count, len(bitmap) * 8)
    return _runs(
        [not bitmap[i >> 3] >> (7 - (i & 7) if msb_first else i & 7) & 1 for i in range(count)]
    )


def _entry(table: bytes, bits: int, index: int) -> int:
    if bits == 12:
        pair = struct.unpack_from("<H", table, index * 3 // 2)[0]
        return int(pair >> 4 if index & 1 else pair & 0xFFF)
    if bits == 16:
        return int(struct.unpack_from("<H", table, index * 2)[0])
    return int(struct.unpack_from("<I", table, index * 4)[0] & 0x0FFFFFFF)


def _reference_entries(table: bytes, bits: int, count: int) -> list[tuple[int, int]]:
    count = min(count, len(table) * 8 // bits)
    return _runs([_entry(table, bits, index) == 0 for index in range(count)])


# Maps mostly of 0x00 and 0xFF bytes with some mixed ones, like real allocation maps.
_MAP_BYTES = st.binary(max_size=300) | st.lists(
    st.sampled_from([0x00, 0xFF, 0x00, 0xFF, 0x01, 0x80, 0x7E, 0x0F]), max_size=300
).map(bytes)


@settings(max_examples=400, deadline=None)
@given(bitmap=_MAP_BYTES, extra=st.integers(-16, 16), msb_first=st.booleans())
def test_clear_bit_runs_equal_the_bit_by_bit_reference(
    bitmap: bytes, extra: int, msb_first: bool
) -> None:
    count = len(bitmap) * 8 + extra
    expected = _reference_bits(bitmap, count, msb_first)
    assert clear_bit_runs(bitmap, count, msb_first=msb_first) == expected


@settings(max_examples=400, deadline=None)
@given(table=_MAP_BYTES, bits=st.sampled_from([12, 16, 32]), extra=st.integers(-5, 5))
def test_zero_entry_runs_equal_the_entry_by_entry_reference(
    table: bytes, bits: int, extra: int
) -> None:
    count = len(table) * 8 // bits + extra
    assert zero_entry_runs(table, bits, count) == _reference_entries(table, bits, count)


def test_bit_order_lsb_first_for_ext_and_msb_first_for_hfs() -> None:
    assert clear_bit_runs(b"\x01\x00", 16) == [(1, 15)]
    assert clear_bit_runs(b"\x01\x00", 16, msb_first=True) == [(0, 7), (8, 8)]
    assert clear_bit_runs(b"\xff\xfe", 16) == [(8, 1)]
    assert clear_bit_runs(b"\xff\xfe", 16, msb_first=True) == [(15, 1)]


def test_fat32_reserved_top_bits_do_not_make_an_entry_used() -> None:
    table = struct.pack("<4I", 0xF0000000, 7, 0x10000000, 0x0FFFFFFF)
    assert zero_entry_runs(table, 32, 4) == [(0, 1), (2, 1)]


def test_fat12_packs_two_entries_in_three_bytes() -> None:
    # Entries 0x000, 0x123, 0x000, 0x000 packed as 00 30 12 | 00 00 00.
    assert zero_entry_runs(bytes([0x00, 0x30, 0x12, 0, 0, 0]), 12, 4) == [(0, 1), (2, 2)]


def test_empty_and_short_maps_yield_only_what_is_there() -> None:
    assert clear_bit_runs(b"", 100) == []
    assert clear_bit_runs(b"\x00", 0) == []
    assert clear_bit_runs(b"\x00", 100) == [(0, 8)]
    assert zero_entry_runs(b"\x00\x00\x00", 16, 10) == [(0, 1)]
    assert zero_entry_runs(b"", 32, 10) == []


def test_other_entry_widths_are_refused() -> None:
    with pytest.raises(ValueError, match="12, 16 or 32"):
        zero_entry_runs(b"\x00" * 8, 8, 8)


def test_a_map_of_33_million_bits_gives_exact_runs() -> None:
    bitmap = (b"\xff" * 4095 + b"\x0f") * 1024  # 4 MiB: 33.5 million bits, 1024 runs
    runs = clear_bit_runs(bitmap, len(bitmap) * 8)
    assert len(runs) == 1024
    assert runs[0] == (4095 * 8 + 4, 4)
    assert sum(length for _, length in runs) == 4096
