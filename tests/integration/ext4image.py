"""Build a small ext4 image from a folder, without root (``mke2fs -d``), for scan tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def build_ext4(tree: Path, image: Path, size_mib: int) -> Path:
    """An ext4 image of ``size_mib`` MiB holding ``tree``; skips the test without mke2fs."""
    mke2fs = shutil.which("mke2fs") or shutil.which("mkfs.ext4")
    if mke2fs is None:
        pytest.skip("mke2fs (e2fsprogs) is not installed")
    subprocess.run(
        [mke2fs, "-q", "-F", "-t", "ext4", "-L", "artefacts", "-d", str(tree), str(image),
         f"{size_mib}M"],
        check=True,
        capture_output=True,
        env={"E2FSPROGS_FAKE_TIME": "1700000000", "PATH": "/usr/sbin:/sbin:/usr/bin:/bin"},
    )  # fmt: skip
    return image
