from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from catalog.case import CaseFacts, ExhibitFacts, create_case, register_exhibit
from catalog.custody import log
from catalog.custody.log import Actor
from catalog.custody.verify import VerifyOptions, verify_case
from catalog.errors import UsageError
from catalog.locker import discovery, naming, opening
from catalog.locker.opening import COMMAND, OpenedRun, command_for, open_run
from catalog.locker.units import PLAN, ScanSettings, UnitTask, unit_id
from catalog.store import open_catalog, queries, workqueue
from tests.conftest import EXAMINER

ACTOR = Actor(EXAMINER)
SETTINGS = ScanSettings(unit_files=50)
LOG_TEXT = b"Created By AccessData FTK Imager 4.7\r\nMD5 checksum: 0123\r\n"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    folder = tmp_path / "case"
    folder.mkdir()
    catalog = open_catalog(folder / "c.db")
    yield catalog
    catalog.close()


@pytest.fixture
def locker(tmp_path: Path) -> Path:
    root = tmp_path / "locker"
    (root / "site-A").mkdir(parents=True)
    (root / "site-A" / "PC-01.img").write_bytes(b"\x00" * 2048)
    (root / "site-A" / "PC-01.img.txt").write_bytes(LOG_TEXT)
    (root / "USB-02.dd").write_bytes(b"\x00" * 1024)
    return root.resolve()


def _open(
    db: Database,
    run_id: str,
    locker: Path,
    *,
    rule: str = naming.DEFAULT_RULE,
    manifest: Path | None = None,
) -> OpenedRun:
    items = discovery.discover(locker)
    rows = naming.read_manifest(manifest, locker) if manifest else None
    plans = naming.plan_exhibits(items, rule, rows)
    with db.atomic():
        return open_run(db, run_id, locker, items, plans, SETTINGS, ACTOR, {"workers": 2})


def _entries(db: Database, action: str) -> list[dict[str, Any]]:
    return [entry.details for entry in log.entries(db, (action,))]


def _items(db: Database, locker: Path) -> dict[str, dict[str, Any]]:
    return {row["relpath"]: row for row in workqueue.locker_items(db, str(locker))}


def test_first_run_creates_the_case_registers_exhibits_and_queues_plans(
    db: Database, locker: Path
) -> None:
    opened = _open(db, "run-1", locker)
    assert opened == OpenedRun(
        case_created=True,
        exhibits=["USB-02.dd", "site-A/PC-01.img"],
        new_exhibits=["USB-02.dd", "site-A/PC-01.img"],
        interrupted_runs=[],
    )
    pending = workqueue.pending_units(db, str(locker))
    assert [(row["exhibit"], row["kind"]) for row in pending] == [
        ("USB-02.dd", PLAN),
        ("site-A/PC-01.img", PLAN),
    ]
    task = UnitTask.from_row(pending[1], "run-1")
    assert task.unit_id == unit_id("site-A/PC-01.img", PLAN)
    assert task.image == str(locker / "site-A" / "PC-01.img")
    assert task.settings == SETTINGS
    states = workqueue.locker_exhibit_states(db)
    assert states == {"USB-02.dd": "planning", "site-A/PC-01.img": "planning"}
    (started,) = _entries(db, "scan.started")
    assert started["run_id"] == "run-1"
    assert started["command"] == command_for(locker)
    assert started["options"] == {"workers": 2}
    assert (started["locker"], started["resumes"]) == (str(locker), [])


def test_new_items_are_recorded_once_across_runs(db: Database, locker: Path) -> None:
    _open(db, "run-1", locker)
    first = _items(db, locker)
    assert set(first) == {"USB-02.dd", "site-A/PC-01.img", "site-A/PC-01.img.txt"}
    with db.atomic():
        queries.finish_run(db, "run-1", "completed", "{}")
    (locker / "site-A" / "later.md5").write_bytes(b"0123  PC-01.img\n")
    opened = _open(db, "run-2", locker)
    assert opened.new_exhibits == []
    assert opened.case_created is False
    second = _items(db, locker)
    assert set(second) == set(first) | {"site-A/later.md5"}
    assert {name: row["run_id"] for name, row in second.items()} == {
        "USB-02.dd": "run-1",
        "site-A/PC-01.img": "run-1",
        "site-A/PC-01.img.txt": "run-1",
        "site-A/later.md5": "run-2",
    }
    discovered = _entries(db, "locker.discovered")
    assert [len(entry["items"]) for entry in discovered] == [3, 1]
    assert discovered[1]["items"][0]["relpath"] == "site-A/later.md5"
    assert len(workqueue.pending_units(db, str(locker))) == 2  # not queued a second time


def test_a_run_with_nothing_new_logs_no_discovery_and_reads_no_sidecar(
    db: Database, locker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _open(db, "run-1", locker)
    with db.atomic():
        queries.finish_run(db, "run-1", "completed", "{}")
    hashed: list[Path] = []
    monkeypatch.setattr(opening, "sidecar_sha256", lambda path: hashed.append(path))
    _open(db, "run-2", locker)
    assert hashed == []  # a sidecar is hashed once, when it is first recorded
    assert len(_entries(db, "locker.discovered")) == 1
    assert len(_entries(db, "scan.started")) == 2


def test_sidecars_keep_their_sha256_and_images_link_their_exhibit(
    db: Database, locker: Path
) -> None:
    _open(db, "run-1", locker)
    items = _items(db, locker)
    sidecar = items["site-A/PC-01.img.txt"]
    assert sidecar["role"] == "sidecar"
    assert sidecar["sha256"] == hashlib.sha256(LOG_TEXT).hexdigest()
    assert sidecar["exhibit"] is None
    image = items["site-A/PC-01.img"]
    assert (image["role"], image["exhibit"], image["sha256"]) == ("image", "site-A/PC-01.img", None)
    (discovered,) = _entries(db, "locker.discovered")
    logged = {item["relpath"]: item for item in discovered["items"]}
    assert logged["site-A/PC-01.img.txt"]["sha256"] == sidecar["sha256"]


def test_an_abandoned_run_is_closed_as_interrupted(db: Database, locker: Path) -> None:
    _open(db, "run-1", locker)
    opened = _open(db, "run-2", locker)
    assert opened.interrupted_runs == ["run-1"]
    statuses = dict(db.execute("SELECT run_id, status FROM runs").fetchall())
    assert statuses == {"run-1": "interrupted", "run-2": "running"}
    (finished,) = _entries(db, "scan.finished")
    assert finished["run_id"] == "run-1"
    assert finished["closed_by_run"] == "run-2"
    assert (finished["status"], finished["run_status"]) == ("interrupted", "interrupted")
    started = _entries(db, "scan.started")
    assert [entry["resumes"] for entry in started] == [[], ["run-1"]]
    assert len(workqueue.pending_units(db, str(locker))) == 2  # left for the new run
    report = verify_case(db, VerifyOptions(rehash_evidence=False))
    assert report.ok, report.failures


def test_a_finished_run_is_not_closed_again(db: Database, locker: Path) -> None:
    _open(db, "run-1", locker)
    with db.atomic():
        queries.finish_run(db, "run-1", "completed", "{}")
    assert _open(db, "run-2", locker).interrupted_runs == []
    assert _entries(db, "scan.finished") == []


def test_a_run_of_a_locker_whose_path_extends_this_one_is_not_ours(
    db: Database, tmp_path: Path
) -> None:
    other = tmp_path / "lk-2"
    other.mkdir()
    (other / "b.img").write_bytes(b"\x00" * 512)
    _open(db, "run-other", other.resolve())
    mine = tmp_path / "lk"
    mine.mkdir()
    (mine / "a.img").write_bytes(b"\x00" * 512)
    assert _open(db, "run-mine", mine.resolve()).interrupted_runs == []


def test_abandoned_runs_are_those_of_exactly_this_locker(db: Database, locker: Path) -> None:
    _open(db, "run-1", locker)
    assert workqueue.abandoned_runs(db, command_for(locker)) == ["run-1"]
    assert workqueue.abandoned_runs(db, COMMAND) == []


def test_a_manifest_id_other_than_the_registered_one_is_refused(
    db: Database, locker: Path, tmp_path: Path
) -> None:
    with db.atomic():
        create_case(db, CaseFacts(), ACTOR)
        register_exhibit(db, "EX-OLD", locker / "USB-02.dd", ExhibitFacts(), ACTOR)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,exhibit\nUSB-02.dd,EX-NEW\n", encoding="utf-8")
    with pytest.raises(UsageError, match="registered as exhibit 'EX-OLD', the manifest says"):
        _open(db, "run-1", locker, manifest=manifest)
    assert workqueue.pending_units(db, str(locker)) == []  # the transaction rolled back
    assert db.execute("SELECT count(*) FROM runs").fetchone() == (0,)


def test_a_registered_image_keeps_its_id_when_the_rule_would_name_it_otherwise(
    db: Database, locker: Path
) -> None:
    with db.atomic():
        create_case(db, CaseFacts(), ACTOR)
        register_exhibit(db, "EX-OLD", locker / "USB-02.dd", ExhibitFacts(), ACTOR)
    opened = _open(db, "run-1", locker)
    assert opened.case_created is False
    assert opened.exhibits == ["EX-OLD", "site-A/PC-01.img"]
    assert {row["exhibit"] for row in workqueue.pending_units(db, str(locker))} == {
        "EX-OLD",
        "site-A/PC-01.img",
    }


def test_a_manifest_id_taken_by_another_image_is_refused(
    db: Database, locker: Path, tmp_path: Path
) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,exhibit\nUSB-02.dd,site-A/PC-01.img\n", encoding="utf-8")
    with pytest.raises(UsageError):
        _open(db, "run-1", locker, manifest=manifest)


def test_two_paths_to_one_image_give_one_exhibit(db: Database, locker: Path) -> None:
    (locker / "alias.dd").symlink_to(locker / "USB-02.dd")
    opened = _open(db, "run-1", locker)
    assert opened.exhibits == ["USB-02.dd", "site-A/PC-01.img"]  # the first path in order
    assert db.execute("SELECT count(*) FROM exhibits").fetchone() == (2,)
    assert len(workqueue.pending_units(db, str(locker))) == 2


def test_every_image_item_names_a_registered_exhibit(db: Database, locker: Path) -> None:
    (locker / "alias.dd").symlink_to(locker / "USB-02.dd")
    _open(db, "run-1", locker)
    registered = {row[0] for row in db.execute("SELECT exhibit FROM exhibits")}
    linked = {row["exhibit"] for row in _items(db, locker).values() if row["role"] == "image"}
    assert linked <= registered


def test_an_undecodable_image_name_is_registered(db: Database, tmp_path: Path) -> None:
    root = tmp_path / "hostile"
    root.mkdir()
    name = os.fsdecode(b"PC-\xff.img")
    (root / name).write_bytes(b"\x00" * 512)
    opened = _open(db, "run-1", root.resolve())
    assert opened.exhibits == ["PC-\\xff.img"]
    (pending,) = workqueue.pending_units(db, str(root.resolve()))
    assert UnitTask.from_row(pending, "run-1").image == str(root.resolve() / name)


def test_hostile_names_are_stored_as_safe_text(db: Database, tmp_path: Path) -> None:
    root = tmp_path / "hostile"
    root.mkdir()
    name = '=HYPERLINK("x")\x1b[31m.img'
    (root / name).write_bytes(b"\x00" * 512)
    opened = _open(db, "run-1", root.resolve())
    (exhibit,) = opened.exhibits
    assert "\x1b" not in exhibit
    assert exhibit == '=HYPERLINK("x")\\x1b[31m.img'
    (pending,) = workqueue.pending_units(db, str(root.resolve()))
    assert UnitTask.from_row(pending, "run-1").image == str(root.resolve() / name)
