from __future__ import annotations

import json
import struct
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from parsers.classifiers.exif import ExifClassifier
from tests.conftest import SAMPLE_IMAGES

# 35°39'31"N 139°44'43"E, the GPS position written by sample_images/build.py
LATITUDE = 35 + 39 / 60 + 31 / 3600
LONGITUDE = 139 + 44 / 60 + 43 / 3600


@pytest.fixture(scope="module")
def photo() -> bytes:
    """The bytes of /images/photo.jpg in the committed FAT12 sample image."""
    pytsk3 = pytest.importorskip("pytsk3")
    image = pytsk3.Img_Info(str(SAMPLE_IMAGES / "usb_fat.img"))
    fs = pytsk3.FS_Info(image)
    entry = fs.open("/images/photo.jpg")
    data: bytes = entry.read_random(0, entry.info.meta.size)
    assert data.startswith(b"\xff\xd8\xff\xe1")
    return data


@pytest.fixture(scope="module")
def summary(photo: bytes) -> dict[str, Any]:
    text = ExifClassifier().extract(photo)
    assert text is not None
    result: dict[str, Any] = json.loads(text)
    return result


def test_sample_photo_make_and_model(summary: dict[str, Any]) -> None:
    assert summary["make"] == "Canon"
    assert summary["model"] == "Canon PowerShot G7 X"


def test_sample_photo_capture_time(summary: dict[str, Any]) -> None:
    assert summary["date_time_original"] == "2024:02:10 14:23:06"


def test_sample_photo_gps_in_decimal_degrees(summary: dict[str, Any]) -> None:
    assert summary["latitude"] == pytest.approx(35.6586, abs=1e-4)
    assert summary["longitude"] == pytest.approx(139.745, abs=1e-3)
    assert summary["latitude"] == round(LATITUDE, 7) == 35.6586111
    assert summary["longitude"] == round(LONGITUDE, 7) == 139.7452778


def test_summary_is_canonical_json(photo: bytes) -> None:
    text = ExifClassifier().extract(photo)
    assert text is not None
    assert text == json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False)


def _with_gps_refs(photo: bytes, latitude_ref: bytes, longitude_ref: bytes) -> bytes:
    # the sample's GPS IFD stores the refs inline as b"N\0" and b"E\0" after ASCII entries
    lat = struct.pack(">HHI", 0x0001, 2, 2) + b"N\x00"
    lon = struct.pack(">HHI", 0x0003, 2, 2) + b"E\x00"
    assert photo.count(lat) == 1
    assert photo.count(lon) == 1
    return photo.replace(lat, lat[:-2] + latitude_ref + b"\x00").replace(
        lon, lon[:-2] + longitude_ref + b"\x00"
    )


def test_south_and_west_references_give_negative_degrees(photo: bytes) -> None:
    text = ExifClassifier().extract(_with_gps_refs(photo, b"S", b"W"))
    assert text is not None
    summary = json.loads(text)
    assert summary["latitude"] == -round(LATITUDE, 7)
    assert summary["longitude"] == -round(LONGITUDE, 7)


def test_image_without_exif_gives_none() -> None:
    assert ExifClassifier().extract(b"\xff\xd8\xff\xdb\x00\x43" + bytes(67) + b"\xff\xd9") is None


def test_empty_head_gives_none() -> None:
    assert ExifClassifier().extract(b"") is None


def test_exif_block_cut_inside_ifd0_raises_value_error(photo: bytes) -> None:
    with pytest.raises(ValueError, match="malformed EXIF"):
        ExifClassifier().extract(photo[:50])


def test_every_truncation_of_the_sample_raises_value_error_or_returns(photo: bytes) -> None:
    classifier = ExifClassifier()
    outcomes = set()
    for length in range(len(photo) + 1):
        try:
            outcomes.add("summary" if classifier.extract(photo[:length]) else "none")
        except ValueError:
            outcomes.add("ValueError")
    assert outcomes == {"summary", "none", "ValueError"}


_EXIF_HEADERS = st.sampled_from(
    [
        b"\xff\xd8\xff\xe1",
        b"\xff\xd8\xff\xe1\x00\xfaExif\x00\x00",
        b"\xff\xd8\xff\xe1\x00\xfaExif\x00\x00MM\x00*\x00\x00\x00\x08",
        b"\xff\xd8\xff\xe1\xff\xffExif\x00\x00II*\x00\x08\x00\x00\x00",
        b"MM\x00*\x00\x00\x00\x08",
        b"II*\x00\x08\x00\x00\x00",
    ]
)


# no deadline: an IFD claiming 65535 entries takes exifread a tenth of a second to reject
@settings(deadline=None)
@given(header=_EXIF_HEADERS, tail=st.binary(max_size=512))
@example(header=b"\xff\xd8\xff\xe1", tail=b"")
@example(header=b"MM\x00*\x00\x00\x00\x08", tail=b"\xff\xff" + bytes(30))
def test_random_bytes_after_an_exif_header_raise_only_value_error(
    header: bytes, tail: bytes
) -> None:
    try:
        result = ExifClassifier().extract(header + tail)
    except ValueError:
        return
    assert result is None or isinstance(json.loads(result), dict)


@settings(deadline=None)
@given(position=st.integers(min_value=2, max_value=299), value=st.integers(0, 255))
def test_one_corrupted_byte_in_the_sample_raises_only_value_error(
    photo: bytes, position: int, value: int
) -> None:
    damaged = bytearray(photo)
    damaged[position] = value
    try:
        result = ExifClassifier().extract(bytes(damaged))
    except ValueError:
        return
    assert result is None or isinstance(json.loads(result), dict)


@pytest.mark.parametrize(
    ("mime", "applies"),
    [
        ("image/jpeg", True),
        ("image/tiff", True),
        ("image/heic", True),
        ("image/png", False),
        ("application/pdf", False),
        (None, False),
    ],
)
def test_applies_only_to_image_types_that_carry_exif(mime: str | None, applies: bool) -> None:
    assert ExifClassifier().applies_to(mime) is applies
