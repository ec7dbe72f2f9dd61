"""A locker scan killed at any point (SIGKILL) finishes on the next run, rows exact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.locker import faults
from tests.conftest import query
from tests.integration.lockers import (
    ISOLATED,
    build_locker,
    catalog_rows,
    custody_actions,
    evcat,
    stop_group,
)

pytestmark = pytest.mark.slow

SCAN_OPTIONS = ("--workers", "2", "--unit-files", "5")
KILL_POINTS = {
    "second-plan-commit": "commit-plan:2",
    "mid-transaction-of-a-files-unit": "commit-files:6",
    "media-hash-commit": "commit-media:1",
    "sealing-an-exhibit": "seal:2",
}


@pytest.fixture(scope="module")
def locker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_locker(tmp_path_factory.mktemp("resume") / "locker", corpus=False)


@pytest.fixture(scope="module")
def uninterrupted(locker: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    case = tmp_path_factory.mktemp("reference") / "case.db"
    result = evcat("locker", "scan", str(locker), "--case", str(case), *SCAN_OPTIONS)
    assert result.returncode in (0, 1), result.stderr
    return case, result.returncode


def _killed_run(locker: Path, case: Path, env: dict[str, str]) -> int:
    """Start a run in its own session, wait for it to die, kill what it left behind."""
    process = subprocess.Popen(
        [sys.executable, "-m", "catalog", "locker", "scan", str(locker), "--case", str(case),
         *SCAN_OPTIONS],
        env={**_environment(), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    code = process.wait(timeout=300)
    stop_group(process)
    return code


def _environment() -> dict[str, str]:
    return {**os.environ, **ISOLATED}


def _assert_resumed_equal(case: Path, uninterrupted: tuple[Path, int], locker: Path) -> None:
    reference, reference_code = uninterrupted
    resumed = evcat("locker", "scan", str(locker), "--case", str(case), *SCAN_OPTIONS)
    assert resumed.returncode == reference_code, resumed.stderr
    assert "resumed after 1 interrupted run" in resumed.stderr
    assert catalog_rows(case) == catalog_rows(reference)
    verify = evcat("verify", str(case))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    actions = custody_actions(case)
    started = [details["run_id"] for action, details in actions if action == "scan.started"]
    assert len(started) == 2
    closed = [
        details
        for action, details in actions
        if action == "scan.finished" and details["run_id"] == started[0]
    ]
    assert closed == [{**closed[0], "run_status": "interrupted", "closed_by_run": started[1]}]
    assert query(case, "SELECT status FROM runs ORDER BY started") == [
        ("interrupted",),
        ("completed",),
    ]
    assert query(case, "SELECT count(*) FROM work_units WHERE state != 'done'") == [(0,)]


@pytest.mark.parametrize("point", list(KILL_POINTS.values()), ids=list(KILL_POINTS))
def test_killed_at_a_crash_point_then_rerun_equals_an_uninterrupted_run(
    point: str, locker: Path, uninterrupted: tuple[Path, int], tmp_path: Path
) -> None:
    case = tmp_path / "case.db"
    code = _killed_run(locker, case, {"EVCAT_KILL_AT": point})
    assert code == -signal.SIGKILL
    done_before = query(case, "SELECT count(*) FROM work_units WHERE state = 'done'")[0][0]
    total = query(case, "SELECT count(*) FROM work_units")[0][0]
    assert done_before < total  # the kill left work to do
    _assert_resumed_equal(case, uninterrupted, locker)


def test_power_cut_while_units_complete_then_rerun_equals_an_uninterrupted_run(
    locker: Path, uninterrupted: tuple[Path, int], tmp_path: Path
) -> None:
    """The coordinator freezes after its 8th unit; the whole process group is killed."""
    case = tmp_path / "case.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "catalog", "locker", "scan", str(locker), "--case", str(case),
         *SCAN_OPTIONS],
        env={**_environment(), faults.STOP_ENV: "committed:8"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        _, wait_status = os.waitpid(process.pid, os.WUNTRACED)
        assert os.WIFSTOPPED(wait_status), "the job ended before its 8th unit was committed"
        done = query(case, "SELECT count(*) FROM work_units WHERE state = 'done'")[0][0]
        total = query(case, "SELECT count(*) FROM work_units")[0][0]
        assert done == 8 < total
    finally:
        stop_group(process)
    assert process.returncode == -signal.SIGKILL
    _assert_resumed_equal(case, uninterrupted, locker)


def test_a_unit_that_keeps_failing_is_retried_then_recorded_as_a_problem(tmp_path: Path) -> None:
    """The image changes after it was planned: its ranges no longer match and fail."""
    locker = build_locker(tmp_path / "locker", corpus=False, sample_sets=1)
    image = locker / "site-A" / "disk.raw"
    case = tmp_path / "out" / "case.db"
    assert _killed_run(locker, case, {"EVCAT_KILL_AT": "commit-files:1"}) == -signal.SIGKILL
    pending = query(
        case, "SELECT count(*) FROM work_units WHERE kind = 'files' AND state = 'pending'"
    )
    assert pending[0][0] > 1
    _overwrite_file_system(image)
    result = evcat(
        "locker", "scan", str(locker), "--case", str(case), *SCAN_OPTIONS, "--max-attempts", "2"
    )
    assert result.returncode == 1, result.stderr
    failed = query(case, "SELECT attempts, last_error FROM work_units WHERE state = 'failed'")
    assert failed and all(attempts == 2 for attempts, _ in failed)
    problems = query(case, "SELECT message FROM problems WHERE stage = 'locker'")
    assert len(problems) == len(failed)
    assert all("failed 2 times, given up" in message for (message,) in problems)
    assert query(case, "SELECT state, status FROM locker_exhibits") == [("sealed", "partial")]
    assert "given up after 2 tries" in result.stderr


def _overwrite_file_system(image: Path) -> None:
    """Zero the first file system's directory area, as if the evidence had been replaced."""
    data = bytearray(image.read_bytes())
    start = 1 << 20  # the FAT partition of the sample disk
    data[start + 512 : start + 64 * 1024] = bytes(64 * 1024 - 512)
    image.write_bytes(bytes(data))
