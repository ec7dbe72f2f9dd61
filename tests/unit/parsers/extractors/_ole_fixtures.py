"""A minimal OLE2 compound file writer for the legacy Office extractor tests."""

from __future__ import annotations

import struct

SECTOR = 512
END_OF_CHAIN = 0xFFFFFFFE
FREE = 0xFFFFFFFF
FAT_SECTOR = 0xFFFFFFFD
NO_STREAM = 0xFFFFFFFF


def _entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
    encoded = name.encode("utf-16-le") + b"\x00\x00"
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", NO_STREAM, NO_STREAM, child)
        + b"\x00" * 16
        + struct.pack("<IQQ", 0, 0, 0)
        + struct.pack("<IQ", start, size)
    )


def ole_file(stream_name: str, data: bytes) -> bytes:
    """A compound file holding one stream (at least 4 KiB, so no mini stream is needed)."""
    data = data.ljust(4096, b"\x00")
    sectors = -(-len(data) // SECTOR)
    fat = [FAT_SECTOR, END_OF_CHAIN] + [3 + i for i in range(sectors - 1)] + [END_OF_CHAIN]
    fat += [FREE] * (SECTOR // 4 - len(fat))
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END_OF_CHAIN, 0, END_OF_CHAIN, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", FREE) * 108
    )
    directory = (
        _entry("Root Entry", 5, 1, END_OF_CHAIN, 0)
        + _entry(stream_name, 2, NO_STREAM, 2, len(data))
        + (
            b"\x00" * 64
            + struct.pack("<HBB", 0, 0, 0)
            + struct.pack("<III", NO_STREAM, NO_STREAM, NO_STREAM)
            + b"\x00" * 52
        )
        * 2
    )
    body = struct.pack(f"<{len(fat)}I", *fat) + directory + data.ljust(sectors * SECTOR, b"\x00")
    return header + body
