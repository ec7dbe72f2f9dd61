"""What is in an evidence locker: every file of a tree, with the role it plays.

A locker is a directory tree of disk images as a lab stores them: EWF sets (``.E01``,
``.E02``...), split raw sets (``.001``, ``.002``...), single-file images, VMDK extents, and
the acquisition logs and hash lists beside them. Before anything is catalogued, each file
must be named as an image to scan, a segment of one, a sidecar to hash, or something
unrecognised, so that nothing is silently skipped. Discovery only lists, stats and reads
at most the first 4 KiB and last 512 bytes of a file (sidecars are hashed in full); it
never writes into the locker and never follows a symlinked directory.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from catalog.csvsafe import clean_text
from catalog.errors import UsageError
from parsers.sources.aff import AFF_MAGIC
from parsers.sources.ewf import EWF_SIGNATURES, segment_name
from parsers.sources.libyal import (
    QCOW_SIGNATURE,
    VHD_FOOTER_SIGNATURE,
    VHDX_SIGNATURE,
    VMDK_SIGNATURES,
)
from parsers.sources.raw import split_segments

if TYPE_CHECKING:
    from collections.abc import Iterator

IMAGE, SEGMENT, SIDECAR, UNRECOGNISED = "image", "segment", "sidecar", "unrecognised"
IMAGE_EXTENSIONS = frozenset(
    {".raw", ".dd", ".img", ".ima", ".bin", ".iso", ".dmg", ".vmdk", ".vhd", ".vhdx", ".qcow2"}
    | {".qcow", ".aff"}
)
SIDECAR_KINDS = {
    **dict.fromkeys((".txt", ".log"), "acquisition log"),
    **dict.fromkeys((".md5", ".sha1", ".sha256", ".hash"), "hash list"),
    **dict.fromkeys((".csv", ".xml", ".json", ".info"), "metadata"),
    **dict.fromkeys((".html", ".htm", ".pdf"), "report"),
    **dict.fromkeys((".md", ".ini", ".cfg"), "notes or settings"),
}
OS_CLUTTER = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
HEAD_SIZE, TAIL_SIZE, CHUNK_SIZE = 4096, 512, 1 << 20

_EWF_FIRST = re.compile(r"^(?P<stem>.+)\.(?P<kind>ex|e)01$", re.IGNORECASE)
_EWF_NUMERIC = re.compile(r"^(?P<stem>.+)\.(?P<kind>ex|e)(?P<num>0[2-9]|[1-9]\d)$", re.IGNORECASE)
_LAST_EWF_SEGMENT = 99 + 26 * 26 * 22  # .E99, then .EAA...ZZZ (the lead letter runs E..Z)
_SPLIT_FIRST = re.compile(r"^.+\.(?:0{1,3}[01]|aa)$")
_VMDK_EXTENT = re.compile(r"^(?P<stem>.+)-(?:flat|[sf]\d{3})\.vmdk$", re.IGNORECASE)
_HEAD_SIGNATURES = (
    (EWF_SIGNATURES[0], "EWF signature"),
    (EWF_SIGNATURES[1], "EWF2 signature"),
    (EWF_SIGNATURES[2], "EWF logical (LVF) signature"),
    (VHDX_SIGNATURE, "VHDX signature"),
    (VMDK_SIGNATURES[0], "VMDK sparse signature"),
    (VMDK_SIGNATURES[1], "VMDK descriptor"),
    (VMDK_SIGNATURES[2], "VMDK (COWD) signature"),
    (AFF_MAGIC[:7], "AFF signature"),
)


@dataclass(frozen=True, slots=True)
class LockerItem:
    """One file (or unenterable directory) of a locker and the role it plays."""

    path: Path
    """Absolute path inside the resolved root; symlinked files keep their locker path."""
    relpath: str
    """POSIX path relative to the root, safe text (``clean_text``)."""
    role: str
    """``image``, ``segment``, ``sidecar`` or ``unrecognised``."""
    size: int
    reason: str
    """Short human reason for the role, e.g. ``EWF first segment``."""
    first_segment: str | None = None
    """For a segment: the relpath of its set's first segment."""


class _Claim(NamedTuple):
    """A role decided from the names in a directory (sets, extents)."""

    role: str
    reason: str
    first: str | None = None


def discover(root: Path) -> list[LockerItem]:
    """List every file under ``root`` with its role, sorted by relpath.

    Unreadable directories, symlinked directories and files that cannot be read become
    ``unrecognised`` items naming the reason; nothing is ever written.

    Raises:
        UsageError: ``root`` is not a directory or cannot be listed.
    """
    if not root.is_dir():
        raise UsageError(f"{clean_text(str(root))}: not a directory; give the locker folder")
    base = root.resolve()
    items: list[LockerItem] = []
    for directory, names in _walk(base, items):
        items.extend(_classify_directory(base, directory, sorted(names)))
    return sorted(items, key=lambda item: item.relpath)


def _walk(base: Path, problems: list[LockerItem]) -> Iterator[tuple[Path, list[str]]]:
    """Yield each directory and its file names; record unenterable directories."""

    def on_error(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else base
        if where == base:
            raise UsageError(f"{clean_text(str(base))}: cannot list the locker ({exc.strerror})")
        reason = f"unreadable directory ({exc.strerror})"
        problems.append(LockerItem(where, _relpath(base, where), UNRECOGNISED, 0, reason))

    for dirpath, dirnames, filenames in os.walk(base, onerror=on_error, followlinks=False):
        directory = Path(dirpath)
        for name in sorted(dirnames):
            link = directory / name
            if link.is_symlink():
                reason = "symlinked directory not followed"
                size = _link_size(link)
                problems.append(LockerItem(link, _relpath(base, link), UNRECOGNISED, size, reason))
        yield directory, filenames


def _link_size(link: Path) -> int:
    try:
        return link.lstat().st_size
    except OSError:
        return 0


def _relpath(base: Path, path: Path) -> str:
    return clean_text(path.relative_to(base).as_posix())


def _classify_directory(base: Path, directory: Path, names: list[str]) -> list[LockerItem]:
    """Decide the role of every file of one directory, sets first, then one by one."""
    by_lower = {name.lower(): name for name in names}
    claims: dict[str, _Claim] = {}
    _claim_ewf_sets(names, by_lower, claims)
    _claim_split_sets(directory, names, claims)
    _claim_vmdk_extents(names, by_lower, claims)
    return [_item(base, directory / name, claims.get(name)) for name in names]


def _claim_ewf_sets(names: list[str], by_lower: dict[str, str], claims: dict[str, _Claim]) -> None:
    """Claim each ``.E01``/``.Ex01`` and its continuation segments, in naming order."""
    for name in names:
        match = _EWF_FIRST.match(name)
        if not match:
            continue
        claims[name] = _Claim(IMAGE, "EWF first segment")
        for number, member in _ewf_chain(name, match["kind"], by_lower):
            claims.setdefault(member, _Claim(SEGMENT, f"segment {number} of {name}", name))
    for name in names:  # a numbered segment after a gap still belongs to its set
        match = _EWF_NUMERIC.match(name)
        if not match or name in claims:
            continue
        first = by_lower.get(f"{match['stem']}.{match['kind']}01".lower())
        if first is not None:
            reason = f"segment {int(match['num'])} of {first} (an earlier segment is missing)"
            claims[name] = _Claim(SEGMENT, reason, first)


def _ewf_chain(first: str, kind: str, by_lower: dict[str, str]) -> Iterator[tuple[int, str]]:
    """Yield (number, name) of the segments present after ``first``, until one is absent."""
    is_v2 = len(kind) == 2  # .Ex01 sets run .Ex02...Ex99
    for number in range(2, 100 if is_v2 else _LAST_EWF_SEGMENT + 1):
        wanted = f"{first[:-2]}{number:02d}" if is_v2 else segment_name(Path(first), number)
        member = by_lower.get(wanted.lower())
        if member is None:
            return
        yield number, member


def _claim_split_sets(directory: Path, names: list[str], claims: dict[str, _Claim]) -> None:
    """Claim split raw sets (``.000``/``.001``/``.aa`` firsts) and lone ``.000``/``.001``."""
    candidates = [name for name in names if _SPLIT_FIRST.match(name)]
    for name in sorted(candidates, key=lambda name: (not name.endswith("0"), name)):
        if name in claims:
            continue
        segments = split_segments(directory / name)
        if segments is None:
            if not name.endswith("aa"):
                claims[name] = _Claim(IMAGE, f"raw image named {PurePath(name).suffix}")
            continue
        claims[name] = _Claim(IMAGE, "split raw first segment")
        for number, segment in enumerate(segments[1:], start=2):
            reason = f"segment {number} of {name}"
            claims.setdefault(segment.name, _Claim(SEGMENT, reason, name))


def _claim_vmdk_extents(
    names: list[str], by_lower: dict[str, str], claims: dict[str, _Claim]
) -> None:
    """Claim ``-flat``/``-sNNN``/``-fNNN`` VMDK extents for their descriptor."""
    for name in names:
        match = _VMDK_EXTENT.match(name)
        if not match or name in claims:
            continue
        descriptor = by_lower.get(f"{match['stem']}.vmdk".lower())
        if descriptor is None:
            claims[name] = _Claim(IMAGE, "VMDK extent without its descriptor")
        else:
            claims[name] = _Claim(SEGMENT, f"VMDK extent of {descriptor}", descriptor)


def _item(base: Path, path: Path, claim: _Claim | None) -> LockerItem:
    """The item for one file; an OSError while looking becomes its reason."""
    relpath = _relpath(base, path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return LockerItem(path, relpath, UNRECOGNISED, 0, "not a regular file")
        role, reason, first = _decide(path, info.st_size, claim)
    except OSError as exc:
        reason = clean_text(f"unreadable ({exc.strerror or exc})")
        return LockerItem(path, relpath, UNRECOGNISED, 0, reason)
    first_rel = _relpath(base, path.with_name(first)) if first else None
    return LockerItem(path, relpath, role, info.st_size, clean_text(reason), first_rel)


def _decide(path: Path, size: int, claim: _Claim | None) -> tuple[str, str, str | None]:
    """Role, reason and first segment's name: by name, then by content."""
    name = path.name.lower()
    suffix = PurePath(name).suffix
    if name in OS_CLUTTER:
        return UNRECOGNISED, f"operating-system clutter ({path.name})", None
    if suffix in SIDECAR_KINDS:
        return SIDECAR, f"{SIDECAR_KINDS[suffix]} ({suffix})", None
    if size == 0:
        return UNRECOGNISED, "empty file", None
    if claim is not None:
        return claim.role, claim.reason, claim.first
    if suffix in IMAGE_EXTENSIONS:
        return IMAGE, f"disk-image extension ({suffix})", None
    if _EWF_NUMERIC.match(name):
        return UNRECOGNISED, "EWF segment without its first segment", None
    signature = _probe(path, size)
    if signature is None:
        return UNRECOGNISED, "no disk-image signature or extension", None
    return IMAGE, signature, None


def _open_evidence(path: Path) -> BinaryIO:
    """Open read-only, without blocking on a swapped-in FIFO and without touching atime."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NOATIME", 0))
    except PermissionError:  # O_NOATIME needs the file's owner; retry without it
        fd = os.open(path, flags)
    handle = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        handle.close()
        raise OSError(f"{path.name} is no longer a regular file")
    return handle


def sidecar_sha256(path: Path) -> str | None:
    """SHA-256 of a sidecar, streamed in 1 MiB chunks (None when it cannot be read).

    Called once per sidecar, when a run first records it: later runs do not read it again.
    """
    digest = hashlib.sha256()
    try:
        with _open_evidence(path) as handle:
            while chunk := handle.read(CHUNK_SIZE):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _probe(path: Path, size: int) -> str | None:
    """Name the disk-image signature in the first 4 KiB or last 512 bytes, if any."""
    with _open_evidence(path) as handle:
        head = handle.read(HEAD_SIZE)
        tail = b""
        if size >= TAIL_SIZE:
            handle.seek(size - TAIL_SIZE)
            tail = handle.read(TAIL_SIZE)
    return signature_reason(head, tail, size)


def signature_reason(head: bytes, tail: bytes, size: int) -> str | None:
    """The disk-image signature that ``head``/``tail`` of a ``size``-byte file carry, or None."""
    for magic, reason in _HEAD_SIGNATURES:
        if head.startswith(magic):
            return reason
    if head.startswith(QCOW_SIGNATURE):
        return "QCOW2 signature" if int.from_bytes(head[4:8], "big") >= 2 else "QCOW signature"
    if tail.startswith(VHD_FOOTER_SIGNATURE):
        return "VHD footer"
    if size >= 512 and size % 512 == 0 and head[510:512] == b"\x55\xaa":
        return "boot-sector signature (0x55AA at 510)"
    return None
