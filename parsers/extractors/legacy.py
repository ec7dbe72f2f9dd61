"""Legacy Office files (.doc, .xls, .ppt, .msg): best-effort strings from OLE2 streams.

Old binary Office formats are still common on call-centre machines. Parsing them fully
is a project of its own; their text is stored as runs of 8-bit (Windows-1252) or
UTF-16LE characters, so runs of printable ASCII and of UTF-16LE text (Japanese
included) are collected from the document's streams, main streams first. Offsets index
the extracted text only.
"""

from __future__ import annotations

import bisect
import io
import re
from typing import IO

import olefile

from parsers.extractor import Extraction, TextLimits
from parsers.extractors._common import TextBuffer, base_mime, extension, require_size

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LEGACY_EXTENSIONS = frozenset(
    {".doc", ".dot", ".xls", ".xlt", ".ppt", ".pps", ".pot", ".msg", ".pub", ".vsd"}
)
LEGACY_MIMES = frozenset(
    {"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"}
    | {"application/vnd.ms-outlook"}
)
MAIN_STREAMS = ("WordDocument", "Workbook", "Book", "PowerPoint Document")
MAX_STREAMS = 512
MIN_RUN = 4
_ASCII_RUN = re.compile(rb"[\x20-\x7e\t]{%d,}" % MIN_RUN)
_WIDE_RUN = re.compile(
    "[\t\x20-\x7e\u00a0-\u00ff\u3000-\u30ff\u4e00-\u9fff\uff01-\uff9f]{" + f"{MIN_RUN},}}"
)
_JIS_LEVEL1_LAST_ROW = 47
_GOOD_SHARE = 0.75


def _good_char(ch: str) -> bool:
    code = ord(ch)
    if code <= 0xFF or 0x3000 <= code <= 0x30FF or 0xFF01 <= code <= 0xFF9F:
        return True
    if 0x4E00 <= code <= 0x9FFF:
        try:
            return ch.encode("euc_jp")[0] - 0xA0 <= _JIS_LEVEL1_LAST_ROW
        except UnicodeEncodeError:
            return False
    return False


def _wide_runs(data: bytes) -> list[tuple[int, int, str]]:
    """UTF-16LE runs at either byte alignment, longest first kept where they overlap."""
    found = []
    for alignment in (0, 1):
        wide = data[alignment : alignment + (len(data) - alignment) // 2 * 2]
        for match in _WIDE_RUN.finditer(wide.decode("utf-16-le", "replace")):
            text = match.group()
            if sum(map(_good_char, text)) >= _GOOD_SHARE * len(text) and text.strip():
                found.append((alignment + 2 * match.start(), alignment + 2 * match.end(), text))
    kept: list[tuple[int, int, str]] = []
    for run in sorted(found):
        if kept and run[0] < kept[-1][1]:
            if run[1] - run[0] > kept[-1][1] - kept[-1][0]:
                kept[-1] = run
            continue
        kept.append(run)
    return kept


def strings(data: bytes) -> list[str]:
    """Printable ASCII and UTF-16LE runs of ``data`` (at least 4 characters), in order.

    ASCII runs inside a UTF-16LE run (kana read as byte pairs) are left out.
    """
    wide = _wide_runs(data)
    starts = [start for start, _, _ in wide]
    found = [(start, text) for start, _, text in wide]
    for match in _ASCII_RUN.finditer(data):
        index = bisect.bisect_right(starts, match.end() - 1) - 1
        if index >= 0 and wide[index][1] > match.start():
            continue
        found.append((match.start(), match.group().decode("ascii")))
    found.sort(key=lambda item: item[0])
    return [" ".join(text.split()) for _, text in found if text.strip()]


def _streams(data: bytes) -> tuple[list[bytes], list[str]]:
    """The document's streams, main ones first (the raw bytes when OLE is unreadable)."""
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises OSError, ValueError, struct.error...
        return [data], [f"OLE directory unreadable ({type(exc).__name__}); raw bytes read"]
    found: list[bytes] = []
    warnings: list[str] = []
    try:
        paths = ["/".join(parts) for parts in ole.listdir(streams=True, storages=False)]
        for path in sorted(paths[:MAX_STREAMS], key=lambda p: (p not in MAIN_STREAMS, p)):
            try:
                found.append(ole.openstream(path).read())
            except Exception as exc:  # one damaged stream; the others are still read
                warnings.append(f"stream {path!r} unreadable ({type(exc).__name__})")
    except Exception as exc:  # a damaged directory tree
        return [data], [f"OLE streams unreadable ({type(exc).__name__}); raw bytes read"]
    finally:
        ole.close()
    return found, warnings[:20]


class LegacyOfficeExtractor:
    """Old binary Office documents: readable strings of their OLE2 streams."""

    name = "legacy"
    version = 1
    description = "legacy Office (.doc/.xls/.ppt/.msg): ASCII and UTF-16LE strings of OLE streams"
    emits: tuple[str, ...] = ("text",)

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """OLE2 files named or typed as Office documents."""
        return head.startswith(OLE_MAGIC) and (
            extension(name) in LEGACY_EXTENSIONS or base_mime(mime) in LEGACY_MIMES
        )

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Collect strings from each stream (main document streams first).

        Raises:
            ExtractionError: the file is over the size limit.
        """
        require_size(self.name, size, limits)
        streams, warnings = _streams(stream.read(size))
        out = TextBuffer(limits.max_text_chars)
        for data in streams:
            for text in strings(data):
                if out.is_full:
                    break
                out.line(text)
        return Extraction(
            kind=self.name,
            text=out.text().strip("\n"),
            truncated=out.truncated,
            warnings=tuple(warnings),
        )
