"""Member names and times, as the archive readers all report them.

Archive formats store names as bytes in whatever code page the archiving machine used,
with Windows or Unix separators, sometimes with drive letters or a leading ``/``. The
catalog wants one ``/``-separated path without a leading ``/`` and the bytes as stored, so
the decoding and the normalisation live here, once, for every reader.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_DRIVE = re.compile(r"^[A-Za-z]:")
_JAPANESE_RANGES = (
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xFF00, 0xFFEF),  # half- and full-width forms (half-width katakana included)
)
_JAPANESE_LETTERS = ((0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xFF66, 0xFF9F))


def _within(char: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in ranges)


def _plausible_cp932(text: str) -> bool:
    """Whether text decoded from CP932 reads as Japanese: kana or kanji, no foreign symbols.

    CP932 decodes many byte strings written in Western code pages too (cp437 "Müller" is
    valid CP932, a bracket in place of the u-umlaut); demanding Japanese letters and
    nothing non-ASCII outside Japanese script keeps most of those out.
    """
    foreign = any(not char.isascii() and not _within(char, _JAPANESE_RANGES) for char in text)
    return not foreign and any(_within(char, _JAPANESE_LETTERS) for char in text)


def decode_name(raw: bytes, legacy: str) -> str:
    """Decode an archive member name stored without an encoding flag.

    Tries strict UTF-8 first (many tools write it without saying so), then CP932
    (Japanese Windows) when the result reads as Japanese, then ``legacy`` (``cp437`` for
    ZIP, ``latin-1`` for tar), which decodes any byte string.

    Args:
        raw: the name's bytes as stored.
        legacy: a single-byte codec that maps all 256 byte values.

    Returns:
        The decoded name, not yet normalised.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp932")
    except UnicodeDecodeError:
        pass
    else:
        if _plausible_cp932(text):
            return text
    return raw.decode(legacy)


def normalise_path(name: str) -> str:
    """Make a member name a ``/``-separated relative path.

    Backslashes become ``/``; a drive letter, leading ``/`` and a trailing ``/`` go; the
    name is cut at the first NUL (as zipfile and tarfile do). ``..`` segments stay visible
    as written: nothing is ever written to disk, so they cannot escape anywhere.

    Args:
        name: the decoded member name.

    Returns:
        The normalised path (``""`` when nothing is left).
    """
    path = name.split("\x00", 1)[0].replace("\\", "/")
    path = _DRIVE.sub("", path)
    return path.strip("/")


def utc_iso(seconds: float) -> str | None:
    """Format Unix seconds as UTC ISO-8601 with ``Z``, or ``None`` when out of range."""
    try:
        moment = datetime.fromtimestamp(int(seconds), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.isoformat().replace("+00:00", "Z")
