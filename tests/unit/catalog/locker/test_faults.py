from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from catalog.locker import faults
from tests.conftest import PROJECT_ROOT

_THREE_PASSES = (
    "from catalog.locker.faults import crash_point\n"
    "for number in (1, 2, 3):\n"
    "    crash_point('x')\n"
    "    print(f'passed {number}', flush=True)\n"
)


def _run(kill_at: str | None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != faults.ENV}
    if kill_at is not None:
        env[faults.ENV] = kill_at
    return subprocess.run(
        [sys.executable, "-c", _THREE_PASSES],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_second_pass_kills_the_process_with_sigkill() -> None:
    done = _run("x:2")
    assert done.returncode == -signal.SIGKILL
    assert done.stdout.splitlines() == ["passed 1"]


def test_stop_at_freezes_the_process_on_the_named_pass_until_killed() -> None:
    env = {key: value for key, value in os.environ.items() if key != faults.ENV}
    process = subprocess.Popen(
        [sys.executable, "-c", _THREE_PASSES],
        cwd=PROJECT_ROOT,
        env={**env, faults.STOP_ENV: "x:2"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        _, wait_status = os.waitpid(process.pid, os.WUNTRACED)
        assert os.WIFSTOPPED(wait_status)
        assert os.WSTOPSIG(wait_status) == signal.SIGSTOP
    finally:
        process.kill()
    assert process.wait(timeout=60) == -signal.SIGKILL
    assert process.stdout is not None
    assert process.stdout.read().splitlines() == ["passed 1"]
    process.stdout.close()


def test_without_the_variable_every_pass_goes_through() -> None:
    done = _run(None)
    assert done.returncode == 0
    assert done.stdout.splitlines() == ["passed 1", "passed 2", "passed 3"]


@pytest.fixture
def kills(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Record the kill instead of dying, with a fresh pass count."""
    sent: list[tuple[int, int]] = []
    monkeypatch.setattr(faults, "_passes", {})
    monkeypatch.setattr(os, "kill", lambda pid, sig: sent.append((pid, sig)))
    return sent


@pytest.mark.parametrize(
    ("wanted", "calls", "expected_kills"),
    [
        ("x:2", ["x", "x", "x"], 1),
        ("x:1", ["x"], 1),
        ("x:4", ["x", "x", "x"], 0),
        ("y:1", ["x", "x"], 0),
        ("x:0", ["x", "x"], 0),
        ("x", ["x", "x"], 0),
        ("", ["x"], 0),
        ("commit-files:2", ["commit-plan", "commit-files", "commit-plan", "commit-files"], 1),
        ("a:b:2", ["a:b", "a:b"], 1),
    ],
    ids=[
        "second-of-three",
        "first",
        "never-reached",
        "other-point",
        "pass-zero",
        "no-count",
        "empty",
        "counts-only-its-own-point",
        "name-with-colon",
    ],
)
def test_kill_happens_once_on_the_named_pass(
    monkeypatch: pytest.MonkeyPatch,
    kills: list[tuple[int, int]],
    wanted: str,
    calls: list[str],
    expected_kills: int,
) -> None:
    monkeypatch.setenv(faults.ENV, wanted)
    monkeypatch.delenv(faults.STOP_ENV, raising=False)
    for name in calls:
        faults.crash_point(name)
    assert kills == [(os.getpid(), signal.SIGKILL)] * expected_kills


def test_kill_is_sent_on_the_named_pass_not_before(
    monkeypatch: pytest.MonkeyPatch, kills: list[tuple[int, int]]
) -> None:
    monkeypatch.setenv(faults.ENV, "seal:3")
    faults.crash_point("seal")
    faults.crash_point("seal")
    assert kills == []
    faults.crash_point("seal")
    assert len(kills) == 1
