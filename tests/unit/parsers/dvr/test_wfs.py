"""WFS0.4/0.5 index parsing: superblock, descriptor chains, dirty secondaries, hostile bytes."""

from __future__ import annotations

import itertools
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.dvr.disk import DiskBytes
from parsers.dvr.model import COMPLETE, DIRTY, H264, WFS, DvrListing
from parsers.dvr.timeutil import pack_dhfs
from parsers.dvr.wfs import read_wfs
from tests.unit.parsers.dvr.listings import by_key, messages
from tests.unit.parsers.dvr.mutations import Mutation, mutated_disk, mutations

BLOCK, PER = 512, 8
FRAG = BLOCK * PER
T0 = pack_dhfs(2023, 11, 2, 8, 0, 0)
T1 = pack_dhfs(2023, 11, 2, 8, 30, 0)
T2 = pack_dhfs(2023, 11, 2, 9, 0, 0)
DESC = struct.Struct("<xBHIIIIxxHI3xB")


class Wfs:
    """A tiny WFS disk: ``count`` fragments of 8 blocks of 512 bytes."""

    TABLE = 32

    def __init__(self, count: int = 32, version: bytes = b"WFS0.5") -> None:
        self.count = count
        self.video = self.TABLE + -(-count * 32 // BLOCK)
        self.img = bytearray(self.video * BLOCK + count * FRAG)
        self.img[:6] = version
        self.superblock()

    def superblock(self, block: int = BLOCK, magic: int = 0xDEBC9A78) -> None:
        struct.pack_into("<I", self.img, 0x3000, magic)
        struct.pack_into("<II", self.img, 0x3010, T0, T2)
        struct.pack_into("<II", self.img, 0x302C, block, PER)
        struct.pack_into("<III", self.img, 0x3044, self.TABLE, self.video, self.count)

    def f(self, fid: int) -> int:
        return self.video * BLOCK + fid * FRAG

    def desc(self, fid: int, attr: int, *fields: int, ch: int = 1) -> None:
        padded = (*fields, *[0] * (7 - len(fields)))
        DESC.pack_into(self.img, self.TABLE * BLOCK + 32 * fid, attr, *padded, ch * 4 - 2)

    def record(
        self,
        ids: list[int],
        *,
        ch: int = 1,
        last: int = 0,
        times: tuple[int, int] = (T0, T1),
        attr: int = 0x02,
        count: int | None = None,
        owner: int | None = None,
    ) -> None:
        main = ids[0] if owner is None else owner
        for k, fid in enumerate(ids):
            nxt = ids[k + 1] if k + 1 < len(ids) else 0
            prev = ids[k - 1] if k else 0
            if k == 0 and owner is None:
                n = len(ids) - 1 if count is None else count
                self.desc(fid, attr, n, prev, nxt, *times, last, main, ch=ch)
            else:
                self.desc(fid, 0x01, 0, prev, nxt, *times, 0, main, ch=ch)

    def disk(self, size: int | None = None) -> DiskBytes:
        return DiskBytes.from_bytes(bytes(self.img[:size]))


def listed(disk: Wfs | DiskBytes) -> DvrListing:
    listing = read_wfs(disk.disk() if isinstance(disk, Wfs) else disk)
    assert listing is not None
    return listing


def good() -> Wfs:
    w = Wfs()
    w.record([1, 2, 3], ch=1)
    w.record([5, 9], ch=2, last=3, attr=0x03, times=(T1, T2))
    w.record([12], ch=3, owner=20, times=(T0, T1))
    w.record([11], ch=3, owner=20, times=(T1, T2))
    w.desc(14, 0xFE)
    return w


def test_not_wfs_returns_none() -> None:
    assert read_wfs(DiskBytes.from_bytes(b"WFS0.3" + bytes(0x4000))) is None
    assert read_wfs(DiskBytes.from_bytes(b"WF")) is None


@pytest.mark.parametrize("version", [b"WFS0.4", b"WFS0.5"], ids=["0.4", "0.5"])
def test_both_versions_are_recognised(version: bytes) -> None:
    listing = listed(Wfs(version=version))
    assert (listing.volume.vendor, listing.volume.version) == (WFS, version.decode())
    assert listing.problems == []


def test_good_disk_lists_every_chain_without_problems() -> None:
    w = good()
    listing = listed(w)
    assert listing.problems == []
    assert [s.key for s in listing.segments] == ["wfs:f1", "wfs:f5", "wfs:dirty20"]
    first, second = listing.segments[:2]
    assert first.extents == ((w.f(1), 3 * FRAG),)
    assert (first.channel, first.kind, first.status, first.source) == (
        1,
        H264,
        COMPLETE,
        "wfs-desc",
    )
    assert (first.start.wallclock, first.end.wallclock) == (
        "2023-11-02T08:00:00",
        "2023-11-02T08:30:00",
    )
    assert second.channel == 2
    assert second.extents == ((w.f(5), FRAG), (w.f(9), 3 * BLOCK))


def test_orphan_secondaries_form_a_dirty_segment_in_time_order() -> None:
    w = good()
    seg = by_key(listed(w))["wfs:dirty20"]
    assert (seg.status, seg.channel) == (DIRTY, 3)
    assert seg.extents == ((w.f(12), FRAG), (w.f(11), FRAG))
    assert (seg.start.raw, seg.end.raw) == (T0, T2)


def test_free_fragments_and_slack_are_uncovered() -> None:
    w = good()
    used = {1, 2, 3, 5, 9, 11, 12, 14}
    free = [(w.f(i), FRAG) for i in range(32) if i not in used]
    spans = sorted([*free, (w.f(9) + 3 * BLOCK, 5 * BLOCK)])
    merged: list[tuple[int, int]] = []
    for off, ln in spans:
        if merged and sum(merged[-1]) == off:
            merged[-1] = (merged[-1][0], merged[-1][1] + ln)
        else:
            merged.append((off, ln))
    assert listed(w).uncovered == merged


def test_geometry_is_read_from_the_superblock() -> None:
    w = good()
    geo = listed(w).volume.geometry
    assert geo["fragment_size"] == FRAG
    assert geo["fragment_count"] == 32
    assert geo["video_area"] == w.f(0)
    assert geo["first"] == {"raw": T0, "wallclock": "2023-11-02T08:00:00"}


def test_missing_superblock_signature_is_a_problem_but_listing_goes_on() -> None:
    w = good()
    w.superblock(magic=0)
    listing = listed(w)
    assert messages(listing) == ["superblock signature 0x00000000, expected 0xdebc9a78"]
    assert len(listing.segments) == 3


def test_implausible_superblock_lists_nothing() -> None:
    w = good()
    w.superblock(block=0)
    listing = listed(w)
    assert listing.segments == []
    assert messages(listing) == ["superblock implausible (block size, fragment size or count)"]


def test_chain_cycle_stops_with_a_problem() -> None:
    w = Wfs()
    w.record([1, 2, 3])
    w.desc(3, 0x01, 0, 2, 1, T0, T1, 0, 1)  # 3 -> 1
    listing = listed(w)
    assert messages(listing) == ["WFS: main descriptor 1: chain loops back to descriptor 1"]
    assert by_key(listing)["wfs:f1"].extents == ((w.f(1), 3 * FRAG),)


def test_next_past_the_fragment_count_stops_the_chain() -> None:
    w = Wfs()
    w.record([1, 2])
    w.desc(2, 0x01, 0, 1, 0xFFFFFFFF, T0, T1, 0, 1)
    listing = listed(w)
    assert messages(listing) == [
        "WFS: main descriptor 1: next id 4294967295 is past the 32 descriptors"
    ]
    assert by_key(listing)["wfs:f1"].extents == ((w.f(1), 2 * FRAG),)


def test_last_size_larger_than_a_fragment_reads_a_full_fragment() -> None:
    w = Wfs()
    w.record([4], last=PER + 1)
    listing = listed(w)
    assert by_key(listing)["wfs:f4"].extents == ((w.f(4), FRAG),)
    assert len(listing.problems) == 1


def test_fragment_past_the_end_of_the_image_is_clipped() -> None:
    w = Wfs()
    w.record([30, 31])
    disk = w.disk(size=w.f(31) + 10)
    listing = listed(disk)
    assert by_key(listing)["wfs:f30"].extents == ((w.f(30), FRAG + 10),)
    assert messages(listing) == [
        "video area passes the end of the image",
        "WFS: main descriptor 30: 4086 bytes lie past the end of the image",
    ]


@pytest.mark.parametrize("cut", [0x2000, 0x3020, 0x4000 + 100, 0x6000], ids=str)
def test_truncated_image_never_raises(cut: int) -> None:
    disk = good().disk(size=cut)
    listing = listed(disk)
    assert listing.problems
    assert all(disk.contains(o, n) for s in listing.segments for o, n in s.extents)


def test_listing_reads_only_the_superblock_and_descriptors() -> None:
    w = Wfs(count=5000)
    for first in range(1, 4950, 40):
        w.record(list(range(first, first + 39)), last=2)
    disk = w.disk()
    listing = listed(disk)
    assert listing.problems == []
    assert len(listing.segments) == len(range(1, 4950, 40))
    assert disk.bytes_read <= 6 + 0x50 + 5000 * 32


_BASE = good()
_REGIONS = [(0x3000, 0x50), (Wfs.TABLE * BLOCK, 32 * 32)]


@settings(max_examples=400, deadline=None)
@given(mutations(_REGIONS, 0x3FF), st.integers(0x2000, len(_BASE.img)))
def test_mutated_index_never_raises_and_stays_inside_the_disk(
    writes: list[Mutation], size: int
) -> None:
    disk = mutated_disk(_BASE.img, writes, size)
    listing = listed(disk)
    spans = sorted([e for s in listing.segments for e in s.extents] + listing.uncovered)
    assert all(disk.contains(o, n) and n > 0 for o, n in spans)
    assert len({s.key for s in listing.segments}) == len(listing.segments)


_DESCRIPTOR = st.tuples(
    st.sampled_from([0x00, 0x01, 0x02, 0x03, 0xFE, 0x44]),
    st.integers(0, 40),
    st.integers(0, 40),
    st.integers(0, 40),
    st.sampled_from([0, T0, T2]),
    st.sampled_from([0, T1]),
    st.integers(0, 12),
    st.integers(0, 40),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_DESCRIPTOR, min_size=32, max_size=32))
def test_random_descriptor_tables_give_disjoint_extents_inside_the_disk(
    table: list[tuple[int, ...]],
) -> None:
    w = Wfs()
    for fid, (attr, *fields) in enumerate(table):
        w.desc(fid, attr, *fields)
    disk = w.disk()
    listing = listed(disk)
    spans = sorted([e for s in listing.segments for e in s.extents] + listing.uncovered)
    assert all(w.f(0) <= o and o + n <= w.f(32) for o, n in spans)
    assert all(a[0] + a[1] <= b[0] for a, b in itertools.pairwise(spans))
