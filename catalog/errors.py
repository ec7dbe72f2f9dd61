"""Project exceptions: one hierarchy so the CLI can map each failure to one exit code.

Expected failures (missing evidence, unreadable image, bad usage) are ``EvcatError``
subclasses with a one-line, user-actionable message. Anything else is a bug.
"""

from __future__ import annotations


class EvcatError(Exception):
    """Base class of every error evcat expects and reports without a traceback."""


class UsageError(EvcatError, ValueError):
    """The command line or an argument was wrong."""


class EvidenceError(EvcatError):
    """An evidence item could not be opened or read as a disk image."""


class EvidenceNotFound(EvidenceError, FileNotFoundError):
    """The evidence path does not exist."""


class SegmentMissing(EvidenceError):
    """A multi-segment image (split raw, EWF) is missing one of its segments."""


class NotADiskImage(EvidenceError):
    """The file holds no volume system or file system that evcat can read."""


class ImageOpenError(EvidenceError):
    """A back-end library refused to open the image."""


class CatalogError(EvcatError):
    """The case catalog cannot be opened or written."""


class CatalogTooNew(CatalogError):
    """The catalog was written by a newer evcat whose schema this one does not know."""


class ScanCancelled(Exception):
    """The examiner cancelled a running scan; the pipeline records it and stops cleanly."""


class NotMyFormat(Exception):
    """Raised by a parser's detection step: the input is not in this parser's format.

    Never logged as an error: the registry simply tries the next parser.
    """
