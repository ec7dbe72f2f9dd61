"""DFXML export of scanned sample images: fiwalk layout, every file, hostile names."""

from __future__ import annotations

import io
import itertools
import re
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sqlite_utils

import catalog.exports.dfxml as dfxml_module
from catalog.csvsafe import escape_controls
from catalog.exports.base import ExportSnapshot
from catalog.exports.dfxml import DFXML_NS, EVCAT_NS, write_dfxml
from tests.integration.exportcase import export_bytes, query_rows, scan_sample_case

SNAPSHOT = ExportSnapshot(
    case={"case_id": "c1", "case_number": "EVCAT-001"},
    record_seq=7,
    record_head="ab" * 32,
    tool_version="evcat test",
)
D = f"{{{DFXML_NS}}}"
E = f"{{{EVCAT_NS}}}"


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scan_sample_case(tmp_path_factory.mktemp("case") / "case.db")


def _export(case: Path) -> bytes:
    data, stats = export_bytes(write_dfxml, case, SNAPSHOT)
    assert stats.rows == data.count(b"<fileobject>")
    return data


def _fileobjects(document: bytes) -> list[ET.Element]:
    return ET.fromstring(document).findall(f"{D}volume/{D}fileobject")


def _digest(element: ET.Element, kind: str) -> str | None:
    found = element.find(f"{D}hashdigest[@type='{kind}']")
    return None if found is None else found.text


def test_every_catalogued_file_is_one_fileobject_with_its_size_hashes_and_allocation(
    case: Path,
) -> None:
    objects = _fileobjects(_export(case))
    exported = {
        (
            "/" + (obj.findtext(f"{D}filename") or ""),
            int(obj.findtext(f"{D}filesize") or -1),
            _digest(obj, "md5"),
            _digest(obj, "sha1"),
            _digest(obj, "sha256"),
            _digest(obj, "blake3"),
            obj.find(f"{D}alloc") is not None and obj.find(f"{D}unalloc") is None,
            obj.findtext(f"{E}locator"),
        )
        for obj in objects
    }
    catalogued = {
        (
            escape_controls(row["path"]),
            row["size"],
            row["md5"],
            row["sha1"],
            row["sha256"],
            row["blake3"],
            bool(row["is_allocated"]),
            row["locator"],
        )
        for row in query_rows(case, "SELECT * FROM files")
    }
    assert len(objects) == len(catalogued) == len(query_rows(case, "SELECT file_id FROM files"))
    assert exported == catalogued


def test_document_follows_fiwalk_layout_without_clock_or_host(case: Path) -> None:
    document = _export(case)
    root = ET.fromstring(document)
    assert root.tag == f"{D}dfxml"
    assert root.get("version") == "1.0"
    assert root.findtext(f"{D}metadata/{{http://purl.org/dc/elements/1.1/}}type") == "Disk Image"
    assert root.findtext(f"{D}creator/{D}program") == "evcat"
    assert root.findtext(f"{D}creator/{D}version") == "test"
    assert root.findtext(f"{D}metadata/{E}case_id") == "c1"
    assert root.findtext(f"{D}metadata/{E}custody_seq") == "7"
    assert root.findtext(f"{D}metadata/{E}custody_head") == "ab" * 32
    assert b"execution_environment" not in document
    assert b"start_time" not in document
    assert [child.tag.removeprefix(D) for child in root][:2] == ["metadata", "creator"]


def test_one_source_per_exhibit_followed_by_its_file_systems(case: Path) -> None:
    root = ET.fromstring(_export(case))
    layout = [
        (child.tag.removeprefix(D), child.findtext(f"{E}exhibit"), child.get("offset"))
        for child in root
        if child.tag in (f"{D}source", f"{D}volume")
    ]
    assert layout == [
        ("source", "disk", None),
        ("volume", "disk", "1048576"),
        ("volume", "disk", "4194304"),
        ("source", "names", None),
        ("volume", "names", "0"),
        ("source", "usb", None),
        ("volume", "usb", "0"),
    ]
    evidence = {row["evidence_id"]: row for row in query_rows(case, "SELECT * FROM evidence")}
    for source in root.findall(f"{D}source"):
        row = evidence[source.findtext(f"{E}exhibit")]
        assert source.findtext(f"{D}image_filename") == row["path"]
        assert int(source.findtext(f"{D}imagesize") or -1) == row["media_size"]
        assert _digest(source, "md5") == row["media_md5"]
        assert _digest(source, "sha256") == row["media_sha256"]


def test_volume_describes_the_file_system_and_numbers_partitions_per_exhibit(case: Path) -> None:
    volumes = ET.fromstring(_export(case)).findall(f"{D}volume")
    ext4 = volumes[1]
    assert ext4.findtext(f"{D}partition_offset") == "4194304"
    assert ext4.findtext(f"{D}ftype_str") == "ext4"
    assert ext4.findtext(f"{D}block_size") == "1024"
    assert ext4.findtext(f"{D}block_count") == "3072"
    assert ext4.findtext(f"{D}last_block") == "3071"
    assert {obj.findtext(f"{D}partition") for obj in ext4.findall(f"{D}fileobject")} == {"2"}
    ids = [int(obj.findtext(f"{D}id") or 0) for obj in _fileobjects(_export(case))]
    assert ids == list(range(1, len(ids) + 1))


def _by_locator(case: Path) -> dict[str, ET.Element]:
    return {obj.findtext(f"{E}locator") or "": obj for obj in _fileobjects(_export(case))}


def test_known_file_carries_its_times_owner_mode_and_magic(case: Path) -> None:
    report = _by_locator(case)["disk@4194304#15"]
    assert report.findtext(f"{D}filename") == "docs/report.txt"
    assert report.findtext(f"{D}name_type") == "r"
    assert report.findtext(f"{D}inode") == "15"
    assert report.findtext(f"{D}meta_type") == "1"
    assert report.findtext(f"{D}mode") == "420"
    assert report.findtext(f"{D}uid") == "0"
    for tag in ("mtime", "ctime", "atime", "crtime"):
        assert report.findtext(f"{D}{tag}") == "2024-03-14T17:45:10Z"
    assert report.findtext(f"{D}libmagic") == "ASCII text"
    assert _digest(report, "sha256") == (
        "86e01e64f7e7a37338bce06e43470bab7ff4ed6d626fb41ec45bddc1e5a24dce"
    )


def test_deleted_entry_is_unallocated_and_directory_has_name_type_d(case: Path) -> None:
    objects = _by_locator(case)
    deleted = objects["usb@0#11"]
    assert deleted.findtext(f"{D}filename") == "deleted_lead_list.txt"
    assert deleted.findtext(f"{D}unalloc") == "1"
    assert deleted.find(f"{D}alloc") is None
    assert objects["usb@0#4"].findtext(f"{D}name_type") == "d"
    assert objects["usb@0#49046"].findtext(f"{D}name_type") == "V"


def test_hostile_names_are_escaped_and_their_raw_bytes_kept_in_hex(case: Path) -> None:
    document = _export(case)
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", document)
    objects = _by_locator(case)
    rows = query_rows(case, "SELECT locator, name, name_raw FROM files WHERE evidence_id = 'names'")
    hostile = {row["locator"]: row for row in rows}
    escape_bytes = objects["names@0#12"]
    assert escape_bytes.findtext(f"{D}filename") == r"\x1b[2J\x1b[31mred_alert.txt"
    assert objects["names@0#18"].findtext(f"{D}filename") == r"line\x0abreak.txt"
    assert objects["names@0#15"].findtext(f"{D}filename") == (
        '=HYPERLINK("evil.example?x","click me").txt'
    )
    for locator in ("names@0#12", "names@0#17", "names@0#18"):
        name_hex = objects[locator].findtext(f"{E}name_hex")
        assert name_hex is not None
        assert bytes.fromhex(name_hex) == hostile[locator]["name_raw"]
    for locator in ("names@0#13", "names@0#15", "disk@4194304#24"):
        assert objects[locator].find(f"{E}name_hex") is None


def test_names_illegal_in_xml_still_give_a_well_formed_document(case: Path, tmp_path: Path) -> None:
    copy = tmp_path / "case.db"
    shutil.copy(case, copy)
    connection = sqlite3.connect(copy)
    nasty = "nul\x00vt\x0bff\x0cus\x1fnot\ufffechar\uffffamp&lt<gt>"
    with connection:
        connection.execute(
            "UPDATE files SET name = ?, path = ?, magic_description = ? WHERE locator = ?",
            [nasty, "/" + nasty, "magic\x00<x>", "names@0#13"],
        )
    connection.close()
    obj = _by_locator(copy)["names@0#13"]
    assert obj.findtext(f"{D}filename") == (
        r"nul\x00vt\x0bff\x0cus\x1fnot\ufffechar\uffffamp&lt<gt>"
    )
    assert obj.findtext(f"{D}libmagic") == r"magic\x00<x>"
    assert obj.findtext(f"{E}name_hex") == b"+cmd.txt".hex()


def test_same_case_gives_byte_identical_documents(case: Path, tmp_path: Path) -> None:
    first = _export(case)
    assert _export(case) == first
    assert _export(scan_sample_case(tmp_path / "again.db")) == first


def test_document_is_written_while_rows_are_read(
    case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = io.BytesIO()
    written_at_each_row: list[int] = []
    real_file_records = dfxml_module.file_records

    def watched(db: sqlite_utils.Database, **options):  # type: ignore[no-untyped-def]
        for row in real_file_records(db, **options):
            written_at_each_row.append(len(handle.getvalue()))
            yield row

    monkeypatch.setattr(dfxml_module, "file_records", watched)
    db = sqlite_utils.Database(str(case))
    try:
        write_dfxml(db, handle, SNAPSHOT)
    finally:
        db.close()
    assert len(written_at_each_row) > 10
    growth = [b - a for a, b in itertools.pairwise(written_at_each_row)]
    assert all(step > 0 for step in growth)
