from __future__ import annotations

import struct

import pytest

from parsers.dvr.model import H264, WFS
from tests.dvrsynth.video import count_frames
from tests.dvrsynth.wfs import build_wfs_disk


def u(fmt: str, data: bytes, at: int) -> int:
    return struct.unpack_from(fmt, data, at)[0]


@pytest.fixture(scope="module")
def disk():
    return build_wfs_disk()


def geometry(data: bytes) -> tuple[int, int, int, int, int]:
    block, per_fragment = struct.unpack_from("<II", data, 0x302C)
    desc, video, count = struct.unpack_from("<III", data, 0x3044)
    return block, per_fragment, desc, video, count


def test_deterministic_signature_and_superblock(disk):
    data = disk.data
    assert build_wfs_disk().data == data
    assert data[:6] == b"WFS0.5"
    assert data[0x3000:0x3004] == bytes.fromhex("789abcde")
    block, per_fragment, _, video, count = geometry(data)
    assert (block, per_fragment) == (512, 8)
    assert len(data) == (video + count * per_fragment) * block
    assert u("<I", data, 0x3010) == min(seg.start_raw for seg in disk.expected)
    assert u("<I", data, 0x3014) == max(seg.end_raw for seg in disk.expected)
    assert build_wfs_disk(version="WFS0.4").data[:6] == b"WFS0.4"


def test_descriptors_describe_each_chain(disk):
    data = disk.data
    block, per_fragment, desc, video, _ = geometry(data)
    assert data[desc * block + 1] == 0xFE  # fragment 0: reserved, never video
    for key, chain in disk.notes["chains"].items():
        seg = disk.by_key()[key]
        assert chain != sorted(chain) or len(seg.extents) == 1
        for number, fid in enumerate(chain):
            d = data[desc * block + 32 * fid : desc * block + 32 * (fid + 1)]
            assert d[1] == (0x02 if number == 0 else 0x01)
            prev, nxt, start, end = struct.unpack_from("<IIII", d, 4)
            assert prev == (chain[number - 1] if number else 0)
            assert nxt == (chain[number + 1] if number + 1 < len(chain) else 0)
            assert (start, end) == (seg.start_raw, seg.end_raw)
            assert u("<I", d, 24) == chain[0]
            assert (d[31] + 2) // 4 == seg.channel
        main = data[desc * block + 32 * chain[0] :]
        assert u("<H", main, 2) == len(chain) - 1
        last_end = (video + chain[-1] * per_fragment + u("<H", main, 22)) * block
        assert sum(seg.extents[-1]) == last_end


def test_expected_extents_are_whole_decodable_annexb(disk):
    for seg in disk.expected:
        assert (seg.vendor, seg.kind) == (WFS, H264)
        assert all(offset + length <= len(disk.data) for offset, length in seg.extents)
        assert disk.data[seg.offset : seg.offset + 4] == b"\x00\x00\x00\x01"
        assert count_frames(seg.read(disk.data), H264) == seg.n_frames
