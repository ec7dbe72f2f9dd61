"""DHFS4.1 index parsing: partitions, boot sectors, chains, DHII, dirty fragments, hostile bytes."""

from __future__ import annotations

import itertools
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.dvr.dahua import read_dhfs, read_dhfs_logs
from parsers.dvr.disk import DiskBytes
from parsers.dvr.model import COMPLETE, DAHUA, DHAV, DIRTY, DvrListing
from parsers.dvr.timeutil import pack_dhfs
from tests.unit.parsers.dvr.listings import by_key, messages
from tests.unit.parsers.dvr.mutations import Mutation, mutated_disk, mutations

SPC = 8
CLUSTER = SPC * 512
T0 = pack_dhfs(2024, 5, 1, 10, 0, 0)
T1 = pack_dhfs(2024, 5, 1, 10, 59, 59)
DESC = struct.Struct("<BBHIIIH2xII4x")


class Dhfs:
    """A tiny DHFS4.1 disk: partitions of ``clusters`` clusters of 8 sectors each."""

    BOOT, SPARE, TABLE = 1, 2, 4

    def __init__(self, clusters: int = 32, parts: int = 2, *, end_mark: bool = True) -> None:
        self.clusters = clusters
        self.logs = self.TABLE + -(-clusters * 32 // 512)
        self.data = self.logs + 4
        self.length = self.data + clusters * SPC
        self.starts = [64 + k * self.length for k in range(parts)]
        self.img = bytearray((64 + parts * self.length) * 512)
        self.img[:7] = b"DHFS4.1"
        for k, start in enumerate(self.starts):
            entry = 0x3C40 + 64 * k
            mark = 0x55AA55AA if end_mark and k == parts - 1 else 0
            struct.pack_into("<I", self.img, entry + 8, self.BOOT)
            struct.pack_into("<QIII", self.img, entry + 0x24, start, self.length, 0, mark)
            for sector in (self.BOOT, self.SPARE):
                self.boot(k, sector)

    def boot(self, p: int, sector: int, spc: int = SPC) -> None:
        at = (self.starts[p] + sector) * 512
        struct.pack_into("<II", self.img, at + 0x10, T0, T1)
        struct.pack_into("<II", self.img, at + 0x2C, 512, spc)
        struct.pack_into("<III", self.img, at + 0x44, self.TABLE, self.data, self.clusters)
        struct.pack_into("<III", self.img, at + 0xF0, self.SPARE, 0, self.logs)
        struct.pack_into("<I", self.img, at + 0x148, 0x55AA55AA)

    def c(self, p: int, cid: int) -> int:
        return (self.starts[p] + self.data + SPC * cid) * 512

    def desc(self, p: int, cid: int, kind: int, *fields: int, ch: int = 1) -> None:
        at = (self.starts[p] + self.TABLE) * 512 + 32 * cid
        padded = (*fields, *[0] * (7 - len(fields)))
        DESC.pack_into(self.img, at, kind, 0x30 + ch - 1, *padded)

    def record(
        self,
        p: int,
        ids: list[int],
        *,
        ch: int = 1,
        last: int = SPC,
        start: int = T0,
        end: int = T1,
        count: int | None = None,
        kind: int = 1,
        owner: int | None = None,
    ) -> None:
        main = ids[0] if owner is None else owner
        for k, cid in enumerate(ids):
            nxt = ids[k + 1] if k + 1 < len(ids) else 0
            prev = ids[k - 1] if k else 0
            if k == 0 and kind == 1:
                n = len(ids) - 1 if count is None else count
                self.desc(p, cid, 1, n, start, end, nxt, last, 0, main, ch=ch)
            else:
                self.desc(p, cid, 2, k, start, end, nxt, 0, prev, main, ch=ch)

    def dhii(self, p: int, ids: list[int], entry0: int, *, dhav: bool = True) -> None:
        head = self.c(p, ids[0])
        self.img[head : head + 4] = b"DHII"
        struct.pack_into("<I", self.img, head + 0x40, entry0)
        if dhav:
            at = self.c(p, ids[entry0 // CLUSTER]) + entry0 % CLUSTER
            self.img[at : at + 4] = b"DHAV"

    def disk(self, size: int | None = None) -> DiskBytes:
        return DiskBytes.from_bytes(bytes(self.img[:size]))


def listed(disk: Dhfs | DiskBytes) -> DvrListing:
    listing = read_dhfs(disk.disk() if isinstance(disk, Dhfs) else disk)
    assert listing is not None
    return listing


def good() -> Dhfs:
    d = Dhfs()
    d.record(0, [1, 2, 5], ch=1, last=3)
    d.record(0, [3], ch=2, last=SPC)
    d.dhii(0, [3], 0x200)
    d.record(1, [1, 2, 3], ch=4, last=4, count=3)
    d.dhii(1, [1, 2, 3], CLUSTER)
    d.record(1, [7, 6, 9], ch=3, kind=2, owner=20)
    for cid in (10, 11, 12):
        d.desc(1, cid, 0xFE)
    return d


def test_not_dhfs_returns_none() -> None:
    assert read_dhfs(DiskBytes.from_bytes(b"DHFS4.0" + bytes(0x5000))) is None
    assert read_dhfs(DiskBytes.from_bytes(b"DHF")) is None


def test_good_disk_lists_every_chain_without_problems() -> None:
    d = good()
    listing = listed(d)
    assert listing.problems == []
    assert listing.volume.vendor == DAHUA
    assert [s.key for s in listing.segments] == [
        "dhfs:p0:c1",
        "dhfs:p0:c3",
        "dhfs:p1:c1",
        "dhfs:p1:dirty20",
    ]
    seg = by_key(listing)
    chain = seg["dhfs:p0:c1"]
    assert chain.extents == ((d.c(0, 1), 2 * CLUSTER), (d.c(0, 5), 3 * 512))
    assert (chain.channel, chain.kind, chain.status, chain.source) == (
        1,
        DHAV,
        COMPLETE,
        "dhfs-desc",
    )
    assert chain.start.wallclock == "2024-05-01T10:00:00"
    assert chain.end.wallclock == "2024-05-01T10:59:59"


def test_dhii_entry0_inside_the_first_cluster_drops_the_index() -> None:
    d = good()
    seg = by_key(listed(d))["dhfs:p0:c3"]
    assert seg.channel == 2
    assert seg.extents == ((d.c(0, 3) + 0x200, CLUSTER - 0x200),)


def test_dhii_entry0_at_the_cluster_size_skips_the_whole_first_cluster() -> None:
    d = good()
    seg = by_key(listed(d))["dhfs:p1:c1"]
    assert seg.channel == 4
    assert seg.extents == ((d.c(1, 2), CLUSTER + 4 * 512),)


def test_unreachable_fragments_form_one_dirty_segment_in_index_order() -> None:
    d = good()
    seg = by_key(listed(d))["dhfs:p1:dirty20"]
    assert seg.status == DIRTY
    assert seg.channel == 3
    assert seg.extents == ((d.c(1, 7), CLUSTER), (d.c(1, 6), CLUSTER), (d.c(1, 9), CLUSTER))
    assert (seg.start.raw, seg.end.raw) == (T0, T1)


def test_free_clusters_and_slack_are_uncovered() -> None:
    d = good()
    listing = listed(d)
    used = {(0, 1), (0, 2), (0, 3), (0, 5), (1, 1), (1, 2), (1, 3), (1, 6), (1, 7), (1, 9)}
    free = [(p, c) for p in (0, 1) for c in range(32) if (p, c) not in used]
    expected = sorted([(d.c(p, c), CLUSTER) for p, c in free])
    expected += [(d.c(0, 5) + 3 * 512, 5 * 512), (d.c(1, 3) + 4 * 512, 4 * 512)]
    merged: list[tuple[int, int]] = []
    for off, ln in sorted(expected):
        if merged and merged[-1][0] + merged[-1][1] == off:
            merged[-1] = (merged[-1][0], merged[-1][1] + ln)
        else:
            merged.append((off, ln))
    assert listing.uncovered == merged


def test_geometry_describes_each_partition() -> None:
    d = good()
    parts = listed(d).volume.geometry["partitions"]
    assert [p["start_sector"] for p in parts] == d.starts
    assert parts[1]["cluster_size"] == CLUSTER
    assert parts[1]["descriptor_count"] == 32
    assert parts[1]["data_area"] == d.c(1, 0)
    assert parts[0]["begin"] == {"raw": T0, "wallclock": "2024-05-01T10:00:00"}


def test_listing_reads_only_the_index_and_dhii_heads() -> None:
    d = Dhfs(clusters=3000, parts=2)
    mains = 0
    for p in (0, 1):
        for first in range(1, 2900, 30):
            ids = list(range(first, first + 29))
            d.record(p, ids, last=2)
            d.dhii(p, ids, 0x100)
            mains += 1
    disk = d.disk()
    listing = listed(disk)
    assert listing.problems == []
    assert len(listing.segments) == mains
    tables = 2 * 3000 * 32
    assert disk.bytes_read <= 7 + 0x440 + 2 * 0x100 + tables + mains * (0x60 + 4)
    assert disk.bytes_read < disk.size // 100


def test_chain_cycle_stops_with_a_problem() -> None:
    d = Dhfs()
    d.record(0, [1, 2, 3])
    d.desc(0, 3, 2, 2, T0, T1, 2, 0, 2, 1)  # 3 -> 2 again
    listing = listed(d)
    assert "partition 0: main descriptor 1: chain loops back to descriptor 2" in messages(listing)
    assert by_key(listing)["dhfs:p0:c1"].extents == ((d.c(0, 1), 3 * CLUSTER),)


def test_next_id_past_the_descriptor_count_stops_the_chain() -> None:
    d = Dhfs()
    d.record(0, [1, 2])
    d.desc(0, 2, 2, 1, T0, T1, 5000, 0, 1, 1)
    listing = listed(d)
    assert "partition 0: main descriptor 1: next id 5000 is past the 32 descriptors" in messages(
        listing
    )
    assert by_key(listing)["dhfs:p0:c1"].extents == ((d.c(0, 1), 2 * CLUSTER),)


def test_cluster_past_the_end_of_the_image_is_dropped() -> None:
    d = Dhfs()
    d.record(1, [1, 30, 31], last=SPC)
    disk = d.disk(size=d.c(1, 30) + 100)
    listing = listed(disk)
    seg = by_key(listing)["dhfs:p1:c1"]
    assert seg.extents == ((d.c(1, 1), CLUSTER), (d.c(1, 30), 100))
    assert all(disk.contains(o, n) for o, n in seg.extents + tuple(listing.uncovered))
    assert any("bytes lie past the end of the image" in m for m in messages(listing))


@pytest.mark.parametrize("cut", [0x3C50, 0x4000 + 700, 0x9000, 200_000], ids=str)
def test_truncated_image_never_raises(cut: int) -> None:
    d = good()
    disk = d.disk(size=cut)
    listing = listed(disk)
    assert listing.problems
    for seg in listing.segments:
        assert all(disk.contains(o, n) for o, n in seg.extents)


def test_partition_table_without_end_marker_is_a_problem() -> None:
    d = Dhfs(end_mark=False)
    d.record(1, [4])
    listing = listed(d)
    assert messages(listing) == ["partition table has no end marker in its first 2 entries"]
    assert [s.key for s in listing.segments] == ["dhfs:p1:c4"]


def test_absurd_sectors_per_cluster_falls_back_to_the_spare_boot_sector() -> None:
    d = Dhfs()
    d.record(0, [2])
    d.boot(0, Dhfs.BOOT, spc=0xFFFFFFFF)
    listing = listed(d)
    assert messages(listing) == ["partition 0: boot sector implausible; its spare copy used"]
    assert by_key(listing)["dhfs:p0:c2"].extents == ((d.c(0, 2), CLUSTER),)


def test_both_boot_sectors_absurd_skips_the_partition() -> None:
    d = Dhfs()
    d.record(0, [2])
    d.record(1, [2])
    d.boot(0, Dhfs.BOOT, spc=0)
    d.boot(0, Dhfs.SPARE, spc=0)
    listing = listed(d)
    assert messages(listing) == [
        "partition 0: boot sector and its spare are implausible; partition skipped"
    ]
    assert [s.key for s in listing.segments] == ["dhfs:p1:c2"]


def test_main_ending_before_it_starts_is_skipped_and_its_fragments_are_dirty() -> None:
    d = Dhfs()
    d.record(0, [1, 2], start=T1, end=T0)
    d.record(0, [4, 5], start=T0, end=T0)
    listing = listed(d)
    assert messages(listing) == ["partition 0: main descriptor 1 ends before it starts"]
    assert [s.key for s in listing.segments] == ["dhfs:p0:dirty1", "dhfs:p0:dirty4"]


@pytest.mark.parametrize("count", [2, 3], ids=str)
def test_fragment_count_of_n_or_n_minus_one_is_accepted(count: int) -> None:
    d = Dhfs()
    d.record(0, [1, 2, 3], count=count)
    assert listed(d).problems == []


def test_fragment_count_disagreeing_with_the_chain_is_a_problem() -> None:
    d = Dhfs()
    d.record(0, [1, 2, 3], count=9)
    listing = listed(d)
    assert messages(listing) == [
        "partition 0: main descriptor 1: fragment count 9 but the chain has 3 clusters"
    ]


def test_zero_last_size_reads_a_full_cluster_with_a_problem() -> None:
    d = Dhfs()
    d.record(0, [1, 2], last=0)
    listing = listed(d)
    assert by_key(listing)["dhfs:p0:c1"].extents == ((d.c(0, 1), 2 * CLUSTER),)
    assert messages(listing) == [
        "partition 0: main descriptor 1: last cluster size 0 out of range; full cluster"
    ]


def test_dhii_entry0_without_dhav_keeps_the_cut_with_a_problem() -> None:
    d = Dhfs()
    d.record(0, [1, 2])
    d.dhii(0, [1, 2], 0x300, dhav=False)
    listing = listed(d)
    assert by_key(listing)["dhfs:p0:c1"].extents == ((d.c(0, 1) + 0x300, 2 * CLUSTER - 0x300),)
    assert messages(listing) == [
        "partition 0: main descriptor 1: no DHAV frame at DHII entry 0 (0x300); cut there anyway"
    ]


def test_dhii_entry0_past_the_recording_is_not_cut() -> None:
    d = Dhfs()
    d.record(0, [1, 2])
    d.dhii(0, [1, 2], 0x10_0000, dhav=False)
    listing = listed(d)
    assert by_key(listing)["dhfs:p0:c1"].extents == ((d.c(0, 1), 2 * CLUSTER),)
    assert len(listing.problems) == 1


def test_cross_linked_chains_claim_a_fragment_once() -> None:
    d = Dhfs()
    d.record(0, [1, 2, 3])
    d.record(0, [5, 3])  # 5 -> 3, already in chain 1
    listing = listed(d)
    assert by_key(listing)["dhfs:p0:c5"].extents == ((d.c(0, 5), CLUSTER),)
    assert "partition 0: main descriptor 5: descriptor 3 already belongs to another chain" in (
        messages(listing)
    )


def test_logs_are_read_from_each_partition() -> None:
    d = Dhfs()
    at = (d.starts[0] + d.logs) * 512
    text = b"2024-05-01 10:00 power on\n"
    struct.pack_into("<I", d.img, at, 1024 + len(text))
    struct.pack_into("<I", d.img, at + 0x1FC, 0x55AA55AA)
    d.img[at + 1024 : at + 1024 + len(text)] = text
    disk = d.disk()
    assert read_dhfs_logs(disk, listed(disk)) == [(at + 1024, text.decode())]


_BASE = good()
_REGIONS = [
    (0x3C00, 0x440),
    *[((s + Dhfs.BOOT) * 512, 0x100) for s in _BASE.starts],
    *[((s + Dhfs.TABLE) * 512, 32 * 32) for s in _BASE.starts],
]


@settings(max_examples=400, deadline=None)
@given(mutations(_REGIONS, 0x43F), st.integers(0x3C00, len(_BASE.img)))
def test_mutated_index_never_raises_and_stays_inside_the_disk(
    writes: list[Mutation], size: int
) -> None:
    disk = mutated_disk(_BASE.img, writes, size)
    listing = listed(disk)
    for seg in listing.segments:
        assert all(disk.contains(o, n) and n > 0 for o, n in seg.extents)
    assert all(disk.contains(o, n) for o, n in listing.uncovered)
    assert len({s.key for s in listing.segments}) == len(listing.segments)


_DESCRIPTOR = st.tuples(
    st.sampled_from([0x00, 0x01, 0x02, 0xFE, 0x7F]),
    st.integers(0, 255),
    st.integers(0, 40),
    st.sampled_from([0, T0, T1, 0xFFFFFFFF]),
    st.sampled_from([0, T0, T1]),
    st.integers(0, 40),
    st.integers(0, 20),
    st.integers(0, 40),
    st.integers(0, 40),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_DESCRIPTOR, min_size=32, max_size=32))
def test_random_descriptor_tables_terminate_with_extents_inside_the_disk(
    table: list[tuple[int, ...]],
) -> None:
    d = Dhfs()
    for cid, (kind, ch, *fields) in enumerate(table):
        at = (d.starts[0] + Dhfs.TABLE) * 512 + 32 * cid
        DESC.pack_into(d.img, at, kind, ch, *fields)
    disk = d.disk()
    listing = listed(disk)
    covered = [e for s in listing.segments for e in s.extents]
    assert all(disk.contains(o, n) for o, n in covered + listing.uncovered)
    assert all(d.c(0, 0) <= o and o + n <= d.c(0, 32) for o, n in covered)
    spans = sorted(covered + listing.uncovered)
    assert all(a[0] + a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_partition_past_the_end_of_the_image_is_skipped() -> None:
    d = good()
    listing = listed(d.disk(size=d.starts[1] * 512))
    assert messages(listing) == [
        "partition 1: boot sector lies past the end of the image; partition skipped"
    ]
    assert [s.key for s in listing.segments] == ["dhfs:p0:c1", "dhfs:p0:c3"]
