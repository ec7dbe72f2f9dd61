"""Shared by the index parsers' property tests: mutate index regions of a good image."""

from __future__ import annotations

import struct

from hypothesis import strategies as st

from parsers.dvr.disk import DiskBytes

Mutation = tuple[tuple[int, int], int, int]
"""((region start, region length), offset in the region, value: a byte, or a u32 when > 0xFF)."""


def mutations(regions: list[tuple[int, int]], span: int) -> st.SearchStrategy[list[Mutation]]:
    """1-24 writes into ``regions``, at offsets drawn from ``0..span``."""
    write = st.tuples(st.sampled_from(regions), st.integers(0, span), st.integers(0, 2**32 - 1))
    return st.lists(write, min_size=1, max_size=24)


def mutated_disk(image: bytes, writes: list[Mutation], size: int) -> DiskBytes:
    """``image`` with ``writes`` applied, cut to ``size`` bytes."""
    data = bytearray(image)
    for (start, length), rel, value in writes:
        at = start + rel % (length - 3)
        if value > 0xFF:
            struct.pack_into("<I", data, at, value)
        else:
            data[at] = value
    return DiskBytes.from_bytes(bytes(data[:size]))
