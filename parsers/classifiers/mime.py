"""MIME type and description through libmagic, the reference evcat's types are equal to.

libmagic handles are not thread-safe, so each thread gets its own pair.
"""

from __future__ import annotations

import threading

import blake3
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


CACHE_ENTRIES = 50_000
"""Distinct heads whose answer is remembered (about 10 MB); the cache is cleared when full."""


class MagicClassifier:
    """libmagic's MIME type and one-line description of the head buffer.

    libmagic is the costliest step of a scan (two calls per file, up to ~1 ms each on text).
    Its answer depends only on the bytes it is given, so answers are cached by the BLAKE3
    digest of the head: duplicate files (common on real disks) cost one lookup, and the
    results stay exactly libmagic's.
    """

    name = "libmagic"
    version = 1
    description = "MIME type and description from libmagic on the head of the file"
    emits: tuple[str, ...] = ("file:mime", "file:magic_description")

    def __init__(self) -> None:
        """Start with an empty answer cache."""
        self._cache: dict[bytes, tuple[str, str]] = {}
        self.calls = 0

    def identify(self, head: bytes, digest: bytes | None = None) -> tuple[str, str]:
        """MIME type and description of ``head`` (empty content is ``inode/x-empty``).

        ``digest``, if given, must be the BLAKE3 of ``head`` (saves computing it again).
        """
        if not head:
            return "inode/x-empty", "empty"
        key = digest or blake3.blake3(head).digest()
        answer = self._cache.get(key)
        if answer is None:
            mime_handle, text_handle = _handles()
            answer = (mime_handle.from_buffer(head), text_handle.from_buffer(head))
            self.calls += 1
            if len(self._cache) >= CACHE_ENTRIES:
                self._cache.clear()
            self._cache[key] = answer
        return answer
