"""Ground truth of a synthetic disk: what a correct parser must list, byte for byte.

``ExpectedSegment`` mirrors ``parsers.dvr.model.Segment`` with plain values so that tests
can compare them field by field; ``SynthDisk`` bundles the image with its truth and with
notes on anything else the builder planted (logs, problems a parser should report).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Extents = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ExpectedSegment:
    """One recording or carved item the builder planted.

    Attributes:
        vendor: ``parsers.dvr.model`` vendor constant (``carved`` for carved items).
        channel: 1-based camera, None when the container does not say (PS, Annex-B, JPEG).
        start_raw: raw start value as the index (or, when carved, the container) holds it.
        end_raw: raw end value, same source as ``start_raw``.
        extents: (offset, length) in play order; adjacent extents merged.
        kind: container constant (``mpeg-ps``, ``dhav``, ``h264-annexb``, ...).
        status: segment status constant.
        n_frames: video frames that decode from the extents' bytes; None when unknown.
        key_hint: the key a parser is expected to give (see the builder for the scheme).
        time_kind: ``unix``, ``dhfs-packed`` or ``hk44``; empty when there is no time.
    """

    vendor: str
    channel: int | None
    start_raw: int | None
    end_raw: int | None
    extents: Extents
    kind: str
    status: str
    n_frames: int | None
    key_hint: str
    time_kind: str = ""

    @property
    def offset(self) -> int:
        """Where the first extent starts."""
        return self.extents[0][0] if self.extents else 0

    @property
    def length(self) -> int:
        """Total bytes over all extents."""
        return sum(length for _, length in self.extents)

    def read(self, data: bytes) -> bytes:
        """The segment's bytes, extents joined in play order."""
        return b"".join(data[offset : offset + length] for offset, length in self.extents)


@dataclass
class SynthDisk:
    """A synthetic disk image with its ground truth."""

    data: bytes
    expected: list[ExpectedSegment]
    notes: dict[str, Any] = field(default_factory=dict)

    def write(self, path: Path) -> Path:
        """Write the image to ``path`` and return it."""
        path.write_bytes(self.data)
        return path

    def by_key(self) -> dict[str, ExpectedSegment]:
        """The expected segments indexed by their key hint."""
        return {segment.key_hint: segment for segment in self.expected}


def merge_extents(extents: list[tuple[int, int]]) -> Extents:
    """Join extents where one ends exactly where the next begins (order kept)."""
    merged: list[tuple[int, int]] = []
    for offset, length in extents:
        if length <= 0:
            continue
        if merged and merged[-1][0] + merged[-1][1] == offset:
            merged[-1] = (merged[-1][0], merged[-1][1] + length)
        else:
            merged.append((offset, length))
    return tuple(merged)


class Image:
    """A zero-filled image that refuses writes past its end or over bytes already written."""

    def __init__(self, size: int) -> None:
        self.buffer = bytearray(size)
        self._written: list[tuple[int, int]] = []

    def put(self, offset: int, data: bytes, *, overwrite: bool = False) -> int:
        """Write ``data`` at ``offset``; return the offset just past it."""
        end = offset + len(data)
        if offset < 0 or end > len(self.buffer):
            raise ValueError(
                f"write [{offset:#x}, {end:#x}) outside the {len(self.buffer):#x} image"
            )
        if not overwrite:
            for start, stop in self._written:
                if offset < stop and start < end:
                    raise ValueError(
                        f"write [{offset:#x}, {end:#x}) overlaps [{start:#x}, {stop:#x})"
                    )
        self._written.append((offset, end))
        self.buffer[offset:end] = data
        return end

    def bytes(self) -> bytes:
        """The finished image."""
        return bytes(self.buffer)


def map_range(bases: list[int], unit: int, start: int, stop: int) -> Extents:
    """Image extents of bytes [start, stop) of a stream stored in ``unit``-sized pieces.

    ``bases[i]`` is the image offset of piece ``i`` of the de-fragmented stream.
    """
    pieces = []
    for number, base in enumerate(bases):
        low, high = max(start, number * unit), min(stop, (number + 1) * unit)
        if low < high:
            pieces.append((base + low - number * unit, high - low))
    return merge_extents(pieces)


def filler(size: int, seed: int) -> bytes:
    """Deterministic noise with no 0x00 and no 0xFF byte: it can hold no start code, no
    JPEG marker and (checked) no DHAV magic, so planted items stay the only ones."""
    raw = random.Random(seed).randbytes(size)
    noise = raw.translate(_NO_00_FF)
    assert b"DHAV" not in noise and b"dhav" not in noise and b"DHII" not in noise
    return noise


_NO_00_FF = bytes([1 + value % 254 for value in range(256)])
