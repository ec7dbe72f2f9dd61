"""HIKBTREE copies (reference §2.4-2.5): a B+-tree of 4 KiB pages over the leaf entries.

Leaves hold the 48-byte entries sorted by (channel, start, block offset) and are chained
through +0x20; index pages hold the leftmost child at +0x18 and one entry per child (the
leftmost included) whose +0x00 is the child page and whose key repeats the child's first
entry. Pages are placed in a shuffled physical order so that only the pointers give the
order. Every pointer is absolute, so each copy points into its own pages.
"""

from __future__ import annotations

import itertools
import random
import struct
from dataclasses import dataclass, field

PAGE = 0x1000
ALL_FF = 0xFFFF_FFFF_FFFF_FFFF
ENTRIES_AT = 0x60


@dataclass(frozen=True)
class LeafEntry:
    """One HIKBTREE leaf entry (§2.5)."""

    channel: int
    start: int
    end: int
    block: int
    allocated: bool = True

    def key(self) -> tuple[int, int, int]:
        """Sort key of the tree: (channel, start, block offset)."""
        return (self.channel, self.start, self.block)

    def pack(self, first_word: int = ALL_FF) -> bytes:
        """48 bytes; ``first_word`` is all-FF in leaves, the child pointer in index pages."""
        return struct.pack(
            "<QQBB6xIIQ8x",
            first_word,
            0 if self.allocated else ALL_FF,
            0,
            self.channel,
            self.start,
            self.end,
            self.block,
        )


@dataclass
class Page:
    """A leaf (entries) or index page (children) and where it sits in its copy."""

    entries: list[LeafEntry]
    children: list[Page] = field(default_factory=list)
    slot: int = 0
    next: Page | None = None

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def first(self) -> LeafEntry:
        return self.children[0].first() if self.children else self.entries[0]


def _chunks(items: list[Page], size: int) -> list[list[Page]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _link(level: list[Page]) -> None:
    for page, following in itertools.pairwise(level):
        page.next = following


def build_tree(entries: list[LeafEntry], *, per_leaf: int, fanout: int) -> list[list[Page]]:
    """Levels of the tree, leaves first, root last (always at least one index level)."""
    ordered = sorted(entries, key=LeafEntry.key)
    leaves = [Page(ordered[i : i + per_leaf]) for i in range(0, len(ordered), per_leaf)]
    levels = [leaves]
    while len(levels) == 1 or len(levels[-1]) > 1:
        levels.append([Page([], children=group) for group in _chunks(levels[-1], fanout)])
    for level in levels:
        _link(level)
    pages = [page for level in levels for page in level]
    slots = list(range(2, len(pages) + 2))  # slot 0: header, slot 1: the "type-3" page
    random.Random(len(pages)).shuffle(slots)
    for page, slot in zip(pages, slots, strict=True):
        page.slot = slot
    return levels


def _page_bytes(page: Page, base: int) -> bytes:
    def where(other: Page | None) -> int:
        return ALL_FF if other is None else base + other.slot * PAGE

    if page.is_leaf:
        rows = [entry.pack() for entry in page.entries]
        leftmost = ALL_FF
    else:
        rows = [child.first().pack(where(child)) for child in page.children]
        leftmost = where(page.children[0])
    head = struct.pack("<16xI4xQQ", len(rows), leftmost, where(page.next))
    body = head.ljust(ENTRIES_AT, b"\0") + b"".join(rows)
    assert len(body) <= PAGE, "too many entries for one 4 KiB page"
    return body.ljust(PAGE, b"\0")


def tree_bytes(levels: list[list[Page]], base: int, created: int) -> bytes:
    """The whole HIKBTREE copy placed at absolute offset ``base``; header page first,
    then one zero page (the unknown "type-3" page that +0x40 and +0x48 point to)."""
    pages = [page for level in levels for page in level]
    out = bytearray(PAGE * (len(pages) + 2))
    header = bytearray(PAGE)
    header[0x10:0x18] = b"HIKBTREE"
    root, first_leaf = levels[-1][0], levels[0][0]
    struct.pack_into(
        "<IQQQQ",
        header,
        0x3C,
        created,
        base + PAGE,
        base + PAGE,
        base + root.slot * PAGE,
        base + first_leaf.slot * PAGE,
    )
    out[0:PAGE] = header
    for page in pages:
        out[page.slot * PAGE : (page.slot + 1) * PAGE] = _page_bytes(page, base)
    return bytes(out)


def tree_layout(levels: list[list[Page]], base: int) -> dict[str, list[int]]:
    """Absolute page offsets: ``leaves`` in chain order, ``index`` pages root last."""
    return {
        "leaves": [base + page.slot * PAGE for page in levels[0]],
        "index": [base + page.slot * PAGE for level in levels[1:] for page in level],
    }
