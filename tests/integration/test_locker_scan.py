"""``evcat locker scan`` on a real Dask cluster equals a single-process ``evcat scan``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import query
from tests.integration.lockers import (
    build_locker,
    catalog_rows,
    custody_actions,
    dask_cluster,
    evcat,
    images_of,
    single_process_scan,
)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Run:
    locker: Path
    case: Path
    single: Path
    status_file: Path
    stderr: str
    returncode: int
    single_returncode: int


@pytest.fixture(scope="module")
def external_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A locker scanned on a scheduler and two workers started as separate processes."""
    base = tmp_path_factory.mktemp("locker-external")
    locker = build_locker(base / "locker")
    case = base / "out" / "case.db"
    status_file = base / "out" / "status.jsonl"
    with dask_cluster(base / "dask", workers=2) as address:
        result = evcat(
            "locker", "scan", str(locker), "--case", str(case), "--scheduler", address,
            "--unit-files", "7", "--status-file", str(status_file),
        )  # fmt: skip
    single = base / "single" / "case.db"
    single.parent.mkdir()
    reference = single_process_scan(single, images_of(case))
    return Run(
        locker, case, single, status_file, result.stderr, result.returncode, reference.returncode
    )


def test_locker_has_at_least_six_images_and_records_the_sidecar(external_run: Run) -> None:
    case = external_run.case
    assert len(images_of(case)) >= 6
    sidecars = query(case, "SELECT relpath, sha256 FROM locker_items WHERE role = 'sidecar'")
    assert ("site-A/disk.E01.txt", _sha256(external_run.locker / "site-A/disk.E01.txt")) in sidecars
    segments = query(case, "SELECT relpath, exhibit FROM locker_items WHERE role = 'segment'")
    assert ("site-B/split/disk.002", "site-B/split/disk.001") in segments


def test_external_cluster_catalog_equals_single_process_scan(external_run: Run) -> None:
    stderr = external_run.stderr
    assert external_run.returncode == external_run.single_returncode, stderr
    locker_rows = catalog_rows(external_run.case)
    single_rows = catalog_rows(external_run.single)
    assert len(locker_rows["files"]) > 100
    assert any(row for row in locker_rows["findings"])
    for table, rows in single_rows.items():
        assert locker_rows[table] == rows, f"{table} differs"


def test_work_was_split_finer_than_images_and_shared_by_both_workers(
    external_run: Run,
) -> None:
    case = external_run.case
    images = len(images_of(case))
    files_units = query(case, "SELECT count(*) FROM work_units WHERE kind = 'files'")[0][0]
    assert files_units > images
    workers = {row[0] for row in query(case, "SELECT DISTINCT worker FROM work_units")}
    assert len(workers) == 2, workers
    assert query(case, "SELECT count(*) FROM work_units WHERE state != 'done'") == [(0,)]


def test_status_file_reports_units_bytes_rate_and_problems(external_run: Run) -> None:
    lines = [json.loads(line) for line in external_run.status_file.read_text().splitlines()]
    assert lines[0]["state"] == "running"
    final = lines[-1]
    assert final["state"] == "finished"
    assert final["units"]["done"] == final["units"]["total"] > 0
    assert final["bytes"]["done"] == final["bytes"]["total"] > 0
    problems = query(external_run.case, "SELECT count(*) FROM problems")[0][0]
    assert final["problems"] == problems
    assert {"rate_bytes_per_s", "eta_seconds", "per_exhibit"} <= set(final)
    status = evcat("locker", "status", "--case", str(external_run.case), "--json")
    assert status.returncode == 0, status.stderr
    shown = json.loads(status.stdout)
    for key in ("units", "bytes", "problems", "files"):
        assert shown[key] == final[key]
    assert shown["run_status"] == "completed"


def test_custody_log_records_the_run_and_every_exhibit(external_run: Run) -> None:
    case = external_run.case
    actions = custody_actions(case)
    names = [action for action, _ in actions]
    assert names.count("scan.started") == 1
    assert names.count("locker.discovered") == 1
    assert names.count("exhibit.scanned") == len(images_of(case))
    assert names[-1] == "scan.finished"
    verify = evcat("verify", str(case))
    assert verify.returncode == 0, verify.stdout + verify.stderr


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_ids_and_seizure_facts_become_the_exhibits(tmp_path: Path) -> None:
    locker = build_locker(tmp_path / "locker", corpus=False, sample_sets=3)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "path,exhibit,seized_from,acquisition_md5\n"
        "site-A/disk.raw,EX-001,Desk 4 (call floor),\n"
        "site-B/usb/usb_fat.img,EX-002,Manager's drawer,\n"
    )
    case = tmp_path / "out" / "case.db"
    result = evcat(
        "locker", "scan", str(locker), "--case", str(case), "--manifest", str(manifest),
        "--workers", "1", "--no-extract",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert query(case, "SELECT exhibit, seized_from FROM exhibits ORDER BY exhibit") == [
        ("EX-001", "Desk 4 (call floor)"),
        ("EX-002", "Manager's drawer"),
        ("site-A/disk.E01", None),
    ]
    assert query(case, "SELECT count(DISTINCT evidence_id) FROM files") == [(3,)]


def test_a_locker_without_images_records_what_it_holds_and_fails(tmp_path: Path) -> None:
    locker = tmp_path / "locker"
    locker.mkdir()
    (locker / "notes.txt").write_text("chain of custody form scanned separately\n")
    (locker / "photo.heic").write_bytes(b"\x00" * 64)
    case = tmp_path / "out" / "case.db"
    result = evcat("locker", "scan", str(locker), "--case", str(case), "--workers", "1")
    assert result.returncode == 3
    assert "no disk image found" in result.stderr
    assert "1 sidecar, 1 unrecognised" in result.stderr
    assert query(case, "SELECT relpath, role FROM locker_items ORDER BY relpath") == [
        ("notes.txt", "sidecar"),
        ("photo.heic", "unrecognised"),
    ]


def test_the_case_may_not_be_written_inside_the_locker(tmp_path: Path) -> None:
    locker = build_locker(tmp_path / "locker", corpus=False, sample_sets=1)
    result = evcat("locker", "scan", str(locker), "--case", str(locker / "case.db"))
    assert result.returncode == 2
    assert "inside the evidence locker" in result.stderr
    assert not (locker / "case.db").exists()
