"""Cluster chains of the Dahua DHFS4.1 and WFS0.4/0.5 indexes: one guarded walk for both.

Both formats keep a table of 32-byte descriptors, one per cluster (WFS: fragment). A main
descriptor heads a recording and every descriptor names the next cluster of its chain. This
module reads such a table in bounded chunks, follows the chains with the guards hostile
evidence needs (visited set, bound, cross-links, ids past the table), gathers fragments that
no live chain reaches ("dirty") and free clusters for carving. The format modules decode
descriptors and turn chains into segments (reference §3.4 and §4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from parsers.dvr.disk import DiskBytes
from parsers.dvr.model import COMPLETE, DIRTY, DvrProblem, Extent, Segment
from parsers.dvr.timeutil import dhfs_time

ENTRY_SIZE = 32
TABLE_CHUNK = 1 << 20
"""Descriptor tables are read this many bytes at a time."""
MAX_ENTRIES = 1 << 24
"""At most this many descriptors per table (512 MiB of index)."""
MAX_PROBLEMS = 1000
"""A shredded index reports this many problems, then one count of the rest."""

MAIN, LINK, FREE, SKIP = "main", "fragment", "free", "reserved"


class ProblemLog:
    """The problems of one listing, capped so a shredded index cannot flood the catalog."""

    def __init__(self, problems: list[DvrProblem], cap: int = MAX_PROBLEMS) -> None:
        """Append to ``problems`` (a listing's list), up to ``cap`` entries."""
        self.problems = problems
        self.cap = cap
        self.dropped = 0

    def add(self, message: str, offset: int | None = None) -> None:
        """Record one problem (or count it once the cap is reached)."""
        if len(self.problems) < self.cap:
            self.problems.append(DvrProblem(message, offset))
        else:
            self.dropped += 1

    def close(self) -> None:
        """Append the count of problems left out, if any."""
        if self.dropped:
            self.problems.append(DvrProblem(f"{self.dropped} further problems not listed"))
            self.dropped = 0


@dataclass(frozen=True, slots=True)
class Entry:
    """The fields of one descriptor that the walk needs, decoded by the format module."""

    id: int
    channel: int | None
    count: int
    """Main: the number of fragments (n or n - 1 by source); fragment: unused here."""
    start: int
    end: int
    next: int
    last: int
    """Main: size of the last cluster in sub-units (sectors, blocks)."""
    owner: int
    """Fragment: the id of its main descriptor."""
    order: int
    """Fragment: its sort key within a dirty group."""


Decoder = Callable[[bytes, int], Entry]


@dataclass(frozen=True, slots=True)
class Layout:
    """Where one descriptor table and its clusters lie, and how to read its type byte."""

    name: str
    """How problems name this table (``partition 0``, ``WFS``)."""
    table: int
    base: int
    """Absolute byte offset of cluster 0."""
    unit: int
    """Bytes per cluster."""
    sub: int
    """Bytes per unit of the last-cluster size."""
    kind_byte: int
    kinds: Mapping[int, str]
    """Type byte → MAIN, LINK, FREE or SKIP; any other value is an unknown type."""
    strict_times: bool = False
    """DHFS: skip mains whose start is not before their end."""
    zero_last_is_full: bool = False
    """WFS: a last size of 0 means a full cluster (DHFS: a problem)."""

    def cluster(self, cid: int) -> Extent:
        """The extent of cluster ``cid``."""
        return (self.base + cid * self.unit, self.unit)

    def where(self, cid: int) -> int:
        """The absolute offset of descriptor ``cid``."""
        return self.table + ENTRY_SIZE * cid


@dataclass(slots=True)
class Chain:
    """One live recording: its main descriptor and its clusters in play order."""

    main: Entry
    extents: list[Extent]
    slack: Extent | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Walk:
    """What a table holds: live chains, dirty groups (by main id), free clusters."""

    chains: list[Chain] = field(default_factory=list)
    dirty: dict[int, list[Entry]] = field(default_factory=dict)
    free: list[Extent] = field(default_factory=list)

    def uncovered(self) -> list[Extent]:
        """What no recording covers: the free clusters and each live chain's slack."""
        return self.free + [chain.slack for chain in self.chains if chain.slack is not None]


def walk_area(
    disk: DiskBytes, layout: Layout, count: int, decode: Decoder, log: ProblemLog, *, area: str
) -> Walk:
    """Read and walk the ``count`` descriptors of ``layout``'s data area (named ``area``)."""
    if layout.base + count * layout.unit > disk.size:
        log.add(f"{area} passes the end of the image", layout.base)
    return walk(read_table(disk, layout.table, count, layout.name, log), layout, decode, log)


def read_table(disk: DiskBytes, offset: int, count: int, name: str, log: ProblemLog) -> bytes:
    """Read ``count`` descriptors at ``offset`` in bounded chunks; fewer past the image end."""
    if count > MAX_ENTRIES:
        log.add(f"{name}: {count} descriptors; only the first {MAX_ENTRIES} read", offset)
        count = MAX_ENTRIES
    fits = max(0, (disk.size - offset) // ENTRY_SIZE) if offset >= 0 else 0
    if count > fits:
        log.add(f"{name}: descriptor table passes the end of the image; {fits} of {count} read")
        count = fits
    raw = bytearray()
    end = offset + count * ENTRY_SIZE
    while offset + len(raw) < end:
        chunk = disk.read(offset + len(raw), min(TABLE_CHUNK, end - offset - len(raw)))
        if not chunk:
            break
        raw += chunk
    return bytes(raw[: len(raw) // ENTRY_SIZE * ENTRY_SIZE])


def walk(raw: bytes, layout: Layout, decode: Decoder, log: ProblemLog) -> Walk:
    """Follow every main descriptor's chain; collect dirty fragments and free clusters."""
    column = raw[layout.kind_byte :: ENTRY_SIZE]
    kinds = [layout.kinds.get(b) for b in range(256)]
    result, claimed = Walk(), set[int]()
    for cid, byte in enumerate(column):
        if kinds[byte] == MAIN:
            chain = _chain(decode(raw, cid), raw, column, layout, decode, claimed, log)
            if chain is not None:
                result.chains.append(chain)
    unknown = 0
    for cid, byte in enumerate(column):
        kind = kinds[byte]
        if kind == LINK and cid not in claimed:
            entry = decode(raw, cid)
            result.dirty.setdefault(entry.owner, []).append(entry)
        elif kind == FREE:
            merge([layout.cluster(cid)], result.free)
        elif kind is None:
            unknown += 1
    if unknown:
        log.add(f"{layout.name}: {unknown} descriptors of unknown type", layout.table)
    for group in result.dirty.values():
        group.sort(key=lambda e: (e.order, e.id))
    return result


def _chain(
    main: Entry,
    raw: bytes,
    column: bytes,
    layout: Layout,
    decode: Decoder,
    claimed: set[int],
    log: ProblemLog,
) -> Chain | None:
    here = layout.where(main.id)
    if layout.strict_times and main.start >= main.end:
        if main.start > main.end:
            log.add(f"{layout.name}: main descriptor {main.id} ends before it starts", here)
        return None
    if main.start > main.end:
        log.add(f"{layout.name}: main descriptor {main.id} ends before it starts", here)
    ids, stop, owners = _follow(main, raw, column, layout, decode, claimed)
    claimed.update(ids)
    notes = [] if stop is None else [stop]
    if owners:
        notes.append(f"{owners} fragments name another main descriptor")
    if stop is None and main.count not in (len(ids), len(ids) - 1):
        notes.append(f"fragment count {main.count} but the chain has {len(ids)} clusters")
    extents, slack = [layout.cluster(cid) for cid in ids], None
    if stop is None:
        last, slack, note = _last(main, layout, ids[-1])
        extents[-1] = last
        notes += [] if note is None else [note]
    for note in notes:
        log.add(f"{layout.name}: main descriptor {main.id}: {note}", here)
    return Chain(main, merge(extents), slack, notes)


def _follow(
    main: Entry, raw: bytes, column: bytes, layout: Layout, decode: Decoder, claimed: set[int]
) -> tuple[list[int], str | None, int]:
    """A chain's cluster ids, why it stopped early (None: at 0), fragments of other mains."""
    ids, seen, count = [main.id], {main.id}, len(column)
    cid, owners = main.next, 0
    while cid:
        if cid >= count:
            return ids, f"next id {cid} is past the {count} descriptors", owners
        if cid in seen or len(ids) >= count:
            return ids, f"chain loops back to descriptor {cid}", owners
        if cid in claimed:
            return ids, f"descriptor {cid} already belongs to another chain", owners
        if layout.kinds.get(column[cid]) != LINK:
            return ids, f"next id {cid} is not a fragment (type 0x{column[cid]:02x})", owners
        link = decode(raw, cid)
        owners += link.owner != main.id
        seen.add(cid)
        ids.append(cid)
        cid = link.next
    return ids, None, owners


def _last(main: Entry, layout: Layout, cid: int) -> tuple[Extent, Extent | None, str | None]:
    """The last cluster's extent, the slack after it, and a problem with its size."""
    offset, full = layout.cluster(cid)
    size = main.last * layout.sub
    if main.last == 0 and layout.zero_last_is_full:
        return (offset, full), None, None
    if not 0 < size <= full:
        return (offset, full), None, f"last cluster size {main.last} out of range; full cluster"
    slack = (offset + size, full - size) if size < full else None
    return (offset, size), slack, None


def merge(extents: Iterable[Extent], into: list[Extent] | None = None) -> list[Extent]:
    """Extents in the given order, each joined to the previous one when adjacent."""
    out = [] if into is None else into
    for offset, length in extents:
        if length <= 0:
            continue
        if out and out[-1][0] + out[-1][1] == offset:
            out[-1] = (out[-1][0], out[-1][1] + length)
        else:
            out.append((offset, length))
    return out


def cut(extents: list[Extent], skip: int) -> list[Extent]:
    """The extents less their first ``skip`` bytes (whole extents may go)."""
    out: list[Extent] = []
    for offset, length in extents:
        drop = min(skip, length)
        skip -= drop
        if length > drop:
            out.append((offset + drop, length - drop))
    return out


def clip(extents: Iterable[Extent], disk: DiskBytes) -> tuple[list[Extent], int]:
    """The parts of ``extents`` inside the disk, and how many bytes fell outside."""
    kept: list[Extent] = []
    lost = 0
    for offset, length in extents:
        inside = max(0, min(offset + length, disk.size) - max(offset, 0))
        if inside:
            kept.append((max(offset, 0), inside))
        lost += length - inside
    return kept, lost


def coalesce(extents: Iterable[Extent]) -> list[Extent]:
    """Sorted extents with overlapping and adjacent ones joined (for uncovered ranges)."""
    out: list[Extent] = []
    for offset, length in sorted(e for e in extents if e[1] > 0):
        if out and offset <= out[-1][0] + out[-1][1]:
            top = max(out[-1][0] + out[-1][1], offset + length)
            out[-1] = (out[-1][0], top - out[-1][0])
        else:
            out.append((offset, length))
    return out


def dirty_segment(
    disk: DiskBytes,
    group: list[Entry],
    layout: Layout,
    *,
    vendor: str,
    source: str,
    key: str,
    kind: str,
) -> Segment:
    """One ``dirty`` segment of fragments whose main descriptor is gone (DHFS and WFS).

    Times span the fragments' own non-zero start and end values; extents are their
    clusters in the given order, clipped to the image.
    """
    starts = [entry.start for entry in group if entry.start]
    ends = [entry.end for entry in group if entry.end]
    kept, lost = clip(merge(layout.cluster(entry.id) for entry in group), disk)
    return Segment(
        vendor=vendor,
        source=source,
        key=key,
        channel=group[0].channel,
        start=dhfs_time(min(starts)) if starts else None,
        end=dhfs_time(max(ends)) if ends else None,
        extents=tuple(merge(kept)),
        kind=kind,
        status=DIRTY,
        notes=(f"{lost} bytes lie past the end of the image",) if lost else (),
    )


def chain_segment(
    disk: DiskBytes,
    chain: Chain,
    extents: list[Extent],
    layout: Layout,
    log: ProblemLog,
    *,
    vendor: str,
    source: str,
    key: str,
    kind: str,
    notes: list[str],
) -> Segment:
    """One ``complete`` segment of a live chain (DHFS and WFS).

    Its extents are clipped to the image (a problem when bytes lie past the end); its
    times and channel are its main descriptor's.
    """
    main = chain.main
    kept, lost = clip(extents, disk)
    if lost:
        notes.append(f"{lost} bytes lie past the end of the image")
        log.add(f"{layout.name}: main descriptor {main.id}: {notes[-1]}", layout.where(main.id))
    return Segment(
        vendor=vendor,
        source=source,
        key=key,
        channel=main.channel,
        start=dhfs_time(main.start),
        end=dhfs_time(main.end),
        extents=tuple(merge(kept)),
        kind=kind,
        status=COMPLETE,
        notes=tuple(notes),
    )
