"""Virtual-disk containers (QCOW2, VHDX, VHD fixed and dynamic, VMDK) give the raw image's catalog.

The containers are made at test time from ``usb_fat.img`` with ``qemu-img`` (not committed:
qemu-img stamps UUIDs and times into them, and VHDX is mostly padding).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from catalog.pipeline import ScanOptions, scan
from tests.conftest import EXAMINER, SAMPLE_IMAGES

pytestmark = pytest.mark.skipif(
    shutil.which("qemu-img") is None, reason="qemu-img not installed (apt-get install qemu-utils)"
)

FORMATS = {
    "usb.qcow2": ("qcow2", [], "qcow"),
    "usb.vhdx": ("vhdx", ["-o", "subformat=dynamic,block_size=1M"], "vhdx"),
    "usb.vhd": ("vpc", ["-o", "subformat=dynamic"], "vhd"),
    "usb_fixed.img": ("vpc", ["-o", "subformat=fixed"], "vhd"),
    "usb.vmdk": ("vmdk", [], "vmdk"),
}


def _listing(case: Path, exhibit: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(case)
    rows = connection.execute(
        "SELECT path, inode, is_allocated, size, sha256, mime FROM files WHERE evidence_id = ?"
        " ORDER BY path, inode",
        [exhibit],
    ).fetchall()
    connection.close()
    return rows


@pytest.fixture(scope="module")
def raw_listing(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[object, ...]]:
    case = tmp_path_factory.mktemp("raw") / "case.db"
    scan([SAMPLE_IMAGES / "usb_fat.img"], case, ScanOptions(examiner=EXAMINER, exhibits=("raw",)))
    return _listing(case, "raw")


@pytest.mark.parametrize("name", FORMATS)
def test_container_catalogues_like_the_raw_image(
    tmp_path: Path, name: str, raw_listing: list[tuple[object, ...]]
) -> None:
    qemu_format, options, expected_format = FORMATS[name]
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    image = evidence / name
    subprocess.run(
        [
            "qemu-img",
            "convert",
            "-f",
            "raw",
            "-O",
            qemu_format,
            *options,
            str(SAMPLE_IMAGES / "usb_fat.img"),
            str(image),
        ],
        check=True,
        capture_output=True,
    )
    case = tmp_path / "case" / "case.db"
    summary = scan([image], case, ScanOptions(examiner=EXAMINER, exhibits=("c",)))
    assert summary.status == "success"
    assert _listing(case, "c") == raw_listing
    connection = sqlite3.connect(case)
    [(fmt,)] = connection.execute("SELECT format FROM evidence").fetchall()
    connection.close()
    assert fmt == expected_format
