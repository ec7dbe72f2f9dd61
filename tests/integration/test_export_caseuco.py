"""The CASE/UCO JSON-LD export: valid for case_validate, complete, reproducible."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from catalog.custody import log
from catalog.exports import caseuco
from catalog.exports.base import ExportSnapshot
from catalog.exports.caseuco import write_case_uco
from catalog.options import ScanOptions
from catalog.pipeline import scan
from catalog.store import reads
from tests.conftest import EXAMINER, SAMPLE_IMAGES

CASE_VALIDATE = shutil.which("case_validate") or shutil.which(
    "case_validate", path=str(Path(sys.executable).parent)
)  # the venv's scripts folder, when the venv is used without being activated
needs_case_validate = pytest.mark.skipif(
    CASE_VALIDATE is None, reason="case_validate not on PATH (pip install case-utils)"
)


def _scan_samples(case_path: Path) -> None:
    scan(
        [SAMPLE_IMAGES / "usb_fat.img", SAMPLE_IMAGES / "disk.E01"],
        case_path,
        ScanOptions(examiner=EXAMINER, exhibits=("usb", "disk")),
    )


def _export(case_path: Path) -> bytes:
    db = sqlite_utils.Database(str(case_path))
    try:
        head = log.head(db)
        assert head is not None
        case = reads.case_record(db)
        assert case is not None
        snapshot = ExportSnapshot(
            case=case,
            record_seq=head.seq,
            record_head=head.entry_hash,
            tool_version="evcat 0.2.0",
        )
        handle = io.BytesIO()
        stats = write_case_uco(db, handle, snapshot)
    finally:
        db.close()
    data = handle.getvalue()
    assert stats.rows == len(_of_type(json.loads(data)["@graph"], "observable:File"))
    return data


def _validate(tmp_path: Path, data: bytes) -> None:
    assert CASE_VALIDATE is not None
    path = tmp_path / "case.jsonld"
    path.write_bytes(data)
    result = subprocess.run(
        [CASE_VALIDATE, str(path)], capture_output=True, text=True, timeout=600, check=False
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "Conforms: True" in result.stdout, report
    assert "Results (" not in result.stdout, report  # no warning or info either


def _of_type(graph: list[dict[str, Any]], rdf_type: str) -> list[dict[str, Any]]:
    return [node for node in graph if node.get("@type") == rdf_type]


def _facet(node: dict[str, Any], rdf_type: str) -> dict[str, Any]:
    [facet] = [facet for facet in node["core:hasFacet"] if facet["@type"] == rdf_type]
    return facet


def _sha256(file_node: dict[str, Any]) -> str | None:
    facet = _facet(file_node, "observable:ContentDataFacet")
    values = [
        digest["types:hashValue"]["@value"]
        for digest in facet.get("observable:hash", [])
        if digest["types:hashMethod"] == "SHA256"
    ]
    return values[0] if values else None


def _catalogued_files(case_path: Path) -> list[tuple[str, str, str | None]]:
    """(exhibit@fs_offset, path, sha256) of every regular file in the catalog."""
    connection = sqlite3.connect(case_path)
    rows = connection.execute(
        "SELECT f.evidence_id || '@' || fs.offset, f.path, f.sha256 FROM files f"
        " JOIN filesystems fs ON fs.fs_id = f.fs_id WHERE f.type = 'file'"
    ).fetchall()
    connection.close()
    return sorted(rows)


def _exported_files(graph: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    """(file system name, path, sha256) of every observable:File, via its relationship."""
    by_id = {node["@id"]: node for node in graph if "@type" in node}
    container = {
        node["core:source"]["@id"]: by_id[node["core:target"]["@id"]]
        for node in _of_type(graph, "observable:ObservableRelationship")
    }
    exported = []
    for node in _of_type(graph, "observable:File"):
        filesystem = container[node["@id"]]
        assert filesystem["@type"] == "observable:FileSystem"
        path = _facet(node, "observable:FileFacet")["observable:filePath"]
        exported.append((filesystem["core:name"], path, _sha256(node)))
    return sorted(exported)


def _catalogue_members(graph: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Each catalogue record's rootExhibitNumber -> file ids, merged over its fragments."""
    members: dict[str, list[str]] = defaultdict(list)
    exhibit_of = {
        node["@id"]: node["case-investigation:rootExhibitNumber"]
        for node in _of_type(graph, "case-investigation:ProvenanceRecord")
        if "case-investigation:exhibitNumber" not in node
    }
    for node in graph:
        if node["@id"] in exhibit_of:
            members[exhibit_of[node["@id"]]] += [
                ref["@id"] for ref in node["core:object"] if ref["@id"].startswith("kb:File-")
            ]
    return members


@needs_case_validate
def test_export_of_sample_case_conforms_to_case_with_no_results(
    tmp_path: Path, case_path: Path
) -> None:
    _scan_samples(case_path)
    _validate(tmp_path, _export(case_path))


def test_every_regular_file_is_one_file_node_with_its_sha256_at_its_path(
    case_path: Path,
) -> None:
    _scan_samples(case_path)
    graph = json.loads(_export(case_path))["@graph"]
    catalogued = _catalogued_files(case_path)
    assert len(_of_type(graph, "observable:File")) == len(catalogued) > 0
    assert _exported_files(graph) == catalogued
    assert ("usb@0", "/docs/report.txt") in {(fs, path) for fs, path, _ in catalogued}


def test_export_is_byte_identical_for_the_same_case(case_path: Path) -> None:
    _scan_samples(case_path)
    first = _export(case_path)
    assert first == _export(case_path)
    assert b'"@graph": [\n' in first
    assert first.endswith(b"\n]}\n")


def test_deleted_file_is_unallocated_and_live_file_allocated(case_path: Path) -> None:
    _scan_samples(case_path)
    graph = json.loads(_export(case_path))["@graph"]
    status = {
        _facet(node, "observable:FileFacet")["observable:filePath"]: _facet(
            node, "observable:FileFacet"
        )["observable:allocationStatus"]
        for node in _of_type(graph, "observable:File")
    }
    assert status["/deleted_lead_list.txt"] == "Unallocated"
    assert status["/docs/report.txt"] == "Allocated"


def test_investigation_carries_custody_head_and_scan_action_links_records(
    case_path: Path,
) -> None:
    _scan_samples(case_path)
    graph = json.loads(_export(case_path))["@graph"]
    db = sqlite_utils.Database(str(case_path))
    head = log.head(db)
    db.close()
    assert head is not None
    [investigation] = _of_type(graph, "case-investigation:Investigation")
    assert (
        f"custody log head: seq {head.seq}, entry hash {head.entry_hash}"
        in investigation["core:description"]
    )
    [action] = _of_type(graph, "case-investigation:InvestigativeAction")
    [examiner] = _of_type(graph, "identity:Identity")
    [tool] = _of_type(graph, "tool:Tool")
    assert examiner["core:name"] == EXAMINER
    assert action["action:performer"] == {"@id": examiner["@id"]}
    assert action["action:instrument"] == [{"@id": tool["@id"]}]
    assert action["action:actionStatus"] == "Success"
    records = {node["@id"]: node for node in _of_type(graph, "case-investigation:ProvenanceRecord")}
    objects = [
        records[ref["@id"]]["case-investigation:exhibitNumber"] for ref in action["action:object"]
    ]
    results = [records[ref["@id"]] for ref in action["action:result"]]
    assert objects == ["usb", "disk"]
    assert sorted(r["case-investigation:rootExhibitNumber"] for r in results) == ["disk", "usb"]
    assert all("case-investigation:exhibitNumber" not in record for record in results)


def test_catalogue_fragments_list_each_file_once_under_its_exhibit(
    case_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scan_samples(case_path)
    monkeypatch.setattr(caseuco, "OBJECT_CHUNK", 4)
    graph = json.loads(_export(case_path))["@graph"]
    fragments = [node for node in graph if "@type" not in node]
    assert len(fragments) > 2  # split within an exhibit, not only between exhibits
    assert all(len(fragment["core:object"]) <= 4 for fragment in fragments)
    members = _catalogue_members(graph)
    files = _of_type(graph, "observable:File")
    assert sorted(members["usb"] + members["disk"]) == sorted(node["@id"] for node in files)
    usb_files = [
        node["@id"] for node in files if any("usb@0#" in text for text in node["core:description"])
    ]
    assert sorted(members["usb"]) == sorted(usb_files)


@needs_case_validate
def test_hostile_names_export_conforms_and_keeps_names_exactly(
    tmp_path: Path, case_path: Path
) -> None:
    scan(
        [SAMPLE_IMAGES / "hostile" / "names.img"],
        case_path,
        ScanOptions(examiner=EXAMINER, exhibits=("names",)),
    )
    data = _export(case_path)
    _validate(tmp_path, data)
    graph = json.loads(data)["@graph"]
    assert _exported_files(graph) == _catalogued_files(case_path)
    assert any("\x1b" in path for _, path, _ in _exported_files(graph))


def test_rescan_result_is_only_the_latest_scans_catalogue(case_path: Path) -> None:
    scan([SAMPLE_IMAGES / "usb_fat.img"], case_path, ScanOptions(examiner=EXAMINER))
    scan([SAMPLE_IMAGES / "usb_fat.img"], case_path, ScanOptions(examiner="Second Examiner"))
    graph = json.loads(_export(case_path))["@graph"]
    first, second = _of_type(graph, "case-investigation:InvestigativeAction")
    assert first["action:object"] == second["action:object"]
    assert "action:result" not in first  # its rows were replaced by the re-scan
    assert len(second["action:result"]) == 1
    names = {node["@id"]: node["core:name"] for node in _of_type(graph, "identity:Identity")}
    assert names[first["action:performer"]["@id"]] == EXAMINER
    assert names[second["action:performer"]["@id"]] == "Second Examiner"


def test_node_ids_are_uuid5_of_case_id_kind_and_keys() -> None:
    ids = caseuco.NodeIds("case-1")
    node_id = ids("File", "abc")
    kind, _, tail = node_id.removeprefix("kb:").partition("-")
    assert kind == "File"
    assert tail == str(uuid.uuid5(caseuco._ID_NAMESPACE, "case-1\x1fFile\x1fabc"))
    assert node_id != caseuco.NodeIds("case-2")("File", "abc")
