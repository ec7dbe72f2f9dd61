"""A disk with no known file system: noise, zero stretches, and planted streams to carve.

Every planted item sits between two 4 KiB zero stretches inside noise that holds no 0x00 or
0xFF byte (so no start code, marker or magic can appear by chance). Each item's extent is
exactly its bytes: a PS ends with its last PES payload byte, DHAV with its trailer, an
Annex-B stream with the last (non-zero) byte of its last NAL unit, a JPEG with ``FF D9``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from parsers.dvr.model import CARVED, DHAV, DHFS_PACKED, H264, H265, HK44, JPEG, MPEG_PS
from parsers.dvr.model import STATUS_CARVED as CARVED_STATUS
from tests.dvrsynth.dhav import dhav_frames, last_date
from tests.dvrsynth.ps import hik_ps_stream, key_times
from tests.dvrsynth.times import dhfs, moment
from tests.dvrsynth.truth import ExpectedSegment, Image, SynthDisk, filler, merge_extents
from tests.dvrsynth.video import HAS_H265, encode_h264, encode_h265, encode_jpeg

MIB = 1 << 20
GUARD = 0x1000
"""Zero bytes before and after every planted item."""


@dataclass(frozen=True)
class _Item:
    data: bytes
    make: Callable[[int], ExpectedSegment]
    odd: int = 0
    """Added to a 512-aligned position, so some items start off sector boundaries."""


def _ps(seed: int, start: tuple[int, ...]) -> _Item:
    frames = encode_h264(20, seed=seed)
    data = hik_ps_stream(frames, start=start)
    times = key_times(frames, start=start)
    return _Item(
        data,
        lambda at: ExpectedSegment(
            CARVED,
            None,
            times[0],
            times[-1],
            ((at, len(data)),),
            MPEG_PS,
            CARVED_STATUS,
            20,
            f"carve:ps:{at:#x}",
            HK44,
        ),
    )


def _dhav(seed: int, channel: int, start: tuple[int, ...], odd: int) -> _Item:
    packed = dhfs(moment(start))
    data = b"".join(dhav_frames(encode_h264(20, seed=seed), channel=channel, start_packed=packed))
    return _Item(
        data,
        lambda at: ExpectedSegment(
            CARVED,
            channel,
            packed,
            last_date(20, start_packed=packed),
            ((at, len(data)),),
            DHAV,
            CARVED_STATUS,
            20,
            f"carve:dhav:{at:#x}",
            DHFS_PACKED,
        ),
        odd,
    )


def _annexb(frames: list[bytes], kind: str, odd: int) -> _Item:
    data = b"".join(frames)
    assert data[-1] != 0
    tag = "h264" if kind == H264 else "h265"
    return _Item(
        data,
        lambda at: ExpectedSegment(
            CARVED,
            None,
            None,
            None,
            ((at, len(data)),),
            kind,
            CARVED_STATUS,
            len(frames),
            f"carve:{tag}:{at:#x}",
        ),
        odd,
    )


def _jpeg(width: int, height: int, seed: int, odd: int) -> _Item:
    data = encode_jpeg(width, height, seed)
    return _Item(
        data,
        lambda at: ExpectedSegment(
            CARVED,
            None,
            None,
            None,
            ((at, len(data)),),
            JPEG,
            CARVED_STATUS,
            1,
            f"carve:jpeg:{at:#x}",
        ),
        odd,
    )


def _interleaved(
    image: Image, at: int, seeds: tuple[int, int]
) -> tuple[int, list[ExpectedSegment]]:
    """Frames of channels 2 and 3 alternating: one segment per channel, one extent per frame."""
    starts = ((2022, 3, 4, 5, 6, 7), (2022, 3, 4, 5, 6, 8))
    streams = [
        dhav_frames(encode_h264(10, seed=seed), channel=ch, start_packed=dhfs(moment(st)))
        for seed, ch, st in zip(seeds, (2, 3), starts, strict=True)
    ]
    pieces: dict[int, list[tuple[int, int]]] = {2: [], 3: []}
    for pair in zip(*streams, strict=True):
        for channel, frame in zip((2, 3), pair, strict=True):
            pieces[channel].append((at, len(frame)))
            at = image.put(at, frame)
    expected = [
        ExpectedSegment(
            CARVED,
            ch,
            dhfs(moment(st)),
            last_date(10, start_packed=dhfs(moment(st))),
            merge_extents(pieces[ch]),
            DHAV,
            CARVED_STATUS,
            10,
            f"carve:dhav:{pieces[ch][0][0]:#x}",
            DHFS_PACKED,
        )
        for ch, st in zip((2, 3), starts, strict=True)
    ]
    return at, expected


def planted_items() -> list[_Item]:
    """The items of the default disk, in disk order."""
    items = [
        _ps(31, (2024, 11, 2, 9, 15, 0, 250)),
        _dhav(32, 1, (2024, 11, 2, 9, 20, 0), odd=0x11),
        _jpeg(64, 48, 33, odd=0x5),
        _annexb(encode_h264(25, seed=34), H264, odd=0),
        _ps(35, (2024, 11, 3, 23, 59, 59, 900)),
        _dhav(36, 4, (2024, 11, 3, 1, 2, 3), odd=0x1F3),
        _jpeg(96, 64, 37, odd=0),
    ]
    if HAS_H265:
        items.insert(5, _annexb(encode_h265(25, seed=38), H265, odd=0x3))
    return items


def build_unindexed_disk(
    *, size: int = 4 * MIB, seed: int = 7, interleave: bool = False
) -> SynthDisk:
    """Noise and zero stretches with planted PS, DHAV, raw H.264/H.265 and JPEG items.

    Args:
        size: image size in bytes.
        seed: seed of the noise and of the noise stretch lengths.
        interleave: also plant DHAV frames of channels 2 and 3 interleaved frame by frame.

    Returns:
        The disk; every expected segment has status ``carved`` and vendor ``carved``;
        notes["h265"] tells whether an H.265 stream was planted.
    """
    image = Image(size)
    image.buffer[:] = filler(size, seed)
    cursor, expected = 0x10000, []
    gaps = filler(64, seed + 1)
    for number, item in enumerate(planted_items()):
        at = cursor + GUARD + item.odd
        image.put(cursor, bytes(at - cursor))
        end = image.put(at, item.data)
        image.put(end, bytes(GUARD))
        expected.append(item.make(at))
        cursor = (end + GUARD + gaps[number] * 0x400 + 0x1FF) // 0x200 * 0x200
    if interleave:
        image.put(cursor, bytes(GUARD))
        end, more = _interleaved(image, cursor + GUARD, (41, 42))
        image.put(end, bytes(GUARD))
        expected += more
    return SynthDisk(image.bytes(), expected, {"h265": HAS_H265, "interleave": interleave})
