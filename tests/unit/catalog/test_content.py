from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from catalog.content import BAD_CLUSTER_NOTE, read_content
from catalog.hashing import hash_bytes
from catalog.locator import Locator
from catalog.model import EntryType, FileEntry
from parsers.context import Limits

PNG_HEAD = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + bytes(17)
TEXT = b"Call back number: +1-888-555-0199\n" * 40


class FakeFileSystem:
    """Streams fixed content, optionally failing after ``fail_after`` chunks."""

    def __init__(self, data: bytes, *, fail_after: int | None = None) -> None:
        self.data = data
        self.fail_after = fail_after
        self.requested_chunk_sizes: list[int] = []

    def read_chunks(self, entry: FileEntry, chunk_size: int) -> Iterator[bytes]:
        self.requested_chunk_sizes.append(chunk_size)
        for index, start in enumerate(range(0, len(self.data), chunk_size)):
            if index == self.fail_after:
                raise OSError(5, "Input/output error\nsecond line")
            yield self.data[start : start + chunk_size]


@dataclass
class FakeContext:
    limits: Limits = field(default_factory=lambda: Limits(chunk_size=64, head_size=100))
    problems: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def problem(self, stage: str, message: str, **kwargs: Any) -> None:
        self.problems.append((stage, message, kwargs))


def _entry(
    name: str = "report.txt",
    size: int = len(TEXT),
    *,
    path: str | None = None,
    entry_type: EntryType = EntryType.FILE,
    meta_addr: int = 42,
    **flags: Any,
) -> FileEntry:
    return FileEntry(
        locator=Locator("disk.dd", 0, str(meta_addr)),
        path=path or f"/{name}",
        name=name,
        name_raw=name.encode(),
        entry_type=entry_type,
        size=size,
        meta_addr=meta_addr,
        is_allocated=True,
        **flags,
    )


def test_complete_read_is_ok_with_the_hashes_of_all_bytes() -> None:
    ctx = FakeContext()
    result = read_content(FakeFileSystem(TEXT), _entry(), ctx)
    assert result.status == "ok"
    assert result.hashes == hash_bytes(TEXT)
    assert result.bytes_hashed == len(TEXT)
    assert result.error is None
    assert ctx.problems == []


def test_reads_use_the_chunk_size_from_the_limits() -> None:
    fs = FakeFileSystem(TEXT)
    read_content(fs, _entry(), FakeContext(limits=Limits(chunk_size=17, head_size=100)))
    assert fs.requested_chunk_sizes == [17]


def test_complete_read_is_classified_from_the_head() -> None:
    result = read_content(FakeFileSystem(TEXT), _entry(), FakeContext())
    assert result.classification is not None
    assert result.classification.mime == "text/plain"
    assert result.classification.category == "text"
    assert result.classification.extension_mismatch is False


def test_head_spanning_several_chunks_is_classified_as_a_whole() -> None:
    # chunk_size 4: the PNG signature is split over two chunks and the head over many
    ctx = FakeContext(limits=Limits(chunk_size=4, head_size=len(PNG_HEAD)))
    result = read_content(FakeFileSystem(PNG_HEAD + bytes(1000)), _entry("invoice.pdf", 1033), ctx)
    assert result.classification is not None
    assert result.classification.mime == "image/png"
    assert result.classification.extension_mismatch is True


def test_empty_file_is_ok_and_classified_empty() -> None:
    result = read_content(FakeFileSystem(b""), _entry(size=0), FakeContext())
    assert result.status == "ok"
    assert result.hashes == hash_bytes(b"")
    assert result.classification is not None
    assert result.classification.mime == "inode/x-empty"


def test_error_midway_is_partial_without_hashes() -> None:
    ctx = FakeContext()
    result = read_content(FakeFileSystem(TEXT, fail_after=3), _entry(), ctx)
    assert result.status == "partial"
    assert result.hashes is None
    assert result.bytes_hashed == 3 * 64
    assert result.error == "OSError: [Errno 5] Input/output error"
    assert result.classification is not None
    assert result.classification.mime == "text/plain"


def test_error_at_first_read_is_unreadable_without_classification() -> None:
    result = read_content(FakeFileSystem(TEXT, fail_after=0), _entry(), FakeContext())
    assert result.status == "unreadable"
    assert result.hashes is None
    assert result.classification is None
    assert result.bytes_hashed == 0
    assert result.error is not None
    assert result.error.startswith("OSError")


def test_error_text_is_one_line_of_at_most_300_characters() -> None:
    class NoisyFileSystem:
        def read_chunks(self, entry: FileEntry, chunk_size: int) -> Iterator[bytes]:
            yield b"x"
            raise OSError("y" * 1000 + "\nsecond line")

    result = read_content(NoisyFileSystem(), _entry(), FakeContext())
    assert result.error is not None
    assert "\n" not in result.error
    assert len(result.error) == 300


@pytest.mark.parametrize(
    "entry_type", [EntryType.DIR, EntryType.SYMLINK, EntryType.VIRTUAL_DIR, EntryType.FIFO]
)
def test_entries_without_a_data_stream_have_status_none(entry_type: EntryType) -> None:
    fs = FakeFileSystem(TEXT)
    result = read_content(fs, _entry("docs", entry_type=entry_type), FakeContext())
    assert result.status == "none"
    assert result.hashes is None
    assert fs.requested_chunk_sizes == []


def test_virtual_file_is_not_read() -> None:
    fs = FakeFileSystem(TEXT)
    result = read_content(fs, _entry("$FAT1", is_virtual=True), FakeContext())
    assert result.status == "none"
    assert fs.requested_chunk_sizes == []


def test_ntfs_bad_cluster_stream_is_skipped_unread() -> None:
    fs = FakeFileSystem(TEXT)
    entry = _entry("$BadClus:$Bad", path="/$BadClus:$Bad", meta_addr=8, is_ads=True)
    result = read_content(fs, entry, FakeContext())
    assert result.status == "skipped"
    assert result.error == BAD_CLUSTER_NOTE
    assert result.hashes is None
    assert fs.requested_chunk_sizes == []


def test_other_streams_of_entry_8_are_read() -> None:
    entry = _entry("$BadClus", path="/$BadClus", meta_addr=8)
    assert read_content(FakeFileSystem(TEXT), entry, FakeContext()).status == "ok"


def test_malformed_exif_is_recorded_as_a_classify_problem_and_the_file_still_hashes() -> None:
    # The first 50 bytes of the sample photo: the Exif block ends inside IFD0.
    head = (
        b"\xff\xd8\xff\xe1\x00\xfaExif\x00\x00MM\x00*\x00\x00\x00\x08"
        b"\x00\x04\x01\x0f\x00\x02\x00\x00\x00\x06\x00\x00\x00>\x01\x10"
        b"\x00\x02\x00\x00\x00\x15\x00\x00\x00D\x87i\x00\x04"
    )
    ctx = FakeContext(limits=Limits(chunk_size=64, head_size=len(head)))
    entry = _entry("photo.jpg", len(head))
    result = read_content(FakeFileSystem(head), entry, ctx)
    assert result.status == "ok"
    assert result.hashes == hash_bytes(head)
    assert result.classification is not None
    assert result.classification.mime == "image/jpeg"
    assert result.classification.exif is None
    assert len(ctx.problems) == 1
    stage, message, kwargs = ctx.problems[0]
    assert stage == "classify"
    assert message.startswith("/photo.jpg: malformed EXIF")
    assert kwargs["locator"] == entry.locator
    assert isinstance(kwargs["exc"], ValueError)


def test_content_name_of_an_ads_is_the_stream_name() -> None:
    from dataclasses import replace

    from catalog.content import content_name

    entry = _entry()
    stream = replace(entry, name="invoice.pdf:payload.exe", is_ads=True)
    plain = replace(entry, name="report:final.pdf", is_ads=False)
    assert content_name(stream) == "payload.exe"
    assert content_name(plain) == "report:final.pdf"
