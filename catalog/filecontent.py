"""Read a window of one catalogued file's bytes back from the evidence, for a preview.

The catalog holds hashes and metadata, not content. A text preview or hex view reopens
the evidence read-only the way the content workers do (``catalog.workers``), streams the
file from its start, keeps only the bytes of the window asked for and stops there: memory
stays at one window plus one chunk, whatever the file's size. An archive member is read
by copying its archive (at most ``MAX_ARCHIVE_BYTES``) into a spool, listing the archive
again and streaming the member at the position the scan catalogued it at.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import parsers
from catalog.carving.items import CarvedBytes, parse_carved_address
from catalog.csvsafe import clean_text, host_path
from catalog.errors import EvcatError, EvidenceError, EvidenceNotFound, UsageError
from catalog.locator import Locator
from catalog.model import EntryType, FileEntry
from catalog.rows import filesystem_record
from catalog.spool import Spool, open_spooled
from catalog.store import open_catalog_readonly
from catalog.store.filelookup import file_chain
from parsers.archive import ArchiveLimits
from parsers.archives import choose_archive
from parsers.evidence import open_evidence
from parsers.fsdetect import reopen_file_system
from parsers.tskimage import TskImage

if TYPE_CHECKING:
    from parsers.archive import MemberInfo

Row = dict[str, Any]
T = TypeVar("T")

MAX_WINDOW = 1 << 20
"""Most bytes one call returns, whatever is asked."""
MAX_ARCHIVE_BYTES = 64 << 20
"""Largest archive (at any level) copied to read a member of it."""
CHUNK_SIZE = 1 << 20
"""Bytes per read from the file system."""
_HEAD_SIZE = 64 * 1024
"""Bytes of an archive given to ``choose_archive``, as the scan gave its classifiers."""


@dataclass(frozen=True, slots=True)
class FileBytes:
    """A window of a file's content and where it came from."""

    data: bytes
    offset: int
    """Offset of ``data[0]`` in the file."""
    file_size: int
    """The file's size as catalogued."""
    truncated: bool
    """Whether the file has more bytes past the window."""
    source: str
    """Where the bytes were read, for people: exhibit, file system, address, member.
    It holds evidence-derived text: pass it through ``catalog.displaysafe``."""


def read_file_bytes(case: Path, file_id: str, offset: int = 0, length: int = 65536) -> FileBytes:
    """Read up to ``length`` bytes (at most ``MAX_WINDOW``) of a file from ``offset`` on.

    Args:
        case: the case catalog.
        file_id: the ``files`` row's id.
        offset: first byte wanted, from the file's start (at most its size).
        length: bytes wanted; capped at ``MAX_WINDOW``.

    Returns:
        The bytes (fewer than ``length`` only at the end of the file) and their source.

    Raises:
        UsageError: bad offset or length, unknown file id, an entry with no content (a
            directory, a virtual entry), or an archive over ``MAX_ARCHIVE_BYTES``.
        EvidenceError: the image is not at its registered path (``EvidenceNotFound``),
            cannot be opened, or the content cannot be read.
        CatalogError: the case catalog cannot be read.
    """
    if offset < 0 or length < 0:
        raise UsageError(f"offset and length must not be negative (got {offset}, {length})")
    chain = _chain(case, file_id)
    target = chain[-1]
    _check_has_content(target)
    for archive in chain[:-1]:
        _check_archive_size(archive)
    size = int(target["size"] or 0)
    if offset > size:
        raise UsageError(f"{target['path']}: offset {offset} is past the end ({size} bytes)")
    with ExitStack() as stack:
        try:
            data = _window(_chunks(chain, stack), offset, min(length, MAX_WINDOW))
        except EvcatError:
            raise
        except (OSError, EOFError, ValueError, RuntimeError) as exc:
            message = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            raise EvidenceError(f"{target['path']}: content unreadable ({message})") from exc
    return FileBytes(data, offset, size, offset + len(data) < size, describe_source(chain))


def _chain(case: Path, file_id: str) -> list[Row]:
    db = open_catalog_readonly(case)
    try:
        chain = file_chain(db, file_id)
    finally:
        db.close()
    if not chain:
        raise UsageError(f"no file with id {file_id!r} in {case}")
    return chain


def _check_has_content(row: Row) -> None:
    path, kind = row["path"], row["type"]
    if kind != EntryType.FILE.value:
        words = "a directory" if kind == EntryType.DIR.value else f"a {kind.replace('_', ' ')}"
        raise UsageError(f"{path}: {words} has no content to show")
    if row["is_virtual"]:
        raise UsageError(f"{path}: a virtual entry (file system metadata) has no content to show")
    if row["content_status"] == "none":
        raise UsageError(f"{path}: no content (the entry has no metadata left to read it by)")
    if row["content_status"] == "skipped":
        raise EvidenceError(f"{path}: content not read ({row['content_error']})")


def describe_source(chain: list[Row]) -> str:
    """Where a file's bytes come from: exhibit, file system, address and archive member."""
    top, target = chain[0], chain[-1]
    text = (
        f"exhibit {top['exhibit']}, {top['fs_type']} at byte {top['fs_offset']},"
        f" inode {top['inode']}"
    )
    member = Locator.parse(target["locator"]).member
    return f"{text}, archive member {member}" if member else text


def _window(chunks: Iterator[bytes], offset: int, length: int) -> bytes:
    """The ``length`` bytes from ``offset`` of a stream of chunks; reads no further."""
    parts: list[bytes] = []
    position, wanted = 0, length
    while wanted > 0:
        chunk = next(chunks, b"")
        if not chunk:
            break
        if position + len(chunk) > offset:
            piece = chunk[max(offset - position, 0) :][:wanted]
            parts.append(piece)
            wanted -= len(piece)
        position += len(chunk)
    return b"".join(parts)


def _chunks(chain: list[Row], stack: ExitStack) -> Iterator[bytes]:
    """The content of ``chain[-1]`` in chunks; everything opened is closed by ``stack``."""
    if len(chain) == 1:
        return _fs_chunks(chain[0], stack)
    return _member_chunks(chain, stack)


def _owned(items: Iterator[T], stack: ExitStack) -> Iterator[T]:
    """``items`` as a generator that ``stack`` closes (closing the one it wraps)."""

    def wrapper() -> Generator[T, None, None]:
        yield from items

    generator = wrapper()
    stack.callback(generator.close)
    return generator


def _fs_chunks(row: Row, stack: ExitStack) -> Iterator[bytes]:
    image = host_path(row["image_path"])
    if not image.is_file():
        raise EvidenceNotFound(
            f"exhibit {row['exhibit']}: evidence image not found at its registered path"
            f" {image} (moved or missing?)"
        )
    source = open_evidence(image, parsers.SOURCES.all())
    stack.callback(source.close)
    entry = _entry(row)
    if parse_carved_address(entry.locator.inode) is not None:  # carved: bytes of the image
        carved_bytes = CarvedBytes(source.read, source.info.media_size)
        return _owned(carved_bytes.read_chunks(entry, CHUNK_SIZE), stack)
    record = filesystem_record(row)
    try:
        fs = reopen_file_system(source, TskImage(source), record)
    except (OSError, RuntimeError, ValueError, KeyError) as exc:
        raise EvidenceError(
            f"exhibit {row['exhibit']}: {record.fs_type} at byte {record.offset} cannot be"
            f" reopened ({exc})"
        ) from exc
    return _owned(fs.read_chunks(entry, CHUNK_SIZE), stack)


def _entry(row: Row) -> FileEntry:
    """The file system entry of a ``files`` row, with what ``read_chunks`` uses."""
    return FileEntry(
        locator=Locator.parse(row["locator"]),
        path=row["path"],
        name=row["name"],
        name_raw=b"",
        entry_type=EntryType(row["type"]),
        size=int(row["size"] or 0),
        meta_addr=int(row["meta_addr"] or 0),
        is_allocated=bool(row["is_allocated"]),
        is_virtual=bool(row["is_virtual"]),
        is_ads=bool(row["is_ads"]),
        attr_type=row["attr_type"],
        attr_id=row["attr_id"],
    )


def _member_chunks(chain: list[Row], stack: ExitStack) -> Iterator[bytes]:
    archive, member = chain[-2], chain[-1]
    stream = _spooled_archive(chain[:-1], stack)
    head = stream.read(_HEAD_SIZE)
    stream.seek(0)
    reader = choose_archive(_content_name(archive), archive["mime"], head)
    if reader is None:
        raise EvidenceError(f"{archive['path']}: does not open as an archive any more")
    listing = _owned(reader.members(stream, ArchiveLimits()), stack)
    content = _find_member(listing, member)
    return iter(lambda: content.read(CHUNK_SIZE), b"")


def _spooled_archive(chain: list[Row], stack: ExitStack) -> IO[bytes]:
    """A seekable copy of the archive ``chain[-1]`` (refused over ``MAX_ARCHIVE_BYTES``)."""
    archive = chain[-1]
    spool = Spool(MAX_ARCHIVE_BYTES, int(archive["size"] or 0))
    stack.callback(spool.discard)
    for chunk in _chunks(chain, stack):
        spool.write(chunk)
    if not spool.is_complete:
        raise UsageError(
            f"{archive['path']}: archive is over the {_limit_text()} limit for reading its"
            " members here; export it to open it"
        )
    return stack.enter_context(open_spooled(spool.seal()))


def _check_archive_size(archive: Row) -> None:
    _check_has_content(archive)
    size = int(archive["size"] or 0)
    if size > MAX_ARCHIVE_BYTES:
        raise UsageError(
            f"{archive['path']}: archive of {size} bytes is over the {_limit_text()} limit"
            " for reading its members here; export it to open it"
        )


def _limit_text() -> str:
    limit = MAX_ARCHIVE_BYTES
    return f"{limit >> 20} MiB" if limit % (1 << 20) == 0 else f"{limit} byte"


def _content_name(row: Row) -> str:
    """The name whose extension the scan gave ``choose_archive`` (an ADS's own name)."""
    name = str(row["name"])
    return name.rsplit(":", 1)[1] if row["is_ads"] and ":" in name else name


def _find_member(
    listing: Iterator[tuple[MemberInfo, IO[bytes] | None, str | None]], member: Row
) -> IO[bytes]:
    """The content stream of the member the scan catalogued as ``member``.

    Member ids end in the member's position in its archive (``<archive id>.000003``), as
    ``catalog.documentrows`` numbers them; the name at that position must still match.
    """
    path = member["path"]
    index = int(str(member["file_id"]).rsplit(".", 1)[-1])
    for position, (info, content, error) in enumerate(listing, start=1):
        if position < index:
            continue
        if info.path and not path.endswith("!/" + clean_text(info.path)):
            raise EvidenceError(
                f"{path}: the archive's member {index} is now {info.path!r}; the archive"
                " differs from the one scanned"
            )
        if content is None:
            raise EvidenceError(f"{path}: content unreadable ({error or 'no content stream'})")
        return content
    raise EvidenceError(f"{path}: member {index} is no longer in its archive")
