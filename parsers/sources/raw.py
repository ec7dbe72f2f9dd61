"""Raw (dd) images and split raw sets (``.000/.001``, ``.001/.002``, ``.aa/.ab``).

A split set is opened from its first segment; the rest are found by name. The files are
opened read-only with ``os.pread``, so concurrent reads need no lock and never move a
shared file offset.
"""

from __future__ import annotations

import os
import re
import string
from pathlib import Path

from catalog.errors import EvidenceError, SegmentMissing
from catalog.model import EvidenceInfo, SegmentInfo

_NUMERIC_SUFFIX = re.compile(r"^(?P<stem>.+)\.(?P<num>\d{2,4})$")
_ALPHA_SUFFIX = re.compile(r"^(?P<stem>.+)\.(?P<alpha>[a-z]{2})$")


class RawSource:
    """One or more files concatenated into one logical media, read with ``os.pread``."""

    def __init__(self, paths: list[Path], fmt: str = "raw") -> None:
        """Open every segment read-only.

        Raises:
            EvidenceError: a segment cannot be opened or the set is empty.
        """
        self._fds: list[int] = []
        self._starts: list[int] = []
        segments: list[SegmentInfo] = []
        total = 0
        try:
            for path in paths:
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
                self._fds.append(fd)
                size = os.fstat(fd).st_size
                self._starts.append(total)
                segments.append(SegmentInfo(str(path), size))
                total += size
        except OSError as exc:
            self.close()
            raise EvidenceError(f"{exc.filename}: cannot open ({exc.strerror})") from exc
        self._sizes = [seg.size for seg in segments]
        self._info = EvidenceInfo(format=fmt, media_size=total, segments=tuple(segments))

    @property
    def info(self) -> EvidenceInfo:
        """Format, size and segments."""
        return self._info

    def read(self, offset: int, size: int) -> bytes:
        """Read across segment boundaries; short only at the end of the media.

        Raises:
            ValueError: a negative offset or size.
        """
        if offset < 0 or size < 0:
            raise ValueError(f"negative read: offset {offset}, size {size}")
        end = min(offset + size, self._info.media_size)
        parts: list[bytes] = []
        position = offset
        while position < end:
            index = self._segment_index(position)
            within = position - self._starts[index]
            want = min(end - position, self._sizes[index] - within)
            chunk = os.pread(self._fds[index], want, within)
            if not chunk:
                break
            parts.append(chunk)
            position += len(chunk)
        return b"".join(parts)

    def _segment_index(self, position: int) -> int:
        low, high = 0, len(self._starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self._starts[middle] <= position:
                low = middle
            else:
                high = middle - 1
        return low

    def close(self) -> None:
        """Close every segment."""
        for fd in self._fds:
            os.close(fd)
        self._fds = []


def split_segments(first: Path) -> list[Path] | None:
    """Return the segments of a split set given its first segment, or None if not split.

    Numeric sets start at ``.000`` or ``.001``; alphabetic sets at ``.aa``. A set of one
    file is not split. A gap in the numbering ends the set (later files are not ours).
    """
    numeric = _NUMERIC_SUFFIX.match(first.name)
    if numeric and int(numeric["num"]) in (0, 1):
        width = len(numeric["num"])
        start = int(numeric["num"])
        names = (f"{numeric['stem']}.{n:0{width}d}" for n in range(start, 10**width))
    else:
        alpha = _ALPHA_SUFFIX.match(first.name)
        if not alpha or alpha["alpha"] != "aa":
            return None
        letters = string.ascii_lowercase
        names = (f"{alpha['stem']}.{a}{b}" for a in letters for b in letters)
    found: list[Path] = []
    for name in names:
        candidate = first.with_name(name)
        if not candidate.is_file():
            break
        found.append(candidate)
    return found if len(found) > 1 else None


def check_split_sizes(paths: list[Path]) -> None:
    """Every segment but the last must have the size of the first.

    Raises:
        SegmentMissing: a middle segment is short, so one is probably missing or truncated.
    """
    sizes = [path.stat().st_size for path in paths]
    for path, size in zip(paths[:-1], sizes[:-1], strict=True):
        if size != sizes[0]:
            raise SegmentMissing(
                f"{path}: split segment is {size} bytes, expected {sizes[0]} like the first;"
                " the set may be truncated"
            )


class RawParser:
    """Plain raw/dd images: the fallback when nothing else matches."""

    name = "raw"
    version = 1
    description = "Raw (dd) images: the media is the file's bytes"
    emits: tuple[str, ...] = ("evidence:raw",)

    def detect(self, path: Path, head: bytes) -> bool:
        """Any non-empty file can be raw; this parser is registered as the fallback."""
        return len(head) > 0

    def open(self, path: Path) -> RawSource:
        """Open ``path`` as one raw segment."""
        return RawSource([path])


class SplitRawParser:
    """Split raw sets, opened from the first segment."""

    name = "split_raw"
    version = 1
    description = "Split raw images (.000/.001..., .001/.002..., .aa/.ab...)"
    emits: tuple[str, ...] = ("evidence:split_raw",)

    def detect(self, path: Path, head: bytes) -> bool:
        """A first segment whose siblings continue the numbering."""
        return split_segments(path) is not None

    def open(self, path: Path) -> RawSource:
        """Open every segment of the set.

        Raises:
            SegmentMissing: a middle segment has the wrong size.
        """
        segments = split_segments(path)
        if segments is None:
            raise EvidenceError(f"{path}: not the first segment of a split raw set")
        check_split_sizes(segments)
        return RawSource(segments, fmt="split_raw")
