from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.sources.libyal import VHD_FOOTER_SIGNATURE, VhdiParser, is_valid_vhd_footer


def _footer(disk_size: int = 8 * 1024 * 1024) -> bytes:
    """A fixed-disk VHD footer (Microsoft VHD spec, "Hard Disk Footer Format")."""
    footer = bytearray(512)
    footer[0:8] = VHD_FOOTER_SIGNATURE
    struct.pack_into(">I", footer, 8, 2)  # features: reserved bit set
    struct.pack_into(">I", footer, 12, 0x00010000)  # file format version 1.0
    struct.pack_into(">Q", footer, 16, 0xFFFFFFFFFFFFFFFF)  # data offset: none (fixed)
    struct.pack_into(">I", footer, 24, 0x2D8F1C00)  # time stamp
    footer[28:32] = b"evct"  # creator application
    struct.pack_into(">I", footer, 32, 0x000A0000)  # creator version
    footer[36:40] = b"Wi2k"  # creator host OS
    struct.pack_into(">QQ", footer, 40, disk_size, disk_size)  # original and current size
    struct.pack_into(">HBB", footer, 56, 256, 4, 16)  # geometry
    struct.pack_into(">I", footer, 60, 2)  # disk type: fixed
    footer[68:84] = bytes(range(1, 17))  # unique id
    checksum = ~(sum(footer[:64]) + sum(footer[68:])) & 0xFFFFFFFF
    struct.pack_into(">I", footer, 64, checksum)
    return bytes(footer)


def test_crafted_footer_with_correct_checksum_is_valid() -> None:
    assert is_valid_vhd_footer(_footer())


@given(
    position=st.integers(min_value=0, max_value=511), delta=st.integers(min_value=1, max_value=255)
)
def test_changing_any_one_byte_invalidates_the_footer(position: int, delta: int) -> None:
    footer = bytearray(_footer())
    footer[position] = (footer[position] + delta) % 256
    assert not is_valid_vhd_footer(bytes(footer))


def test_footer_with_zero_checksum_field_is_invalid() -> None:
    footer = bytearray(_footer())
    footer[64:68] = bytes(4)
    assert not is_valid_vhd_footer(bytes(footer))


def test_short_footer_is_invalid() -> None:
    assert not is_valid_vhd_footer(_footer()[:511])


def test_footer_without_cookie_is_invalid_even_with_a_matching_checksum() -> None:
    footer = bytearray(_footer())
    footer[0:8] = b"notavhd!"
    checksum = ~(sum(footer[:64]) + sum(footer[68:])) & 0xFFFFFFFF
    struct.pack_into(">I", footer, 64, checksum)
    assert not is_valid_vhd_footer(bytes(footer))


def test_all_zero_sector_is_invalid() -> None:
    assert not is_valid_vhd_footer(bytes(512))


@pytest.fixture
def vhdi_parser() -> VhdiParser:
    pytest.importorskip("pyvhdi", reason="libvhdi-python is not installed")
    return VhdiParser()


def test_vhdi_detects_a_fixed_vhd_by_its_trailing_footer(
    tmp_path: Path, vhdi_parser: VhdiParser
) -> None:
    image = tmp_path / "evidence.bin"  # any name: fixed VHDs are found by content
    image.write_bytes(bytes(4096) + _footer())
    assert vhdi_parser.detect(image, bytes(4096)) is True


def test_vhdi_ignores_a_trailing_footer_with_a_bad_checksum(
    tmp_path: Path, vhdi_parser: VhdiParser
) -> None:
    footer = bytearray(_footer())
    footer[100] ^= 0xFF
    image = tmp_path / "evidence.bin"
    image.write_bytes(bytes(4096) + bytes(footer))
    assert vhdi_parser.detect(image, bytes(4096)) is False
