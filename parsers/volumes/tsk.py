"""Volume systems through The Sleuth Kit's ``Volume_Info`` (what ``mmls`` prints).

Every slot is kept, with its kind: partitions, unallocated gaps and table metadata. Extended
partition containers are metadata in TSK's view (they hold the logical partitions), so they
are catalogued but not searched for a file system.
"""

from __future__ import annotations

import pytsk3

from catalog.model import VolumeKind, VolumeRecord
from parsers.tskimage import TskImage
from parsers.volume import VolumeLayout

_SCHEMES = {
    pytsk3.TSK_VS_TYPE_DOS: "mbr",
    pytsk3.TSK_VS_TYPE_GPT: "gpt",
    pytsk3.TSK_VS_TYPE_BSD: "bsd",
    pytsk3.TSK_VS_TYPE_SUN: "sun",
    pytsk3.TSK_VS_TYPE_MAC: "mac",
}


def _kind(flags: int) -> VolumeKind:
    if flags & pytsk3.TSK_VS_PART_FLAG_ALLOC:
        return VolumeKind.PARTITION
    if flags & pytsk3.TSK_VS_PART_FLAG_META:
        return VolumeKind.META
    return VolumeKind.UNALLOCATED


def _slot(part: pytsk3.TSK_VS_PART_INFO) -> str:
    if part.flags & pytsk3.TSK_VS_PART_FLAG_META:
        return "Meta"
    if part.slot_num < 0:
        return "-------"
    return f"{part.table_num:03d}:{part.slot_num:03d}"


class TskVolumeParser:
    """MBR, GPT, BSD, Sun and Mac partition tables."""

    name = "tsk_volumes"
    version = 1
    description = "Partition tables (MBR incl. extended, GPT, BSD, Sun, Mac) via The Sleuth Kit"
    emits: tuple[str, ...] = ("volume:partition", "volume:unallocated", "volume:meta")

    def read_layout(self, image: TskImage, media_size: int) -> VolumeLayout:
        """Read the partition table, or return the whole image as one volume.

        TSK raises OSError when it finds no table; that is not an error, just "no volume
        system", and the whole image becomes one volume.
        """
        try:
            volume_info = pytsk3.Volume_Info(image)
        except (OSError, RuntimeError):
            return whole_image_layout(media_size)
        sector_size = int(volume_info.info.block_size)
        scheme = _SCHEMES.get(volume_info.info.vstype, "unknown")
        records = tuple(
            VolumeRecord(
                index=int(part.addr),
                kind=_kind(int(part.flags)),
                start_sector=int(part.start),
                length_sectors=int(part.len),
                sector_size=sector_size,
                description=part.desc.decode("utf-8", "replace") if part.desc else "",
                slot=_slot(part),
                scheme=scheme,
            )
            for part in volume_info
        )
        return VolumeLayout(scheme=scheme, sector_size=sector_size, volumes=records)


def whole_image_layout(media_size: int, sector_size: int = 512) -> VolumeLayout:
    """The layout of an image with no volume system: one volume covering everything."""
    whole = VolumeRecord(
        index=0,
        kind=VolumeKind.WHOLE,
        start_sector=0,
        length_sectors=-(-media_size // sector_size),
        sector_size=sector_size,
        description="whole image (no volume system)",
        slot="",
        scheme="none",
    )
    return VolumeLayout(scheme="none", sector_size=sector_size, volumes=(whole,))
