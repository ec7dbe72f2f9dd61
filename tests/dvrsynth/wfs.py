"""Synthetic WFS0.4/0.5 disks (reference §4): superblock, 32-byte descriptors, raw H.264.

Blocks are 512 bytes and fragments 8 blocks (4 KiB). Each recording is a raw Annex-B
H.264 stream padded with zero bytes (legal ``trailing_zero_8bits``) to whole blocks, so
the main descriptor's last-fragment size ends exactly at the end of the stream's bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import timedelta

from parsers.dvr.model import COMPLETE, DHFS_PACKED, H264, WFS
from tests.dvrsynth.times import Fields, dhfs, moment, span_seconds
from tests.dvrsynth.truth import ExpectedSegment, Image, SynthDisk, map_range
from tests.dvrsynth.video import encode_h264

BLOCK = 512
BLOCKS_PER_FRAGMENT = 8
FRAGMENT = BLOCK * BLOCKS_PER_FRAGMENT
SUPERBLOCK = 0x3000
MAGIC = 0xDEBC9A78
DESCRIPTOR_AREA = 32
"""In blocks (0x4000)."""
VIDEO_AREA = 64
"""In blocks (0x8000)."""
MAIN, SECONDARY, RESERVED = 0x02, 0x01, 0xFE


@dataclass(frozen=True)
class WfsRecording:
    """A recording over candidate fragment ids in play order (the first is the main)."""

    channel: int
    start: Fields
    fragments: tuple[int, ...]
    n_frames: int = 30
    seed: int = 0


DEFAULT_RECORDINGS = (
    WfsRecording(1, (2021, 6, 1, 8, 0, 0), (5, 2, 3, 9, 7, 8, 10), seed=21),
    WfsRecording(2, (2021, 6, 1, 8, 15, 0), (12, 13, 14, 15, 16, 17, 18), seed=22),
    WfsRecording(3, (2021, 6, 1, 9, 0, 30), (30, 20, 21, 40, 33, 34, 35), seed=23),
)


def camera_byte(channel: int) -> int:
    """Descriptor byte 31: ``channel x 4 - 2`` (so that ``(b + 2) // 4`` is the channel)."""
    return channel * 4 - 2


def _times(rec: WfsRecording) -> tuple[int, int]:
    first = moment(rec.start)
    return dhfs(first), dhfs(first + timedelta(seconds=span_seconds(rec.n_frames, 25)))


def descriptor(
    rec: WfsRecording, *, main: bool, count: int, prev: int, nxt: int, last: int, owner: int
) -> bytes:
    """32 bytes: attribute, fragments - 1, previous, next, start, end, last size, main id,
    camera byte."""
    start, end = _times(rec)
    return struct.pack(
        "<xBHIIII2xHI3xB",
        MAIN if main else SECONDARY,
        count,
        prev,
        nxt,
        start,
        end,
        last,
        owner,
        camera_byte(rec.channel),
    )


def superblock(*, n_fragments: int, first: int, last: int) -> bytes:
    """The superblock at 0x3000 (DHFS boot-sector offsets, magic at +0)."""
    block = bytearray(BLOCK)
    struct.pack_into("<I", block, 0, MAGIC)
    struct.pack_into("<II", block, 0x10, first, last)
    struct.pack_into("<II", block, 0x2C, BLOCK, BLOCKS_PER_FRAGMENT)
    struct.pack_into("<I", block, 0x38, 1)
    struct.pack_into("<III", block, 0x44, DESCRIPTOR_AREA, VIDEO_AREA, n_fragments)
    return bytes(block)


def fragment_offset(fid: int) -> int:
    """Where fragment ``fid`` starts on the image."""
    return (VIDEO_AREA + fid * BLOCKS_PER_FRAGMENT) * BLOCK


def build_wfs_disk(
    *,
    recordings: tuple[WfsRecording, ...] = DEFAULT_RECORDINGS,
    n_fragments: int = 48,
    version: str = "WFS0.5",
) -> SynthDisk:
    """A WFS disk; expected keys are ``wfs:f<main fragment id>``, kind ``h264-annexb``.

    Fragment 0 is marked reserved (0xFE); unused descriptors are all zero (free).
    """
    assert 32 * n_fragments <= (VIDEO_AREA - DESCRIPTOR_AREA) * BLOCK
    image = Image(fragment_offset(n_fragments))
    image.put(0, version.encode())
    table = [bytes(32)] * n_fragments
    table[0] = bytes([0, RESERVED]).ljust(32, b"\0")
    expected, chains = [], {}
    for rec in recordings:
        stream = b"".join(encode_h264(rec.n_frames, seed=rec.seed))
        stream += bytes(-len(stream) % BLOCK)
        used = list(rec.fragments[: -(-len(stream) // FRAGMENT)])
        assert len(used) * FRAGMENT >= len(stream), "recording needs more fragments"
        assert all(0 < fid < n_fragments for fid in used)
        last = (len(stream) - (len(used) - 1) * FRAGMENT) // BLOCK
        for number, fid in enumerate(used):
            image.put(fragment_offset(fid), stream[number * FRAGMENT : (number + 1) * FRAGMENT])
            table[fid] = descriptor(
                rec,
                main=number == 0,
                count=len(used) - 1 if number == 0 else 0,
                prev=used[number - 1] if number else 0,
                nxt=used[number + 1] if number + 1 < len(used) else 0,
                last=last if number == 0 else 0,
                owner=used[0],
            )
        chains[f"wfs:f{used[0]}"] = used
        start, end = _times(rec)
        extents = map_range([fragment_offset(fid) for fid in used], FRAGMENT, 0, len(stream))
        expected.append(
            ExpectedSegment(
                WFS,
                rec.channel,
                start,
                end,
                extents,
                H264,
                COMPLETE,
                rec.n_frames,
                f"wfs:f{used[0]}",
                DHFS_PACKED,
            )
        )
    image.put(DESCRIPTOR_AREA * BLOCK, b"".join(table))
    first = min((seg.start_raw or 0 for seg in expected), default=0)
    final = max((seg.end_raw or 0 for seg in expected), default=0)
    image.put(SUPERBLOCK, superblock(n_fragments=n_fragments, first=first, last=final))
    return SynthDisk(
        image.bytes(), expected, {"version": version, "fragment_size": FRAGMENT, "chains": chains}
    )
