"""Hostile variants of the synthetic disks: cycles, wild pointers, a truncated image.

Each variant is a good disk with a few index bytes changed. Its ``expected`` is what a
parser following the reference's recommended walks can still rightly list, and
``notes["problems"]`` names the damage a parser must report (as a problem, never a crash):

- ``hik_leaf_cycle``: in both HIKBTREE copies the last leaf's next pointer goes back to the
  first leaf. Every leaf is met before the cycle closes: all segments stay expected.
- ``hik_next_past_end``: in both copies the first leaf's next pointer points past the image.
  The other leaves are reachable only from the root (+0x50); the reference says to walk
  both and keep the union, so all segments stay expected.
- ``hik_truncated``: the image ends in the middle of data block 3. Blocks starting inside
  the image keep their segment with the extent clipped at the image end; segments of blocks
  wholly past the end are dropped from ``expected`` and named in ``notes["beyond_end"]``
  (a parser may list them without extents or skip them, but must report a problem).
- ``dhfs_chain_cycle``: the last fragment of ``dhfs:p0:c9`` points back to its main
  descriptor. The chain visited before the repeat is the whole chain: unchanged truth.
- ``dhfs_next_past_count``: the last fragment of ``dhfs:p0:c40`` points to an id past the
  descriptor count: unchanged truth.
- ``wfs_cycle``: the last fragment of ``wfs:f5`` points back to its main: unchanged truth.
"""

from __future__ import annotations

import struct
from dataclasses import replace

from tests.dvrsynth.dahua import DESCRIPTORS, SECTOR, build_dhfs_disk
from tests.dvrsynth.hikvision import build_hikvision_disk
from tests.dvrsynth.truth import SynthDisk
from tests.dvrsynth.wfs import BLOCK as WFS_BLOCK
from tests.dvrsynth.wfs import DESCRIPTOR_AREA, build_wfs_disk

PAST_END = 0x0000_7FFF_FFFF_0000


def _patch(disk: SynthDisk, edits: list[tuple[int, bytes]], problem: str) -> SynthDisk:
    data = bytearray(disk.data)
    for offset, value in edits:
        data[offset : offset + len(value)] = value
    notes = {**disk.notes, "problems": [problem]}
    return SynthDisk(bytes(data), list(disk.expected), notes)


def _leaves(disk: SynthDisk) -> list[list[int]]:
    return [layout["leaves"] for layout in disk.notes["trees"].values()]


def hik_leaf_cycle() -> SynthDisk:
    """Both copies: last leaf +0x20 → first leaf."""
    disk = build_hikvision_disk()
    edits = [(leaves[-1] + 0x20, struct.pack("<Q", leaves[0])) for leaves in _leaves(disk)]
    return _patch(disk, edits, "leaf chain cycle")


def hik_next_past_end() -> SynthDisk:
    """Both copies: first leaf +0x20 → far past the image end."""
    disk = build_hikvision_disk()
    edits = [(leaves[0] + 0x20, struct.pack("<Q", PAST_END)) for leaves in _leaves(disk)]
    return _patch(disk, edits, "leaf pointer past the end of the image")


def hik_truncated(blocks_kept: float = 3.5) -> SynthDisk:
    """The default Hikvision disk cut ``blocks_kept`` data blocks into the video area."""
    disk = build_hikvision_disk()
    cut = disk.notes["video_area"] + int(blocks_kept * disk.notes["block_size"])
    kept, beyond = [], []
    for segment in disk.expected:
        offset, length = segment.extents[0]
        if offset >= cut:
            beyond.append(segment.key_hint)
        else:
            kept.append(replace(segment, extents=((offset, min(length, cut - offset)),)))
    notes = {**disk.notes, "problems": ["image shorter than the capacity"], "beyond_end": beyond}
    return SynthDisk(disk.data[:cut], kept, notes)


def _dhfs_descriptor(disk: SynthDisk, partition: int, cid: int) -> int:
    start_sector = disk.notes["partitions"][partition][0]
    return (start_sector + DESCRIPTORS) * SECTOR + 32 * cid


def dhfs_chain_cycle() -> SynthDisk:
    """``dhfs:p0:c9``: last fragment's next (+0x0C) → the main id."""
    disk = build_dhfs_disk()
    chain = disk.notes["chains"]["dhfs:p0:c9"]
    at = _dhfs_descriptor(disk, 0, chain[-1]) + 0x0C
    return _patch(disk, [(at, struct.pack("<I", chain[0]))], "descriptor chain cycle")


def dhfs_next_past_count() -> SynthDisk:
    """``dhfs:p0:c40``: last fragment's next → descriptor count + 1000."""
    disk = build_dhfs_disk()
    chain = disk.notes["chains"]["dhfs:p0:c40"]
    at = _dhfs_descriptor(disk, 0, chain[-1]) + 0x0C
    count = disk.notes["n_clusters"][0]
    return _patch(disk, [(at, struct.pack("<I", count + 1000))], "next id past the table")


def wfs_cycle() -> SynthDisk:
    """``wfs:f5``: last fragment's next ([8:12]) → the main id."""
    disk = build_wfs_disk()
    chain = disk.notes["chains"]["wfs:f5"]
    at = DESCRIPTOR_AREA * WFS_BLOCK + 32 * chain[-1] + 8
    return _patch(disk, [(at, struct.pack("<I", chain[0]))], "fragment chain cycle")


HOSTILE = {
    "hik_leaf_cycle": hik_leaf_cycle,
    "hik_next_past_end": hik_next_past_end,
    "hik_truncated": hik_truncated,
    "dhfs_chain_cycle": dhfs_chain_cycle,
    "dhfs_next_past_count": dhfs_next_past_count,
    "wfs_cycle": wfs_cycle,
}
"""Every hostile variant by name (deterministic order for parametrised tests)."""
