"""Volume systems: where the partitions and the unallocated gaps of a disk image lie.

The Sleuth Kit reads MBR (with extended partitions), GPT, BSD, Sun and Mac tables. With no
volume system, the whole image is one volume, so the file system layer always gets a list.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.model import VolumeKind, VolumeRecord


@dataclass(frozen=True, slots=True)
class VolumeLayout:
    """The result of reading a disk's volume system."""

    scheme: str
    """Registry-style name of the scheme (``mbr``, ``gpt``, ``bsd``...), or ``none``."""
    sector_size: int
    volumes: tuple[VolumeRecord, ...]

    def file_system_candidates(self) -> list[VolumeRecord]:
        """Slots that may hold a file system: allocated partitions, or the whole image."""
        return [v for v in self.volumes if v.kind in (VolumeKind.PARTITION, VolumeKind.WHOLE)]
