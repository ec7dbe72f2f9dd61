"""The bundled sample images, scanned end to end, against their committed fls/mmls golden output."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from catalog.pipeline import ScanOptions, scan
from tests.conftest import EXAMINER, GOLDEN, SAMPLE_IMAGES

DISK_FORMS = {
    "disk.raw": SAMPLE_IMAGES / "disk.raw",
    "disk.E01": SAMPLE_IMAGES / "disk.E01",
    "disk.split": SAMPLE_IMAGES / "split" / "disk.001",
}
FAT_OFFSET, EXT_OFFSET = 2048 * 512, 8192 * 512
_FLS_LINE = re.compile(r"^(?P<types>\S+/\S+) (?P<deleted>\* )?(?P<inode>[^:]+):\t(?P<path>.*)$")


def _golden_entries(name: str) -> Counter[tuple[str, str, bool]]:
    """(path, inode, allocated) of every line of a committed ``fls -r -p -l`` listing."""
    entries: Counter[tuple[str, str, bool]] = Counter()
    for line in (GOLDEN / name).read_text(encoding="utf-8").splitlines():
        match = _FLS_LINE.match(line.split("\t", 1)[0] + "\t" + line.split("\t", 2)[1])
        if match:
            entries[("/" + match["path"], match["inode"], match["deleted"] is None)] += 1
    return entries


@pytest.fixture(scope="module")
def sample_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    case = tmp_path_factory.mktemp("sample") / "case.db"
    images = [*DISK_FORMS.values(), SAMPLE_IMAGES / "usb_fat.img"]
    summary = scan(
        images, case, ScanOptions(examiner=EXAMINER, exhibits=(*DISK_FORMS.keys(), "usb"))
    )
    return case, summary


def _rows(case: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    connection = sqlite3.connect(case)
    connection.row_factory = sqlite3.Row
    rows = connection.execute(sql, params).fetchall()
    connection.close()
    return rows


def test_good_sample_images_produce_zero_problems(sample_case: tuple[Path, object]) -> None:
    case, summary = sample_case
    assert _rows(case, "SELECT * FROM problems") == []
    assert summary.status == "success"


@pytest.mark.parametrize("exhibit", DISK_FORMS)
@pytest.mark.parametrize(("partition", "offset"), [("p1", FAT_OFFSET), ("p2", EXT_OFFSET)])
def test_catalog_matches_golden_fls_listing(
    sample_case: tuple[Path, object], exhibit: str, partition: str, offset: int
) -> None:
    case, _ = sample_case
    rows = _rows(
        case,
        "SELECT path, inode, is_allocated FROM files JOIN filesystems USING (fs_id)"
        " WHERE files.evidence_id = ? AND filesystems.offset = ?",
        exhibit,
        offset,
    )
    ours = Counter((r["path"], r["inode"], bool(r["is_allocated"])) for r in rows)
    assert ours == _golden_entries(f"{exhibit}.{partition}.fls.txt")


def test_usb_stick_matches_golden_fls_listing(sample_case: tuple[Path, object]) -> None:
    case, _ = sample_case
    rows = _rows(case, "SELECT path, inode, is_allocated FROM files WHERE evidence_id = 'usb'")
    ours = Counter((r["path"], r["inode"], bool(r["is_allocated"])) for r in rows)
    assert ours == _golden_entries("usb_fat.img.fls.txt")


@pytest.mark.parametrize("exhibit", DISK_FORMS)
def test_volumes_match_golden_mmls(sample_case: tuple[Path, object], exhibit: str) -> None:
    case, _ = sample_case
    golden = (GOLDEN / f"{exhibit}.mmls.txt").read_text().splitlines()
    expected = sorted(
        (int(parts[2]), int(parts[4]))
        for parts in (line.split() for line in golden)
        if len(parts) >= 5 and parts[0].endswith(":") and parts[2].isdigit()
    )
    rows = _rows(
        case, "SELECT start_sector, length_sectors FROM volumes WHERE evidence_id = ?", exhibit
    )
    assert sorted((r["start_sector"], r["length_sectors"]) for r in rows) == expected
    kinds = Counter(
        r["kind"] for r in _rows(case, "SELECT kind FROM volumes WHERE evidence_id = ?", exhibit)
    )
    assert kinds == Counter({"partition": 2, "unallocated": 2, "meta": 1})


def test_all_three_forms_of_the_disk_give_identical_file_rows(
    sample_case: tuple[Path, object],
) -> None:
    case, _ = sample_case
    listings = {
        exhibit: sorted(
            tuple(r)
            for r in _rows(
                case,
                "SELECT path, inode, size, is_allocated, sha256, mime FROM files"
                " WHERE evidence_id = ?",
                exhibit,
            )
        )
        for exhibit in DISK_FORMS
    }
    assert listings["disk.raw"] == listings["disk.E01"] == listings["disk.split"]
    assert len(listings["disk.raw"]) > 20


def test_media_hash_of_every_form_equals_disk_raw_and_e01_is_verified(
    sample_case: tuple[Path, object],
) -> None:
    case, _ = sample_case
    evidence = {r["exhibit"]: r for r in _rows(case, "SELECT * FROM evidence")}
    assert len({evidence[e]["media_sha256"] for e in DISK_FORMS}) == 1
    assert evidence["disk.E01"]["media_hash_status"] == "verified"
    assert evidence["disk.E01"]["stored_md5"] == evidence["disk.raw"]["media_md5"]
    assert evidence["disk.split"]["format"] == "split_raw"
    assert len(json.loads(evidence["disk.split"]["segments"])) == 3


def _disk_raw_files(case: Path, offset: int) -> dict[str, sqlite3.Row]:
    """The rows of disk.raw's file system at ``offset``, by path."""
    sql = (
        "SELECT files.* FROM files JOIN filesystems USING (fs_id)"
        " WHERE files.evidence_id = 'disk.raw' AND filesystems.offset = ?"
    )
    return {r["path"]: r for r in _rows(case, sql, offset)}


@pytest.mark.parametrize("offset", [FAT_OFFSET, EXT_OFFSET])
def test_fixture_files_are_classified(sample_case: tuple[Path, object], offset: int) -> None:
    case, _ = sample_case
    rows = _disk_raw_files(case, offset)
    invoice = rows["/docs/invoice.pdf"]
    assert (invoice["mime"], invoice["extension_mismatch"]) == ("image/png", 1)
    assert rows["/docs/report.txt"]["extension_mismatch"] == 0
    assert rows["/images/photo.jpg"]["category"] == "image"
    assert rows["/popup/alert.html"]["category"] == "web page"
    exif = json.loads(rows["/images/photo.jpg"]["exif"])
    assert exif["make"] == "Canon"
    assert exif["latitude"] == pytest.approx(35.658611, abs=1e-4)
    assert exif["longitude"] == pytest.approx(139.745278, abs=1e-4)


@pytest.mark.parametrize("offset", [FAT_OFFSET, EXT_OFFSET])
def test_japanese_name_keeps_raw_bytes_and_deleted_file_is_flagged(
    sample_case: tuple[Path, object],
    offset: int,
) -> None:
    case, _ = sample_case
    rows = _disk_raw_files(case, offset)
    japanese = rows["/scripts/通話スクリプト.txt"]
    assert bytes(japanese["name_raw"]) == "通話スクリプト.txt".encode()
    deleted = rows["/deleted_lead_list.txt"]
    assert deleted["is_allocated"] == 0
    assert deleted["sha256"] == "19520ce9e7ecebb2d0c88403e47e4ad160f132a9230ac2331c9b86094ff2d4ef"


def test_fat_times_say_they_are_local_times_and_ext4_times_do_not(
    sample_case: tuple[Path, object],
) -> None:
    case, _ = sample_case
    rows = _rows(
        case,
        "SELECT filesystems.fs_type, files.time_zone_note, files.modified FROM files"
        " JOIN filesystems USING (fs_id) WHERE files.path = '/docs/report.txt'"
        " AND files.evidence_id = 'disk.raw'",
    )
    by_type = {r["fs_type"]: r for r in rows}
    assert "local" in by_type["FAT16"]["time_zone_note"]
    assert by_type["Ext4"]["time_zone_note"] is None
    assert by_type["Ext4"]["modified"] == "2024-03-14T17:45:10Z"
    assert by_type["FAT16"]["modified"] == "2024-03-14T17:45:10Z"


def test_rescanning_the_same_evidence_does_not_duplicate_rows(tmp_path: Path) -> None:
    case = tmp_path / "case.db"
    image = SAMPLE_IMAGES / "usb_fat.img"
    scan([image], case, ScanOptions(examiner=EXAMINER))
    first = _rows(case, "SELECT file_id, path FROM files ORDER BY file_id")
    scan([image], case, ScanOptions(examiner=EXAMINER))
    second = _rows(case, "SELECT file_id, path FROM files ORDER BY file_id")
    assert [tuple(r) for r in first] == [tuple(r) for r in second]
    for table in ("evidence", "volumes", "filesystems"):
        assert len(_rows(case, f"SELECT * FROM {table}")) == 1
    runs = _rows(case, "SELECT status FROM runs")
    assert [r["status"] for r in runs] == ["completed", "completed"]


def test_sample_manifest_holds() -> None:
    import hashlib

    for manifest in (
        SAMPLE_IMAGES / "MANIFEST.sha256",
        SAMPLE_IMAGES / "hostile" / "MANIFEST.sha256",
    ):
        for line in manifest.read_text().splitlines():
            digest, name = line.split(maxsplit=1)
            data = (manifest.parent / name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == digest, name
