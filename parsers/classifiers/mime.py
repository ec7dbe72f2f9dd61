"""MIME type and description through libmagic, the reference evcat's types are equal to.

libmagic handles are not thread-safe, so each thread gets its own pair.
"""

from __future__ import annotations

import re
import threading

import blake3
import magic

from parsers.classifiers.magicdb import plain_text_description_implies_text_plain

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


PLAIN_TEXT_DESCRIPTION = re.compile(
    r"(?:ASCII|ISO-8859|Non-ISO extended-ASCII|(?:International )?EBCDIC"
    r"|Unicode text, UTF-8(?: \(with BOM\))?|Unicode text, UTF-(?:16|32), (?:little|big)-endian)"
    r" text"
    r"(?:, with very long lines \([0-9]+\))?"
    r"(?:, with (?:no|CRLF(?:, CR)?(?:, LF)?(?:, NEL)?|CR(?:, LF)?(?:, NEL)?|LF, NEL|NEL)"
    r" line terminators)?"
    r"(?:, with escape sequences)?"
    r"(?:, with overstriking)?"
)
"""A description libmagic's text fallback (``ascmagic``) writes alone, when no magic entry
printed anything: its MIME answer is then ``text/plain`` (see ``magicdb``)."""

CACHE_ENTRIES = 50_000
"""Distinct heads whose answer is remembered (about 10 MB); the cache is cleared when full."""


class MagicClassifier:
    """libmagic's MIME type and one-line description of the head buffer.

    libmagic is the costliest step of a scan (two calls per file, up to ~1.2 ms each on
    text). Its answer depends only on the bytes it is given, so answers are cached by the
    BLAKE3 digest of the head: duplicate files (common on real disks) cost one lookup.
    Plain text, the dearest kind, costs one call: its description settles its MIME type
    when the loaded database allows it (``magicdb``). The results stay exactly libmagic's.
    """

    name = "libmagic"
    version = 1
    description = "MIME type and description from libmagic on the head of the file"
    emits: tuple[str, ...] = ("file:mime", "file:magic_description")

    def __init__(self) -> None:
        """Start with an empty answer cache."""
        self._cache: dict[bytes, tuple[str, str]] = {}
        self.calls = 0
        self.mime_calls_saved = 0

    def identify(self, head: bytes, digest: bytes | None = None) -> tuple[str, str]:
        """MIME type and description of ``head`` (empty content is ``inode/x-empty``).

        ``digest``, if given, must be the BLAKE3 of ``head`` (saves computing it again).
        """
        if not head:
            return "inode/x-empty", "empty"
        key = digest or blake3.blake3(head).digest()
        answer = self._cache.get(key)
        if answer is None:
            answer = self._ask_libmagic(head)
            if len(self._cache) >= CACHE_ENTRIES:
                self._cache.clear()
            self._cache[key] = answer
        return answer

    def _ask_libmagic(self, head: bytes) -> tuple[str, str]:
        """Description first; the MIME call is skipped when the description settles it."""
        mime_handle, text_handle = _handles()
        description: str = text_handle.from_buffer(head)
        self.calls += 1
        if PLAIN_TEXT_DESCRIPTION.fullmatch(description) and (
            plain_text_description_implies_text_plain()
        ):
            self.mime_calls_saved += 1
            return "text/plain", description
        mime: str = mime_handle.from_buffer(head)
        return mime, description
