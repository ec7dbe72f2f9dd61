"""Runs of free units in allocation maps, found with whole-buffer operations.

A 1 TiB ext4 has 268 million block bits and a large FAT32 tens of millions of entries: one
Python step per unit would take minutes. Here a map becomes a text of one character per
unit through operations that run in C (bit reversal by ``bytes.translate``, integer
formatting, big-integer OR of byte lanes), and a regular expression finds the free runs,
so the Python work is one step per run, not per unit.
"""

from __future__ import annotations

import re

Run = tuple[int, int]
"""``(first unit, count)`` of a run of free units, relative to the map's first unit."""

_REVERSED = bytes(int(f"{value:08b}"[::-1], 2) for value in range(256))
_LOW_NIBBLE = bytes(value & 0x0F for value in range(256))
_HIGH_NIBBLE = bytes(value & 0xF0 for value in range(256))
_CLEAR_BITS = re.compile("0+")
_ZERO_BYTES = re.compile(b"\x00+")


def clear_bit_runs(bitmap: bytes, count: int, *, msb_first: bool = False) -> list[Run]:
    """Runs of clear (free) bits among the first ``count`` bits of ``bitmap``.

    Args:
        bitmap: the map's bytes; bits past its end are not counted.
        count: how many bits are units of the file system.
        msb_first: bit 0 is the most significant bit of byte 0 (HFS+); otherwise the
            least significant (ext, NTFS, exFAT).
    """
    count = max(0, min(count, len(bitmap) * 8))
    size = (count + 7) // 8
    if size == 0:
        return []
    data = bitmap[:size] if msb_first else bitmap[:size].translate(_REVERSED)
    text = format(int.from_bytes(data, "big"), f"0{size * 8}b")[:count]
    return [(match.start(), match.end() - match.start()) for match in _CLEAR_BITS.finditer(text)]


def zero_entry_runs(table: bytes, bits: int, count: int) -> list[Run]:
    """Runs of zero (free) entries among the first ``count`` entries of a FAT.

    Args:
        table: the FAT's bytes from an entry boundary (an even entry for FAT12).
        bits: 12, 16 or 32; the top four bits of a FAT32 entry are reserved and ignored.
        count: how many entries to look at; entries past the end of ``table`` are not.
    """
    flags = _entry_flags(table, bits, max(0, min(count, len(table) * 8 // bits)))
    return [(match.start(), match.end() - match.start()) for match in _ZERO_BYTES.finditer(flags)]


def _entry_flags(table: bytes, bits: int, count: int) -> bytes:
    """One byte per entry, zero exactly when the entry is zero."""
    if bits == 32:
        data = table[: count * 4]
        return _or(data[0::4], data[1::4], data[2::4], data[3::4].translate(_LOW_NIBBLE))
    if bits == 16:
        data = table[: count * 2]
        return _or(data[0::2], data[1::2])
    if bits != 12:
        raise ValueError(f"FAT entries are 12, 16 or 32 bits, not {bits}")
    pairs = (count + 1) // 2
    data = table[: pairs * 3].ljust(pairs * 3, b"\xff")
    middle = data[1::3]
    flags = bytearray(pairs * 2)
    flags[0::2] = _or(data[0::3], middle.translate(_LOW_NIBBLE))
    flags[1::2] = _or(middle.translate(_HIGH_NIBBLE), data[2::3])
    return bytes(flags[:count])


def _or(*lanes: bytes) -> bytes:
    """Bytewise OR of equally long byte strings."""
    value = 0
    for lane in lanes:
        value |= int.from_bytes(lane, "little")
    return value.to_bytes(len(lanes[0]), "little")
