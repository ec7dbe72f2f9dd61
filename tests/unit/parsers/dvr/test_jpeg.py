from __future__ import annotations

import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.dvr.containers import jpeg
from parsers.dvr.containers.window import Window
from parsers.dvr.disk import DiskBytes
from tests.unit.parsers.dvr import carve_builders as cb


def carve(data: bytes, offset: int = 0, **kwargs: int) -> jpeg.JpegItem | None:
    disk = DiskBytes.from_bytes(data)
    window = Window(disk, 0, disk.size, chunk_size=kwargs.pop("chunk_size", 1 << 20))
    return jpeg.carve_jpeg(window, offset, disk.size, **kwargs)


def segment(marker: int, body: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(body) + 2) + body


@pytest.fixture(scope="session")
def image() -> bytes:
    return cb.jpeg_image()


def test_real_image_is_carved_exactly_with_restart_markers(image: bytes) -> None:
    assert b"\xff\xdd" in image and b"\xff\xd0" in image  # DRI and RST0 present
    item = carve(b"x" * 7 + image + b"\xff\xd9tail", 7)
    assert item == jpeg.JpegItem(7, 7 + len(image), 64, 48)
    assert item.length == len(image)


def test_embedded_thumbnail_does_not_end_the_image(image: bytes) -> None:
    exif = segment(0xE1, b"Exif\x00\x00" + image)  # a whole JPEG, EOI included, inside APP1
    data = image[:2] + exif + image[2:]
    item = carve(data + b"junk")
    assert item is not None and item.end == len(data)


def test_small_chunks_give_the_same_item(image: bytes) -> None:
    assert carve(image + bytes(9), chunk_size=64) == carve(image + bytes(9))


def _without(image: bytes, marker: int) -> bytes:
    at = image.index(bytes((0xFF, marker)))
    length = struct.unpack(">H", image[at + 2 : at + 4])[0]
    return image[:at] + image[at + 2 + length :]


def test_image_needs_a_frame_header(image: bytes) -> None:
    assert carve(_without(image, 0xC0)) is None


def test_image_needs_a_scan(image: bytes) -> None:
    sos = image.index(b"\xff\xda")
    assert carve(image[:sos] + b"\xff\xd9") is None


def test_truncated_image_is_rejected(image: bytes) -> None:
    assert carve(image[:-2] + bytes(100)) is None
    assert carve(image[: len(image) // 2]) is None


def test_length_bound_is_enforced(image: bytes) -> None:
    assert carve(image, max_length=len(image) - 1) is None
    assert carve(image, max_length=len(image)) is not None


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xd8\xff\x02\x00\x04ab",  # reserved marker
        b"\xff\xd8\xff\xd8\xff\xd9",  # SOI again
        b"\xff\xd8\xff\xe0\x00\x01",  # length below 2
        b"\xff\xd8\xff\xe0\xff\xff" + bytes(10),  # segment past the end
        b"\xff\xd8\xff\xd9",  # empty image
        b"\xff\xd8\xff\xc0\x00\x0b\x08\x00\x30\x00\x00\x01\x01\x11\x00",  # zero width
    ],
    ids=["reserved", "double-soi", "short-length", "overlong", "empty", "zero-width"],
)
def test_malformed_segments_are_rejected(data: bytes) -> None:
    assert carve(data) is None


def test_ff_fill_after_the_scan_is_skipped_block_by_block(image: bytes) -> None:
    sos = image.index(b"\xff\xda")
    length = struct.unpack(">H", image[sos + 2 : sos + 4])[0]
    disk = DiskBytes.from_bytes(image[: sos + 2 + length] + b"\xff" * (8 << 20))
    assert jpeg.carve_jpeg(Window(disk, 0, disk.size), 0, disk.size) is None
    assert disk.reads <= 12  # about one read per MiB, not a step per byte


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32), flips=st.integers(0, 30), cut=st.integers(3, 5000))
def test_mutated_images_never_raise_and_stay_in_bounds(seed: int, flips: int, cut: int) -> None:
    rng = random.Random(seed)
    data = bytearray(cb.jpeg_image())[:cut]
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.choice((0xFF, 0xD9, 0x00, rng.randrange(256)))
    item = carve(bytes(data), chunk_size=rng.choice((64, 1 << 16)))
    if item is not None:
        assert 0 == item.offset < item.end <= len(data)
        assert bytes(data[item.end - 2 : item.end]) == b"\xff\xd9"


@settings(max_examples=200, deadline=None)
@given(tail=st.binary(max_size=600))
def test_random_bytes_after_soi_never_raise(tail: bytes) -> None:
    item = carve(jpeg.SIGNATURE + tail)
    assert item is None or item.end <= 3 + len(tail)
