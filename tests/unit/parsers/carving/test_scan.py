from __future__ import annotations

import functools
import hashlib
import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.carving import CarvedFile, carve_files
from parsers.dvr.disk import DiskBytes
from tests.unit.parsers.carving import builders

SIZE = 0x100000
PLANTS = {
    "jpeg": (0x01000, builders.jpeg, "jpg"),
    "png": (0x08000, builders.png, "png"),
    "gif": (0x10000, builders.gif, "gif"),
    "pdf": (0x18000, builders.pdf, "pdf"),
    "zip": (
        0x20000,
        lambda: builders.zip_archive({"a.txt": b"x" * 900, "b.bin": bytes(range(256))}, b"hi"),
        "zip",
    ),
    "docx": (0x30000, builders.docx, "docx"),
    "sqlite": (0x40000, builders.sqlite_db, "sqlite"),
    "text-utf8": (0x70000, builders.utf8_text, "txt"),
    "text-utf16le": (0x80000, builders.utf16_text, "txt"),
    "text-shiftjis": (0x90000, builders.shiftjis_text, "txt"),
}
KIND = {"docx": "zip"}
FENCE = b"\x00" * 4
"""Text is planted between NULs, so that random neighbours cannot extend a run."""


@functools.cache
def planted() -> tuple[bytes, dict[str, tuple[int, bytes]]]:
    image = bytearray(random.Random(11).randbytes(SIZE))
    expected = {}
    for name, (offset, build, _) in PLANTS.items():
        data = build()
        if name.startswith("text"):
            image[offset - 4 : offset + len(data) + 4] = FENCE + data + FENCE
        else:
            image[offset : offset + len(data)] = data
        expected[name] = (offset, data)
    return bytes(image), expected


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("name", sorted(PLANTS))
@pytest.mark.parametrize("chunk_size", [4096, 16 << 20], ids=["small-chunks", "default-chunks"])
def test_planted_file_is_carved_with_exact_bytes(name: str, chunk_size: int) -> None:
    image, expected = planted()
    result = carve_files(DiskBytes.from_bytes(image), [(0, len(image))], chunk_size=chunk_size)
    offset, data = expected[name]
    found = [item for item in result.items if item.offset == offset]
    assert len(found) == 1, result.items
    item = found[0]
    assert (item.kind, item.extension) == (KIND.get(name, name), PLANTS[name][2])
    assert _sha(image[item.offset : item.offset + item.length]) == _sha(data)


def test_planted_image_yields_exactly_the_plants_and_no_problems() -> None:
    image, expected = planted()
    result = carve_files(DiskBytes.from_bytes(image), [(0, len(image))])
    assert [(item.offset, item.length) for item in result.items] == sorted(
        (offset, len(data)) for offset, data in expected.values()
    )
    assert result.problems == []
    assert result.bytes_scanned == len(image)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_data_yields_nothing(seed: int) -> None:
    data = random.Random(seed).randbytes(4 << 20)
    result = carve_files(DiskBytes.from_bytes(data), [(0, len(data))], chunk_size=1 << 20)
    assert result.items == []
    assert result.problems == []


@pytest.mark.parametrize("fill", [0x00, 0xFF], ids=["zeros", "ones"])
def test_uniform_fill_yields_nothing(fill: int) -> None:
    data = bytes([fill]) * (4 << 20)
    result = carve_files(DiskBytes.from_bytes(data), [(0, len(data))], chunk_size=1 << 20)
    assert result.items == []


def test_items_outside_the_ranges_are_not_carved() -> None:
    image, expected = planted()
    png_at, png_data = expected["png"]
    ranges = [(0, png_at + 10), (png_at + len(png_data), 0x8000)]
    result = carve_files(DiskBytes.from_bytes(image), ranges)
    assert all(item.kind != "png" for item in result.items)
    assert all(
        any(s <= i.offset and i.offset + i.length <= s + n for s, n in ranges) for i in result.items
    )


def test_text_inside_a_carved_file_is_not_reported_again() -> None:
    text = builders.utf8_text()
    archive = builders.zip_archive({"script.txt": text}, stored=True)
    stored = random.Random(3).randbytes(1000) + archive + bytes(100)
    result = carve_files(DiskBytes.from_bytes(stored), [(0, len(stored))])
    assert [item.kind for item in result.items] == ["zip"]


def test_long_text_run_crossing_chunks_is_one_item() -> None:
    text = (builders.SCRIPT * 200).encode("utf-8")
    data = bytes(5000) + text + bytes(5000)
    result = carve_files(DiskBytes.from_bytes(data), [(0, len(data))], chunk_size=4096)
    assert result.items == [CarvedFile(5000, len(text), "text-utf8", "txt", "")]


def test_range_past_the_disk_is_clipped_with_a_problem() -> None:
    image, _ = planted()
    result = carve_files(DiskBytes.from_bytes(image), [(SIZE - 100, 1000)])
    assert result.bytes_scanned == 100
    assert len(result.problems) == 1


def test_item_longer_than_max_item_is_not_carved() -> None:
    image, expected = planted()
    for name in ("png", "gif", "zip", "sqlite", "jpeg"):
        offset, data = expected[name]
        result = carve_files(
            DiskBytes.from_bytes(image), [(offset, len(data))], max_item=len(data) - 1
        )
        assert result.items == [], name


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, SIZE - 1), st.integers(0, 255)), max_size=40),
    st.lists(st.tuples(st.integers(0, SIZE - 1), st.integers(1, 0x20000)), min_size=1, max_size=3),
    st.sampled_from([4096, 1 << 16]),
)
def test_mutated_buffers_never_raise_and_stay_inside_ranges(
    flips: list[tuple[int, int]], ranges: list[tuple[int, int]], chunk_size: int
) -> None:
    image = bytearray(planted()[0])
    for offset, value in flips:
        image[offset] = value
    result = carve_files(DiskBytes.from_bytes(bytes(image)), ranges, chunk_size=chunk_size)
    for item in result.items:
        assert item.length > 0
        assert any(s <= item.offset and item.offset + item.length <= s + n for s, n in ranges)
    ends = [(i.offset, i.offset + i.length) for i in result.items]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ends))
