"""Carving planted evidence back out of a reformatted FAT, a deleted ext4 and a disk gap.

The images (``tests.carvesynth``) hold known payloads whose directory entries are gone:
every one must come back with its exact bytes (text: with its marker), through
``evcat scan --carve``; nothing may be carved out of a live file's clusters; and the
items must be catalogued like files (types, text, findings, duplicates, CSV).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from catalog.cli import main
from tests.carvesynth.fixtures import ext4_deleted, fat_reformatted, partitioned_gap
from tests.carvesynth.truth import GAP, CarveImage, Planted
from tests.conftest import EXAMINER, query

__all__ = ["ext4_deleted", "fat_reformatted", "partitioned_gap"]

ITEM_SQL = (
    "SELECT c.offset, c.length, c.kind, c.region, c.duplicate_of, f.sha256, f.mime,"
    " f.category, f.file_id, f.origin, f.path, t.text"
    " FROM carved_files c JOIN files f USING (file_id) LEFT JOIN texts t USING (file_id)"
    " ORDER BY c.offset"
)
ITEM_COLUMNS = (
    "offset", "length", "kind", "region", "duplicate_of", "sha256", "mime", "category",
    "file_id", "origin", "path", "text",
)  # fmt: skip


def invoke(*args: str) -> Result:
    # Module fixtures run before the autouse environment fixture: name the examiner here.
    result = CliRunner(env={"EVCAT_EXAMINER": EXAMINER}).invoke(main, [*args])
    assert result.exit_code == 0, result.output
    return result


def carved_items(case: Path) -> list[dict[str, Any]]:
    return [dict(zip(ITEM_COLUMNS, row, strict=True)) for row in query(case, ITEM_SQL)]


def scanned(image: CarveImage, folder: Path, *extra: str) -> Path:
    case = folder / "case.db"
    invoke("scan", str(image.path), "--case", str(case), "--carve", *extra)
    return case


@pytest.fixture(scope="module")
def fat_case(fat_reformatted: CarveImage, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scanned(fat_reformatted, tmp_path_factory.mktemp("fat_case"))


@pytest.fixture(scope="module")
def ext4_case(ext4_deleted: CarveImage, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scanned(ext4_deleted, tmp_path_factory.mktemp("ext4_case"))


def _check_recovered(image: CarveImage, items: list[dict[str, Any]]) -> None:
    by_offset = {item["offset"]: item for item in items}
    for planted in image.planted:
        item = by_offset.get(planted.offset)
        assert item is not None, f"{planted.name} at {planted.offset} was not carved"
        assert item["kind"] == planted.kind, planted.name
        if planted.marker is None:
            assert (item["length"], item["sha256"]) == (planted.length, planted.sha256)
        else:
            assert planted.marker in (item["text"] or ""), f"{planted.name}: marker not found"
            assert item["offset"] + item["length"] >= planted.end - 4, planted.name


def _check_nothing_from_live_files(image: CarveImage, items: list[dict[str, Any]]) -> None:
    for item in items:
        start, end = item["offset"], item["offset"] + item["length"]
        for live in image.allocated:
            for offset, length in live.extents:
                assert end <= offset or start >= offset + length, (item["path"], live.path)


@pytest.mark.parametrize("name", ["fat", "ext4"])
def test_every_planted_item_is_carved_exactly_and_nothing_else(
    name: str, request: pytest.FixtureRequest
) -> None:
    image: CarveImage = request.getfixturevalue(
        f"{name}_deleted" if name == "ext4" else "fat_reformatted"
    )
    case: Path = request.getfixturevalue(f"{name}_case")
    items = carved_items(case)
    _check_recovered(image, items)
    _check_nothing_from_live_files(image, items)
    assert sorted(item["offset"] for item in items) == sorted(p.offset for p in image.planted)
    assert {item["origin"] for item in items} == {"carved"}
    assert all(item["path"].startswith("/$CarvedFiles/") for item in items)


def test_an_overwritten_file_is_not_reported_whole(
    fat_reformatted: CarveImage, fat_case: Path
) -> None:
    digests = {item["sha256"] for item in carved_items(fat_case)}
    assert fat_reformatted.overwritten
    assert not digests & {lost.sha256 for lost in fat_reformatted.overwritten}


def test_carved_items_are_classified_and_their_text_searched(fat_case: Path) -> None:
    items = {
        item["kind"] + ":" + item["path"].rsplit(".", 1)[-1]: item
        for item in carved_items(fat_case)
    }
    assert items["jpeg:jpg"]["mime"] == "image/jpeg"
    assert items["zip:docx"]["mime"].endswith("wordprocessingml.document")
    assert items["zip:xlsx"]["mime"].endswith("spreadsheetml.sheet")
    assert items["sqlite:sqlite"]["category"] == "database"
    assert items["text-utf16le:txt"]["mime"] == "text/plain"  # libmagic alone says image/x-tga
    found = query(
        fat_case,
        "SELECT k.kind, k.normalized FROM findings k JOIN files f USING (file_id)"
        " WHERE f.origin = 'carved' OR f.parent_file_id IN"
        " (SELECT file_id FROM carved_files)",
    )
    kinds = {kind for kind, _ in found}
    assert {"phone", "btc_address", "anydesk_id", "call_script", "contact_list"} <= kinds, kinds
    assert any(value.endswith("8885550142") for kind, value in found if kind == "phone"), found


def test_members_of_a_carved_zip_are_catalogued(fat_case: Path) -> None:
    members = query(
        fat_case,
        "SELECT m.path FROM files m JOIN carved_files c ON m.parent_file_id = c.file_id"
        " WHERE m.origin = 'archive'",
    )
    assert any(path.endswith(".zip!/giftcards_march.csv") for (path,) in members), members


def test_a_carved_copy_of_a_live_file_is_marked_a_duplicate_of_it(
    ext4_deleted: CarveImage, ext4_case: Path
) -> None:
    items = {item["offset"]: item for item in carved_items(ext4_case)}
    lead_list = ext4_deleted.by_name()["leads_march.xlsx"]
    assert lead_list.duplicate_of_path == "/backup/leads_copy.xlsx"
    twin = query(ext4_case, "SELECT file_id FROM files WHERE path = ?", lead_list.duplicate_of_path)
    assert items[lead_list.offset]["duplicate_of"] == twin[0][0]
    others = [item for offset, item in items.items() if offset != lead_list.offset]
    assert all(item["duplicate_of"] is None for item in others)


def test_items_in_an_unpartitioned_gap_are_carved(
    partitioned_gap: CarveImage, tmp_path: Path
) -> None:
    case = scanned(partitioned_gap, tmp_path)
    items = carved_items(case)
    _check_recovered(partitioned_gap, items)
    assert {p.region for p in partitioned_gap.planted} == {GAP}
    assert {item["region"] for item in items} == {"unpartitioned"}
    assert sorted(item["offset"] for item in items) == sorted(
        p.offset for p in partitioned_gap.planted
    )


def test_export_carved_lists_carved_files_in_the_segment_columns(
    fat_reformatted: CarveImage, fat_case: Path, tmp_path: Path
) -> None:
    out = tmp_path / "carved.csv"
    invoke("export", "carved", "--case", str(fat_case), "-o", str(out))
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    assert header[:9] == [
        "exhibit",
        "offset",
        "length",
        "kind",
        "channel",
        "start",
        "end",
        "status",
        "sha256",
    ]
    planted: dict[int, Planted] = {p.offset: p for p in fat_reformatted.planted}
    assert {int(row["offset"]) for row in rows} == set(planted)
    for row in rows:
        truth = planted[int(row["offset"])]
        assert row["exhibit"] == fat_reformatted.path.name
        assert row["status"] == "carved" and row["kind"] == truth.kind
        assert row["source"] == "unallocated" and row["channel"] == ""
        if truth.marker is None:
            assert row["sha256"] == truth.sha256


def test_scan_carves_from_the_media_hash_read_without_reading_regions_again(
    fat_case: Path,
) -> None:
    (details,) = query(
        fat_case,
        "SELECT json_extract(body, '$.details.counts') FROM custody_log"
        " WHERE action = 'exhibit.scanned'",
    )[0]
    counts = json.loads(details)
    assert counts["carved"] == 12
    assert counts["carved_bytes_reread"] == 0
