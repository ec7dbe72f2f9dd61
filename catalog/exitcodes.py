"""Process exit codes of the ``evcat`` command, and the one function that maps errors to them."""

from __future__ import annotations

from enum import IntEnum

from catalog.errors import CatalogError, EvidenceError, UsageError


class ExitCode(IntEnum):
    """Exit status of an ``evcat`` command."""

    OK = 0
    """Everything requested was done and no problem was recorded."""

    PARTIAL = 1
    """The run finished, but problem rows were recorded (unreadable files, partitions...)."""

    USAGE = 2
    """The command line was wrong (click's own convention)."""

    EVIDENCE = 3
    """An evidence item could not be opened or holds nothing evcat can read."""

    CATALOG = 4
    """The case catalog could not be opened or written."""

    VERIFY_FAILED = 5
    """Verification found a mismatch (custody chain or evidence hash)."""

    INTERNAL = 70
    """An unexpected error: a bug in evcat (run with --debug for the traceback)."""

    INTERRUPTED = 130
    """The run was interrupted with Ctrl-C; the catalog marks it ``interrupted``."""


def exit_code_for(exc: BaseException) -> ExitCode:
    """Map an exception to the exit code the CLI returns for it."""
    if isinstance(exc, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    if isinstance(exc, UsageError):
        return ExitCode.USAGE
    if isinstance(exc, EvidenceError):
        return ExitCode.EVIDENCE
    if isinstance(exc, CatalogError):
        return ExitCode.CATALOG
    return ExitCode.INTERNAL
