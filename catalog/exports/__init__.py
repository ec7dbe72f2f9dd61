"""Court-ready exports: each one deterministic, atomic, with a manifest, in the custody log.

``run_export`` opens the case, snapshots the record it reflects (the last custody entry that
is not itself an export), has the format's writer fill a temporary file beside the output,
renames it into place, writes ``<output>.manifest.json`` and appends ``export.written`` with
both files' SHA-256. Writers are plain functions registered in ``EXPORTERS``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.case import check_not_beside_evidence
from catalog.csvsafe import clean_text
from catalog.custody import log
from catalog.errors import CatalogError, UsageError
from catalog.exports.base import Exporter, ExportSnapshot, ExportStats
from catalog.store import open_existing_catalog, reads
from catalog.timeutil import utc_now

if TYPE_CHECKING:
    from sqlite_utils import Database

    from catalog.custody.log import Actor

MANIFEST_SUFFIX = ".manifest.json"
NOT_RECORD = ("export.written",)
"""Actions that do not change what an export reflects."""


_WRITERS = {
    "csv": ("catalog.exports.csvfile", "write_csv"),
    "dfxml": ("catalog.exports.dfxml", "write_dfxml"),
    "bodyfile": ("catalog.exports.bodyfile", "write_bodyfile"),
    "case": ("catalog.exports.caseuco", "write_case_uco"),
    "report": ("catalog.exports.report", "write_report"),
    "findings": ("catalog.exports.findingscsv", "write_findings_csv"),
    "hashdeep": ("catalog.exports.hashdeep", "write_hashdeep"),
    "carved": ("catalog.exports.carvedcsv", "write_carved_csv"),
}


def exporter_for(export_format: str) -> Exporter:
    """The writer of one format, imported on demand.

    Raises:
        UsageError: unknown format.
    """
    if export_format not in _WRITERS:
        raise UsageError(f"unknown export format {export_format!r} (one of {', '.join(FORMATS)})")
    module_name, function_name = _WRITERS[export_format]
    writer: Exporter = getattr(importlib.import_module(module_name), function_name)
    return writer


FORMATS = ("csv", "dfxml", "bodyfile", "case", "report", "findings", "hashdeep", "carved")
"""Export formats, as ``evcat export FORMAT`` names them."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What one export wrote."""

    output: Path
    manifest: Path
    sha256: str
    size: int
    stats: ExportStats
    custody_seq: int
    manifest_sha256: str


def snapshot_of(db: Database, *, hide_known: bool = False) -> ExportSnapshot:
    """The record an export made now reflects.

    Raises:
        CatalogError: the case has no custody log yet.
    """
    case = reads.case_record(db)
    last = None
    for entry in log.entries(db):
        if entry.action not in NOT_RECORD:
            last = entry
    if case is None or last is None:
        raise CatalogError("the catalog holds no case yet (run `evcat case init` or a scan)")
    from catalog.provenance import tool_version

    return ExportSnapshot(
        case={k: v for k, v in case.items() if k != "singleton"},
        record_seq=last.seq,
        record_head=last.entry_hash,
        tool_version=tool_version(),
        hide_known=hide_known,
    )


def _evidence_paths(db: Database) -> list[Path]:
    return [Path(row[0]) for row in db.execute("SELECT path FROM exhibits")]


def _check_output(case: Path, output: Path, db: Database) -> None:
    catalog_files = {
        case.resolve().with_name(case.resolve().name + suffix)
        for suffix in ("", "-wal", "-shm", "-journal")
    }
    for target in (output, _manifest_path(output)):
        if target.resolve() in catalog_files:
            raise UsageError(f"{target}: is the case catalog or one of its SQLite files")
    if output.is_dir():
        raise UsageError(f"{output}: is a folder; give a file name")
    check_not_beside_evidence(output, _evidence_paths(db))


def _sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _write_atomically(output: Path, fill: Any) -> Any:
    output.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            result = fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).replace(output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return result


def run_export(
    case: Path, export_format: str, output: Path, actor: Actor, *, hide_known: bool = False
) -> ExportResult:
    """Export the case at ``case`` as ``export_format`` to ``output``, logged.

    ``hide_known`` leaves out the files known-good hash sets matched (and their findings).

    Raises:
        UsageError: unknown format, or an output path that is not allowed.
        CatalogError: no case at ``case``.
    """
    writer = exporter_for(export_format)
    db = open_existing_catalog(case)
    try:
        _check_output(case, output, db)
        snapshot = snapshot_of(db, hide_known=hide_known)
        stats: ExportStats = _write_atomically(output, lambda handle: writer(db, handle, snapshot))
        sha256, size = _sha256_of(output)
        with db.atomic():
            last = log.head(db)
            seq = (last.seq if last else 0) + 1
            manifest = _manifest_path(output)
            body = _manifest(export_format, output, sha256, size, stats, snapshot, actor, seq)
            _write_atomically(manifest, lambda handle: handle.write(body))
            manifest_sha256, _ = _sha256_of(manifest)
            entry = log.append(
                db,
                "export.written",
                actor,
                {
                    "format": export_format,
                    "output": clean_text(str(output.resolve())),
                    "sha256": sha256,
                    "bytes": size,
                    "rows": stats.rows,
                    "neutralised_rows": len(stats.neutralised_rows),
                    "manifest": {"name": clean_text(manifest.name), "sha256": manifest_sha256},
                    "record_seq": snapshot.record_seq,
                    "record_head": snapshot.record_head,
                    "hide_known": hide_known,
                },
            )
    finally:
        db.close()
    return ExportResult(output, manifest, sha256, size, stats, entry.seq, manifest_sha256)


def _manifest_path(output: Path) -> Path:
    return output.with_name(output.name + MANIFEST_SUFFIX)


def _manifest(
    export_format: str,
    output: Path,
    sha256: str,
    size: int,
    stats: ExportStats,
    snapshot: ExportSnapshot,
    actor: Actor,
    seq: int,
) -> bytes:
    document = {
        "manifest_version": 1,
        "format": export_format,
        "files": [{"name": clean_text(output.name), "sha256": sha256, "bytes": size}],
        "rows": stats.rows,
        "case": snapshot.case,
        "examiner": actor.examiner,
        "host": actor.host,
        "tool_version": actor.tool,
        "written": utc_now(),
        "custody_head": {"seq": snapshot.record_seq, "hash": snapshot.record_head},
        "custody_entry": seq,
    }
    if export_format in ("csv", "findings"):
        document["neutralised_rows"] = stats.neutralised_rows
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
