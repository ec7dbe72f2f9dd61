from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from catalog.errors import UsageError
from catalog.locker import discovery
from catalog.locker.discovery import LockerItem, discover, sidecar_sha256, signature_reason
from tests.conftest import CORPUS, needs_corpus

EWF_HEAD = b"EVF\x09\x0d\x0a\xff\x00\x01\x01\x00"
HOSTILE_NAME = '=HYPERLINK("x")\x1b[31m.img'
UNDECODABLE = os.fsdecode(b"bad\xff.dd")


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _boot_sector(size: int = 1024) -> bytes:
    data = bytearray(size)
    data[510:512] = b"\x55\xaa"
    return bytes(data)


def _vhd(size: int = 2048) -> bytes:
    data = bytearray(size)
    data[-512 : -512 + 8] = b"conectix"
    return bytes(data)


@pytest.fixture
def locker(tmp_path: Path) -> Path:
    root = tmp_path / "locker"
    _write(root / "site-A" / "PC-01.E01", EWF_HEAD + b"first")
    _write(root / "site-A" / "PC-01.E02", EWF_HEAD + b"second")
    _write(root / "site-A" / "PC-01.E03", EWF_HEAD + b"third")
    _write(root / "site-A" / "PC-01.E01.txt", b"Created By AccessData FTK Imager\n")
    for number in (1, 2, 3):
        _write(root / f"disk.00{number}", bytes(512))
    _write(root / "lone.001", b"raw named .001")
    _write(root / "x.000", b"zero")
    _write(root / "x.001", b"one")
    _write(root / "a.aa", b"aa")
    _write(root / "a.ab", b"ab")
    _write(root / "phone.bin", b"nand dump")
    _write(root / "noext", _boot_sector())
    _write(root / "notes.txt", b"seized at 09:30")
    _write(root / "x.gt.json", b'{"files": 3}')
    _write(root / ".DS_Store", b"\x00\x00\x00\x01Bud1")
    _write(root / HOSTILE_NAME, b"hostile")
    _write(root / UNDECODABLE, b"undecodable")
    _write(root / "empty.raw", b"")
    _write(root / "orphan.E02", EWF_HEAD)
    (root / "loop").symlink_to(".", target_is_directory=True)
    return root


def _by_relpath(root: Path) -> dict[str, LockerItem]:
    return {item.relpath: item for item in discover(root)}


def _snapshot(root: Path) -> list[tuple[str, int, int]]:
    entries = [(".", root.lstat().st_mtime_ns, 0)]
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            info = (Path(dirpath) / name).lstat()
            entries.append((os.path.join(dirpath, name), info.st_mtime_ns, info.st_size))
    return sorted(entries)


def test_ewf_set_is_first_segment_image_and_its_continuations(locker: Path) -> None:
    items = _by_relpath(locker)
    first = items["site-A/PC-01.E01"]
    assert (first.role, first.reason, first.first_segment) == ("image", "EWF first segment", None)
    for number in (2, 3):
        segment = items[f"site-A/PC-01.E0{number}"]
        assert segment.role == "segment"
        assert segment.reason == f"segment {number} of PC-01.E01"
        assert segment.first_segment == "site-A/PC-01.E01"


def test_split_raw_sets_and_lone_numbered_files(locker: Path) -> None:
    items = _by_relpath(locker)
    assert (items["disk.001"].role, items["disk.001"].reason) == (
        "image",
        "split raw first segment",
    )
    assert [(items[f"disk.00{n}"].role, items[f"disk.00{n}"].first_segment) for n in (2, 3)] == [
        ("segment", "disk.001"),
        ("segment", "disk.001"),
    ]
    assert items["disk.003"].reason == "segment 3 of disk.001"
    assert (items["lone.001"].role, items["lone.001"].reason) == ("image", "raw image named .001")
    assert items["x.000"].role == "image"
    assert (items["x.001"].role, items["x.001"].first_segment) == ("segment", "x.000")
    assert items["a.aa"].role == "image"
    assert (items["a.ab"].role, items["a.ab"].first_segment) == ("segment", "a.aa")


def test_sidecars_are_recognised_and_hash_to_the_sha256_of_their_bytes(locker: Path) -> None:
    items = _by_relpath(locker)
    for relpath in ("notes.txt", "x.gt.json", "site-A/PC-01.E01.txt"):
        item = items[relpath]
        assert item.role == "sidecar"
        expected = hashlib.sha256((locker / relpath).read_bytes()).hexdigest()
        assert sidecar_sha256(item.path) == expected
        assert item.size == (locker / relpath).stat().st_size
    assert items["notes.txt"].reason == "acquisition log (.txt)"
    assert items["x.gt.json"].reason == "metadata (.json)"


def test_a_sidecar_that_vanished_has_no_hash(tmp_path: Path) -> None:
    assert sidecar_sha256(tmp_path / "gone.txt") is None


def test_images_by_extension_and_by_boot_sector_signature(locker: Path) -> None:
    items = _by_relpath(locker)
    assert (items["phone.bin"].role, items["phone.bin"].reason) == (
        "image",
        "disk-image extension (.bin)",
    )
    assert items["noext"].role == "image"
    assert items["noext"].reason == "boot-sector signature (0x55AA at 510)"


def test_unrecognised_files_name_their_reason(locker: Path) -> None:
    items = _by_relpath(locker)
    assert (items["empty.raw"].role, items["empty.raw"].reason) == ("unrecognised", "empty file")
    assert items["orphan.E02"].role == "unrecognised"
    assert items["orphan.E02"].reason == "EWF segment without its first segment"
    assert items[".DS_Store"].role == "unrecognised"
    assert (items["loop"].role, items["loop"].reason) == (
        "unrecognised",
        "symlinked directory not followed",
    )
    assert not any(relpath.startswith("loop/") for relpath in items)


def test_hostile_names_become_safe_text_and_keep_their_real_path(locker: Path) -> None:
    items = _by_relpath(locker)
    hostile = items[HOSTILE_NAME]
    assert hostile.role == "image"
    assert hostile.path == locker.resolve() / HOSTILE_NAME
    undecodable = items["bad\\xff.dd"]
    assert undecodable.path.read_bytes() == b"undecodable"
    assert undecodable.role == "image"
    for item in items.values():
        item.relpath.encode("utf-8")  # no lone surrogates left
        item.reason.encode("utf-8")


def test_items_are_sorted_absolute_and_complete(locker: Path) -> None:
    items = discover(locker)
    relpaths = [item.relpath for item in items]
    assert relpaths == sorted(relpaths)
    assert len(relpaths) == len(set(relpaths))
    assert all(item.path.is_absolute() for item in items)
    listed = {
        os.path.relpath(os.path.join(dirpath, name), locker)
        for dirpath, dirnames, filenames in os.walk(locker)
        for name in dirnames + filenames
    }
    assert {item.path.relative_to(locker.resolve()).as_posix() for item in items} == listed - {
        "site-A"
    }


def test_discovery_writes_nothing_into_the_locker(locker: Path) -> None:
    before = _snapshot(locker)
    discover(locker)
    assert _snapshot(locker) == before


def test_ewf_segment_after_a_gap_still_belongs_to_its_set(tmp_path: Path) -> None:
    _write(tmp_path / "g.E01", EWF_HEAD)
    _write(tmp_path / "g.E03", EWF_HEAD)
    item = _by_relpath(tmp_path)["g.E03"]
    assert (item.role, item.first_segment) == ("segment", "g.E01")
    assert item.reason == "segment 3 of g.E01 (an earlier segment is missing)"


def test_ewf_sets_continue_past_e99_and_ex01_sets_are_recognised(tmp_path: Path) -> None:
    for number in range(1, 100):
        _write(tmp_path / f"big.E{number:02d}", EWF_HEAD)
    _write(tmp_path / "big.EAA", EWF_HEAD)
    _write(tmp_path / "big.EAB", EWF_HEAD)
    _write(tmp_path / "v2.Ex01", b"EVF2\r\n\x81\x00")
    _write(tmp_path / "v2.Ex02", b"EVF2\r\n\x81\x00")
    _write(tmp_path / "mail.eml", b"From: scammer")  # E-letter name, not in any set
    items = _by_relpath(tmp_path)
    assert items["big.EAB"].reason == "segment 101 of big.E01"
    assert items["v2.Ex01"].role == "image"
    assert (items["v2.Ex02"].role, items["v2.Ex02"].first_segment) == ("segment", "v2.Ex01")
    assert items["mail.eml"].reason == "no disk-image signature or extension"


def test_vmdk_extents_belong_to_their_descriptor(tmp_path: Path) -> None:
    _write(tmp_path / "vm.vmdk", b"# Disk DescriptorFile\n")
    _write(tmp_path / "vm-flat.vmdk", bytes(512))
    _write(tmp_path / "vm-s001.vmdk", b"KDMV")
    _write(tmp_path / "alone-f001.vmdk", bytes(512))
    items = _by_relpath(tmp_path)
    assert items["vm.vmdk"].role == "image"
    for name in ("vm-flat.vmdk", "vm-s001.vmdk"):
        assert (items[name].role, items[name].first_segment) == ("segment", "vm.vmdk")
    assert (items["alone-f001.vmdk"].role, items["alone-f001.vmdk"].reason) == (
        "image",
        "VMDK extent without its descriptor",
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (EWF_HEAD + bytes(100), "EWF signature"),
        (b"LVF\x09\x0d\x0a\xff\x00" + bytes(8), "EWF logical (LVF) signature"),
        (b"QFI\xfb\x00\x00\x00\x03" + bytes(8), "QCOW2 signature"),
        (b"QFI\xfb\x00\x00\x00\x01" + bytes(8), "QCOW signature"),
        (b"vhdxfile" + bytes(8), "VHDX signature"),
        (b"KDMV" + bytes(8), "VMDK sparse signature"),
        (b"# Disk DescriptorFile\nversion=1\n", "VMDK descriptor"),
        (b"AFF10\r\n\x00" + bytes(8), "AFF signature"),
        (_vhd(), "VHD footer"),
        (_boot_sector(512), "boot-sector signature (0x55AA at 510)"),
    ],
    ids=["ewf", "lvf", "qcow2", "qcow1", "vhdx", "vmdk", "descriptor", "aff", "vhd", "mbr"],
)
def test_content_signatures_make_unnamed_files_images(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    _write(tmp_path / "evidence", content)
    item = _by_relpath(tmp_path)["evidence"]
    assert (item.role, item.reason, item.size) == ("image", reason, len(content))


@pytest.mark.parametrize(
    "content",
    [b"just text", _boot_sector(1000), b"\x55\xaa" * 8],
    ids=["text", "boot-sector-odd-size", "short"],
)
def test_files_without_signature_are_unrecognised(tmp_path: Path, content: bytes) -> None:
    _write(tmp_path / "blob", content)
    item = _by_relpath(tmp_path)["blob"]
    assert (item.role, item.reason) == ("unrecognised", "no disk-image signature or extension")


def test_probe_reads_only_the_head_and_the_tail(tmp_path: Path) -> None:
    data = bytearray(64 * 1024)
    data[10_000:10_004] = b"KDMV"  # past the 4 KiB head: must not be seen
    assert signature_reason(bytes(data[:4096]), bytes(data[-512:]), len(data)) is None
    _write(tmp_path / "blob", bytes(data))
    assert _by_relpath(tmp_path)["blob"].role == "unrecognised"


def test_symlinked_file_is_followed_but_keeps_its_locker_path(tmp_path: Path) -> None:
    outside = _write(tmp_path / "elsewhere" / "real.raw", b"raw bytes")
    root = tmp_path / "locker"
    root.mkdir()
    (root / "link.raw").symlink_to(outside)
    (root / "dangling.raw").symlink_to(tmp_path / "missing.raw")
    items = _by_relpath(root)
    assert items["link.raw"].path == root.resolve() / "link.raw"
    assert (items["link.raw"].role, items["link.raw"].size) == ("image", len(b"raw bytes"))
    assert items["dangling.raw"].role == "unrecognised"
    assert items["dangling.raw"].reason.startswith("unreadable (No such file")


def test_fifo_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.raw")
    item = _by_relpath(tmp_path)["pipe.raw"]
    assert (item.role, item.reason) == ("unrecognised", "not a regular file")


def test_unreadable_subdirectory_becomes_an_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / "sealed" / "hidden.E01", EWF_HEAD)
    _write(tmp_path / "open.raw", b"raw")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if os.path.basename(path) == "sealed":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    items = _by_relpath(tmp_path)
    assert (items["sealed"].role, items["sealed"].reason) == (
        "unrecognised",
        "unreadable directory (Permission denied)",
    )
    assert "sealed/hidden.E01" not in items
    assert items["open.raw"].role == "image"


def test_unlistable_root_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def scandir(path: str) -> object:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(UsageError, match="cannot list the locker"):
        discover(tmp_path)


def test_file_vanishing_while_probed_becomes_an_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / "going", b"x" * 600)

    def vanished(path: Path, size: int) -> str:
        raise FileNotFoundError(2, "No such file or directory", str(path))

    monkeypatch.setattr(discovery, "_probe", vanished)
    item = _by_relpath(tmp_path)["going"]
    assert (item.role, item.reason) == ("unrecognised", "unreadable (No such file or directory)")


@pytest.mark.parametrize("kind", ["missing", "file"], ids=["missing", "file"])
def test_root_that_is_not_a_directory_is_a_usage_error(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "not-a-locker"
    if kind == "file":
        root.write_bytes(b"x")
    with pytest.raises(UsageError, match="not-a-locker: not a directory"):
        discover(root)


@needs_corpus
def test_corpus_roles_match_its_ground_truth_files() -> None:
    items = _by_relpath(CORPUS)
    ground_truth = {relpath for relpath in items if relpath.endswith(".gt.json")}
    assert ground_truth
    assert all(items[relpath].role == "sidecar" for relpath in ground_truth)
    for number in (2, 3, 4):
        segment = items[f"email_test.E0{number}"]
        assert (segment.role, segment.first_segment) == ("segment", "email_test.E01")
    assert (items["image.raw.001"].role, items["image.raw.001"].first_segment) == (
        "segment",
        "image.raw.000",
    )
    images = {relpath for relpath, item in items.items() if item.role == "image"}
    assert images == {relpath.removesuffix(".gt.json") for relpath in ground_truth}


def test_lone_aa_file_is_not_a_split_set(tmp_path: Path) -> None:
    _write(tmp_path / "notes.aa", b"plain bytes")
    _write(tmp_path / "tiny.000", b"raw")
    items = _by_relpath(tmp_path)
    assert items["notes.aa"].role == "unrecognised"
    assert (items["tiny.000"].role, items["tiny.000"].reason) == ("image", "raw image named .000")
