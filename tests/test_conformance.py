"""Every registered parser declares who it is and what it emits, and finds something real."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import parsers
from parsers.source import read_head
from tests.conftest import SAMPLE_IMAGES

SOURCE_PARSERS = parsers.SOURCES.all()
# One fixture per source format that the project itself ships.
SHIPPED_FIXTURES = {
    "raw": SAMPLE_IMAGES / "disk.raw",
    "split_raw": SAMPLE_IMAGES / "split" / "disk.001",
    "ewf": SAMPLE_IMAGES / "disk.E01",
}


@pytest.mark.parametrize("parser", SOURCE_PARSERS, ids=lambda p: p.name)
def test_parser_declares_name_version_description_and_emits(parser: object) -> None:
    name = parser.name  # type: ignore[attr-defined]
    assert name == name.lower() and name.replace("_", "").isalnum()
    assert isinstance(parser.version, int) and parser.version >= 1  # type: ignore[attr-defined]
    assert parser.description and "\n" not in parser.description  # type: ignore[attr-defined]
    assert parser.emits  # type: ignore[attr-defined]
    assert inspect.getdoc(type(parser))


def test_parser_names_are_unique() -> None:
    names = [p.name for p in SOURCE_PARSERS]
    assert len(names) == len(set(names))


def test_raw_fallback_is_tried_last() -> None:
    assert SOURCE_PARSERS[-1].name == "raw"


@pytest.mark.parametrize(("name", "fixture"), SHIPPED_FIXTURES.items())
def test_shipped_fixture_is_detected_by_its_own_parser_first(name: str, fixture: Path) -> None:
    head = read_head(fixture)
    first = next(p for p in SOURCE_PARSERS if p.detect(fixture, head))
    assert first.name == name
    source = first.open(fixture)
    try:
        assert source.info.media_size == 8 * 1024 * 1024
        assert source.read(510, 2) == b"\x55\xaa"
    finally:
        source.close()
