"""MIME type and description through libmagic, the reference evcat's types are equal to.

libmagic handles are not thread-safe, so each thread gets its own pair.
"""

from __future__ import annotations

import threading

import magic

_local = threading.local()


def _handles() -> tuple[magic.Magic, magic.Magic]:
    handles: tuple[magic.Magic, magic.Magic] | None = getattr(_local, "handles", None)
    if handles is None:
        handles = (magic.Magic(mime=True), magic.Magic())
        _local.handles = handles
    return handles


def libmagic_version() -> str:
    """The libmagic version, for provenance."""
    version = int(magic.version()) if hasattr(magic, "version") else 0  # type: ignore[no-untyped-call]
    return f"{version // 100}.{version % 100:02d}" if version else "unknown"


class MagicClassifier:
    """libmagic's MIME type and one-line description of the head buffer."""

    name = "libmagic"
    version = 1
    description = "MIME type and description from libmagic on the head of the file"
    emits: tuple[str, ...] = ("file:mime", "file:magic_description")

    def identify(self, head: bytes) -> tuple[str, str]:
        """MIME type and description of ``head`` (empty content is ``inode/x-empty``)."""
        if not head:
            return "inode/x-empty", "empty"
        mime_handle, text_handle = _handles()
        return mime_handle.from_buffer(head), text_handle.from_buffer(head)
