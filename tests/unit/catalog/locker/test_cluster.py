from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from catalog import __version__
from catalog.errors import UsageError
from catalog.locker import cluster
from catalog.locker.cluster import worker_check


@pytest.fixture
def locker(tmp_path: Path) -> Path:
    root = tmp_path / "locker"
    root.mkdir()
    return root


def _daemonic(monkeypatch: pytest.MonkeyPatch, daemon: bool) -> None:
    monkeypatch.setattr(multiprocessing, "current_process", lambda: SimpleNamespace(daemon=daemon))


def test_a_worker_that_can_take_the_job_answers_none(
    locker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _daemonic(monkeypatch, False)
    assert worker_check(str(locker), __version__, needs_children=True) is None


def test_another_evcat_version_is_refused(locker: Path) -> None:
    assert worker_check(str(locker), "0.0.0-other", needs_children=False) == (
        f"runs evcat {__version__}, the job needs 0.0.0-other"
    )


def test_a_worker_that_does_not_see_the_locker_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "elsewhere"
    assert worker_check(str(missing), __version__, needs_children=False) == (
        f"does not see the locker at {missing}"
    )


def test_a_file_in_place_of_the_locker_is_refused(tmp_path: Path) -> None:
    image = tmp_path / "disk.img"
    image.write_bytes(b"\x00")
    assert worker_check(str(image), __version__, needs_children=False) == (
        f"does not see the locker at {image}"
    )


def test_an_unreadable_locker_is_refused(locker: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "access", lambda path, mode: mode != os.R_OK | os.X_OK)
    assert worker_check(str(locker), __version__, needs_children=False) == (
        f"cannot read the locker at {locker}"
    )


def test_a_daemonic_worker_is_refused_when_text_extraction_needs_children(
    locker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _daemonic(monkeypatch, True)
    reason = worker_check(str(locker), __version__, needs_children=True)
    assert reason is not None
    assert reason.startswith("runs as a daemonic process")
    assert "DASK_DISTRIBUTED__WORKER__DAEMON=False" in reason


def test_a_daemonic_worker_is_fine_without_text_extraction(
    locker: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _daemonic(monkeypatch, True)
    assert worker_check(str(locker), __version__, needs_children=False) is None


def test_the_version_is_checked_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _daemonic(monkeypatch, True)
    reason = worker_check(str(tmp_path / "missing"), "9.9.9", needs_children=True)
    assert reason is not None
    assert reason.startswith("runs evcat")


class _Client:
    def __init__(self, answers: dict[str, str | None]) -> None:
        self.answers = answers
        self.calls: list[tuple[object, ...]] = []

    def run(self, function: object, *args: object) -> dict[str, str | None]:
        self.calls.append((function, *args))
        return self.answers


def _cluster(answers: dict[str, str | None]) -> cluster.Cluster:
    return cluster.Cluster(_Client(answers), None, len(answers), "tcp://127.0.0.1:1")  # type: ignore[arg-type]


def test_check_workers_sends_the_check_with_this_version(locker: Path) -> None:
    target = _cluster({"tcp://a:1": None, "tcp://b:1": None})
    cluster.check_workers(target, locker, needs_children=True)
    assert target.client.calls == [(worker_check, str(locker), __version__, True)]  # type: ignore[attr-defined]


def test_check_workers_names_the_first_refusing_worker_and_counts_the_rest(locker: Path) -> None:
    target = _cluster(
        {
            "tcp://c:1": "does not see the locker at /x",
            "tcp://a:1": None,
            "tcp://b:1": "runs evcat 1.0, the job needs 2.0",
        }
    )
    with pytest.raises(UsageError) as caught:
        cluster.check_workers(target, locker, needs_children=False)
    assert str(caught.value) == (
        "Dask worker tcp://b:1 runs evcat 1.0, the job needs 2.0 (1 more workers refuse too)"
    )
