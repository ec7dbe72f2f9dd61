"""File systems: walk every entry (allocated, deleted, orphan) and stream file content.

A file system handler is opened at a byte offset of an evidence image. ``walk`` yields one
:class:`~catalog.model.FileEntry` per entry the file system shows, in the same terms as
The Sleuth Kit's ``fls``; ``read_chunks`` streams one entry's content in bounded chunks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from catalog.model import FileEntry, FileSystemRecord
    from parsers.context import ParseContext


class OpenFileSystem(Protocol):
    """A file system opened inside an image."""

    @property
    def record(self) -> FileSystemRecord:
        """Type, offset, geometry and how it was detected."""
        ...

    def walk(self, exhibit: str, ctx: ParseContext) -> Iterator[FileEntry]:
        """Yield every entry; unreadable directories become problems, not exceptions."""
        ...

    def read_chunks(self, entry: FileEntry, chunk_size: int) -> Iterator[bytes]:
        """Stream the entry's content.

        Raises:
            OSError: the content cannot be read (the caller records a problem).
        """
        ...


class ContentReader(Protocol):
    """Anything that streams an entry's content: a file system, or carved bytes."""

    def read_chunks(self, entry: FileEntry, chunk_size: int) -> Iterator[bytes]:
        """Stream the entry's content.

        Raises:
            OSError: the content cannot be read (the caller records a problem).
        """
        ...
