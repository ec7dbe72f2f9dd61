from __future__ import annotations

from dataclasses import dataclass

import pytest

from parsers.registry import DuplicateParserError, Registry, Unavailable


@dataclass
class FakeParser:
    name: str
    version: int = 1
    description: str = "a fake parser"
    emits: tuple[str, ...] = ()


def _failing_loader() -> FakeParser:
    raise ImportError("No module named 'pyvmdk'")


def test_duplicate_name_raises_duplicate_parser_error() -> None:
    registry: Registry[FakeParser] = Registry("sources")
    registry.register(FakeParser("ewf"))
    with pytest.raises(DuplicateParserError, match="sources: parser 'ewf' registered twice"):
        registry.register(FakeParser("ewf"))


def test_duplicate_of_a_fallback_name_raises_too() -> None:
    registry: Registry[FakeParser] = Registry("sources")
    registry.register(FakeParser("raw"), fallback=True)
    with pytest.raises(DuplicateParserError):
        registry.register(FakeParser("raw"))
    with pytest.raises(DuplicateParserError):
        registry.register(FakeParser("raw"), fallback=True)


def test_duplicate_error_is_a_value_error() -> None:
    assert issubclass(DuplicateParserError, ValueError)


def test_register_returns_the_parser() -> None:
    parser = FakeParser("ewf")
    assert Registry[FakeParser]("sources").register(parser) is parser


def test_fallbacks_come_after_every_other_entry_in_registration_order() -> None:
    registry: Registry[FakeParser] = Registry("sources")
    registry.register(FakeParser("raw"), fallback=True)
    registry.register(FakeParser("ewf"))
    registry.register(FakeParser("last_resort"), fallback=True)
    registry.register(FakeParser("split_raw"))
    expected = ["ewf", "split_raw", "raw", "last_resort"]
    assert [parser.name for parser in registry.all()] == expected
    assert [parser.name for parser in registry] == expected


def test_get_finds_ordinary_and_fallback_parsers() -> None:
    registry: Registry[FakeParser] = Registry("sources")
    ewf, raw = FakeParser("ewf"), FakeParser("raw")
    registry.register(ewf)
    registry.register(raw, fallback=True)
    assert registry.get("ewf") is ewf
    assert registry.get("raw") is raw


def test_get_of_an_unknown_name_raises_key_error() -> None:
    registry: Registry[FakeParser] = Registry("volumes")
    with pytest.raises(KeyError, match="no volumes parser called 'gpt'"):
        registry.get("gpt")


def test_lazy_loader_raising_import_error_is_listed_unavailable() -> None:
    registry: Registry[FakeParser] = Registry("sources")
    registry.register_lazy("vmdk", _failing_loader)
    assert registry.unavailable() == [Unavailable("vmdk", "unavailable (No module named 'pyvmdk')")]
    assert registry.all() == []


def test_get_of_an_unavailable_parser_raises_key_error_saying_why() -> None:
    registry: Registry[FakeParser] = Registry("sources")
    registry.register_lazy("vmdk", _failing_loader)
    with pytest.raises(KeyError, match=r"unavailable \(No module named 'pyvmdk'\)"):
        registry.get("vmdk")


def test_lazy_loader_that_succeeds_registers_the_parser() -> None:
    registry: Registry[FakeParser] = Registry("sources")
    qcow = FakeParser("qcow")
    registry.register_lazy("qcow", lambda: qcow)
    assert registry.get("qcow") is qcow
    assert registry.unavailable() == []


def test_lazy_fallback_goes_last() -> None:
    registry: Registry[FakeParser] = Registry("sources")
    registry.register_lazy("raw", lambda: FakeParser("raw"), fallback=True)
    registry.register(FakeParser("ewf"))
    assert [parser.name for parser in registry] == ["ewf", "raw"]


def test_lazy_loader_with_a_taken_name_raises_duplicate() -> None:
    registry: Registry[FakeParser] = Registry("sources")
    registry.register(FakeParser("ewf"))
    with pytest.raises(DuplicateParserError):
        registry.register_lazy("ewf", lambda: FakeParser("ewf"))


def test_registries_do_not_share_entries() -> None:
    sources: Registry[FakeParser] = Registry("sources")
    volumes: Registry[FakeParser] = Registry("volumes")
    sources.register(FakeParser("ewf"))
    assert volumes.all() == []
