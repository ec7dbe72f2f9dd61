from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from catalog.custody.log import Actor
from catalog.locker import discovery, naming, status
from catalog.locker.opening import COMMAND, command_for, open_run
from catalog.locker.status import STATUS_VERSION, LockerStatus, StatusFile, progress_line, snapshot
from catalog.locker.units import ScanSettings
from catalog.store import open_catalog, queries, workqueue
from tests.conftest import EXAMINER

EXHIBIT_KEYS = {
    "exhibit", "state", "status", "units", "done", "failed", "pending", "bytes_done",
    "bytes_total", "files", "problems",
}  # fmt: skip


def _exhibit(name: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "exhibit": name, "locker": "/locker", "image": f"/locker/{name}", "state": "scanning",
        "status": None, "units": 0, "done": 0, "failed": 0, "pending": 0, "bytes_done": 0,
        "bytes_total": 0, "files": 0, "problems": 0,
    }  # fmt: skip
    row.update(values)
    return row


def _two_exhibits(**first: Any) -> list[dict[str, Any]]:
    return [
        _exhibit(
            "EX1",
            units=5,
            done=3,
            failed=1,
            pending=1,
            bytes_done=2_000_000,
            bytes_total=6_000_000,
            files=40,
            problems=2,
            **first,
        ),
        _exhibit(
            "EX2",
            state="sealed",
            status="ok",
            units=3,
            done=3,
            bytes_done=4_000_000,
            bytes_total=4_000_000,
            files=10,
        ),
    ]


def test_to_json_sums_exhibits_and_names_the_run() -> None:
    snap = LockerStatus(
        "/locker", _two_exhibits(status="partial"), {"run_id": "r1", "status": "running"}, 2e6
    )
    data = snap.to_json()
    assert data["version"] == STATUS_VERSION
    assert (data["locker"], data["run_id"], data["run_status"]) == ("/locker", "r1", "running")
    assert data["units"] == {"done": 6, "failed": 1, "pending": 1, "total": 8}
    assert data["bytes"] == {"done": 6_000_000, "total": 10_000_000}
    assert (data["files"], data["problems"]) == (50, 2)
    assert data["rate_bytes_per_s"] == 2e6
    assert data["eta_seconds"] == 2.0
    assert data["exhibits"] == {"total": 2, "planning": 0, "sealed": 1, "with_problems": 1}
    assert [set(row) for row in data["per_exhibit"]] == [EXHIBIT_KEYS, EXHIBIT_KEYS]
    json.dumps(data)  # one JSON object, nothing that json cannot write


def test_to_json_without_a_run() -> None:
    data = LockerStatus(None, []).to_json()
    assert (data["run_id"], data["run_status"], data["rate_bytes_per_s"]) == (None, None, None)
    assert data["units"]["total"] == 0
    assert data["eta_seconds"] is None


@pytest.mark.parametrize(
    ("rate", "first", "expected"),
    [
        (1e6, {}, 4.0),
        (3e6, {}, 1.3),
        (None, {}, None),
        (0.0, {}, None),
        (1e6, {"state": "planning"}, None),
    ],
    ids=["whole", "rounded", "no-rate", "zero-rate", "still-planning"],
)
def test_eta_seconds(rate: float | None, first: dict[str, Any], expected: float | None) -> None:
    assert LockerStatus("/locker", _two_exhibits(**first), rate=rate).eta_seconds == expected


def test_eta_is_zero_when_every_byte_is_done() -> None:
    rows = [_exhibit("EX1", bytes_done=10, bytes_total=10)]
    assert LockerStatus("/locker", rows, rate=5.0).eta_seconds == 0.0


def test_progress_line_shows_bar_units_bytes_rate_eta_and_problems() -> None:
    snap = LockerStatus("/locker", _two_exhibits(), rate=1.5e6)
    assert progress_line(snap, width=8) == (
        "[#######.] 7/8 units, 6/10 MB, 1.5 MB/s, ETA 00:00:02, 2 problems"
    )


def test_progress_line_while_planning_has_no_rate_or_eta() -> None:
    rows = [_exhibit("EX1", state="planning", units=1, pending=1), _exhibit("EX2")]
    assert progress_line(LockerStatus("/locker", rows, rate=1e6), width=4) == (
        "[....] 0/1 units, 0/0 MB, 1.0 MB/s, ETA --:--:--, 0 problems, planning 1"
    )


def test_progress_line_with_no_units_at_all() -> None:
    assert progress_line(LockerStatus("/locker", []), width=4) == (
        "[....] 0/0 units, 0/0 MB, -- MB/s, ETA --:--:--, 0 problems"
    )


def test_progress_line_eta_in_hours() -> None:
    rows = [_exhibit("EX1", units=1, pending=1, bytes_total=3723)]
    line = progress_line(LockerStatus("/locker", rows, rate=1.0))
    assert "ETA 01:02:03" in line


def test_status_file_appends_one_json_line_per_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "monitor" / "status.jsonl"
    hostile = _exhibit('=HYPERLINK("x")\n\x1b[31m', units=1, pending=1)
    first = StatusFile(path)
    first.write(LockerStatus("/locker", [hostile]), "running")
    first.close()
    second = StatusFile(path)
    second.write(LockerStatus("/locker", [hostile]), "finished")
    second.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["state"] for line in lines] == ["running", "finished"]
    assert json.loads(lines[0])["per_exhibit"][0]["exhibit"] == hostile["exhibit"]
    assert "\x1b" not in path.read_text(encoding="utf-8")


# Snapshots read from a real catalog.


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Database]:
    folder = tmp_path / "case"
    folder.mkdir()
    db = open_catalog(folder / "c.db")
    yield db
    db.close()


def _locker(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    root.mkdir()
    (root / "disk.img").write_bytes(b"\x00" * 1024)
    return root.resolve()


def _open(db: Database, run_id: str, locker: Path) -> None:
    items = discovery.discover(locker)
    plans = naming.plan_exhibits(items, "{relpath}-" + locker.name)
    with db.atomic():
        open_run(db, run_id, locker, items, plans, ScanSettings(), Actor(EXAMINER), {})


def test_snapshot_of_a_fresh_run_is_planning_without_rate(
    tmp_path: Path, catalog: Database
) -> None:
    locker = _locker(tmp_path, "lk")
    _open(catalog, "run-1", locker)
    snap = snapshot(catalog, str(locker), command_for(locker))
    assert snap.run is not None
    assert (snap.run["run_id"], snap.run["status"]) == ("run-1", "running")
    assert (snap.planning, snap.rate, snap.eta_seconds) == (1, None, None)
    assert snap.to_json()["units"] == {"done": 0, "failed": 0, "pending": 1, "total": 1}


def test_snapshot_rate_is_bytes_done_by_the_run_over_its_time(
    tmp_path: Path, catalog: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    locker = _locker(tmp_path, "lk")
    _open(catalog, "run-1", locker)
    started = catalog.execute("SELECT started FROM runs WHERE run_id = 'run-1'").fetchone()[0]
    plan = workqueue.pending_units(catalog, str(locker))[0]
    with catalog.atomic():
        workqueue.replace_rows(catalog, "work_units", [{**plan, "planned_bytes": 5_000_000}])
        workqueue.complete_unit(catalog, plan["unit_id"], {}, "run-1", "host@tcp://w1")

    class _Clock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return datetime.fromisoformat(started) + timedelta(seconds=10)

    monkeypatch.setattr(status, "datetime", _Clock)
    snap = snapshot(catalog, str(locker), command_for(locker))
    assert snap.rate == pytest.approx(500_000.0)


def test_snapshot_of_a_finished_run_has_no_rate(tmp_path: Path, catalog: Database) -> None:
    locker = _locker(tmp_path, "lk")
    _open(catalog, "run-1", locker)
    with catalog.atomic():
        queries.finish_run(catalog, "run-1", "completed", "{}")
    snap = snapshot(catalog, str(locker), command_for(locker))
    assert snap.run is not None
    assert (snap.run["status"], snap.rate) == ("completed", None)


def test_snapshot_of_every_locker(tmp_path: Path, catalog: Database) -> None:
    _open(catalog, "run-1", _locker(tmp_path, "lk"))
    _open(catalog, "run-2", _locker(tmp_path, "other"))
    snap = snapshot(catalog, None, COMMAND)
    assert len(snap.exhibits) == 2


def test_snapshot_of_one_locker_ignores_a_locker_whose_path_extends_it(
    tmp_path: Path, catalog: Database
) -> None:
    locker = _locker(tmp_path, "lk")
    _open(catalog, "run-lk", locker)
    with catalog.atomic():
        queries.finish_run(catalog, "run-lk", "completed", "{}")
    _open(catalog, "run-lk-2", _locker(tmp_path, "lk-2"))
    snap = snapshot(catalog, str(locker), command_for(locker))
    assert snap.run is not None
    assert snap.run["run_id"] == "run-lk"
