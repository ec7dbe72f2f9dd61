"""One copy of a Hikvision HIKBTREE index, walked two ways with cycle and bound guards.

The leaf chain (first leaf at header +0x58, next leaf at page +0x20) finds every leaf even
on deep trees; the walk down from the root (+0x50) is the cross-check. Pages are assumed to
be 4 KiB (§2.5 of ``shared/reference/dvr-formats.md``): only the page header and the
entries its count announces are read. All pointers are absolute offsets of the Hikvision
disk, which starts at ``base`` in the image.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from parsers.dvr.disk import DiskBytes
from parsers.dvr.model import DvrProblem

NO_PAGE = 0xFFFF_FFFF_FFFF_FFFF
"""The next-page pointer of the last leaf, and +0x00 of a leaf entry."""
TREE_SIGNATURE = b"HIKBTREE"
PAGE_SIZE = 4096
PAGE_HEADER = 0x60
ENTRY_SIZE = 0x30
MAX_ENTRIES = (PAGE_SIZE - PAGE_HEADER) // ENTRY_SIZE
MAX_PAGES = 1 << 20
"""Hard cap on pages per walk, whatever the block count says."""
MAX_DEPTH = 32
_ENTRY = struct.Struct("<QQxB6xIIQ8x")


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """A used leaf entry: one data block."""

    alloc: int
    """+0x08: 0 when the block holds footage, otherwise not allocated."""
    channel: int
    start: int
    end: int
    block: int
    """+0x20: offset of the data block, relative to the Hikvision disk."""
    notes: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class _Page:
    count: int
    leftmost: int
    next: int
    entries: tuple[tuple[int, int, int, int, int, int], ...]
    """Unpacked (ptr, alloc, channel, start, end, block) of the entries read."""

    @property
    def is_leaf(self) -> bool:
        return not self.entries or self.entries[0][0] == NO_PAGE


class HikTree:
    """Reads one HIKBTREE copy; collects problems instead of raising."""

    def __init__(self, disk: DiskBytes, base: int, name: str, bound: int) -> None:
        """Walk copy ``name`` of the disk at ``base``, visiting at most ``bound`` pages."""
        self.disk = disk
        self.base = base
        self.name = name
        self.bound = max(1, min(bound, MAX_PAGES, disk.size // PAGE_HEADER + 1))
        self.problems: list[DvrProblem] = []
        self.leaf_pages = 0
        self._pages: dict[int, _Page | None] = {}

    def _problem(self, message: str, pointer: int | None = None) -> None:
        offset = None if pointer is None else self.base + pointer
        self.problems.append(DvrProblem(f"{self.name}: {message}", offset))

    def read(self, offset: int) -> dict[int, TreeEntry] | None:
        """Entries by block offset, or None when the header is missing or unsigned."""
        header = self.disk.read_exact(self.base + offset, PAGE_HEADER)
        if header is None or header[0x10:0x18] != TREE_SIGNATURE:
            self._problem(f"no HIKBTREE signature at 0x{offset:x}", offset)
            return None
        root, first = struct.unpack_from("<QQ", header, 0x50)
        chain = self._chain(first)
        tree = self._tree(root)
        self.leaf_pages = len(chain)
        extra = sorted(tree - set(chain))
        if extra or set(chain) - tree:
            self._problem(
                f"leaf chain finds {len(chain)} leaves, the root walk {len(tree)}; "
                f"{len(extra)} leaves reached only from the root are kept"
            )
        entries: dict[int, TreeEntry] = {}
        for pointer in chain:
            self._collect(pointer, (), entries)
        for pointer in extra:
            self._collect(pointer, ("leaf reached only from the root",), entries)
        return entries

    def _page(self, pointer: int) -> _Page | None:
        if pointer in self._pages:
            return self._pages[pointer]
        page = None
        header = self.disk.read_exact(self.base + pointer, PAGE_HEADER)
        if header is not None:
            count = int(struct.unpack_from("<I", header, 0x10)[0])
            leftmost, following = struct.unpack_from("<QQ", header, 0x18)
            wanted = min(count, MAX_ENTRIES)
            if count > MAX_ENTRIES:
                self._problem(f"page 0x{pointer:x} claims {count} entries", pointer)
            raw = self.disk.read(self.base + pointer + PAGE_HEADER, wanted * ENTRY_SIZE)
            if len(raw) < wanted * ENTRY_SIZE:
                self._problem(f"page 0x{pointer:x} is cut short by the image end", pointer)
            entries = tuple(
                _ENTRY.unpack_from(raw, at)
                for at in range(0, len(raw) - ENTRY_SIZE + 1, ENTRY_SIZE)
            )
            page = _Page(count, leftmost, following, entries)
        self._pages[pointer] = page
        return page

    def _chain(self, pointer: int) -> list[int]:
        leaves: list[int] = []
        seen: set[int] = set()
        while pointer != NO_PAGE:
            if pointer == 0:
                self._problem("leaf chain ends with a null pointer")
                break
            if pointer in seen:
                self._problem(f"leaf chain loops back to 0x{pointer:x}", pointer)
                break
            if len(leaves) >= self.bound:
                self._problem(f"leaf chain longer than {self.bound} pages: cut", pointer)
                break
            page = self._page(pointer)
            if page is None:
                self._problem(f"leaf page 0x{pointer:x} lies outside the image", pointer)
                break
            seen.add(pointer)
            leaves.append(pointer)
            pointer = page.next
        return leaves

    def _tree(self, root: int) -> set[int]:
        leaves: set[int] = set()
        seen: set[int] = set()
        stack = [(root, 0)]
        while stack:
            pointer, depth = stack.pop()
            if pointer in (0, NO_PAGE) or pointer in seen:
                continue
            if len(seen) >= self.bound:
                self._problem(f"root walk visits more than {self.bound} pages: cut", pointer)
                break
            seen.add(pointer)
            page = self._page(pointer)
            if page is None:
                self._problem(f"tree page 0x{pointer:x} lies outside the image", pointer)
            elif page.is_leaf:
                leaves.add(pointer)
            elif depth >= MAX_DEPTH:
                self._problem(f"tree deeper than {MAX_DEPTH} levels at 0x{pointer:x}", pointer)
            else:
                children = dict.fromkeys([page.leftmost, *(e[0] for e in page.entries)])
                stack.extend((child, depth + 1) for child in reversed(children))
        return leaves

    def _collect(self, pointer: int, notes: tuple[str, ...], out: dict[int, TreeEntry]) -> None:
        page = self._page(pointer)
        if page is None:
            return
        used = 0
        for ptr, alloc, channel, start, end, block in page.entries:
            if ptr != NO_PAGE:
                self._problem(
                    f"leaf 0x{pointer:x} counts {page.count} entries, entry {used} is not in use",
                    pointer,
                )
                break
            used += 1
            if alloc == NO_PAGE and start == 0 and end == 0:
                continue
            entry = TreeEntry(alloc, channel, start, end, block, notes)
            known = out.setdefault(block, entry)
            if known != entry:
                self._problem(f"two entries for block 0x{block:x} disagree; keeping the first")
