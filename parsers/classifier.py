"""Content classification: MIME type, category, extension mismatch and EXIF.

Classifiers see the file's name, size and the first bytes of its content (the head
buffer filled by the same read pass that hashes the file); none reads the evidence itself.
"""

from __future__ import annotations

CATEGORIES = (
    "document",
    "spreadsheet",
    "presentation",
    "image",
    "video",
    "audio",
    "archive",
    "executable",
    "script",
    "web page",
    "email",
    "database",
    "text",
    "other",
)
"""The closed set of categories written to the catalog."""
