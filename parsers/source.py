"""Evidence sources: every image format behind one read-only, random-access reader.

A source parser recognises an image format from its first segment (``detect``) and opens it
as an :class:`EvidenceSource`, a thread-safe ``read(offset, size)`` view of the logical media.
The volume and file system layers only ever see that view (wrapped for pytsk3 by
``parsers.tskimage``), so raw, split, EWF, VMDK, VHD(X), QCOW2 and AFF are all alike to them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from catalog.model import EvidenceInfo


@runtime_checkable
class EvidenceSource(Protocol):
    """An opened evidence image: logical media bytes, read-only."""

    @property
    def info(self) -> EvidenceInfo:
        """Format, media size, segments and any hashes stored in the container."""
        ...

    def read(self, offset: int, size: int) -> bytes:
        """Read up to ``size`` bytes at ``offset``; short only at the end of the media.

        Must be safe to call from several threads.
        """
        ...

    def close(self) -> None:
        """Release file handles."""
        ...


class SourceParser(Protocol):
    """A registered evidence format."""

    name: str
    version: int
    description: str
    emits: tuple[str, ...]

    def detect(self, path: Path, head: bytes) -> bool:
        """Whether ``path`` (whose first bytes are ``head``) is in this format. Cheap."""
        ...

    def open(self, path: Path) -> EvidenceSource:
        """Open the image read-only.

        Raises:
            catalog.errors.EvidenceError: the image is damaged or incomplete.
        """
        ...


HEAD_SIZE = 4096
"""How many leading bytes of the first segment detection looks at."""


def read_head(path: Path, size: int = HEAD_SIZE) -> bytes:
    """Read the first bytes of a file, for format detection."""
    with path.open("rb") as handle:
        return handle.read(size)
