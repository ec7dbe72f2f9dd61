"""Assertions every carving test image must pass, shared by the image test modules."""

from __future__ import annotations

import hashlib

import pytest

from tests.carvesynth import sleuthkit
from tests.carvesynth.truth import CarveImage, intersects

ENCODINGS = {"text-utf8": "utf-8", "text-shiftjis": "shift_jis", "text-utf16le": "utf-16-le"}


def require_sleuthkit() -> None:
    if not sleuthkit.available():
        pytest.skip("sleuthkit (fls, istat, fsstat, mmls) is not installed")


def assert_planted_bytes(image: CarveImage) -> None:
    data = image.path.read_bytes()
    for item in image.planted:
        piece = data[item.offset : item.end]
        assert len(piece) == item.length, item.name
        assert hashlib.sha256(piece).hexdigest() == item.sha256, item.name


def assert_texts_decode(image: CarveImage) -> None:
    data = image.path.read_bytes()
    texts = [item for item in image.planted if item.kind.startswith("text")]
    assert texts
    for item in texts:
        text = data[item.offset : item.end].decode(ENCODINGS[item.kind])
        assert item.marker is not None
        assert item.marker in text, item.name
        assert item.length > 512, item.name


def assert_sleuthkit_agrees(image: CarveImage) -> None:
    found = sleuthkit.allocated_extents(image)
    truth = {item.path: item.extents for item in image.allocated}
    assert sorted(found) == sorted(truth)
    for path, extents in found.items():
        assert extents[0][0] == truth[path][0][0], path
        assert all(_within(truth[path], start, size) for start, size in extents), path
    for item in [*image.planted]:
        for path, extents in found.items():
            assert not intersects(extents, item.offset, item.length), (item.name, path)


def _within(extents: tuple[tuple[int, int], ...], offset: int, size: int) -> bool:
    return any(start <= offset and offset + size <= start + length for start, length in extents)
