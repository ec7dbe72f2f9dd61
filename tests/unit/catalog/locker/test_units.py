from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from catalog.locker.commit import unit_row
from catalog.locker.units import (
    FILES,
    KIND_ORDER,
    MEDIA,
    PLAN,
    FileRange,
    ScanSettings,
    UnitResult,
    UnitTask,
    unit_id,
)
from catalog.model import FileSystemRecord
from catalog.store import open_catalog, workqueue

HOSTILE_IMAGE = "/locker/" + os.fsdecode(b"bad\xff") + '=HYPERLINK("x")\x1b[31m.E01'


def _range(**changes: object) -> FileRange:
    values: dict[str, object] = {
        "fs": FileSystemRecord(4194304, "ext4", "tsk", 1024, 3072, 1, "evcat_ext4"),
        "fs_id": "f" * 32,
        "parser": ("tsk_fs", 1),
        "seq_start": 6,
        "seq_end": 11,
        "first_locator": "EX1@p2#581",
        "files": 5,
        "content_bytes": 4096,
    }
    values.update(changes)
    return FileRange(**values)  # type: ignore[arg-type]


def _task(kind: str = FILES, image: str = "/locker/disk.E01", **changes: object) -> UnitTask:
    file_range = _range(**changes) if kind == FILES else None
    parts = (file_range.fs_id, file_range.seq_start) if file_range else ()
    settings = ScanSettings(classify=False, unit_files=5, unit_bytes=1 << 20)
    return UnitTask(unit_id("EX1", kind, *parts), "EX1", kind, image, "run-1", settings, file_range)


def _stored(task: UnitTask) -> dict[str, object]:
    return unit_row(task, "/locker")


@pytest.mark.parametrize("kind", [PLAN, MEDIA, FILES], ids=["plan", "media", "files"])
def test_task_round_trips_through_its_work_units_row(kind: str) -> None:
    task = _task(kind)
    restored = UnitTask.from_row(_stored(task), "run-2")
    assert restored.run_id == "run-2"
    assert restored == UnitTask(
        task.unit_id, task.exhibit, task.kind, task.image, "run-2", task.settings, task.range
    )


def test_file_range_round_trip_keeps_file_system_and_parser_types() -> None:
    task = _task(FILES)
    restored = UnitTask.from_row(_stored(task), "run-1").range
    assert restored is not None
    assert isinstance(restored.fs, FileSystemRecord)
    assert restored.fs == task.range.fs  # type: ignore[union-attr]
    assert restored.parser == ("tsk_fs", 1)
    assert isinstance(restored.parser, tuple)


def test_file_range_round_trip_with_unpartitioned_file_system() -> None:
    fs = FileSystemRecord(0, "FAT12", "tsk", 2048, 700, None, "")
    task = _task(FILES, fs=fs)
    restored = UnitTask.from_row(_stored(task), "run-1")
    assert restored.range is not None
    assert restored.range.fs.volume_index is None
    assert restored.range == task.range


def test_hostile_image_path_survives_the_round_trip_and_is_storable(tmp_path: Path) -> None:
    """The task keeps the real (undecodable) path to open; its JSON is plain ASCII."""
    task = _task(PLAN, image=HOSTILE_IMAGE)
    text = task.to_json()
    assert text.isascii()
    assert "\x1b" not in text
    db = open_catalog(tmp_path / "c.db")
    try:
        with db.atomic():
            workqueue.add_units(db, [unit_row(task, "/locker")])
        row = next(db.query("SELECT * FROM work_units"))
    finally:
        db.close()
    restored = UnitTask.from_row(dict(row), "run-1")
    assert restored.image == HOSTILE_IMAGE
    assert os.fsencode(restored.image) == os.fsencode(HOSTILE_IMAGE)


def test_task_json_is_canonical() -> None:
    """The same task always stores the same text (sorted keys)."""
    first, second = _task(FILES).to_json(), _task(FILES).to_json()
    assert first == second
    assert first == json.dumps(json.loads(first), sort_keys=True)
    assert "run-1" not in first  # the dispatching run is not part of the stored task


def test_settings_from_json_ignores_unknown_and_defaults_missing() -> None:
    settings = ScanSettings.from_json({"classify": False, "future_option": 1})
    assert settings == ScanSettings(classify=False)


def test_settings_round_trip() -> None:
    settings = ScanSettings(False, False, False, 7, 99)
    assert ScanSettings.from_json(json.loads(json.dumps(settings.to_json()))) == settings


def test_unit_id_is_stable_and_distinguishes_exhibit_kind_and_range() -> None:
    assert unit_id("EX1", FILES, "fs", 1) == unit_id("EX1", FILES, "fs", 1)
    ids = {
        unit_id("EX1", PLAN),
        unit_id("EX1", MEDIA),
        unit_id("EX2", PLAN),
        unit_id("EX1", FILES, "fs", 1),
        unit_id("EX1", FILES, "fs", 6),
        unit_id("EX1", FILES, "other-fs", 1),
    }
    assert len(ids) == 6
    assert all(len(value) == 32 for value in ids)


def test_unit_id_accepts_undecodable_exhibit_text() -> None:
    assert unit_id(os.fsdecode(b"\xff"), PLAN) != unit_id(os.fsdecode(b"\xfe"), PLAN)


def test_unit_row_takes_planned_size_from_the_range_or_the_media() -> None:
    files_row = unit_row(_task(FILES), "/locker", planned_bytes=123)
    assert (files_row["planned_files"], files_row["planned_bytes"]) == (5, 4096)
    media_row = unit_row(_task(MEDIA), "/locker", planned_bytes=123)
    assert (media_row["planned_files"], media_row["planned_bytes"]) == (0, 123)
    assert media_row["state"] == "pending"
    assert media_row["attempts"] == 0


def test_plans_dispatch_before_files_before_media() -> None:
    assert sorted([MEDIA, FILES, PLAN], key=KIND_ORDER.__getitem__) == [PLAN, FILES, MEDIA]


def test_result_collects_rows_and_counts() -> None:
    result = UnitResult("u")
    result.add_rows("files", [])
    assert result.rows == {}
    result.add_rows("files", [{"file_id": "a"}])
    result.add_rows("files", [{"file_id": "b"}])
    result.count("files")
    result.count("files", 2)
    result.count("deleted", 0)
    assert [row["file_id"] for row in result.rows["files"]] == ["a", "b"]
    assert result.counts == {"files": 3, "deleted": 0}
