"""Synthetic Dahua DHFS4.1 disks (reference §3): partitions, descriptor chains, DHII, DHAV.

Clusters are 8 sectors (4 KiB). Each recording's de-fragmented stream is a DHII index
followed, at DHII entry 0, by DHAV frames; the stream is padded with one 0xF1 auxiliary
frame to a whole number of sectors, so the chain's last-fragment size (in sectors) ends
exactly where the DHAV bytes end.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import timedelta

from parsers.dvr.model import CARVED, COMPLETE, DAHUA, DHAV, DHFS_PACKED, DIRTY, STATUS_CARVED
from tests.dvrsynth.dhav import dhav_aux_frame, dhav_frames, last_date
from tests.dvrsynth.times import Fields, dhfs, moment, span_seconds
from tests.dvrsynth.truth import ExpectedSegment, Image, SynthDisk, filler, map_range
from tests.dvrsynth.video import encode_h264

SECTOR = 512
SECTORS_PER_CLUSTER = 8
CLUSTER = SECTOR * SECTORS_PER_CLUSTER
TABLE = 0x3C00
BOOT, SPARE, DESCRIPTORS, LOGS, DATA = 8, 9, 16, 48, 64
"""Sector offsets inside a partition (boot sector, its copy, tables, logs, data area)."""
FIRST_PARTITION = 64
MARK = 0x55AA55AA
MAIN, FRAGMENT, FREE = 0x01, 0x02, 0xFE
DHII_ENTRY = 84


@dataclass(frozen=True)
class DhfsRecording:
    """A recording (or, ``dirty=True``, an old chain whose main descriptor was freed).

    ``clusters`` lists candidate cluster ids in play order (the first is the main); the
    builder uses as many as the stream needs. ``lead`` is DHII entry 0: where the first
    DHAV frame sits in the de-fragmented stream (``CLUSTER`` leaves the rest of the first
    cluster to stale noise).
    """

    channel: int
    start: Fields
    clusters: tuple[int, ...]
    n_frames: int = 30
    seed: int = 0
    lead: int = 0x400
    dirty: bool = False


@dataclass(frozen=True)
class OldClip:
    """A DHAV clip left in free clusters, starting at ``cluster`` (contiguous)."""

    channel: int
    start: Fields
    cluster: int
    n_frames: int = 20
    seed: int = 0


@dataclass(frozen=True)
class DhfsPartition:
    """One partition: its descriptor count, recordings, old clips and free marker."""

    n_clusters: int
    recordings: tuple[DhfsRecording, ...] = ()
    old_clips: tuple[OldClip, ...] = ()
    free_marker: int = FREE


DEFAULT_PARTITIONS = (
    DhfsPartition(
        96,
        (
            DhfsRecording(1, (2020, 4, 12, 10, 13, 54), (9, 3, 4, 17, 12, 30, 31, 25), seed=11),
            DhfsRecording(
                2, (2020, 4, 12, 10, 20, 0), (40, 41, 50, 45, 46, 60, 61, 62), seed=12, lead=CLUSTER
            ),
            DhfsRecording(
                1, (2020, 4, 11, 22, 0, 0), (70, 72, 71, 80, 81, 82), seed=13, dirty=True
            ),
        ),
        (OldClip(3, (2020, 4, 10, 7, 30, 0), 85, seed=14),),
    ),
    DhfsPartition(
        48,
        (DhfsRecording(3, (2020, 4, 12, 11, 0, 0), (5, 6, 7, 8, 9, 10, 11), seed=15),),
        (OldClip(2, (2020, 4, 9, 23, 59, 58), 30, seed=16),),
        free_marker=0x00,
    ),
)


def _dhii(lead: int, keys: list[tuple[int, int, int]], stale_seed: int) -> bytes:
    head = b"DHII" + bytes(16) + struct.pack("<II", len(keys), len(keys))
    rows = [struct.pack("<III", *key).ljust(DHII_ENTRY, b"\0") for key in keys]
    body = head.ljust(0x40, b"\0") + b"".join(rows)[: max(0, lead - 0x40)]
    if lead >= CLUSTER:
        return body + filler(lead - len(body), stale_seed)
    return body.ljust(lead, b"\0")


def recording_stream(rec: DhfsRecording) -> tuple[bytes, int, int]:
    """(de-fragmented stream, offset of the first DHAV frame, offset past the last byte)."""
    start = dhfs(moment(rec.start))
    frames = dhav_frames(
        encode_h264(rec.n_frames, seed=rec.seed), channel=rec.channel, start_packed=start
    )
    keys, position = [], rec.lead
    for frame in frames:
        if frame[4] == 0xFD:
            keys.append((position, len(frame), struct.unpack_from("<I", frame, 16)[0]))
        position += len(frame)
    pad = -position % SECTOR
    pad += SECTOR if 0 < pad < 32 else 0
    date = last_date(rec.n_frames, start_packed=start)
    if pad:
        aux = dhav_aux_frame(pad, channel=rec.channel, seq=rec.n_frames + 1, date=date, ms=0)
        frames.append(aux)
    stream = _dhii(rec.lead, keys, rec.seed) + b"".join(frames)
    return stream, rec.lead, len(stream)


def _descriptor(
    kind: int, rec: DhfsRecording, *, index: int, nxt: int, last: int, prev: int, owner: int
) -> bytes:
    return struct.pack(
        "<BBHIIIIII4x",
        kind,
        0x30 + rec.channel - 1,
        index,
        dhfs(moment(rec.start)),
        _end(rec),
        nxt,
        last,
        prev,
        owner,
    )


def _end(rec: DhfsRecording) -> int:
    return dhfs(moment(rec.start) + timedelta(seconds=span_seconds(rec.n_frames, 25)))


class _Partition:
    def __init__(self, image: Image, number: int, start_sector: int, spec: DhfsPartition) -> None:
        self.image, self.number, self.spec = image, number, spec
        self.base = start_sector * SECTOR
        self.table = [bytes([spec.free_marker]).ljust(32, b"\0")] * spec.n_clusters
        self.chains: dict[str, list[int]] = {}

    def cluster(self, cid: int) -> int:
        assert 0 < cid < self.spec.n_clusters, f"cluster id {cid} out of range"
        return self.base + (DATA + SECTORS_PER_CLUSTER * cid) * SECTOR

    def add(self, rec: DhfsRecording) -> ExpectedSegment:
        stream, first, stop = recording_stream(rec)
        used = list(rec.clusters[: -(-stop // CLUSTER)])
        assert len(used) * CLUSTER >= stop, "recording needs more clusters than listed"
        last = (stop - (len(used) - 1) * CLUSTER) // SECTOR
        for number, cid in enumerate(used):
            main = number == 0
            self.table[cid] = _descriptor(
                MAIN if main else FRAGMENT,
                rec,
                index=len(used) - 1 if main else number,
                nxt=used[number + 1] if number + 1 < len(used) else 0,
                last=last if main else 0,
                prev=0 if main else used[number - 1],
                owner=used[0],
            )
            if not (rec.dirty and main):
                self.image.put(self.cluster(cid), stream[number * CLUSTER : (number + 1) * CLUSTER])
        bases = [self.cluster(cid) for cid in used]
        key = f"dhfs:p{self.number}:c{used[0]}"
        self.chains[key] = used
        start, end = dhfs(moment(rec.start)), _end(rec)
        if rec.dirty:
            self.table[used[0]] = bytes([self.spec.free_marker]).ljust(32, b"\0")
            extents = map_range(bases[1:], CLUSTER, 0, CLUSTER * (len(used) - 1))
            return ExpectedSegment(
                DAHUA, rec.channel, start, end, extents, DHAV, DIRTY, None, key, DHFS_PACKED
            )
        return ExpectedSegment(
            DAHUA,
            rec.channel,
            start,
            end,
            map_range(bases, CLUSTER, first, stop),
            DHAV,
            COMPLETE,
            rec.n_frames,
            key,
            DHFS_PACKED,
        )

    def add_old(self, clip: OldClip) -> ExpectedSegment:
        start = dhfs(moment(clip.start))
        data = b"".join(
            dhav_frames(
                encode_h264(clip.n_frames, seed=clip.seed), channel=clip.channel, start_packed=start
            )
        )
        offset = self.cluster(clip.cluster)
        self.cluster(clip.cluster + (len(data) - 1) // CLUSTER)  # bounds check
        self.image.put(offset, data)
        return ExpectedSegment(
            CARVED,
            clip.channel,
            start,
            last_date(clip.n_frames, start_packed=start),
            ((offset, len(data)),),
            DHAV,
            STATUS_CARVED,
            clip.n_frames,
            f"carve:dhav:{offset:#x}",
            DHFS_PACKED,
        )

    def finish(self, recs: list[DhfsRecording], logs: bytes) -> None:
        live = [rec for rec in recs if not rec.dirty] or list(recs)
        begin = min((dhfs(moment(rec.start)) for rec in live), default=0)
        end = max((_end(rec) for rec in live), default=0)
        boot = bytearray(SECTOR)
        struct.pack_into("<II", boot, 0x10, begin, end)
        struct.pack_into("<II", boot, 0x2C, SECTOR, SECTORS_PER_CLUSTER)
        struct.pack_into("<IIII", boot, 0x44, DESCRIPTORS, DATA, self.spec.n_clusters, 0)
        struct.pack_into("<II4xI", boot, 0xEC, begin, SPARE, LOGS)
        struct.pack_into("<I", boot, 0x148, MARK)
        self.image.put(self.base + BOOT * SECTOR, bytes(boot))
        self.image.put(self.base + SPARE * SECTOR, bytes(boot))
        self.image.put(self.base + DESCRIPTORS * SECTOR, b"".join(self.table))
        self.image.put(self.base + LOGS * SECTOR, logs)

    @property
    def sectors(self) -> int:
        return DATA + SECTORS_PER_CLUSTER * self.spec.n_clusters


def _stamp(fields: Fields) -> str:
    year, month, day, hour, minute, second = fields[:6]
    return f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}"


def log_area(lines: list[str]) -> bytes:
    """Two identical header sectors (length, entry count, end marker), then the text."""
    text = "".join(line + "\n" for line in lines).encode()
    header = bytearray(SECTOR)
    struct.pack_into("<I4xI", header, 0, len(text), len(lines))
    struct.pack_into("<I", header, 0x1FC, MARK)
    return bytes(header) * 2 + text


def partition_table(parts: list[tuple[int, int]]) -> bytes:
    """Sector 30: 64-byte entries from +0x40 (boot offset, start, length, last-entry mark)."""
    sector = bytearray(SECTOR)
    for number, (start, length) in enumerate(parts):
        entry = 0x40 + 64 * number
        struct.pack_into("<I", sector, entry + 0x08, BOOT)
        struct.pack_into("<QI", sector, entry + 0x24, start, length)
        if number == len(parts) - 1:
            struct.pack_into("<I", sector, entry + 0x34, MARK)
    return bytes(sector)


def build_dhfs_disk(*, partitions: tuple[DhfsPartition, ...] = DEFAULT_PARTITIONS) -> SynthDisk:
    """A DHFS4.1 disk: ``DHFS4.1`` at 0, the partition table at 0x3C00, then the partitions.

    Expected keys: ``dhfs:p<partition>:c<main cluster id>`` for live and dirty chains
    (dirty: the freed main id), ``carve:dhav:<offset>`` for old clips in free clusters.
    """
    starts, sector = [], FIRST_PARTITION
    for spec in partitions:
        starts.append(sector)
        sector += DATA + SECTORS_PER_CLUSTER * spec.n_clusters
    image = Image(sector * SECTOR)
    image.put(0, b"DHFS4.1")
    expected, logs, chains = [], {}, {}
    built = []
    for number, (start, spec) in enumerate(zip(starts, partitions, strict=True)):
        part = _Partition(image, number, start, spec)
        expected += [part.add(rec) for rec in spec.recordings]
        expected += [part.add_old(clip) for clip in spec.old_clips]
        lines = [
            _stamp(rec.start) + f" ch{rec.channel} record start"
            for rec in spec.recordings
            if not rec.dirty
        ]
        part.finish(list(spec.recordings), log_area(lines))
        logs[number] = lines
        chains.update(part.chains)
        built.append((start, part.sectors))
    image.put(TABLE, partition_table(built))
    notes = {
        "partitions": built,
        "n_clusters": [spec.n_clusters for spec in partitions],
        "logs": logs,
        "cluster_size": CLUSTER,
        "chains": chains,
    }
    return SynthDisk(image.bytes(), expected, notes)
