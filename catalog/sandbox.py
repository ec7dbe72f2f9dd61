"""The extraction sandbox: document parsers run in a child process with time and memory caps.

Text extraction parses the most hostile bytes evcat meets (PDF object loops, XML entity
bombs, nested archives), through libraries that may hang, recurse or allocate without
bound. So ``analyse_document`` never runs in the scanning process: one long-lived child per
scanning process (forked from a content worker, spawned from a process with threads)
receives the requests, under an address-space limit, and the parent
waits at most ``Limits.extract_seconds`` for each answer. A child that overruns is killed
and replaced, one that dies is replaced, and the file gets an ``error`` result whose
problem says which limit stopped it; the scan goes on.
"""

from __future__ import annotations

import atexit
import multiprocessing
import resource
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from catalog.documents import DocumentRequest, DocumentResult, analyse_document

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

_PAGE = resource.getpagesize()
READY = "ready"
STARTUP_SECONDS = 120.0
"""How long a new child may take to import its parsers (not counted against a file)."""


def _address_space() -> int:
    """Bytes of virtual memory this process maps now."""
    with open("/proc/self/statm") as statm:  # noqa: PTH123 - a procfs read, not evidence
        return int(statm.read().split()[0]) * _PAGE


Handler = Callable[[DocumentRequest], DocumentResult]


def _serve(conn: Connection, memory_bytes: int, handler: Handler) -> None:
    """The child's loop: answer requests until the parent goes away."""
    try:
        limit = _address_space() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError):
        pass  # no procfs or no permission: the time limit still holds
    conn.send(READY)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = handler(request)
        except MemoryError:
            result = DocumentResult(
                status="error",
                problems=(f"extraction stopped: memory limit of {memory_bytes} bytes reached",),
            )
        conn.send(result)


class DocumentSandbox:
    """A child process that analyses documents, replaced whenever it overruns or dies."""

    def __init__(
        self, seconds: float, memory_bytes: int, handler: Handler = analyse_document
    ) -> None:
        """Answer each request within ``seconds``, with ``memory_bytes`` of headroom.

        ``handler`` (a module-level function, so the child can import it) does the work.
        """
        self.seconds = seconds
        self.memory_bytes = memory_bytes
        self.handler = handler
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self.restarts = 0

    def _start(self) -> Connection:
        context = (
            multiprocessing.get_context("fork")
            if _start_method() == "fork"
            else multiprocessing.get_context("spawn")
        )
        parent, child = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(child, self.memory_bytes, self.handler),
            daemon=True,
            name="evcat-extract",
        )
        process.start()
        child.close()
        self._process, self._conn = process, parent
        if not parent.poll(STARTUP_SECONDS) or parent.recv() != READY:
            raise OSError("the extraction process did not start")
        return parent

    def analyse(self, request: DocumentRequest) -> DocumentResult:
        """Analyse one file in the child; a timeout or crash becomes an error result."""
        try:
            conn = self._conn or self._start()
            sent = time.monotonic()
            conn.send(request)
            if not conn.poll(self.seconds):
                self._stop()
                return _stopped(f"extraction stopped after {self.seconds:g} s (time limit)")
            result: DocumentResult = conn.recv()
            if time.monotonic() - sent > self.seconds:  # answered, but after the limit
                return _stopped(f"extraction stopped after {self.seconds:g} s (time limit)")
        except (EOFError, OSError, BrokenPipeError):
            code = self._stop()
            return _stopped(f"extraction process died (exit code {code}; memory limit?)")
        return result

    def _stop(self) -> int | None:
        """Kill the child (if alive) and forget it; the next request starts a new one."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        self.restarts += 1
        if conn is not None:
            conn.close()
        if process is None:
            return None
        process.kill()
        process.join(5)
        return process.exitcode

    def close(self) -> None:
        """Stop the child when the scanning process is done with it."""
        if self._conn is not None:
            self._conn.close()
        if self._process is not None:
            self._process.join(2)
            if self._process.is_alive():
                self._process.kill()
        self._process = self._conn = None


def _start_method() -> str:
    """``fork`` from a single-threaded process (a content worker), else ``spawn``.

    A forked child shares the parent's imported modules page for page instead of importing
    its own copy (about 40 MiB less per worker); forking a process that runs other threads
    (the scanning process, with its catalog writer) could copy a held lock, so that one
    spawns a fresh interpreter.
    """
    return "fork" if threading.active_count() == 1 else "spawn"


def _stopped(message: str) -> DocumentResult:
    return DocumentResult(status="error", problems=(message,))


_sandboxes: dict[tuple[float, int], DocumentSandbox] = {}


def prepare_child_processes() -> None:
    """Start multiprocessing's resource tracker now, while ``sys.stderr`` is the real one.

    Child processes (the extraction sandbox, content workers) need the tracker, and it is
    started with the parent's stderr descriptor. A front-end that replaces ``sys.stderr``
    with an object that has no descriptor (Textual does) must call this before it runs.
    """
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()


def sandbox_for(seconds: float, memory_bytes: int) -> DocumentSandbox:
    """This process's sandbox for these limits (started on first use, closed at exit)."""
    key = (seconds, memory_bytes)
    if key not in _sandboxes:
        _sandboxes[key] = DocumentSandbox(seconds, memory_bytes)
    return _sandboxes[key]


@atexit.register
def _close_all() -> None:
    for sandbox in _sandboxes.values():
        sandbox.close()
