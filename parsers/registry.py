"""A typed registry of parsers for one layer (sources, volumes, file systems, classifiers).

Registry keys are written into the catalog, so they are short, lowercase and stable.
Entries whose back-end library is missing stay listed as "unavailable (reason)" instead
of failing at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class ParserInfo(Protocol):
    """What every registered parser class declares about itself."""

    name: str
    version: int
    description: str
    emits: tuple[str, ...]


T = TypeVar("T", bound=ParserInfo)


class DuplicateParserError(ValueError):
    """Two parsers were registered under the same name."""


@dataclass(frozen=True, slots=True)
class Unavailable:
    """A parser whose back-end could not be loaded, with the reason."""

    name: str
    reason: str


class Registry(Generic[T]):
    """Parsers of one layer, in registration order, fallbacks last."""

    def __init__(self, layer: str) -> None:
        """Create an empty registry for ``layer`` (used in messages)."""
        self.layer = layer
        self._entries: dict[str, T] = {}
        self._fallbacks: dict[str, T] = {}
        self._unavailable: dict[str, Unavailable] = {}

    def register(self, parser: T, *, fallback: bool = False) -> T:
        """Add a parser; fallbacks are tried after every other entry.

        Raises:
            DuplicateParserError: the name is already taken in this layer.
        """
        if parser.name in self._entries or parser.name in self._fallbacks:
            raise DuplicateParserError(f"{self.layer}: parser {parser.name!r} registered twice")
        (self._fallbacks if fallback else self._entries)[parser.name] = parser
        return parser

    def register_lazy(self, name: str, loader: Callable[[], T], *, fallback: bool = False) -> None:
        """Register a parser whose import may fail; a failure marks it unavailable."""
        try:
            parser = loader()
        except ImportError as exc:
            self._unavailable[name] = Unavailable(name, f"unavailable ({exc})")
            return
        self.register(parser, fallback=fallback)

    def get(self, name: str) -> T:
        """Return the parser called ``name``.

        Raises:
            KeyError: no such parser (the message says if it is unavailable and why).
        """
        if name in self._entries:
            return self._entries[name]
        if name in self._fallbacks:
            return self._fallbacks[name]
        if name in self._unavailable:
            raise KeyError(f"{self.layer} parser {name!r} is {self._unavailable[name].reason}")
        raise KeyError(f"no {self.layer} parser called {name!r}")

    def all(self) -> list[T]:
        """All available parsers, fallbacks last: the order detection uses."""
        return [*self._entries.values(), *self._fallbacks.values()]

    def unavailable(self) -> list[Unavailable]:
        """Parsers that could not be loaded, with the reason."""
        return list(self._unavailable.values())

    def __iter__(self) -> Iterator[T]:
        """Iterate in detection order."""
        return iter(self.all())
