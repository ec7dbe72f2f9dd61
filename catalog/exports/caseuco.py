"""CASE/UCO JSON-LD export: the case as linked data that other forensic tools can read.

CASE (Cyber-investigation Analysis Standard Expression, on top of the Unified Cyber
Ontology) is the exchange format of tools such as Autopsy and the CASE validator
(``case_validate`` from ``case-utils``). The export passes that validator (CASE 1.5.0) with
no result at all: no violation, warning or info.

The graph:

- one ``case-investigation:Investigation`` for the case: its number (or id) as name, its
  title as focus, the custody head the export reflects in ``core:description``;
- an ``identity:Identity`` per examiner and a ``tool:Tool`` per evcat version that scanned;
- per exhibit, a ``case-investigation:ProvenanceRecord`` (``exhibitNumber``, seizure and
  acquisition facts) holding an ``observable:Image`` (format, path, media size and media
  hashes); and per scanned exhibit a second record, the *catalogue*
  (``rootExhibitNumber`` = the exhibit), holding its ``observable:FileSystem`` nodes and
  the ``observable:File`` of every catalogued regular file;
- each file system and each file is tied to what contains it by an
  ``observable:ObservableRelationship`` ``Contained_Within`` (file -> file system -> image);
- one ``case-investigation:InvestigativeAction`` per scan, from the custody log: start
  and end times, status, performer (the examiner), instrument (evcat), object (the exhibit
  records) and result (the catalogue records whose rows that scan wrote).

Files carry a ``FileFacet`` (name, path, extension, size, ``allocationStatus`` =
``Allocated``/``Unallocated``, the four times) and a ``ContentDataFacet`` (MIME type, bytes
hashed, MD5/SHA1/SHA256 as ``xsd:hexBinary`` in the catalog's lower case). BLAKE3 is left
out: it is not in UCO's ``HashNameVocab``, so a ``types:Hash`` with it draws an Info
result; the catalog and the CSV export keep it. Directories, links and virtual entries get
no node (the file systems' structure is in the catalog and the body file export).

Node ids are ``kb:<Class>-<uuid5>``, the UUID derived from the case id and the row keys,
so the same case always gives the same ids. Output is byte-identical for the same case:
keys sorted, rows in ``catalog.store.reads`` order, nothing from the clock or the host.
The ``@graph`` array is streamed one node at a time. A catalogue's member list would grow
with the files, so it is written as fragments of at most ``OBJECT_CHUNK`` ids: extra
node objects with the record's ``@id`` and only ``core:object``, which JSON-LD merges
into the record.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from catalog.custody.scanruns import ScanRun, scan_runs
from catalog.exports.base import ExportSnapshot, ExportStats
from catalog.model import EntryType
from catalog.store.reads import exhibit_records, file_records, filesystem_records, source_records

if TYPE_CHECKING:
    from sqlite_utils import Database

Node = dict[str, Any]

_UCO = "https://ontology.unifiedcyberontology.org/uco/"
CONTEXT: dict[str, str] = {
    "action": _UCO + "action/",
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "core": _UCO + "core/",
    "identity": _UCO + "identity/",
    "kb": "urn:evcat:",
    "observable": _UCO + "observable/",
    "tool": _UCO + "tool/",
    "types": _UCO + "types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
"""Prefixes of the JSON-LD; ``kb:`` names evcat's own nodes."""

HASH_METHODS = (("md5", "MD5", 32), ("sha1", "SHA1", 40), ("sha256", "SHA256", 64))
"""(column suffix, HashNameVocab member, hex length) of each hash written."""

OBJECT_CHUNK = 1000
"""At most this many file ids per ``core:object`` fragment of a catalogue record."""

_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:evcat:case-uco")
_DATETIME = re.compile(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
_HEX = re.compile(r"[0-9a-fA-F]+")
_STATUS = {"success": "Success", "partial": "Complete/Finish", "error": "Error"}


def write_case_uco(db: Database, handle: BinaryIO, snapshot: ExportSnapshot) -> ExportStats:
    """Write the case as one CASE/UCO JSON-LD document, streaming its ``@graph``.

    Args:
        db: The case catalog.
        handle: Binary output; UTF-8 JSON, one graph node per line.
        snapshot: The case and the custody head the export reflects.

    Returns:
        The number of ``observable:File`` nodes written (one per catalogued regular file).
    """
    stats = ExportStats()
    context = json.dumps(CONTEXT, sort_keys=True, ensure_ascii=False)
    handle.write(f'{{"@context": {context}, "@graph": [\n'.encode())
    separator = b""
    for node in CaseGraph.load(db, snapshot).nodes(db):
        handle.write(separator + _encode(node))
        separator = b",\n"
        if node.get("@type") == "observable:File":
            stats.rows += 1
    handle.write(b"\n]}\n")
    return stats


def _encode(node: Node) -> bytes:
    text = json.dumps(node, sort_keys=True, ensure_ascii=False)
    return text.encode("utf-8", "backslashreplace")  # a stray surrogate becomes a JSON \\u escape


@dataclass(frozen=True, slots=True)
class NodeIds:
    """Deterministic node ids: ``kb:<kind>-<uuid5(case id, kind, keys)>``."""

    case_id: str

    def __call__(self, kind: str, *keys: object) -> str:
        """The id of the ``kind`` node named by ``keys``."""
        name = "\x1f".join([self.case_id, kind, *(str(key) for key in keys)])
        return f"kb:{kind}-{uuid5(name)}"


def uuid5(name: str) -> str:
    """``str(uuid.uuid5(_ID_NAMESPACE, name))``, without its object overhead (nine ids per file)."""
    digest = bytearray(
        hashlib.sha1(_ID_NAMESPACE.bytes + name.encode(), usedforsecurity=False).digest()[:16]
    )
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


@dataclass(frozen=True, slots=True)
class CaseGraph:
    """The case-level facts every part of the graph refers to (small: no file rows)."""

    ids: NodeIds
    snapshot: ExportSnapshot
    runs: list[ScanRun]
    sources: list[dict[str, Any]]
    exhibits: dict[str, dict[str, Any]]
    latest_run: dict[str, str]
    """The run whose rows each scanned exhibit holds (its last ``exhibit.scanned``)."""

    @classmethod
    def load(cls, db: Database, snapshot: ExportSnapshot) -> CaseGraph:
        """Read the case's exhibits and scans."""
        runs = scan_runs(db, snapshot.record_seq)
        latest = {exhibit: run.run_id for run in runs for exhibit in run.scanned}
        return cls(
            ids=NodeIds(str(snapshot.case.get("case_id") or "")),
            snapshot=snapshot,
            runs=runs,
            sources=source_records(db),
            exhibits={row["exhibit"]: row for row in exhibit_records(db)},
            latest_run=latest,
        )

    def nodes(self, db: Database) -> Iterator[Node]:
        """Every node of the graph, in a stable order; files streamed from ``db``."""
        yield self.investigation()
        yield from (self.identity(name) for name in self.examiners())
        yield from (self.tool(version) for version in self.tool_versions())
        for source in self.sources:
            yield from self.exhibit_nodes(db, source)
        yield from self.file_nodes(db)
        yield from (self.action(run) for run in self.runs)

    def examiners(self) -> list[str]:
        """Everyone who created the case, added an exhibit or ran a scan."""
        names = {self.snapshot.case.get("created_by")}
        names.update(row.get("added_by") for row in self.exhibits.values())
        names.update(run.started.get("examiner") for run in self.runs)
        return sorted(str(name) for name in names if name)

    def tool_versions(self) -> list[str]:
        """Each evcat version that ran a scan (``evcat X.Y.Z``)."""
        return sorted({str(run.started.get("tool_version")) for run in self.runs})

    def node(self, rdf_type: str, keys: tuple[object, ...], properties: Node) -> Node:
        """A ``rdf_type`` node, its id from ``keys``, without its empty properties."""
        kind = rdf_type.partition(":")[2]
        return {"@id": self.ids(kind, *keys), "@type": rdf_type, **_compact(properties)}

    def record_ref(self, role: str, exhibit: str) -> dict[str, str]:
        """A reference to the ``exhibit`` or ``catalogue`` provenance record of an exhibit."""
        return _ref(self.ids("ProvenanceRecord", role, exhibit))

    def investigation(self) -> Node:
        """The case itself, with the custody head the export reflects."""
        case, snapshot = self.snapshot.case, self.snapshot
        members = [self.record_ref("exhibit", s["exhibit"]) for s in self.sources]
        members += [self.record_ref("catalogue", s["exhibit"]) for s in self.sources if _scanned(s)]
        members += [_ref(self.ids("InvestigativeAction", run.run_id)) for run in self.runs]
        description = [
            f"evcat case {case.get('case_id')}",
            f"custody log head: seq {snapshot.record_seq}, entry hash {snapshot.record_head}",
            f"exported with {snapshot.tool_version}",
            *_facts(case, ("title", "agency", "site_time_zone")),
        ]
        return self.node(
            "case-investigation:Investigation",
            (case.get("case_id"),),
            {
                "core:name": case.get("case_number") or f"evcat case {case.get('case_id')}",
                "case-investigation:investigationForm": "case",
                "case-investigation:focus": case.get("title"),
                "core:description": description,
                "core:startTime": _datetime(case.get("created")),
                "core:createdBy": self.identity_ref(case.get("created_by")),
                "core:object": members,
            },
        )

    def identity(self, name: str) -> Node:
        """An examiner."""
        return self.node("identity:Identity", (name,), {"core:name": name})

    def identity_ref(self, name: object) -> dict[str, str] | None:
        """A reference to the examiner called ``name`` (None for no name)."""
        return _ref(self.ids("Identity", name)) if name else None

    def tool(self, version: str) -> Node:
        """An evcat version (``evcat X.Y.Z``)."""
        return self.node(
            "tool:Tool",
            (version,),
            {
                "core:name": "evcat",
                "tool:toolType": "forensic disk-image cataloguer",
                "tool:version": version.removeprefix("evcat "),
            },
        )

    def exhibit_nodes(self, db: Database, source: Mapping[str, Any]) -> Iterator[Node]:
        """The exhibit's record and image, then its catalogue record and file systems."""
        exhibit = source["exhibit"]
        yield self.exhibit_record(source)
        yield self.image(source)
        if not _scanned(source):
            return
        filesystems = filesystem_records(db, exhibit)
        yield self.catalogue_record(exhibit, [row["fs_id"] for row in filesystems])
        for row in filesystems:
            yield self.filesystem(row)
            yield self.contained_within(row["fs_id"], "FileSystem", "Image", exhibit)

    def exhibit_record(self, source: Mapping[str, Any]) -> Node:
        """The exhibit as received: its number, seizure and acquisition facts, its image."""
        exhibit = source["exhibit"]
        facts = self.exhibits.get(exhibit, {})
        return self.node(
            "case-investigation:ProvenanceRecord",
            ("exhibit", exhibit),
            {
                "core:name": f"exhibit {exhibit}",
                "case-investigation:exhibitNumber": exhibit,
                "case-investigation:rootExhibitNumber": exhibit,
                "core:description": _facts(facts or source, _EXHIBIT_FACTS),
                "core:objectCreatedTime": _datetime(facts.get("added")),
                "core:createdBy": self.identity_ref(facts.get("added_by")),
                "core:object": [_ref(self.ids("Image", exhibit))],
            },
        )

    def image(self, source: Mapping[str, Any]) -> Node:
        """The exhibit's disk image: path, format and the hashes of its media stream."""
        exhibit = source["exhibit"]
        path = source.get("registered_path") or source.get("scanned_path")
        file_facet = {"observable:fileName": _base_name(path), "observable:filePath": path}
        facets = [
            self.node("observable:FileFacet", ("image", exhibit), file_facet),
            self.content_facet(("image", exhibit), source, "media_", source.get("media_size")),
        ]
        if source.get("format"):
            image_type = {"observable:imageType": source["format"]}
            facets.append(self.node("observable:ImageFacet", (exhibit,), image_type))
        return self.node(
            "observable:Image",
            (exhibit,),
            {
                "core:name": f"image of exhibit {exhibit}",
                "core:description": ["content hashes are of the media stream the image holds"],
                "core:hasFacet": [facet for facet in facets if facet],
            },
        )

    def catalogue_record(self, exhibit: str, fs_ids: list[str]) -> Node:
        """What evcat catalogued from the exhibit (files are added by fragments)."""
        counts = self.exhibits.get(exhibit, {})
        description = [
            f"file systems and regular files evcat catalogued from exhibit {exhibit}",
            *_facts(counts, ("status", "last_run_id", "problem_count")),
            *_facts(counts, ("file_count",)),  # entries of every type, not just files
        ]
        return self.node(
            "case-investigation:ProvenanceRecord",
            ("catalogue", exhibit),
            {
                "core:name": f"catalogue of exhibit {exhibit}",
                "case-investigation:rootExhibitNumber": exhibit,
                "core:description": description,
                "core:object": [_ref(self.ids("FileSystem", fs_id)) for fs_id in fs_ids],
            },
        )

    def filesystem(self, row: Mapping[str, Any]) -> Node:
        """A file system found on an exhibit."""
        exhibit, offset = row["evidence_id"], row["offset"]
        facet = {
            "observable:fileSystemType": row.get("fs_type"),
            "observable:clusterSize": row.get("block_size"),
        }
        return self.node(
            "observable:FileSystem",
            (row["fs_id"],),
            {
                "core:name": f"{exhibit}@{offset}",
                "core:description": [
                    f"file system at byte offset {offset} of exhibit {exhibit}",
                    *_facts(row, ("volume_index", "label", "detection")),
                ],
                "core:hasFacet": [self.node("observable:FileSystemFacet", (row["fs_id"],), facet)],
            },
        )

    def contained_within(self, key: str, kind: str, target_kind: str, target: str) -> Node:
        """``<kind> key`` is ``Contained_Within`` ``<target_kind> target``."""
        return self.node(
            "observable:ObservableRelationship",
            (kind, key),
            {
                "core:source": _ref(self.ids(kind, key)),
                "core:target": _ref(self.ids(target_kind, target)),
                "core:kindOfRelationship": "Contained_Within",
                "core:isDirectional": True,
            },
        )

    def file_nodes(self, db: Database) -> Iterator[Node]:
        """Each regular file and its relationship, and the catalogue fragments listing them."""
        exhibit, record = None, ""
        members: list[dict[str, str]] = []
        for row in file_records(db, hide_known=self.snapshot.hide_known):
            if row["type"] != EntryType.FILE:
                continue
            if members and (row["exhibit"] != exhibit or len(members) >= OBJECT_CHUNK):
                yield {"@id": record, "core:object": members}
                members = []
            if row["exhibit"] != exhibit:
                exhibit = row["exhibit"]
                record = self.ids("ProvenanceRecord", "catalogue", exhibit)
            node = self.file(row)
            members.append(_ref(node["@id"]))
            yield node
            yield self.contained_within(row["file_id"], "File", "FileSystem", row["fs_id"])
        if members:
            yield {"@id": record, "core:object": members}

    def file(self, row: Mapping[str, Any]) -> Node:
        """One catalogued regular file."""
        key = row["file_id"]
        facets = [self.file_facet(row), self.content_facet((key,), row, "", row["bytes_hashed"])]
        tags = row.get("tags")
        return self.node(
            "observable:File",
            (key,),
            {
                "core:description": _file_notes(row),
                "core:tag": tags.split("; ") if tags else None,
                "core:hasFacet": [facet for facet in facets if facet],
            },
        )

    def file_facet(self, row: Mapping[str, Any]) -> Node:
        """Name, path, size, allocation and times of a file."""
        allocation = "Allocated" if row["is_allocated"] else "Unallocated"
        return self.node(
            "observable:FileFacet",
            (row["file_id"],),
            {
                "observable:fileName": row["name"],
                "observable:filePath": row["path"],
                "observable:extension": row.get("extension"),
                "observable:sizeInBytes": row.get("size"),
                "observable:isDirectory": False,
                "observable:allocationStatus": allocation,
                "observable:modifiedTime": _datetime(row.get("modified")),
                "observable:accessedTime": _datetime(row.get("accessed")),
                "observable:observableCreatedTime": _datetime(row.get("created")),
                "observable:metadataChangeTime": _datetime(row.get("changed")),
            },
        )

    def content_facet(
        self, keys: tuple[object, ...], row: Mapping[str, Any], prefix: str, size: int | None
    ) -> Node | None:
        """MIME type, size and MD5/SHA1/SHA256 of some content; None when nothing is known.

        ``row`` holds ``<prefix>md5`` etc.: ``prefix`` is ``""`` for file rows and
        ``"media_"`` for evidence rows. ``size`` is the number of bytes the hashes cover.
        """
        hashes = [
            self.node(
                "types:Hash",
                (*keys, column),
                {
                    "types:hashMethod": method,
                    "types:hashValue": {"@type": "xsd:hexBinary", "@value": value},
                },
            )
            for column, method, length in HASH_METHODS
            if _is_hex(value := row.get(prefix + column), length)
        ]
        facet = {
            "observable:hash": hashes,
            "observable:mimeType": row.get("mime"),
            "observable:sizeInBytes": size if hashes else None,
        }
        if not _compact(facet):
            return None
        return self.node("observable:ContentDataFacet", keys, facet)

    def action(self, run: ScanRun) -> Node:
        """A scan: who ran which evcat on which exhibits, when, with what outcome."""
        started, finished = run.started, run.finished or {}
        known = {source["exhibit"] for source in self.sources}
        exhibits = [str(item) for item in started.get("details", {}).get("exhibits", [])]
        results = sorted(item for item, run_id in self.latest_run.items() if run_id == run.run_id)
        return self.node(
            "case-investigation:InvestigativeAction",
            (run.run_id,),
            {
                "core:name": f"evcat scan {run.run_id}",
                "core:description": _run_notes(run),
                "action:startTime": _datetime(started.get("time")),
                "action:endTime": _datetime(finished.get("time")),
                "action:actionStatus": _action_status(finished),
                "action:performer": self.identity_ref(started.get("examiner")),
                "action:instrument": [_ref(self.ids("Tool", started.get("tool_version")))],
                "action:object": [self.record_ref("exhibit", x) for x in exhibits if x in known],
                "action:result": [self.record_ref("catalogue", x) for x in results if x in known],
            },
        )


_EXHIBIT_FACTS = (
    *("description", "seized_from", "seized_where", "seized_when", "seized_by"),
    *("acquisition_tool", "acquisition_md5", "acquisition_sha1", "acquisition_sha256"),
    *("stored_md5", "stored_sha1", "stored_sha256", "media_hash_status"),
)


def _scanned(source: Mapping[str, Any]) -> bool:
    """Whether the exhibit has an evidence row, and so a catalogue record."""
    return source.get("scanned_path") is not None


def _facts(row: Mapping[str, Any], keys: tuple[str, ...]) -> list[str]:
    """``"key: value"`` for each key the row has a value for."""
    return [f"{key}: {row[key]}" for key in keys if row.get(key) not in (None, "")]


def _file_notes(row: Mapping[str, Any]) -> list[str]:
    """What the file facets cannot say: locator, deletion, content status, notes."""
    notes = [f"evcat locator: {row['locator']}"]
    flags = (
        ("is_realloc", "deleted: its metadata has been reallocated"),
        ("is_orphan", "orphan: no parent directory"),
        ("is_ads", "alternate data stream"),
        ("is_fs_metadata", "file system metadata entry"),
        ("extension_mismatch", "extension does not match the content"),
    )
    notes += [text for column, text in flags if row.get(column)]
    if row.get("content_status") != "ok":
        notes.append(f"content: {row.get('content_status')} {row.get('content_error') or ''}")
    notes += _facts(row, ("time_zone_note", "notes"))
    return [note.strip() for note in notes]


def _run_notes(run: ScanRun) -> list[str]:
    """The run id, custody entries, host, libraries and totals of a scan."""
    started, finished = run.started, run.finished or {}
    libraries = started.get("libraries") or {}
    notes = [
        f"evcat run {run.run_id}",
        f"custody entries: seq {', '.join(str(seq) for seq in run.seqs)}",
        f"host: {started.get('host')}",
        "libraries: " + ", ".join(f"{name} {libraries[name]}" for name in sorted(libraries)),
    ]
    details = finished.get("details") or {}
    notes += _facts(details, ("run_status", "status", "files", "deleted", "bytes", "problems"))
    return notes


def _action_status(finished: Mapping[str, Any]) -> str:
    """ActionStatusTypeVocab: Success, Complete/Finish (partial), Error, Fail or Unknown."""
    details = finished.get("details") or {}
    if not finished:
        return "Unknown"
    if details.get("run_status") != "completed":
        return "Fail"
    return _STATUS.get(str(details.get("status")), "Unknown")


def _ref(node_id: str) -> dict[str, str]:
    return {"@id": node_id}


def _datetime(value: object) -> dict[str, str] | None:
    if isinstance(value, str) and _DATETIME.fullmatch(value):
        return {"@type": "xsd:dateTime", "@value": value}
    return None


def _is_hex(value: object, length: int) -> bool:
    return isinstance(value, str) and len(value) == length and bool(_HEX.fullmatch(value))


def _base_name(path: str | None) -> str | None:
    return path.replace("\\", "/").rsplit("/", 1)[-1] if path else None


def _compact(node: Node) -> Node:
    """The node without its None and empty values."""
    return {key: value for key, value in node.items() if value not in (None, [], "")}
