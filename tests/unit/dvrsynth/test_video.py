from __future__ import annotations

import io

import av
import pytest

from parsers.dvr.model import H264, H265, JPEG
from tests.dvrsynth import video
from tests.dvrsynth.video import (
    HAS_H265,
    count_frames,
    encode_h264,
    encode_h265,
    encode_jpeg,
    is_key_frame,
    nal_units,
)

needs_h265 = pytest.mark.skipif(not HAS_H265, reason="libx265 not in this PyAV build")


def _fresh(encode, *args, **kwargs):
    video._encode.cache_clear()
    return encode(*args, **kwargs)


def test_h264_is_deterministic_without_the_cache():
    assert _fresh(encode_h264, 12, seed=5) == _fresh(encode_h264, 12, seed=5)


def test_h264_seeds_give_different_pictures():
    assert encode_h264(5, seed=1)[0] != encode_h264(5, seed=2)[0]


def test_h264_idr_every_gop_with_sps_pps_first():
    frames = encode_h264(25, gop=10)
    assert [i for i, unit in enumerate(frames) if is_key_frame(unit)] == [0, 10, 20]
    for index in (0, 10, 20):
        types = [nal[0] & 0x1F for nal in nal_units(frames[index])]
        assert types[:2] == [7, 8]
        assert 5 in types
    assert all(unit.startswith(b"\x00\x00\x00\x01") for unit in frames)


def test_h264_decodes_every_frame_at_its_size():
    data = b"".join(encode_h264(17, width=80, height=64))
    assert count_frames(data, H264) == 17
    with av.open(io.BytesIO(data), format="h264") as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (80, 64)


@needs_h265
def test_h265_has_parameter_sets_before_each_idr_and_decodes():
    frames = encode_h265(21, gop=10)
    assert [i for i, unit in enumerate(frames) if is_key_frame(unit, hevc=True)] == [0, 10, 20]
    types = [(nal[0] >> 1) & 0x3F for nal in nal_units(frames[10])]
    assert types[:3] == [32, 33, 34]
    assert count_frames(b"".join(frames), H265) == 21
    assert _fresh(encode_h265, 6, seed=3) == _fresh(encode_h265, 6, seed=3)


def test_jpeg_is_a_whole_decodable_picture():
    picture = encode_jpeg(48, 32, 1)
    assert picture.startswith(b"\xff\xd8\xff")
    assert picture.endswith(b"\xff\xd9")
    assert picture != encode_jpeg(48, 32, 2)
    assert count_frames(picture, JPEG) == 1
    with av.open(io.BytesIO(picture), format="mjpeg") as container:
        frame = next(container.decode(video=0))
        assert (frame.width, frame.height) == (48, 32)
