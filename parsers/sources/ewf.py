"""EWF (EnCase ``.E01``/``.Ex01``) images through libewf-python.

All segments are found from the first one. A missing segment is reported by name: libewf
only says the set is corrupt, so the expected count is derived from the naming sequence
and from the segment numbers stored in each file header.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from catalog.errors import ImageOpenError, SegmentMissing
from catalog.model import EvidenceInfo, SegmentInfo

EWF_SIGNATURES = (b"EVF\x09\x0d\x0a\xff\x00", b"EVF2\x0d\x0a\x81\x00", b"LVF\x09\x0d\x0a\xff\x00")


_SECTION_DESCRIPTOR_SIZE = 76
_MAX_SECTIONS = 1_000_000


def _segment_number(head: bytes) -> int | None:
    """Segment number from an EWF v1 file header (u16 little-endian at offset 9)."""
    if head.startswith(EWF_SIGNATURES[0]) and len(head) >= 11:
        return int.from_bytes(head[9:11], "little")
    return None


def last_section_type(path: Path) -> str | None:
    """Type of the final section of an EWF v1 segment: ``done`` (last) or ``next`` (more follow).

    Walks the section chain from offset 13 with bounds: offsets must grow and stay inside
    the file. Returns None when the chain cannot be followed (not EWF v1, or damaged).
    """
    size = path.stat().st_size
    offset = 13
    with path.open("rb") as handle:
        for _ in range(_MAX_SECTIONS):
            handle.seek(offset)
            descriptor = handle.read(_SECTION_DESCRIPTOR_SIZE)
            if len(descriptor) < _SECTION_DESCRIPTOR_SIZE:
                return None
            kind = descriptor[:16].rstrip(b"\x00").decode("ascii", "replace")
            if kind in ("done", "next"):
                return kind
            following = int.from_bytes(descriptor[16:24], "little")
            if following <= offset or following >= size:
                return None
            offset = following
    return None


def find_missing_segment(segments: list[Path]) -> str | None:
    """Name the first missing segment of an EWF v1 set, or None if the set looks whole."""
    numbered: dict[int, Path] = {}
    for path in segments:
        with path.open("rb") as handle:
            number = _segment_number(handle.read(16))
        if number is not None:
            numbered[number] = path
    if not numbered:
        return None
    first = numbered.get(1, segments[0])
    for number in range(1, max(numbered) + 1):
        if number not in numbered:
            return segment_name(first, number)
    if last_section_type(numbered[max(numbered)]) == "next":
        return segment_name(first, max(numbered) + 1)
    return None


def segment_name(first: Path, number: int) -> str:
    """Conventional name of segment ``number`` of the set starting at ``first`` (E01.., EAA..)."""
    letter = first.suffix[1:2] or "E"
    if number < 100:
        return first.with_suffix(f".{letter}{number:02d}").name
    index = number - 100  # EAA..EZZ, then FAA..FZZ, ... (the first letter carries)
    alphabet_start = ord("A" if letter.isupper() else "a")
    lead = chr(ord(letter) + index // 676)
    middle = chr(alphabet_start + (index // 26) % 26)
    last = chr(alphabet_start + index % 26)
    return first.with_suffix(f".{lead}{middle}{last}").name


class EwfSource:
    """An EWF set opened with pyewf; reads are serialised by a lock."""

    def __init__(self, first: Path) -> None:
        """Open every segment of the set.

        Raises:
            SegmentMissing: a segment of the set is absent.
            ImageOpenError: libewf cannot open the set.
        """
        import pyewf

        self._lock = threading.Lock()
        try:
            names = pyewf.glob(str(first))
        except OSError as exc:
            raise ImageOpenError(f"{first}: cannot list EWF segments ({exc})") from exc
        self._handle: Any = pyewf.handle()
        try:
            self._handle.open(names)
        except OSError as exc:
            self._raise_if_incomplete(first, [Path(name) for name in names])
            raise ImageOpenError(f"{first}: libewf cannot open the image ({exc})") from exc
        try:
            self._raise_if_incomplete(first, [Path(name) for name in names])
        except SegmentMissing:
            self._handle.close()
            raise
        segments = tuple(SegmentInfo(name, Path(name).stat().st_size) for name in names)
        self._info = EvidenceInfo(
            format="ewf",
            media_size=self._handle.get_media_size(),
            segments=segments,
            sector_size=self._handle.get_bytes_per_sector() or 512,
            stored_hashes=self._stored_hashes(),
        )

    @staticmethod
    def _raise_if_incomplete(first: Path, names: list[Path]) -> None:
        missing = find_missing_segment(names)
        if missing:
            raise SegmentMissing(
                f"{first}: EWF segment {missing} missing ({len(names)} segment(s) found);"
                " put every segment of the set in the same folder"
            )

    def _stored_hashes(self) -> tuple[tuple[str, str], ...]:
        found: list[tuple[str, str]] = []
        for key in ("MD5", "SHA1", "SHA256"):
            try:
                value = self._handle.get_hash_value(key)
            except (OSError, KeyError):
                value = None
            if value:
                found.append((key.lower(), str(value).lower()))
        return tuple(found)

    @property
    def info(self) -> EvidenceInfo:
        """Format, media size, segments and the hashes stored at acquisition."""
        return self._info

    def read(self, offset: int, size: int) -> bytes:
        """Read logical media bytes."""
        size = max(0, min(size, self._info.media_size - offset))
        if size == 0:
            return b""
        with self._lock:
            data: bytes = self._handle.read_buffer_at_offset(size, offset)
        return data

    def close(self) -> None:
        """Close the set."""
        with self._lock:
            self._handle.close()


class EwfParser:
    """EnCase / EWF images (any number of segments)."""

    name = "ewf"
    version = 1
    description = "EWF/EnCase images (.E01, .Ex01, .L01) through libewf-python"
    emits: tuple[str, ...] = ("evidence:ewf",)

    def detect(self, path: Path, head: bytes) -> bool:
        """An EWF signature at offset 0."""
        return head.startswith(EWF_SIGNATURES)

    def open(self, path: Path) -> EwfSource:
        """Open the set that ``path`` starts."""
        return EwfSource(path)
