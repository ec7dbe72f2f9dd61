"""Archives: the records and the plug point for formats that hold other files.

An archive reader lists the members of one container (ZIP, gzip, tar) from a seekable,
read-only stream, and hands each member's bytes out as a bounded stream. Readers enforce
the per-member and expansion limits themselves, so a zip bomb stops at its limit with an
error on that member; the pipeline recurses into members that are archives, up to
``ArchiveLimits.max_depth``, and catalogues each as a child of its archive.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Protocol


class ArchiveError(ValueError):
    """The archive as a whole is unreadable (bad central directory, not really a tar)."""


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Bounds on opening archives, per top-level archive."""

    max_depth: int = 3
    """Archives inside archives opened, counting the outermost as 1."""
    max_members: int = 10_000
    """Members listed per archive; the rest are counted in one problem."""
    max_member_bytes: int = 256 << 20
    """Bytes expanded per member; a larger member is cut and reported."""
    max_total_bytes: int = 1 << 30
    """Bytes expanded from one top-level archive, all members and depths together."""
    max_ratio: int = 200
    """Largest expansion ratio (expanded / compressed) accepted for a member."""


@dataclass(frozen=True, slots=True)
class MemberInfo:
    """One member of an archive, as its directory lists it."""

    path: str
    """Member path inside the archive, ``/``-separated, without a leading ``/``."""
    name_raw: bytes
    """The name's bytes as stored (a ZIP name without the UTF-8 flag, say)."""
    size: int | None
    """Expanded size the archive claims (``None`` when it does not say: gzip streams)."""
    compressed_size: int | None
    modified: str | None
    """UTC ISO-8601, or the raw local time with ``zone_note`` saying so."""
    zone_note: str | None = None
    is_dir: bool = False
    is_encrypted: bool = False


class ArchiveReader(Protocol):
    """Lists one archive format's members and opens them."""

    name: str
    version: int
    description: str
    emits: tuple[str, ...]

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """Whether this reader opens a file with this name, MIME and first bytes."""
        ...

    def members(
        self, stream: IO[bytes], limits: ArchiveLimits
    ) -> Iterator[tuple[MemberInfo, IO[bytes] | None, str | None]]:
        """Yield ``(info, content, error)`` for each member, in archive order.

        ``content`` is a readable stream of the member's expanded bytes (valid until the
        next member is requested), ``None`` for directories and for members that could not
        be expanded, in which case ``error`` says why in one line. Expansion stops at
        ``limits.max_member_bytes`` and at ``limits.max_ratio``: reading past either raises
        ``ArchiveError`` from the content stream's ``read``.

        Raises:
            ArchiveError: the archive cannot be listed at all.
        """
        ...
