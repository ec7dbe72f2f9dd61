"""One pytsk3 image class for every evidence source.

pytsk3 reads through ``Img_Info`` subclasses of type ``TSK_IMG_TYPE_EXTERNAL``; this adapter
forwards TSK's reads to an :class:`~parsers.source.EvidenceSource`, so raw, split, EWF,
VMDK, VHD, QCOW2 and AFF are all alike to the volume and file system layers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytsk3

if TYPE_CHECKING:
    from parsers.source import EvidenceSource


class TskImage(pytsk3.Img_Info):  # type: ignore[misc]  # pytsk3 ships no type hints
    """A pytsk3 image whose bytes come from an evidence source."""

    def __init__(self, source: EvidenceSource) -> None:
        """Wrap ``source``; attributes are set before ``Img_Info.__init__`` as pytsk3 requires."""
        self._source = source
        self._size = source.info.media_size
        self.read_errors: list[str] = []
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

    def close(self) -> None:
        """Nothing to release here: the source is closed by its owner."""

    def read(self, offset: int, size: int) -> bytes:
        """Called by libtsk for every read.

        A source error becomes a short read, which libtsk reports as a read error of the
        file or structure concerned (an exception here would abort the whole TSK call).
        """
        try:
            return self._source.read(offset, size)
        except OSError as exc:
            self.read_errors.append(f"offset {offset}: {str(exc).split('. ')[0]}")
            del self.read_errors[:-20]
            return b""

    def get_size(self) -> int:
        """Media size in bytes."""
        return self._size
