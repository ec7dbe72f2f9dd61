"""Signature and structure carving of files from unallocated space (issue 9).

Deleted files survive only as bytes once their directory entries are gone. This package
finds them by signature and accepts one only when its structure validates (JPEG segments,
PNG chunk CRCs, GIF blocks, PDF trailer, ZIP central directory, SQLite header), and finds
runs of text (UTF-8, UTF-16LE, Shift_JIS) in what is left. It is pure: it reads through
``parsers.dvr.disk.DiskBytes`` and returns values.
"""

from __future__ import annotations

from parsers.carving.model import CarvedFile, CarveProblem, FileCarveResult
from parsers.carving.scan import carve_files

__all__ = ["CarveProblem", "CarvedFile", "FileCarveResult", "carve_files"]
