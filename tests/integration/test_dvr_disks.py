"""DVR disks end to end: evcat scan lists what the synthetic recorder wrote, exports play.

Each synthetic disk (``tests.dvrsynth``) comes with its ground truth. The catalog's
``video_segments`` must equal it field by field (channel, raw times, extents, kind,
status); ``evcat dvr export`` must write originals whose hash is the catalog's and MP4s
that decode to exactly the frames the fixture encoded.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import pytest
from click.testing import CliRunner, Result

from catalog.cli import main
from catalog.exitcodes import ExitCode
from tests.conftest import EXAMINER, query
from tests.dvrsynth.dahua import build_dhfs_disk
from tests.dvrsynth.hikvision import build_hikvision_disk
from tests.dvrsynth.hostile import HOSTILE
from tests.dvrsynth.truth import ExpectedSegment, SynthDisk
from tests.dvrsynth.unindexed import build_unindexed_disk
from tests.dvrsynth.wfs import build_wfs_disk

BUILDERS: dict[str, Callable[[], SynthDisk]] = {
    "hikvision": build_hikvision_disk,
    "dhfs": build_dhfs_disk,
    "wfs": build_wfs_disk,
    "unindexed": build_unindexed_disk,
}
CARVED_COLUMNS = [
    "exhibit",
    "offset",
    "length",
    "kind",
    "channel",
    "start",
    "end",
    "status",
    "sha256",
]

Fields = tuple[int | None, int | None, int | None, tuple[tuple[int, int], ...], str, str]


def _run(*args: object) -> Result:
    return CliRunner(env={"EVCAT_EXAMINER": EXAMINER}).invoke(main, [str(arg) for arg in args])


def _expected_fields(segment: ExpectedSegment) -> Fields:
    return (
        segment.channel,
        segment.start_raw,
        segment.end_raw,
        tuple(segment.extents),
        segment.kind,
        segment.status,
    )


def _catalog_segments(case: Path) -> list[dict[str, Any]]:
    columns = ("segment_id", "channel", "start_raw", "end_raw", "extents", "kind", "status",
               "sha256", "offset", "length")  # fmt: skip
    rows = query(case, f"SELECT {', '.join(columns)} FROM video_segments ORDER BY offset")
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _fields(row: dict[str, Any]) -> Fields:
    extents = tuple((offset, length) for offset, length in json.loads(row["extents"]))
    return (row["channel"], row["start_raw"], row["end_raw"], extents, row["kind"], row["status"])


@pytest.fixture(scope="module", params=list(BUILDERS), ids=list(BUILDERS))
def scanned(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[SynthDisk, Path, Path]:
    disk = BUILDERS[request.param]()
    folder = tmp_path_factory.mktemp(request.param)
    (folder / "evidence").mkdir()
    image = disk.write(folder / "evidence" / "dvr.img")
    case = folder / "case.db"
    result = _run("scan", image, "--case", case, "--exhibit", "DVR-1", "--no-extract")
    if request.param == "unindexed":  # carving the whole media is said, as a problem
        assert result.exit_code == ExitCode.PARTIAL, result.stderr
        messages = query(case, "SELECT message FROM problems WHERE stage = 'dvr'")
        assert [m for (m,) in messages if "the whole media was carved" in m]
    else:
        assert result.exit_code == ExitCode.OK, result.stderr
    return disk, image, case


def test_listed_segments_equal_what_the_recorder_wrote(
    scanned: tuple[SynthDisk, Path, Path],
) -> None:
    disk, _, case = scanned
    listed = sorted((_fields(row) for row in _catalog_segments(case)), key=repr)
    expected = sorted((_expected_fields(segment) for segment in disk.expected), key=repr)
    assert listed == expected


def test_every_segment_hash_is_over_its_extents(scanned: tuple[SynthDisk, Path, Path]) -> None:
    disk, _, case = scanned
    for row in _catalog_segments(case):
        extents = json.loads(row["extents"])
        data = b"".join(disk.data[offset : offset + length] for offset, length in extents)
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert all(offset >= 0 and offset + length <= len(disk.data) for offset, length in extents)


def test_exported_mp4s_decode_with_the_fixture_frame_counts(
    scanned: tuple[SynthDisk, Path, Path], tmp_path: Path
) -> None:
    disk, _, case = scanned
    out = tmp_path / "clips"
    result = _run("dvr", "export", "--case", case, "--exhibit", "DVR-1", out)
    assert result.exit_code == ExitCode.OK, result.stderr
    by_extents = {tuple(map(tuple, segment.extents)): segment for segment in disk.expected}
    entries = [
        json.loads(body)["details"]
        for (body,) in query(case, "SELECT body FROM custody_log ORDER BY seq")
        if json.loads(body)["action"] == "dvr.exported"
    ]
    assert len(entries) == len(disk.expected)
    for details in entries:
        segment = by_extents[tuple(tuple(extent) for extent in details["extents"])]
        original = out / details["original"]["name"]
        assert original.read_bytes() == segment.read(disk.data)
        assert details["matches_catalog"] is True
        if segment.kind == "jpeg":
            assert "mp4" not in details
            continue
        mp4 = out / details["mp4"]["name"]
        assert details["mp4"]["re_encoded"] is False
        assert details["mp4"]["synthetic_timestamps"] == segment.kind.endswith("annexb")
        if segment.n_frames is not None:
            assert _decoded_frames(mp4) == segment.n_frames


def _decoded_frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def test_carved_csv_starts_with_the_issue_columns_and_lists_every_segment(
    scanned: tuple[SynthDisk, Path, Path], tmp_path: Path
) -> None:
    disk, _, case = scanned
    output = tmp_path / "carved.csv"
    result = _run("export", "carved", "--case", case, "-o", output)
    assert result.exit_code == ExitCode.OK, result.stderr
    with output.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with output.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    assert header[: len(CARVED_COLUMNS)] == CARVED_COLUMNS
    assert len(rows) == len(disk.expected)
    expected_offsets = sorted(segment.offset for segment in disk.expected)
    assert sorted(int(row["offset"]) for row in rows) == expected_offsets
    assert all(row["exhibit"] == "DVR-1" and len(row["sha256"]) == 64 for row in rows)


def test_dvr_list_prints_one_line_per_segment(scanned: tuple[SynthDisk, Path, Path]) -> None:
    disk, _, case = scanned
    result = _run("dvr", "list", "--case", case, "--json")
    assert result.exit_code == ExitCode.OK, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(disk.expected)
    assert {line["status"] for line in lines} == {segment.status for segment in disk.expected}


def test_a_declared_clock_turns_wall_clock_into_utc(tmp_path: Path) -> None:
    disk = build_hikvision_disk()
    (tmp_path / "evidence").mkdir()
    image = disk.write(tmp_path / "evidence" / "dvr.img")
    case = tmp_path / "case.db"
    assert _run("scan", image, "--case", case, "--exhibit", "DVR-1", "--no-extract").exit_code == 0
    before = {line["segment_id"]: line for line in _listing(case)}
    result = _run("dvr", "clock", "--case", case, "--exhibit", "DVR-1", "--zone", "Asia/Tokyo")
    assert result.exit_code == ExitCode.OK, result.stderr
    after = {line["segment_id"]: line for line in _listing(case)}
    timed = [key for key, line in before.items() if line["start"]]
    assert timed
    for key in timed:
        assert "zone unknown" in before[key]["time_basis"]
        assert "Asia/Tokyo" in after[key]["time_basis"]
        assert after[key]["start"].endswith("Z")
        wall = before[key]["start"]
        shifted = dt.datetime.fromisoformat(wall) - dt.timedelta(hours=9)
        assert after[key]["start"].startswith(shifted.strftime("%Y-%m-%dT%H:%M:%S"))
    actions = [
        json.loads(body)["action"] for (body,) in query(case, "SELECT body FROM custody_log")
    ]
    assert "dvr.clock_declared" in actions


def _listing(case: Path) -> list[dict[str, Any]]:
    result = _run("dvr", "list", "--case", case, "--json")
    assert result.exit_code == ExitCode.OK, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize("variant", sorted(HOSTILE), ids=sorted(HOSTILE))
def test_hostile_indexes_give_problems_and_what_still_reads(variant: str, tmp_path: Path) -> None:
    disk = HOSTILE[variant]()
    (tmp_path / "evidence").mkdir()
    image = disk.write(tmp_path / "evidence" / "dvr.img")
    case = tmp_path / "case.db"
    result = _run("scan", image, "--case", case, "--exhibit", "DVR-1", "--no-extract")
    assert result.exit_code == ExitCode.PARTIAL, result.stderr
    assert "Traceback" not in result.stderr
    assert query(case, "SELECT count(*) FROM problems WHERE stage = 'dvr'")[0][0] >= 1
    listed = {_fields(row)[:3] + _fields(row)[4:] for row in _catalog_segments(case)}
    indexed = {
        _expected_fields(s)[:3] + _expected_fields(s)[4:]
        for s in disk.expected
        if s.status not in ("carved", "orphan")
    }
    assert indexed <= listed  # a chain cut short may end elsewhere: its extents are not compared
    for row in _catalog_segments(case):
        for offset, length in json.loads(row["extents"]):
            assert offset >= 0 and offset + length <= len(disk.data)


def test_export_selects_by_channel_and_period_and_verify_still_passes(tmp_path: Path) -> None:
    disk = build_hikvision_disk()
    (tmp_path / "evidence").mkdir()
    image = disk.write(tmp_path / "evidence" / "dvr.img")
    case = tmp_path / "case.db"
    assert _run("scan", image, "--case", case, "--exhibit", "DVR-1", "--no-extract").exit_code == 0
    listing = [line for line in _listing(case) if line["channel"] == 2 and line["start"]]
    assert len(listing) >= 2
    chosen = min(listing, key=lambda line: line["start"])
    period = ("--from", chosen["start"], "--to", chosen["start"])
    out = tmp_path / "clips"
    result = _run(
        "dvr", "export", "--case", case, "--exhibit", "DVR-1", "--channel", 2, *period, out
    )
    assert result.exit_code == ExitCode.OK, result.stderr
    exported = [
        json.loads(body)["details"]["segment_id"]
        for (body,) in query(case, "SELECT body FROM custody_log ORDER BY seq")
        if json.loads(body)["action"] == "dvr.exported"
    ]
    assert exported == [chosen["segment_id"]]
    nothing = _run("dvr", "export", "--case", case, "--exhibit", "DVR-1", "--channel", 99, out)
    assert nothing.exit_code == ExitCode.USAGE
    assert "no segment" in nothing.stderr and "Traceback" not in nothing.stderr
    beside = _run("dvr", "export", "--case", case, "--exhibit", "DVR-1", image.parent)
    assert beside.exit_code == ExitCode.USAGE
    assert "beside the evidence" in beside.stderr
    verify = _run("verify", case)
    assert verify.exit_code == ExitCode.OK, verify.stdout + verify.stderr


def test_indexed_recordings_are_hashed_from_the_media_pass_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a DVR, the recordings are most of the disk: each byte is read once."""
    from catalog.video import stage

    disk = build_hikvision_disk()
    (tmp_path / "evidence").mkdir()
    image = disk.write(tmp_path / "evidence" / "dvr.img")
    read_again: list[list[tuple[int, int]]] = []
    real = stage.hash_extents

    def counting(read: Callable[[int, int], bytes], extents: list[tuple[int, int]]) -> object:
        read_again.append(list(extents))
        return real(read, extents)

    monkeypatch.setattr(stage, "hash_extents", counting)
    case = tmp_path / "case.db"
    assert _run("scan", image, "--case", case, "--exhibit", "DVR-1", "--no-extract").exit_code == 0
    indexed = [s for s in disk.expected if s.status != "orphan"]
    assert indexed
    assert all(list(s.extents) not in read_again for s in indexed)
    for row in _catalog_segments(case):
        extents = json.loads(row["extents"])
        data = b"".join(disk.data[offset : offset + length] for offset, length in extents)
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
