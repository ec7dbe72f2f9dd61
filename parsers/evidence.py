"""Open an evidence path with the first source parser that recognises it (raw last)."""

from __future__ import annotations

from pathlib import Path

from catalog.errors import EvidenceError, EvidenceNotFound
from parsers.source import EvidenceSource, SourceParser, read_head


def open_evidence(path: Path, parsers: list[SourceParser]) -> EvidenceSource:
    """Detect the image format of ``path`` and open it read-only.

    Raises:
        EvidenceNotFound: the path does not exist.
        EvidenceError: it is a directory, empty, unreadable, or its container is damaged.
    """
    if not path.exists():
        raise EvidenceNotFound(f"{path}: no such file")
    if not path.is_file():
        raise EvidenceError(f"{path}: not a file (give the image's first segment)")
    try:
        head = read_head(path)
    except OSError as exc:
        raise EvidenceError(f"{path}: cannot read ({exc.strerror})") from exc
    if not head:
        raise EvidenceError(f"{path}: empty file (0 bytes), not a disk image")
    for parser in parsers:
        if parser.detect(path, head):
            return parser.open(path)
    raise EvidenceError(f"{path}: no evidence format recognised")
