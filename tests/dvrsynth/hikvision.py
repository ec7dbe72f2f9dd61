"""Synthetic Hikvision HDDs (reference §2): master sector, two HIKBTREE copies, PS blocks.

Layout: LBA 0 zero, master sector at 0x200, three RATS log records at 0x10000, HIKBTREE #1
at 0x20000 and #2 at 0x60000 (see ``hikbtree``), data blocks from 0x100000. The tree has
tiny leaves (3 entries by default) and index pages of 2 children, so the leaf chain, the
root walk and the depth pitfall of the reference (§0, finding 1) all matter on 9 MiB.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from parsers.dvr.model import (
    COMPLETE,
    HIKVISION,
    HK44,
    MPEG_PS,
    ORPHAN,
    RECORDING,
    UNALLOCATED,
    UNIX,
)
from tests.dvrsynth.hikbtree import (
    LeafEntry,
    build_tree,
    tree_bytes,
    tree_layout,
)
from tests.dvrsynth.ps import hik_ps_stream, key_times
from tests.dvrsynth.times import Fields, moment, span_seconds, unix
from tests.dvrsynth.truth import ExpectedSegment, Image, SynthDisk
from tests.dvrsynth.video import encode_h264

MIB = 1 << 20
STILL_RECORDING = 0x7FFFFFFF
MASTER = 0x200
LOG_AREA = (0x10000, 0x10000)
TREE_REGION = 0x40000
TREE1 = 0x20000
TREE2 = TREE1 + TREE_REGION
VIDEO_AREA = 0x100000
INIT_TIME = unix(moment((2025, 4, 1, 9, 0, 0)))
VERSION = b"HIK.2011.03.08"


@dataclass(frozen=True)
class HikRecording:
    """What one data block holds; ``state`` is complete, recording, unallocated or orphan."""

    channel: int
    start: Fields
    n_frames: int = 20
    seed: int = 0
    state: str = COMPLETE


DEFAULT_RECORDINGS = (
    HikRecording(1, (2025, 4, 28, 16, 6, 18), seed=1),
    HikRecording(2, (2025, 4, 28, 16, 10, 0), seed=2),
    HikRecording(1, (2025, 4, 28, 17, 0, 0), seed=3),
    HikRecording(3, (2025, 4, 28, 17, 30, 5), seed=4),
    HikRecording(2, (2025, 4, 28, 18, 0, 0), seed=5),
    HikRecording(1, (2025, 4, 28, 18, 20, 0), seed=6, state=RECORDING),
    HikRecording(4, (2025, 4, 27, 8, 0, 0), seed=7, state=UNALLOCATED),
    HikRecording(2, (2025, 4, 20, 12, 0, 0), seed=8, state=ORPHAN),
)


def master_sector(
    *, capacity: int, block_size: int, blocks: int, tree_size: int, version: bytes = VERSION
) -> bytes:
    """The 512-byte master sector at 0x200 (§2.2)."""
    sector = bytearray(512)
    sector[0:4] = b"\xb4\x22\x00\x00"
    sector[0x10:0x22] = b"HIKVISION@HANGZHOU"
    sector[0x30 : 0x30 + len(version)] = version
    struct.pack_into("<Q", sector, 0x48, capacity)
    struct.pack_into("<QQ", sector, 0x60, *LOG_AREA)
    struct.pack_into("<Q", sector, 0x78, VIDEO_AREA)
    struct.pack_into("<QI", sector, 0x88, block_size, blocks)
    struct.pack_into("<QI4xQI", sector, 0x98, TREE1, tree_size, TREE2, tree_size)
    struct.pack_into("<I", sector, 0xF0, INIT_TIME)
    return bytes(sector)


RATS_RECORDS = ((0x41, b""), (0x50, b"admin"), (0xA3, b""))
"""(minor type, user) of the log records written, all major type 3 (operation)."""


def rats_log(base: int) -> tuple[bytes, list[tuple[int, int, int, int]]]:
    """Three 64-byte ``RATS`` records and their (offset, time, major, minor)."""
    out, listed = b"", []
    for number, (minor, user) in enumerate(RATS_RECORDS):
        when = INIT_TIME + 3600 * 24 * 27 + 60 * number
        record = b"RATS" + struct.pack("<IIHH", 0x14, when, 3, minor) + user.ljust(16, b"\0")
        listed.append((base + len(out), when, 3, minor))
        out += record + bytes([192, 168, 1, 20 + number]).ljust(32, b"\0")
    return out, listed


def _expected(
    rec: HikRecording,
    block: int,
    block_size: int,
    ps: bytes,
    entry: LeafEntry | None,
    frames: list[bytes],
) -> ExpectedSegment:
    key = f"hik:blk:{block:#x}"
    if entry is None:
        times = key_times(frames, start=rec.start)
        return ExpectedSegment(
            HIKVISION,
            None,
            times[0],
            times[-1],
            ((block, len(ps)),),
            MPEG_PS,
            ORPHAN,
            rec.n_frames,
            key,
            HK44,
        )
    return ExpectedSegment(
        HIKVISION,
        rec.channel,
        entry.start,
        entry.end,
        ((block, block_size),),
        MPEG_PS,
        rec.state,
        rec.n_frames,
        key,
        UNIX,
    )


def _entry(rec: HikRecording, block: int) -> LeafEntry | None:
    if rec.state == ORPHAN:
        return None
    start = unix(moment(rec.start))
    end = start + span_seconds(rec.n_frames, 25)
    if rec.state == RECORDING:
        start, end = STILL_RECORDING, 0
    return LeafEntry(rec.channel, start, end, block, allocated=rec.state != UNALLOCATED)


def build_hikvision_disk(
    *,
    blocks: int = 8,
    block_size: int = MIB,
    recordings: tuple[HikRecording, ...] = DEFAULT_RECORDINGS,
    entries_per_leaf: int = 3,
    fanout: int = 2,
    variant: str | None = None,
) -> SynthDisk:
    """A Hikvision disk: recording ``i`` fills data block ``i`` (the rest stay zero).

    Args:
        blocks: number of data blocks (≥ len(recordings)).
        block_size: bytes per data block.
        recordings: what each block holds; orphans get no index entry.
        entries_per_leaf: leaf capacity (3 gives ≥ 3 chained leaves by default).
        fanout: children per index page (2 gives a 3-level tree by default).
        variant: None; ``bad-signature-1`` (HIKBTREE #1 signature broken, #2 intact);
            ``old-version`` (version ``HIK.2010.11.09``).

    Returns:
        The disk; notes hold the page offsets of both trees, the log records and variant.
    """
    if blocks < len(recordings):
        raise ValueError("more recordings than blocks")
    image = Image(VIDEO_AREA + blocks * block_size)
    entries, expected = [], []
    for number, rec in enumerate(recordings):
        block = VIDEO_AREA + number * block_size
        frames = encode_h264(rec.n_frames, seed=rec.seed)
        ps = hik_ps_stream(frames, start=rec.start)
        image.put(block, ps)
        entry = _entry(rec, block)
        entries += [entry] if entry else []
        expected.append(_expected(rec, block, block_size, ps, entry, frames))
    levels = build_tree(entries, per_leaf=entries_per_leaf, fanout=fanout)
    tree1, tree2 = tree_bytes(levels, TREE1, INIT_TIME), tree_bytes(levels, TREE2, INIT_TIME)
    assert len(tree1) <= TREE_REGION
    version = b"HIK.2010.11.09" if variant == "old-version" else VERSION
    image.put(
        MASTER,
        master_sector(
            capacity=len(image.buffer),
            block_size=block_size,
            blocks=blocks,
            tree_size=len(tree1),
            version=version,
        ),
    )
    log, rats = rats_log(LOG_AREA[0])
    image.put(LOG_AREA[0], log)
    image.put(TREE1, tree1)
    image.put(TREE2, tree2)
    if variant == "bad-signature-1":
        image.put(TREE1 + 0x10, b"HIKBTRXX", overwrite=True)
    elif variant not in (None, "old-version"):
        raise ValueError(f"unknown variant {variant!r}")
    notes = {
        "variant": variant,
        "trees": {base: tree_layout(levels, base) for base in (TREE1, TREE2)},
        "rats": rats,
        "video_area": VIDEO_AREA,
        "block_size": block_size,
    }
    return SynthDisk(image.bytes(), expected, notes)
