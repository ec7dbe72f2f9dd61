"""EXIF metadata of images (camera, times, GPS in decimal degrees) through exifread.

Reads only the head buffer: EXIF lives in the first APP1 segment of a JPEG, which JPEG
limits to 64 KiB, and at the start of a TIFF.
"""

from __future__ import annotations

import io
import json
import logging
from fractions import Fraction
from typing import Any

import exifread

_EXIF_MIMES = {"image/jpeg", "image/tiff", "image/heic", "image/webp", "image/x-canon-cr2"}
_FIELDS = {
    "Image Make": "make",
    "Image Model": "model",
    "Image Software": "software",
    "EXIF DateTimeOriginal": "date_time_original",
    "EXIF DateTimeDigitized": "date_time_digitized",
    "Image DateTime": "date_time",
    "EXIF OffsetTimeOriginal": "offset_time_original",
    "EXIF BodySerialNumber": "body_serial_number",
}
logging.getLogger("exifread").setLevel(logging.ERROR)


def _degrees(values: Any, reference: str) -> float | None:
    try:
        parts = [Fraction(v.num, v.den) if v.den else Fraction(0) for v in values]
    except (AttributeError, TypeError, ZeroDivisionError):
        return None
    if len(parts) != 3:
        return None
    value = float(parts[0] + parts[1] / 60 + parts[2] / 3600)
    return round(-value if reference in ("S", "W") else value, 7)


def _gps(tags: dict[str, Any]) -> dict[str, float]:
    found: dict[str, float] = {}
    for axis, key in (("Latitude", "latitude"), ("Longitude", "longitude")):
        values = tags.get(f"GPS GPS{axis}")
        reference = str(tags.get(f"GPS GPS{axis}Ref", "")).strip()
        if values is not None:
            degrees = _degrees(values.values, reference)
            if degrees is not None:
                found[key] = degrees
    return found


class ExifClassifier:
    """Camera make/model, capture times and GPS position from EXIF."""

    name = "exif"
    version = 1
    description = "EXIF camera, times and GPS (decimal degrees) from image heads via exifread"
    emits: tuple[str, ...] = ("file:exif",)

    def applies_to(self, mime: str | None) -> bool:
        """Only image types that carry EXIF."""
        return mime in _EXIF_MIMES

    def extract(self, head: bytes) -> str | None:
        """EXIF summary as canonical JSON, or None if the image has none.

        Raises:
            ValueError: the EXIF block is malformed (the caller records a problem).
        """
        try:
            tags = exifread.process_file(io.BytesIO(head), details=False)
        except (KeyError, IndexError, TypeError, AttributeError, struct_error()) as exc:
            raise ValueError(f"malformed EXIF ({type(exc).__name__}: {exc})") from exc
        if not tags:
            return None
        summary: dict[str, Any] = {
            key: str(tags[tag]).strip() for tag, key in _FIELDS.items() if tag in tags
        }
        summary.update(_gps(tags))
        return json.dumps(summary, sort_keys=True, ensure_ascii=False) if summary else None


def struct_error() -> type[Exception]:
    """``struct.error``, raised by exifread on truncated blocks."""
    import struct

    return struct.error
