from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog.errors import EvidenceError
from catalog.locker import walkcache
from catalog.locker.tasks import plan_image, scan_range
from catalog.locker.units import FILES, PLAN, ScanSettings, UnitTask, unit_id
from tests.conftest import SAMPLE_IMAGES

IMAGE = str(SAMPLE_IMAGES / "usb_fat.img")
DISK = str(SAMPLE_IMAGES / "disk.raw")
SMALL = ScanSettings(classify=False, extract_text=False, media_hash=False, unit_files=5)


@pytest.fixture(autouse=True)
def _close_walks() -> Iterator[None]:
    walkcache.close_all()
    yield
    walkcache.close_all()


@pytest.fixture
def opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The images ``walkcache`` opened, in order."""
    opened: list[str] = []
    real_open = walkcache._open

    def counting(image: str, exhibit: str, file_range: Any) -> Any:
        opened.append(image)
        return real_open(image, exhibit, file_range)

    monkeypatch.setattr(walkcache, "_open", counting)
    return opened


def _ranges(settings: ScanSettings = SMALL, image: str = IMAGE) -> list[UnitTask]:
    plan = UnitTask(unit_id("EX1", PLAN), "EX1", PLAN, image, "run-1", settings)
    result = plan_image(plan)
    assert result.fatal is None
    assert result.problems == []
    return [task for task in result.follow_ups if task.kind == FILES]


def _files(tasks: list[UnitTask]) -> dict[str, tuple[int, str | None]]:
    rows = {}
    for task in tasks:
        for row in scan_range(task).rows["files"]:
            assert row["file_id"] not in rows, "a file catalogued by two ranges"
            rows[row["file_id"]] = (row["seq"], row["sha256"])
    return rows


def test_the_plan_cuts_the_walk_into_consecutive_ranges() -> None:
    tasks = _ranges()
    spans = [(task.range.seq_start, task.range.seq_end) for task in tasks if task.range]
    assert spans == [(1, 6), (6, 11), (11, 16), (16, 19)]
    assert len({task.unit_id for task in tasks}) == 4


@pytest.mark.parametrize(
    "order", [(0, 1, 2, 3), (3, 2, 1, 0), (2, 0, 3, 1)], ids=["in-order", "reversed", "shuffled"]
)
def test_ranges_in_any_order_give_the_single_range_rows(order: tuple[int, ...]) -> None:
    whole = _ranges(dataclasses.replace(SMALL, unit_files=2000))
    assert len(whole) == 1
    expected = _files(whole)
    walkcache.close_all()
    tasks = _ranges()
    assert _files([tasks[index] for index in order]) == expected
    assert len(expected) == 18
    assert sum(sha is not None for _, sha in expected.values()) == 9


def test_consecutive_ranges_continue_one_walk(opens: list[str]) -> None:
    _files(_ranges())
    assert opens == [IMAGE]


def test_a_range_before_where_the_walk_stands_walks_again(opens: list[str]) -> None:
    tasks = _ranges()
    _files([tasks[2], tasks[3], tasks[0], tasks[1]])
    assert opens == [IMAGE, IMAGE]


def test_each_file_system_keeps_its_own_walk(opens: list[str]) -> None:
    tasks = _ranges(image=DISK)
    by_fs: dict[str, list[UnitTask]] = {}
    for task in tasks:
        assert task.range is not None
        by_fs.setdefault(task.range.fs_id, []).append(task)
    assert len(by_fs) == 2
    first, second = by_fs.values()
    interleaved = [task for pair in zip(first, second, strict=False) for task in pair]
    interleaved += first[len(second) :] + second[len(first) :]
    _files(interleaved)
    assert opens == [DISK, DISK]


def test_a_range_whose_first_entry_differs_from_the_plan_fails() -> None:
    task = _ranges()[1]
    assert task.range is not None
    moved = dataclasses.replace(task.range, first_locator="EX1@0#999999")
    with pytest.raises(EvidenceError, match="changed since it was planned") as caught:
        scan_range(dataclasses.replace(task, range=moved))
    assert "entry 6" in str(caught.value)
    assert IMAGE in str(caught.value)


def test_a_failed_range_does_not_leave_a_half_walk_behind(opens: list[str]) -> None:
    tasks = _ranges()
    assert tasks[1].range is not None
    moved = dataclasses.replace(tasks[1].range, first_locator="EX1@0#999999")
    with pytest.raises(EvidenceError):
        scan_range(dataclasses.replace(tasks[1], range=moved))
    _files(tasks[1:])
    assert opens == [IMAGE, IMAGE]


def test_a_range_past_the_end_of_the_walk_fails() -> None:
    task = _ranges()[-1]
    assert task.range is not None
    longer = dataclasses.replace(task.range, seq_end=task.range.seq_end + 5)
    with pytest.raises(EvidenceError, match="changed since it was planned") as caught:
        scan_range(dataclasses.replace(task, range=longer))
    assert "the walk ends after entry 18, the plan has 23" in str(caught.value)


def test_a_range_starting_past_the_end_of_the_walk_fails() -> None:
    task = _ranges()[-1]
    assert task.range is not None
    beyond = dataclasses.replace(task.range, seq_start=30, seq_end=35)
    with pytest.raises(EvidenceError, match="changed since it was planned"):
        scan_range(dataclasses.replace(task, range=beyond))


def test_a_vanished_image_fails_the_unit(tmp_path: Path) -> None:
    task = _ranges()[0]
    gone = str(tmp_path / "gone.img")
    with pytest.raises(EvidenceError):
        scan_range(dataclasses.replace(task, image=gone))


def test_kept_walks_are_bounded(opens: list[str]) -> None:
    first = _ranges()[:1]
    disk = _ranges(image=DISK)
    fs_ids = list(dict.fromkeys(task.range.fs_id for task in disk if task.range))
    starts = [next(task for task in disk if task.range and task.range.fs_id == f) for f in fs_ids]
    _files(first + starts)
    assert len(walkcache._walks) == walkcache.KEPT_WALKS
    assert (IMAGE, first[0].range.fs_id) not in walkcache._walks  # type: ignore[union-attr]
