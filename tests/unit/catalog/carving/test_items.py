"""Carved items as entries: addresses that round-trip, names, and reading their bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.carving.items import (
    FOLDER,
    CarvedBytes,
    carved_address,
    carved_entry,
    parse_carved_address,
)
from catalog.carving.regions import UNALLOCATED, CarveRegion
from catalog.locator import Locator
from catalog.model import FileSystemRecord

RECORD = FileSystemRecord(
    offset=1 << 20, fs_type="FAT16", detection="autodetect", block_size=512, block_count=100
)
REGION = CarveRegion(UNALLOCATED, RECORD, 1 << 20, 51200, ((1 << 20, 51200),))
MEDIA = bytes(range(256)) * 8192


@given(st.integers(0, 1 << 50), st.integers(0, 1 << 40))
def test_addresses_round_trip_through_the_locator(offset: int, length: int) -> None:
    locator = Locator("EX-1", 0, carved_address(offset, length))
    assert parse_carved_address(Locator.parse(str(locator)).inode) == (offset, length)


@pytest.mark.parametrize("inode", [None, "12", "carved:1", "carved:-1:2", "carved:1:2:3"])
def test_other_addresses_are_not_carved_items(inode: str | None) -> None:
    assert parse_carved_address(inode) is None


def test_an_entry_is_named_by_its_offset_under_the_carved_folder() -> None:
    entry = carved_entry("EX-1", REGION, 0x123400, 99, "docx")
    assert entry.path == f"{FOLDER}/000000123400.docx"
    assert (entry.size, entry.is_allocated, entry.locator.fs_offset) == (99, False, 1 << 20)


def test_bytes_are_streamed_in_chunks_from_the_image() -> None:
    reader = CarvedBytes(lambda offset, length: MEDIA[offset : offset + length], len(MEDIA))
    entry = carved_entry("EX-1", REGION, 1000, 10_000, "txt")
    chunks = list(reader.read_chunks(entry, 4096))
    assert [len(c) for c in chunks] == [4096, 4096, 1808]
    assert b"".join(chunks) == MEDIA[1000:11000]


def test_an_item_past_the_image_end_is_an_os_error() -> None:
    reader = CarvedBytes(lambda offset, length: MEDIA[offset : offset + length], len(MEDIA))
    with pytest.raises(OSError, match="past the end"):
        list(reader.read_chunks(carved_entry("EX-1", REGION, len(MEDIA) - 5, 10, "txt"), 4096))
