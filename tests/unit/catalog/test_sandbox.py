"""The extraction sandbox stops a parser that hangs, crashes or eats memory, and goes on."""

from __future__ import annotations

import threading

import pytest

from catalog.documents import DocumentRequest
from catalog.sandbox import DocumentSandbox, _start_method
from tests.unit.catalog import sandboxhandlers


def _request(name: str) -> DocumentRequest:
    return DocumentRequest(name=name, mime="text/plain", head=b"x", data=b"x", size=1, full_size=1)


@pytest.fixture
def sandboxes():
    made: list[DocumentSandbox] = []

    def make(handler, seconds=5.0, memory=256 << 20):
        sandbox = DocumentSandbox(seconds, memory, handler)
        made.append(sandbox)
        return sandbox

    yield make
    for sandbox in made:
        sandbox.close()


def test_results_come_back_from_the_child(sandboxes) -> None:
    sandbox = sandboxes(sandboxhandlers.echo)
    assert sandbox.analyse(_request("a.txt")).text == "a.txt"
    assert sandbox.analyse(_request("b.txt")).text == "b.txt"
    assert sandbox.restarts == 0


def test_a_hanging_parser_is_stopped_at_the_time_limit_and_the_next_file_is_served(
    sandboxes,
) -> None:
    sandbox = sandboxes(sandboxhandlers.hang, seconds=1.0)
    stopped = sandbox.analyse(_request("hang"))
    assert stopped.status == "error"
    assert stopped.problems == ("extraction stopped after 1 s (time limit)",)
    assert sandbox.analyse(_request("next.txt")).text == "next.txt"
    assert sandbox.restarts == 1


def test_a_crashing_parser_is_reported_and_replaced(sandboxes) -> None:
    sandbox = sandboxes(sandboxhandlers.crash)
    died = sandbox.analyse(_request("crash"))
    assert died.status == "error"
    assert died.problems[0].startswith("extraction process died (exit code -11")
    assert sandbox.analyse(_request("next.txt")).text == "next.txt"


def test_a_parser_that_eats_memory_hits_the_memory_limit(sandboxes) -> None:
    sandbox = sandboxes(sandboxhandlers.hog, memory=256 << 20)
    stopped = sandbox.analyse(_request("hog"))
    assert stopped.status == "error"
    assert "memory limit" in stopped.problems[0]
    assert sandbox.analyse(_request("next.txt")).text == "next.txt"


def test_a_single_threaded_process_forks_its_child_and_one_with_threads_spawns_it(
    sandboxes, monkeypatch
) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(threading, "active_count", lambda: 1)
        assert _start_method() == "fork"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert _start_method() == "spawn"
        sandbox = sandboxes(sandboxhandlers.echo)
        assert sandbox.analyse(_request("spawned.txt")).text == "spawned.txt"
    finally:
        stop.set()
        other.join()
