"""A bounded copy of one file's bytes, taken while the single read pass hashes them.

Extractors need random access (ZIP central directories, PDF cross-reference tables), so
the content pass copies a file that may hold text into a spool as it streams it: in memory
while small, then in a private temporary file in the host's temp directory, never beside
the evidence. The copy stops at a cap; ``is_complete`` says whether the whole file fitted.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import IO

IN_MEMORY_BYTES = 1 << 20
"""Spools up to this size stay in memory."""


class Spool:
    """Up to ``cap`` bytes of one file, in memory or in a temporary file."""

    def __init__(self, cap: int, expected_size: int) -> None:
        """Prepare to copy up to ``cap`` of a file of ``expected_size`` bytes."""
        self.cap = cap
        self.expected_size = expected_size
        self.size = 0
        self.is_complete = True
        self._memory = bytearray()
        self._file: IO[bytes] | None = None
        self.path: str | None = None

    def write(self, chunk: bytes | memoryview) -> None:
        """Copy the next chunk (the part beyond the cap is dropped and noted)."""
        room = self.cap - self.size
        if room <= 0:
            self.is_complete = self.is_complete and not chunk
            return
        if len(chunk) > room:
            chunk, self.is_complete = chunk[:room], False
        if self._file is None and self.size + len(chunk) > IN_MEMORY_BYTES:
            self._to_disk()
        if self._file is not None:
            self._file.write(chunk)
        else:
            self._memory += chunk
        self.size += len(chunk)

    def _to_disk(self) -> None:
        handle = tempfile.NamedTemporaryFile(prefix="evcat-spool-", delete=False)  # noqa: SIM115
        handle.write(self._memory)
        self._memory = bytearray()
        self._file, self.path = handle, handle.name

    def seal(self) -> bytes | str:
        """Stop writing: the bytes themselves when small, else the temporary file's path."""
        if self._file is None:
            return bytes(self._memory)
        self._file.close()
        assert self.path is not None
        return self.path

    def discard(self) -> None:
        """Remove the temporary file, if any (safe to call twice)."""
        if self._file is not None:
            self._file.close()
        if self.path is not None:
            discard_path(self.path)
            self.path = None


def discard_path(path: str) -> None:
    """Remove a spool file, ignoring one that is already gone."""
    Path(path).unlink(missing_ok=True)


def open_spooled(data: bytes | str) -> IO[bytes]:
    """A seekable read-only stream over what ``Spool.seal`` returned."""
    if isinstance(data, bytes):
        return io.BytesIO(data)
    return open(data, "rb")  # noqa: PTH123


SPOOL = "spool"
"""The analysis plan that says: copy the file into a spool and analyse it."""
