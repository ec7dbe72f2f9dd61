"""Virtual-disk containers (VMDK, VHD/VHDX, QCOW2) through the libyal Python bindings.

The three bindings share one shape (``open``, ``get_media_size``, ``read_buffer_at_offset``),
so one adapter serves them all. Each back-end is imported lazily: a missing binding makes
that format "unavailable", not the whole program.
"""

from __future__ import annotations

import importlib
import threading
from pathlib import Path
from typing import Any

from catalog.errors import ImageOpenError
from catalog.model import EvidenceInfo, SegmentInfo
from parsers.source import read_head

VMDK_SIGNATURES = (b"KDMV", b"# Disk DescriptorFile", b"COWD")
VHDX_SIGNATURE = b"vhdxfile"
VHD_FOOTER_SIGNATURE = b"conectix"
QCOW_SIGNATURE = b"QFI\xfb"
_SECTOR = 512


def is_valid_vhd_footer(footer: bytes) -> bool:
    """A VHD footer: ``conectix`` cookie and a correct one's-complement checksum."""
    if len(footer) < 512 or not footer.startswith(VHD_FOOTER_SIGNATURE):
        return False
    stored = int.from_bytes(footer[64:68], "big")
    total = sum(footer[:64]) + sum(footer[68:])
    return (~total & 0xFFFFFFFF) == stored


class LibyalSource:
    """A libyal handle (pyvmdk, pyvhdi, pyqcow) behind the EvidenceSource interface."""

    def __init__(self, path: Path, fmt: str, handle: Any) -> None:
        """Wrap an opened handle; ``fmt`` names the format in the catalog."""
        self._lock = threading.Lock()
        self._handle = handle
        self._info = EvidenceInfo(
            format=fmt,
            media_size=int(handle.get_media_size()),
            segments=(SegmentInfo(str(path), path.stat().st_size),),
        )

    @property
    def info(self) -> EvidenceInfo:
        """Format, media size and the container file."""
        return self._info

    def read(self, offset: int, size: int) -> bytes:
        """Read logical media bytes (serialised: libyal handles are not thread-safe)."""
        size = max(0, min(size, self._info.media_size - offset))
        if size == 0:
            return b""
        with self._lock:
            try:
                data: bytes = self._handle.read_buffer_at_offset(size, offset)
            except OSError:
                data = self._readable_prefix(offset, size)
        return data

    def _readable_prefix(self, offset: int, size: int) -> bytes:
        """Sector by sector up to the first unreadable one (a truncated container).

        Raises:
            OSError: not even the first sector can be read.
        """
        parts: list[bytes] = []
        position = offset
        while position < offset + size:
            want = min(_SECTOR - position % _SECTOR, offset + size - position)
            try:
                parts.append(self._handle.read_buffer_at_offset(want, position))
            except OSError:
                if not parts:
                    raise
                break
            position += want
        return b"".join(parts)

    def close(self) -> None:
        """Close the handle."""
        with self._lock:
            self._handle.close()


def _open_vmdk(path: Path) -> Any:
    pyvmdk = importlib.import_module("pyvmdk")
    handle = pyvmdk.handle()
    handle.open(str(path))
    handle.open_extent_data_files()
    return handle


def _open_file_handle(module_name: str, path: Path) -> Any:
    module = importlib.import_module(module_name)
    handle = module.file()
    handle.open(str(path))
    return handle


def _open(path: Path, fmt: str, opener: Any) -> LibyalSource:
    try:
        handle = opener(path)
    except OSError as exc:
        first_line = str(exc).split(". ")[0]
        raise ImageOpenError(f"{path}: cannot open {fmt.upper()} image ({first_line})") from exc
    return LibyalSource(path, fmt, handle)


class VmdkParser:
    """VMware virtual disks (monolithic, sparse and split extents)."""

    name = "vmdk"
    version = 1
    description = "VMware VMDK virtual disks through libvmdk-python"
    emits: tuple[str, ...] = ("evidence:vmdk",)

    def __init__(self) -> None:
        """Fail early (ImportError) when the binding is missing."""
        importlib.import_module("pyvmdk")

    def detect(self, path: Path, head: bytes) -> bool:
        """A sparse-extent header or a text descriptor."""
        return head.startswith(VMDK_SIGNATURES)

    def open(self, path: Path) -> LibyalSource:
        """Open the disk and its extent files."""
        return _open(path, "vmdk", _open_vmdk)


class VhdiParser:
    """Microsoft VHD and VHDX virtual disks."""

    name = "vhdi"
    version = 1
    description = "Microsoft VHD/VHDX virtual disks through libvhdi-python"
    emits: tuple[str, ...] = ("evidence:vhd", "evidence:vhdx")

    def __init__(self) -> None:
        """Fail early (ImportError) when the binding is missing."""
        importlib.import_module("pyvhdi")

    def detect(self, path: Path, head: bytes) -> bool:
        """A VHDX header, a dynamic VHD copy of the footer, or a valid VHD footer at the end.

        A fixed VHD is raw data plus a 512-byte footer, whatever the file is called, so the
        footer is looked for on every file (as TSK does) and trusted only if its checksum holds.
        """
        if head.startswith((VHDX_SIGNATURE, VHD_FOOTER_SIGNATURE)):
            return True
        size = path.stat().st_size
        if size < 1024:
            return False
        with path.open("rb") as handle:
            handle.seek(size - 512)
            return is_valid_vhd_footer(handle.read(512))

    def open(self, path: Path) -> LibyalSource:
        """Open the disk (differencing parents are not followed)."""
        fmt = "vhdx" if read_head(path, 8) == VHDX_SIGNATURE else "vhd"
        return _open(path, fmt, lambda p: _open_file_handle("pyvhdi", p))


class QcowParser:
    """QEMU copy-on-write images."""

    name = "qcow"
    version = 1
    description = "QEMU QCOW/QCOW2 images through libqcow-python"
    emits: tuple[str, ...] = ("evidence:qcow",)

    def __init__(self) -> None:
        """Fail early (ImportError) when the binding is missing."""
        importlib.import_module("pyqcow")

    def detect(self, path: Path, head: bytes) -> bool:
        """The QCOW signature at offset 0."""
        return head.startswith(QCOW_SIGNATURE)

    def open(self, path: Path) -> LibyalSource:
        """Open the image (backing files are not followed)."""
        return _open(path, "qcow", lambda p: _open_file_handle("pyqcow", p))
