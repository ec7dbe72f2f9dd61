"""Fixtures of the TUI tests: a scanned sample case, copied fresh for each test that changes it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from catalog.pipeline import ScanOptions, scan
from tests.conftest import EXAMINER, SAMPLE_IMAGES

SAMPLE_DISK = SAMPLE_IMAGES / "disk.raw"
SAMPLE_USB = SAMPLE_IMAGES / "usb_fat.img"


@pytest.fixture(scope="session")
def scanned_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case holding the sample disk (FAT + ext4) and USB stick, scanned once per session."""
    case = tmp_path_factory.mktemp("scanned") / "case.db"
    scan([SAMPLE_DISK, SAMPLE_USB], case, ScanOptions(examiner=EXAMINER, exhibits=("disk", "usb")))
    return case


@pytest.fixture
def sample_case(scanned_sample: Path, tmp_path: Path) -> Path:
    """A private copy of the scanned sample case (tests may tag, verify and export)."""
    folder = tmp_path / "case"
    folder.mkdir()
    copy = folder / "case.db"
    source = sqlite3.connect(scanned_sample)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return copy
