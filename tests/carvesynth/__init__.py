"""Test-only builders of disks whose evidence files were deleted or reformatted away.

Each builder plants real files (JPEG, PNG, GIF, PDF, ZIP, DOCX, XLSX, SQLite and text in
UTF-8, Shift_JIS and UTF-16LE) with the real file-system tools, removes their directory
entries, and returns the image with exact ground truth (absolute offset, length, SHA-256,
kind) of every payload a carver must recover and of every file still allocated.
"""

from __future__ import annotations

from tests.carvesynth.ext4deleted import build_ext4_deleted
from tests.carvesynth.fatreformat import build_fat_reformatted
from tests.carvesynth.partitioned import build_partitioned_gap
from tests.carvesynth.truth import AllocatedFile, CarveImage, Planted

__all__ = [
    "AllocatedFile",
    "CarveImage",
    "Planted",
    "build_ext4_deleted",
    "build_fat_reformatted",
    "build_partitioned_gap",
]
