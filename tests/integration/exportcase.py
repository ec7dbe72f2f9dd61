"""Shared by the export tests: one case of three sample images, and an in-memory export."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import sqlite_utils

from catalog.exports.base import Exporter, ExportSnapshot, ExportStats
from catalog.pipeline import ScanOptions, scan
from tests.conftest import EXAMINER, SAMPLE_IMAGES

IMAGES = [
    SAMPLE_IMAGES / "usb_fat.img",
    SAMPLE_IMAGES / "hostile" / "names.img",
    SAMPLE_IMAGES / "disk.raw",
]
EXHIBITS = ("usb", "names", "disk")


def scan_sample_case(case: Path) -> Path:
    """Scan the three sample images into ``case`` as usb, names and disk."""
    scan(IMAGES, case, ScanOptions(examiner=EXAMINER, exhibits=EXHIBITS))
    return case


def query_rows(case: Path, sql: str) -> list[sqlite3.Row]:
    """Rows of one query on the case catalog, by column name."""
    connection = sqlite3.connect(case)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def export_bytes(
    writer: Exporter, case: Path, snapshot: ExportSnapshot
) -> tuple[bytes, ExportStats]:
    """Run one exporter over ``case`` into memory."""
    db = sqlite_utils.Database(str(case))
    try:
        handle = io.BytesIO()
        stats = writer(db, handle, snapshot)
    finally:
        db.close()
    return handle.getvalue(), stats
