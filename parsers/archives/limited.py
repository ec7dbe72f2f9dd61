"""Bounded member streams: where a zip or gzip bomb stops.

Every reader hands out member content through ``limited()``. The wrapper counts expanded
bytes as they are read and raises ``ArchiveError`` the moment a member passes
``max_member_bytes``, its expansion ratio passes ``max_ratio``, or the whole archive passes
``max_total_bytes``; it never asks the decompressor for more than one byte past the limit,
so a bomb costs at most one read buffer. Decompressor and CRC errors become
``ArchiveError`` here too, so a consumer catches one exception type.
"""

from __future__ import annotations

import io
import lzma
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Protocol

from parsers.archive import ArchiveError, ArchiveLimits

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

_RATIO_FLOOR = 4096
"""Compressed bytes assumed at least, so tiny members may expand ``max_ratio`` times 4 KiB."""
_DECODE_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    tarfile.TarError,
    zlib.error,
    lzma.LZMAError,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
)


class Readable(Protocol):
    """What ``limited`` needs of a decompressing stream: bounded reads."""

    def read(self, size: int, /) -> bytes:
        """Up to ``size`` bytes; ``b""`` at the end."""
        ...


class ExpansionBudget:
    """Bytes expanded from one archive so far, against ``max_total_bytes``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def spend(self, count: int, label: str) -> None:
        """Count ``count`` more expanded bytes.

        Raises:
            ArchiveError: the archive has now expanded past its total limit.
        """
        self.used += count
        if self.used > self.limit:
            raise ArchiveError(
                f"{label}: archive expansion limit reached (more than {self.limit} bytes "
                "expanded from this archive)"
            )


def describe_error(label: str, exc: Exception) -> str:
    """One line for a decompression failure in member ``label``."""
    return f"{label}: corrupt data ({type(exc).__name__}: {exc})"


class LimitedStream(io.RawIOBase):
    """A member's expanded bytes, cut at the member, ratio and archive limits."""

    def __init__(
        self,
        inner: Readable,
        *,
        label: str,
        limits: ArchiveLimits,
        compressed_size: int | None,
        budget: ExpansionBudget,
        describe: Callable[[str, Exception], str] = describe_error,
    ) -> None:
        super().__init__()
        self._inner = inner
        self._label = label
        self._budget = budget
        self._describe = describe
        self._count = 0
        self._member_cap = limits.max_member_bytes
        self._ratio_cap: int | None = None
        self._cap = self._member_cap
        if compressed_size is not None:
            self._ratio_cap = max(compressed_size, _RATIO_FLOOR) * limits.max_ratio
            self._cap = min(self._cap, self._ratio_cap)

    def readable(self) -> bool:
        """Always: this is a read-only stream."""
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        """Read up to ``len(buffer)`` expanded bytes into ``buffer``.

        Raises:
            ArchiveError: a limit was passed or the member's data is corrupt.
        """
        view = memoryview(buffer).cast("B")
        data = self._pull(len(view))
        view[: len(data)] = data
        return len(data)

    def _pull(self, size: int) -> bytes:
        if size <= 0:
            return b""
        want = min(size, self._cap - self._count + 1)
        try:
            data = self._inner.read(want)
        except ArchiveError:
            raise
        except _DECODE_ERRORS as exc:
            raise ArchiveError(self._describe(self._label, exc)) from exc
        self._count += len(data)
        if self._count > self._cap:
            raise ArchiveError(self._limit_message())
        self._budget.spend(len(data), self._label)
        return data

    def _limit_message(self) -> str:
        if self._ratio_cap is not None and self._ratio_cap < self._member_cap:
            return (
                f"{self._label}: expansion ratio limit reached (more than {self._cap} "
                "bytes expanded, a possible archive bomb)"
            )
        return f"{self._label}: member size limit reached (more than {self._cap} bytes)"


def limited(
    inner: Readable,
    *,
    label: str,
    limits: ArchiveLimits,
    compressed_size: int | None,
    budget: ExpansionBudget,
    describe: Callable[[str, Exception], str] = describe_error,
) -> IO[bytes]:
    """Wrap a member's decompressing stream in the limits (see ``LimitedStream``).

    Args:
        inner: the decompressing stream (ZipExtFile, GzipFile, tar file object).
        label: the member's path, for error messages.
        limits: the archive limits in force.
        compressed_size: stored bytes the member claims, for the ratio limit
            (``None``: no ratio limit, as for uncompressed tar members).
        budget: the archive-wide expansion counter shared by all members.
        describe: turns a decompressor exception into the one-line error message.

    Returns:
        A buffered binary stream whose ``read`` raises ``ArchiveError`` at a limit.
    """
    raw = LimitedStream(
        inner,
        label=label,
        limits=limits,
        compressed_size=compressed_size,
        budget=budget,
        describe=describe,
    )
    return io.BufferedReader(raw)
