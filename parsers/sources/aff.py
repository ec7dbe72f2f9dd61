r"""AFF (AFFLIB v1/v2 single-file ``.aff``) images, read in pure Python.

pytsk3 and libewf cannot open AFF, and no maintained PyPI binding of AFFLIB exists, so this
module reads the format itself. An AFF file is the 8-byte magic ``AFF10\r\n\0`` followed
by named segments, all integers unsigned 32-bit big-endian::

    "AFF\0" name_len data_len flag | name | data | "ATT\0" segment_len

The media is cut into pages of ``pagesize`` bytes (the ``flag`` of the ``pagesize``
segment, formerly ``segsize``), stored in segments ``page<N>`` (formerly ``seg<N>``) whose
flag says how the page is compressed: not at all, zlib, LZMA ("alone" format: 5 property
bytes, 8-byte little-endian size, raw stream) or "all zeros" (the data is the length as a
u32 BE). ``imagesize`` holds the logical media size as two u32 BE words, low word first.

Reading follows AFFLIB's ``af_read``: the media ends at ``imagesize`` and an absent page
reads as zeros. Bytes past the end of a short page, where ``af_read`` stops, read as zeros
too (The Sleuth Kit zero-fills such reads). Bad sectors are not special: the imager
already wrote AFFLIB's ``badflag`` pattern into the page data, and it is returned as
stored. Encrypted pages (``page<N>/aes256``) are refused at open time with a clear
message; signature segments are ignored.
"""

from __future__ import annotations

import lzma
import re
import struct
import threading
import zlib
from collections import OrderedDict
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NoReturn

from catalog.errors import EvidenceError, EvidenceNotFound, ImageOpenError
from catalog.model import EvidenceInfo, SegmentInfo

AFF_MAGIC = b"AFF10\r\n\x00"
"""The first 8 bytes of every AFF file (AFFLIB's ``AF_HEADER``)."""

_SEG_HEAD = struct.Struct(">4sIII")
_SEG_TAIL = struct.Struct(">4sI")
_SEG_HEAD_MAGIC = b"AFF\x00"
_SEG_TAIL_MAGIC = b"ATT\x00"
_MAX_NAME_LEN = 64  # AFFLIB's AF_MAX_NAME_LEN: longer names are "outrageous" to it too

PAGE_COMPRESSED = 0x0001
PAGE_COMP_ALG_MASK = 0x00F0
PAGE_COMP_ALG_ZLIB = 0x0000
PAGE_COMP_ALG_BZIP = 0x0010
PAGE_COMP_ALG_LZMA = 0x0020
PAGE_COMP_ALG_ZERO = 0x0030

MAX_PAGE_SIZE = 256 * 1024 * 1024
"""Largest page size accepted; AFFLIB's default is 16 MiB."""

MAX_METADATA_LEN = 1024 * 1024
"""Largest metadata segment (``imagesize``, hashes, ``aff_file_type``) read into memory."""

CACHE_BYTES = 64 * 1024 * 1024
"""Memory budget of the decoded-page cache (at least one page is always kept)."""

CACHE_PAGES = 32
"""Most pages cached at once, whatever their size (all-zero pages take no bytes)."""

MAX_MEDIA_SIZE = 2**63 - 1
"""Largest media size accepted (AFFLIB and TSK hold it in a signed 64-bit integer)."""

TSK_SECTOR_SIZE = 512
"""Sector size The Sleuth Kit assumes for AFF images, whatever ``sectorsize`` says."""

_LZMA_UNKNOWN_SIZE = 2**64 - 1
_PAGE_NAME = re.compile(r"(page|seg)(0|[1-9][0-9]{0,17})")  # as AFFLIB's sprintf names them
_ENCRYPTED_SUFFIX = "/aes256"
_HASH_SEGMENTS = (("md5", 16), ("sha1", 20), ("sha256", 32))


@dataclass(frozen=True, slots=True)
class _Segment:
    """Where one segment's data lives in the file, and its flag (``arg``)."""

    data_offset: int
    data_len: int
    flag: int


@dataclass(frozen=True, slots=True)
class _Layout:
    """What the metadata segments say about the media."""

    page_size: int
    media_size: int
    pages: dict[int, _Segment]
    stored_hashes: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]


class _PageError(ValueError):
    """A page segment cannot be decoded; the message says why (no file name)."""


def page_number(name: str) -> tuple[str, int] | None:
    """Parse a page segment name.

    Args:
        name: A segment name, e.g. ``page12`` or the pre-2006 ``seg12``.

    Returns:
        ``(prefix, number)``, or ``None`` when the name is not a page (``page3_md5``,
        ``page3/sha256`` and ``page3/aes256`` are not).
    """
    match = _PAGE_NAME.fullmatch(name)
    if match is None:
        return None
    return match.group(1), int(match.group(2))


def decode_quad(data: bytes) -> int:
    """Decode AFFLIB's 8-byte ``aff_quad``: two u32 big-endian words, low word first.

    Args:
        data: Exactly 8 bytes.

    Returns:
        The unsigned 64-bit value.
    """
    low, high = struct.unpack(">II", data)
    return int(high) << 32 | int(low)


def decode_page(raw: bytes, flag: int, page_size: int) -> bytes:
    """Decode one page segment's data as AFFLIB's ``af_get_page`` does.

    Args:
        raw: The segment data as stored.
        flag: The segment's flag (``arg``): compression bit and algorithm.
        page_size: The image page size; no page may decode to more.

    Returns:
        The page's valid bytes. Bytes past the end of the result, up to ``page_size``,
        read as zeros (an all-zero page decodes to ``b""``).

    Raises:
        _PageError: unknown algorithm, corrupt or truncated stream, or a page too large.
    """
    if not flag & PAGE_COMPRESSED:
        data = raw
    else:
        data = _decompress(raw, flag & PAGE_COMP_ALG_MASK, page_size)
    if len(data) > page_size:
        raise _PageError(f"decodes to {len(data)} bytes, more than the page size {page_size}")
    return data


def _decompress(raw: bytes, algorithm: int, page_size: int) -> bytes:
    """Dispatch on the compression algorithm of a compressed page."""
    if algorithm == PAGE_COMP_ALG_ZERO:
        return _decode_zero(raw, page_size)
    if algorithm == PAGE_COMP_ALG_ZLIB:
        return _inflate(raw, page_size)
    if algorithm == PAGE_COMP_ALG_LZMA:
        return _unlzma(raw, page_size)
    raise _PageError(f"unsupported compression algorithm 0x{algorithm:02x}")


def _decode_zero(raw: bytes, page_size: int) -> bytes:
    """An all-zero page: the data is the page length as a u32 big-endian."""
    if len(raw) != 4:
        raise _PageError(f"zero-page data is {len(raw)} bytes, expected 4")
    length = int.from_bytes(raw, "big")
    if length > page_size:
        raise _PageError(f"zero page claims {length} bytes, more than the page size {page_size}")
    return b""


def _inflate(raw: bytes, page_size: int) -> bytes:
    """A zlib (RFC 1950) page; the stream must be complete, as ``uncompress()`` requires."""
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(raw, page_size + 1)
    except zlib.error as exc:
        raise _PageError(f"zlib data is corrupt ({exc})") from exc
    if len(data) > page_size:
        raise _PageError(f"zlib data inflates past the page size {page_size}")
    if not inflater.eof:
        raise _PageError("zlib data is truncated")
    return data


def _unlzma(raw: bytes, page_size: int) -> bytes:
    """An LZMA page in the "alone" format AFFLIB's ``lzma_glue`` writes (known size)."""
    if len(raw) < 13:
        raise _PageError(f"LZMA data is {len(raw)} bytes, shorter than its 13-byte header")
    declared = int.from_bytes(raw[5:13], "little")
    unknown = declared == _LZMA_UNKNOWN_SIZE  # not written by AFFLIB, but valid "alone"
    if declared > page_size and not unknown:
        raise _PageError(f"LZMA header claims {declared} bytes, more than the page size")
    decoder = lzma.LZMADecompressor(format=lzma.FORMAT_ALONE)
    try:
        data = decoder.decompress(raw, page_size + 1)
    except lzma.LZMAError as exc:
        raise _PageError(f"LZMA data is corrupt ({exc})") from exc
    if unknown and len(data) <= page_size and not decoder.eof:
        raise _PageError("LZMA data is truncated")
    if not unknown and len(data) != declared:
        raise _PageError(f"LZMA data is truncated ({len(data)} of {declared} bytes)")
    return data


def _scan_segments(handle: BinaryIO, path: Path, file_size: int) -> dict[str, _Segment]:
    """Index every segment by name (first occurrence wins, as in AFFLIB's table of contents).

    Raises:
        ImageOpenError: a header or tail is damaged or the file ends inside a segment.
    """
    segments: dict[str, _Segment] = {}
    offset = len(AFF_MAGIC)
    while offset < file_size:
        name, segment, offset = _read_segment(handle, path, offset, file_size)
        if name and name not in segments:  # an empty name marks free space (AF_IGNORE)
            segments[name] = segment
    return segments


def _read_segment(
    handle: BinaryIO, path: Path, offset: int, file_size: int
) -> tuple[str, _Segment, int]:
    """Read and check one segment's header and tail; return its name, extent and end."""
    if file_size - offset < _SEG_HEAD.size:
        _corrupt(path, f"truncated segment header at offset {offset}")
    handle.seek(offset)
    magic, name_len, data_len, flag = _SEG_HEAD.unpack(handle.read(_SEG_HEAD.size))
    if magic != _SEG_HEAD_MAGIC:
        _corrupt(path, f"no segment header at offset {offset}")
    if name_len > _MAX_NAME_LEN:
        _corrupt(path, f"segment at offset {offset} has an absurd name length {name_len}")
    data_offset = offset + _SEG_HEAD.size + name_len
    end = data_offset + data_len + _SEG_TAIL.size
    if end > file_size:
        _corrupt(
            path,
            f"segment at offset {offset} claims {data_len} data bytes but the file ends "
            f"{file_size - offset} bytes after its start (truncated or corrupt)",
        )
    name = handle.read(name_len).decode("latin-1")
    handle.seek(data_offset + data_len)
    tail_magic, segment_len = _SEG_TAIL.unpack(handle.read(_SEG_TAIL.size))
    if tail_magic != _SEG_TAIL_MAGIC or segment_len != end - offset:
        _corrupt(path, f"segment {name!r} at offset {offset} has a damaged tail")
    return name, _Segment(data_offset, data_len, flag), end


def _corrupt(path: Path, what: str) -> NoReturn:
    """Raise the one-line open error for a damaged file."""
    raise ImageOpenError(f"{path}: not a readable AFF image: {what}")


def _read_data(handle: BinaryIO, segment: _Segment) -> bytes:
    """Read a segment's data (the scan already checked it lies inside the file)."""
    handle.seek(segment.data_offset)
    return handle.read(segment.data_len)


def _read_metadata(handle: BinaryIO, segments: dict[str, _Segment], name: str) -> bytes | None:
    """Read a small metadata segment, or ``None`` if it is absent or implausibly large."""
    segment = segments.get(name)
    if segment is None or segment.data_len > MAX_METADATA_LEN:
        return None
    return _read_data(handle, segment)


def _check_kind(handle: BinaryIO, path: Path, segments: dict[str, _Segment]) -> None:
    """Refuse AFM/AFD metadata files and images whose pages are encrypted."""
    kind = _read_metadata(handle, segments, "aff_file_type")
    if kind is not None and kind.rstrip(b"\x00") not in (b"", b"AFF"):
        label = kind.rstrip(b"\x00").decode("latin-1")
        _corrupt(path, f"aff_file_type is {label!r}: only single-file AFF images are supported")
    for name in segments:
        if name.endswith(_ENCRYPTED_SUFFIX) and page_number(name[: -len(_ENCRYPTED_SUFFIX)]):
            raise ImageOpenError(
                f"{path}: AFF image pages are AES-256 encrypted ({name}); "
                "decryption is not supported"
            )


def _page_size(path: Path, segments: dict[str, _Segment]) -> int:
    """The page size: ``arg`` of ``pagesize`` or, in old files, ``segsize``."""
    segment = segments.get("pagesize") or segments.get("segsize")
    if segment is None:
        _corrupt(path, "no pagesize segment")
    if not 0 < segment.flag <= MAX_PAGE_SIZE:
        _corrupt(path, f"page size {segment.flag} is out of range")
    return segment.flag


def _page_table(segments: dict[str, _Segment]) -> dict[int, _Segment]:
    """Map page numbers to segments; ``pageN`` wins over the legacy ``segN``."""
    pages: dict[int, _Segment] = {}
    legacy: dict[int, _Segment] = {}
    for name, segment in segments.items():
        parsed = page_number(name)
        if parsed is not None:
            (pages if parsed[0] == "page" else legacy)[parsed[1]] = segment
    return legacy | pages


def _check_pages(path: Path, pages: dict[int, _Segment], page_size: int) -> None:
    """Refuse page segments that cannot be valid, before any read depends on them."""
    for number, segment in sorted(pages.items()):
        algorithm = segment.flag & PAGE_COMP_ALG_MASK
        compressed = bool(segment.flag & PAGE_COMPRESSED)
        if segment.data_len > page_size:
            _corrupt(path, f"page {number} holds {segment.data_len} bytes, over the page size")
        if compressed and algorithm not in (
            PAGE_COMP_ALG_ZLIB,
            PAGE_COMP_ALG_LZMA,
            PAGE_COMP_ALG_ZERO,
        ):
            _corrupt(path, f"page {number} uses unsupported compression 0x{algorithm:02x}")


def _media_size(
    handle: BinaryIO,
    path: Path,
    segments: dict[str, _Segment],
    page_size: int,
    pages: dict[int, _Segment],
) -> int:
    """``imagesize`` if stored as a quad, else what AFFLIB infers from the highest page."""
    stored = _read_metadata(handle, segments, "imagesize")
    if stored is not None and len(stored) == 8:
        size = decode_quad(stored)
        if size > MAX_MEDIA_SIZE:
            _corrupt(path, f"imagesize {size} is out of range")
        return size
    if not pages:
        _corrupt(path, "no imagesize segment and no page segments")
    highest = max(pages)
    segment = pages[highest]
    try:
        last = decode_page(_read_data(handle, segment), segment.flag, page_size)
    except _PageError as exc:
        raise ImageOpenError(f"{path}: not a readable AFF image: page {highest} {exc}") from exc
    return highest * page_size + len(last)


def _stored_hashes(
    handle: BinaryIO, segments: dict[str, _Segment]
) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """The media hashes the imager stored, as lower-case hex, and notes on unusable ones."""
    hashes: list[tuple[str, str]] = []
    notes: list[str] = []
    for name, length in _HASH_SEGMENTS:
        value = _read_metadata(handle, segments, name)
        if value is not None and len(value) == length:
            hashes.append((name, value.hex()))
        elif value is not None:
            notes.append(f"stored {name} segment is {len(value)} bytes, not {length}; ignored")
        elif name + _ENCRYPTED_SUFFIX in segments:
            notes.append(f"stored {name} is encrypted; not shown")
    return tuple(hashes), notes


def _layout_notes(
    handle: BinaryIO,
    segments: dict[str, _Segment],
    page_size: int,
    media_size: int,
    pages: dict[int, _Segment],
) -> list[str]:
    """Facts worth telling the examiner: absent pages, recorded bad sectors, sector size."""
    notes: list[str] = []
    page_count = -(-media_size // page_size)
    present = sum(1 for number in pages if number < page_count)
    if present < page_count:
        notes.append(
            f"{page_count - present} of {page_count} pages are absent from the file; read as zeros"
        )
    if present < len(pages):
        notes.append(f"{len(pages) - present} page segments lie past imagesize; ignored")
    bad = _read_metadata(handle, segments, "badsectors")
    if bad is not None and len(bad) == 8 and decode_quad(bad):
        notes.append(
            f"imager recorded {decode_quad(bad)} unreadable sectors (stored as the badflag pattern)"
        )
    sector = segments.get("sectorsize")
    if sector is not None and sector.flag not in (0, TSK_SECTOR_SIZE):
        notes.append(
            f"sectorsize segment says {sector.flag}; sector size reported as "
            f"{TSK_SECTOR_SIZE}, as The Sleuth Kit does for AFF"
        )
    return notes


def _read_layout(handle: BinaryIO, path: Path, file_size: int) -> _Layout:
    """Scan the file once and work out page size, media size, page table and hashes."""
    handle.seek(0)
    if handle.read(len(AFF_MAGIC)) != AFF_MAGIC:
        _corrupt(path, "missing the AFF10 magic")
    segments = _scan_segments(handle, path, file_size)
    _check_kind(handle, path, segments)
    page_size = _page_size(path, segments)
    pages = _page_table(segments)
    _check_pages(path, pages, page_size)
    media_size = _media_size(handle, path, segments, page_size, pages)
    hashes, hash_notes = _stored_hashes(handle, segments)
    notes = _layout_notes(handle, segments, page_size, media_size, pages) + hash_notes
    return _Layout(page_size, media_size, pages, hashes, tuple(notes))


class AffSource:
    """A read-only, thread-safe view of the logical media inside an AFF file."""

    def __init__(self, path: Path) -> None:
        """Open ``path`` and index its segments with one scan of the headers.

        Args:
            path: The ``.aff`` file.

        Raises:
            EvidenceNotFound: the file does not exist.
            ImageOpenError: the file cannot be read, is truncated or corrupt, holds
                encrypted pages, or is not a single-file AFF image.
        """
        self._path = path
        self._lock = threading.Lock()
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        self._cached_bytes = 0
        with ExitStack() as stack:
            self._handle: BinaryIO | None = _open_file(path)
            stack.callback(self._handle.close)
            try:
                file_size = self._handle.seek(0, 2)
                layout = _read_layout(self._handle, path, file_size)
            except (OSError, struct.error) as exc:  # struct.error: the file shrank under us
                raise ImageOpenError(f"{path}: cannot read AFF image: {exc}") from exc
            stack.pop_all()
        self._layout = layout
        self._info = EvidenceInfo(
            format="aff",
            media_size=layout.media_size,
            segments=(SegmentInfo(str(path), file_size),),
            sector_size=TSK_SECTOR_SIZE,
            stored_hashes=layout.stored_hashes,
            notes=layout.notes,
        )

    @property
    def info(self) -> EvidenceInfo:
        """Format, media size, the one file, and the hashes stored by the imager."""
        return self._info

    @property
    def page_size(self) -> int:
        """Bytes per AFF page."""
        return self._layout.page_size

    def read(self, offset: int, size: int) -> bytes:
        """Read up to ``size`` bytes of media at ``offset``; short only at the end.

        Args:
            offset: Byte offset in the logical media (not in the file).
            size: Number of bytes wanted.

        Returns:
            The bytes; fewer than ``size`` only when the media ends first.

        Raises:
            ValueError: ``offset`` or ``size`` is negative.
            EvidenceError: the source is closed, the file cannot be read, or a page is
                corrupt.
        """
        if offset < 0 or size < 0:
            raise ValueError(f"negative offset or size ({offset}, {size})")
        end = min(offset + size, self._layout.media_size)
        parts: list[bytes] = []
        with self._lock:
            while offset < end:
                number, start = divmod(offset, self._layout.page_size)
                stop = min(self._layout.page_size, start + end - offset)
                parts.append(_slice_padded(self._page(number), start, stop))
                offset += stop - start
        return b"".join(parts)

    def close(self) -> None:
        """Close the file and drop cached pages; further reads raise ``EvidenceError``."""
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None
            self._cache.clear()
            self._cached_bytes = 0

    def _page(self, number: int) -> bytes:
        """A page's valid bytes, from the cache or decoded (caller holds the lock)."""
        cached = self._cache.get(number)
        if cached is not None:
            self._cache.move_to_end(number)
            return cached
        data = self._load_page(number)
        self._remember(number, data)
        return data

    def _load_page(self, number: int) -> bytes:
        """Read and decode a page; an absent page is all zeros, as AFFLIB reads it."""
        if self._handle is None:
            raise EvidenceError(f"{self._path}: AFF source is closed")
        segment = self._layout.pages.get(number)
        if segment is None:
            return b""
        try:
            raw = _read_data(self._handle, segment)
        except OSError as exc:
            raise EvidenceError(f"{self._path}: cannot read AFF page {number}: {exc}") from exc
        if len(raw) != segment.data_len:
            raise EvidenceError(f"{self._path}: AFF page {number} is cut short (file changed?)")
        try:
            return decode_page(raw, segment.flag, self._layout.page_size)
        except _PageError as exc:
            raise EvidenceError(f"{self._path}: AFF page {number} {exc}") from exc

    def _remember(self, number: int, data: bytes) -> None:
        """Cache a decoded page, evicting the least recently used past the budget."""
        self._cache[number] = data
        self._cached_bytes += len(data)
        while len(self._cache) > 1 and (
            self._cached_bytes > CACHE_BYTES or len(self._cache) > CACHE_PAGES
        ):
            _, evicted = self._cache.popitem(last=False)
            self._cached_bytes -= len(evicted)


def _open_file(path: Path) -> BinaryIO:
    """Open the image read-only, mapping OS errors to evidence errors."""
    try:
        return path.open("rb")
    except FileNotFoundError as exc:
        raise EvidenceNotFound(f"{path}: no such evidence file") from exc
    except OSError as exc:
        raise ImageOpenError(f"{path}: cannot open AFF image: {exc}") from exc


def _slice_padded(data: bytes, start: int, stop: int) -> bytes:
    """``data[start:stop]``, zero-filled where ``data`` is shorter than ``stop``."""
    chunk = data[start:stop]
    missing = stop - start - len(chunk)
    return chunk + bytes(missing) if missing else chunk


class AffParser:
    """Registry entry for AFF images: detection by magic, opening as :class:`AffSource`."""

    name = "aff"
    version = 1
    description = "AFF (AFFLIB v1/v2) single-file images, pure Python"
    emits: tuple[str, ...] = ("evidence:aff",)

    def detect(self, path: Path, head: bytes) -> bool:
        """Whether ``head`` starts with the AFF magic.

        Args:
            path: The candidate file (unused: the magic decides).
            head: Its first bytes.

        Returns:
            True for AFF files.
        """
        return head.startswith(AFF_MAGIC)

    def open(self, path: Path) -> AffSource:
        """Open ``path`` as an AFF image.

        Args:
            path: The ``.aff`` file.

        Returns:
            The opened source.

        Raises:
            EvidenceNotFound: the file does not exist.
            ImageOpenError: the file is not a readable single-file AFF image.
        """
        return AffSource(path)
