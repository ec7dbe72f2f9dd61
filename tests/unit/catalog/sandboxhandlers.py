"""Misbehaving document handlers for the sandbox tests (imported by the child process)."""

from __future__ import annotations

import faulthandler
import os
import signal
import time

from catalog.documents import DocumentRequest, DocumentResult


def echo(request: DocumentRequest) -> DocumentResult:
    return DocumentResult(status="extracted", kind="echo", text=request.name)


def hang(request: DocumentRequest) -> DocumentResult:
    if request.name == "hang":
        time.sleep(3600)
    return echo(request)


def crash(request: DocumentRequest) -> DocumentResult:
    if request.name == "crash":
        faulthandler.disable()  # a forked child inherits pytest's handler: no dump on stderr
        os.kill(os.getpid(), signal.SIGSEGV)
    return echo(request)


def hog(request: DocumentRequest) -> DocumentResult:
    if request.name == "hog":
        chunks = []
        while True:
            chunks.append(bytearray(64 << 20))
    return echo(request)
