"""Crash points: where the resume tests kill the coordinator, as a power cut would.

``EVCAT_KILL_AT=NAME:N`` makes the N-th pass through crash point NAME send SIGKILL to
the process itself, in the middle of what it is doing (inside a writer transaction for
the ``commit-*`` and ``seal`` points). Without the variable a crash point does nothing.
Tests use it to show that a job killed at that exact point resumes without losing or
duplicating rows; examiners never set it.
"""

from __future__ import annotations

import os
import signal
import threading

ENV = "EVCAT_KILL_AT"
_passes: dict[str, int] = {}
_lock = threading.Lock()


def crash_point(name: str) -> None:
    """Die here (SIGKILL) if ``EVCAT_KILL_AT`` names this point and pass."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, count = wanted.rpartition(":")
    if point != name:
        return
    with _lock:
        _passes[name] = _passes.get(name, 0) + 1
        reached = str(_passes[name]) == count
    if reached:
        os.kill(os.getpid(), signal.SIGKILL)
