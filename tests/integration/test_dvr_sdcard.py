"""A Hikvision SD card: index00.bin and hivNNNNN.mp4 on FAT become absolute segments.

The card is built with ``mkfs.fat`` and ``mcopy`` (skipped without them). The index is
written here from the reference's layout (§2.9: 1,280-byte header, 32-byte file records,
80-byte segment records, 256 slots per file), independently of the parser.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

import av
import pytest
from click.testing import CliRunner, Result

from catalog.cli import main
from catalog.exitcodes import ExitCode
from tests.conftest import EXAMINER, query
from tests.dvrsynth.ps import hik_ps_stream
from tests.dvrsynth.video import encode_h264

pytestmark = pytest.mark.skipif(
    not (shutil.which("mkfs.fat") and shutil.which("mcopy") and shutil.which("mmd")),
    reason="needs mkfs.fat and mtools (dosfstools, mtools) to build the SD card",
)

T0 = 1_745_856_378  # 2025-04-28 16:06:18, as the recorder's wall-clock
FRAMES = 12


def _index(files: list[tuple[int, list[tuple[int, int, int, int]]]]) -> bytes:
    """``files``: (channel, [(start, end, start_offset, end_offset)]) per hivNNNNN.mp4."""
    header = struct.pack("<QIIII", 1, 1, len(files), len(files), 0).ljust(1280, b"\0")
    records = b"".join(
        struct.pack("<IHHIIBxH4x8x", number, channel, len(segs), segs[0][0], segs[-1][1], 1, 0)
        for number, (channel, segs) in enumerate(files)
    )
    area = bytearray(80 * 256 * len(files))
    for number, (_, segs) in enumerate(files):
        for slot, (start, end, first, last) in enumerate(segs):
            record = struct.pack("<BB2x4xQQQIIII", 1, 0, start, end, start, 0, 0, first, last)
            at = 80 * (256 * number + slot)
            area[at : at + 80] = record.ljust(80, b"\0")
    return header + records + bytes(area)


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    folder = tmp_path_factory.mktemp("sdcard")
    streams = [
        hik_ps_stream(encode_h264(FRAMES, seed=seed), start=(2025, 4, 28, 16, seed, 0))
        for seed in (1, 2, 3)
    ]
    containers = {
        "hiv00000.mp4": streams[0] + streams[1] + bytes(3000),
        "hiv00001.mp4": bytes(512) + streams[2],
    }
    index = _index([
        (1, [(T0, T0 + 1, 0, len(streams[0])),
             (T0 + 60, T0 + 61, len(streams[0]), len(streams[0]) + len(streams[1]))]),
        (2, [(T0 + 120, T0 + 121, 512, 512 + len(streams[2]))]),
    ])  # fmt: skip
    source = folder / "files"
    source.mkdir()
    (source / "index00.bin").write_bytes(index)
    for name, data in containers.items():
        (source / name).write_bytes(data)
    image = folder / "evidence" / "card.img"
    image.parent.mkdir()
    subprocess.run(["mkfs.fat", "-C", str(image), "8192"], check=True, capture_output=True)
    subprocess.run(["mmd", "-i", str(image), "::/datadir0"], check=True)
    for item in ("index00.bin", *containers):
        subprocess.run(["mcopy", "-i", str(image), str(source / item), "::/datadir0/"], check=True)
    expected = {
        "hikdir:f00000:s000": streams[0],
        "hikdir:f00000:s001": streams[1],
        "hikdir:f00001:s000": streams[2],
    }
    return image, expected


def _run(*args: object) -> Result:
    return CliRunner(env={"EVCAT_EXAMINER": EXAMINER}).invoke(main, [str(arg) for arg in args])


def test_sd_card_recordings_are_segments_at_absolute_offsets(
    card: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    image, expected = card
    case = tmp_path / "case.db"
    result = _run("scan", image, "--case", case, "--exhibit", "CAM-1", "--no-extract")
    assert result.exit_code == ExitCode.OK, result.stderr
    rows = query(
        case,
        "SELECT key, vendor, channel, start_raw, extents, kind, status FROM video_segments",
    )
    data = image.read_bytes()
    found = {}
    for key, vendor, channel, start_raw, extents, kind, status in rows:
        assert (vendor, kind, status) == ("hik-datadir", "mpeg-ps", "complete")
        short = key.rsplit(":", 2)
        found[f"hikdir:{short[-2]}:{short[-1]}"] = (channel, start_raw, json.loads(extents))
    assert set(found) == set(expected)
    assert [found[key][:2] for key in sorted(found)] == [(1, T0), (1, T0 + 60), (2, T0 + 120)]
    for key, stream in expected.items():
        extents = found[key][2]
        assert b"".join(data[offset : offset + length] for offset, length in extents) == stream


def test_sd_card_recordings_export_to_playable_mp4s(
    card: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> None:
    image, _ = card
    case = tmp_path / "case.db"
    assert _run("scan", image, "--case", case, "--exhibit", "CAM-1", "--no-extract").exit_code == 0
    out = tmp_path / "clips"
    result = _run("dvr", "export", "--case", case, "--exhibit", "CAM-1", "--channel", "1", out)
    assert result.exit_code == ExitCode.OK, result.stderr
    mp4s = sorted(out.glob("*.mp4"))
    assert len(mp4s) == 2 and len(list(out.glob("*.ps"))) == 2
    for mp4 in mp4s:
        with av.open(str(mp4)) as container:
            assert sum(1 for _ in container.decode(video=0)) == FRAMES
