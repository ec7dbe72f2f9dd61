"""Records the layers exchange: evidence, volumes, file systems, file entries, problems.

Leaf vocabulary: this module imports nothing else from the project but the locator, so
every layer (sources, volume and file system walkers, classifiers, pipeline, store) can
share the same frozen records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from catalog.locator import Locator


class EntryType(StrEnum):
    """What a directory entry is, in the words of ``fls``."""

    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    VIRTUAL_FILE = "virtual_file"
    VIRTUAL_DIR = "virtual_dir"
    FIFO = "fifo"
    CHAR_DEVICE = "char_device"
    BLOCK_DEVICE = "block_device"
    SOCKET = "socket"
    SHADOW = "shadow"
    WHITEOUT = "whiteout"
    UNKNOWN = "unknown"


class VolumeKind(StrEnum):
    """The kind of a volume-system slot, as ``mmls`` reports it."""

    PARTITION = "partition"
    UNALLOCATED = "unallocated"
    META = "meta"
    WHOLE = "whole"


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    """One file of a (possibly multi-file) evidence image."""

    path: str
    size: int


@dataclass(frozen=True, slots=True)
class EvidenceInfo:
    """What a source reader knows about an evidence image once opened."""

    format: str
    media_size: int
    segments: tuple[SegmentInfo, ...]
    sector_size: int = 512
    stored_hashes: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VolumeRecord:
    """One slot of a volume system (partition, unallocated gap, table metadata)."""

    index: int
    kind: VolumeKind
    start_sector: int
    length_sectors: int
    sector_size: int
    description: str
    slot: str = ""
    scheme: str = ""

    @property
    def offset(self) -> int:
        """Byte offset of the slot in the image."""
        return self.start_sector * self.sector_size

    @property
    def size(self) -> int:
        """Size of the slot in bytes."""
        return self.length_sectors * self.sector_size


@dataclass(frozen=True, slots=True)
class FileSystemRecord:
    """A file system found in the image."""

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickle as constructor arguments (fast across worker processes)."""
        return (type(self), tuple(getattr(self, name) for name in self.__slots__))

    offset: int
    fs_type: str
    detection: str
    block_size: int
    block_count: int
    volume_index: int | None = None
    label: str = ""


@dataclass(frozen=True, slots=True)
class Times:
    """File system time stamps as UTC ISO-8601 strings (``None`` when absent)."""

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickle as constructor arguments (fast across worker processes)."""
        return (type(self), tuple(getattr(self, name) for name in self.__slots__))

    created: str | None = None
    modified: str | None = None
    accessed: str | None = None
    changed: str | None = None
    zone_assumption: str | None = None


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One entry the file system shows: allocated, deleted, orphan, virtual or a data stream."""

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickle as constructor arguments (fast across worker processes)."""
        return (type(self), tuple(getattr(self, name) for name in self.__slots__))

    locator: Locator
    path: str
    name: str
    name_raw: bytes
    entry_type: EntryType
    size: int
    meta_addr: int
    is_allocated: bool
    is_realloc: bool = False
    is_virtual: bool = False
    is_orphan: bool = False
    is_ads: bool = False
    is_fs_metadata: bool = False
    has_meta: bool = True
    times: Times = field(default_factory=Times)
    uid: int | None = None
    gid: int | None = None
    mode: int | None = None
    attr_type: int | None = None
    attr_id: int | None = None
    ordinal: int = 0

    @property
    def has_content(self) -> bool:
        """Whether the entry has a data stream worth reading and hashing."""
        return self.entry_type is EntryType.FILE and self.has_meta and not self.is_virtual


@dataclass(frozen=True, slots=True)
class Hashes:
    """The four digests of one byte stream, as lower-case hex."""

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickle as constructor arguments (fast across worker processes)."""
        return (type(self), tuple(getattr(self, name) for name in self.__slots__))

    md5: str
    sha1: str
    sha256: str
    blake3: str


@dataclass(frozen=True, slots=True)
class Classification:
    """What the classifiers said about a file's content."""

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickle as constructor arguments (fast across worker processes)."""
        return (type(self), tuple(getattr(self, name) for name in self.__slots__))

    mime: str | None = None
    description: str | None = None
    category: str = "other"
    extension_mismatch: bool = False
    exif: str | None = None
