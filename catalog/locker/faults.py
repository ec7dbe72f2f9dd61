"""Crash points: where the resume tests kill the coordinator, as a power cut would.

``EVCAT_KILL_AT=NAME:N`` makes the N-th pass through crash point NAME send SIGKILL to
the process itself, in the middle of what it is doing (inside a writer transaction for
the ``commit-*`` and ``seal`` points). ``EVCAT_STOP_AT=NAME:N`` sends SIGSTOP instead,
so a test can cut the power of the whole process group from outside at a known moment
(``committed`` is passed after each unit's transaction). Without the variables a crash
point does nothing. Tests use them to show that a job killed at that exact point
resumes without losing or duplicating rows; examiners never set them.
"""

from __future__ import annotations

import os
import signal
import threading

ENV = "EVCAT_KILL_AT"
STOP_ENV = "EVCAT_STOP_AT"
_passes: dict[str, int] = {}
_lock = threading.Lock()


def crash_point(name: str) -> None:
    """Die (SIGKILL) or freeze (SIGSTOP) here if the environment names this point and pass."""
    for variable, signal_number in ((ENV, signal.SIGKILL), (STOP_ENV, signal.SIGSTOP)):
        wanted = os.environ.get(variable)
        if wanted and _reached(wanted, name, variable):
            os.kill(os.getpid(), signal_number)


def _reached(wanted: str, name: str, variable: str) -> bool:
    point, _, count = wanted.rpartition(":")
    if point != name:
        return False
    with _lock:
        key = f"{variable}={name}"
        _passes[key] = _passes.get(key, 0) + 1
        return str(_passes[key]) == count
