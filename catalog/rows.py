"""Turn the layers' records into catalog rows (plain dicts keyed by column name)."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from catalog.content import content_name
from catalog.csvsafe import clean_text
from catalog.model import FileSystemRecord
from parsers.classifiers.category import extension_of

if TYPE_CHECKING:
    from catalog.content import ContentResult
    from catalog.documents import DocumentResult
    from catalog.model import EvidenceInfo, FileEntry, VolumeRecord


def stable_id(*parts: object) -> str:
    """A deterministic row id from its identifying parts (same evidence, same id)."""
    text = "\x1f".join(str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def evidence_row(
    exhibit: str, path: str, info: EvidenceInfo, scheme: str, run_id: str
) -> dict[str, Any]:
    """The evidence table row (media hashes are filled in when computed)."""
    stored = dict(info.stored_hashes)
    return {
        "evidence_id": exhibit,
        "exhibit": exhibit,
        "path": clean_text(path),
        "format": info.format,
        "media_size": info.media_size,
        "sector_size": info.sector_size,
        "segments": json.dumps([[clean_text(s.path), s.size] for s in info.segments]),
        "volume_scheme": scheme,
        "stored_md5": stored.get("md5"),
        "stored_sha1": stored.get("sha1"),
        "stored_sha256": stored.get("sha256"),
        "last_run_id": run_id,
    }


def volume_row(exhibit: str, volume: VolumeRecord, run_id: str) -> dict[str, Any]:
    """One volumes row per partition, gap or table slot."""
    return {
        "volume_id": stable_id(exhibit, "volume", volume.index, volume.start_sector),
        "evidence_id": exhibit,
        "idx": volume.index,
        "kind": volume.kind.value,
        "slot": volume.slot,
        "scheme": volume.scheme,
        "start_sector": volume.start_sector,
        "length_sectors": volume.length_sectors,
        "sector_size": volume.sector_size,
        "offset": volume.offset,
        "size": volume.size,
        "description": volume.description,
        "run_id": run_id,
    }


def filesystem_id(exhibit: str, record: FileSystemRecord) -> str:
    """Id of a file system row: exhibit, offset and detection (APFS volumes share offsets)."""
    return stable_id(exhibit, "fs", record.offset, record.detection)


def filesystem_record(row: dict[str, Any]) -> FileSystemRecord:
    """The file system a catalog row names, to reopen it.

    The row holds ``fs_offset``, ``fs_type``, ``detection``, ``block_size``, ``block_count``,
    ``volume_index`` and ``fs_label`` (the ``filesystems`` columns as file lookups name them).
    """
    return FileSystemRecord(
        offset=row["fs_offset"],
        fs_type=row["fs_type"],
        detection=row["detection"] or "autodetect",
        block_size=row["block_size"] or 0,
        block_count=row["block_count"] or 0,
        volume_index=row["volume_index"],
        label=row["fs_label"] or "",
    )


def fs_parser(record: FileSystemRecord) -> tuple[str, int]:
    """The parser (name, version) that walks a file system, as its rows record it."""
    return ("apfs", 1) if record.fs_type == "APFS" else ("tsk_fs", 1)


def filesystem_row(
    exhibit: str,
    record: FileSystemRecord,
    parser: str,
    parser_version: int,
    file_count: int,
    run_id: str,
) -> dict[str, Any]:
    """One filesystems row."""
    return {
        "fs_id": filesystem_id(exhibit, record),
        "evidence_id": exhibit,
        "offset": record.offset,
        "fs_type": record.fs_type,
        "detection": record.detection,
        "block_size": record.block_size,
        "block_count": record.block_count,
        "volume_index": record.volume_index,
        "label": record.label,
        "parser": parser,
        "parser_version": parser_version,
        "file_count": file_count,
        "run_id": run_id,
    }


def file_row(
    fs_id: str,
    seq: int,
    entry: FileEntry,
    content: ContentResult,
    run_id: str,
    *,
    file_id: str | None = None,
    origin: str = "fs",
) -> dict[str, Any]:
    """One files row: the entry's metadata plus its content result.

    Walked entries get ``<fs>-<seq>`` ids (ordered: appends to the primary key); a carved
    item passes its own ``file_id`` and ``origin``.
    """
    return {
        "file_id": file_id or f"{fs_id[:16]}-{seq:010d}",
        "evidence_id": entry.locator.exhibit,
        "fs_id": fs_id,
        "seq": seq,
        "locator": str(entry.locator),
        "path": entry.path,
        "name": entry.name,
        "name_raw": entry.name_raw,
        "inode": entry.locator.inode,
        "meta_addr": entry.meta_addr,
        "attr_type": entry.attr_type,
        "attr_id": entry.attr_id,
        "type": entry.entry_type.value,
        "size": entry.size,
        "is_allocated": int(entry.is_allocated),
        "is_realloc": int(entry.is_realloc),
        "is_virtual": int(entry.is_virtual),
        "is_orphan": int(entry.is_orphan),
        "is_ads": int(entry.is_ads),
        "is_fs_metadata": int(entry.is_fs_metadata),
        "created": entry.times.created,
        "modified": entry.times.modified,
        "accessed": entry.times.accessed,
        "changed": entry.times.changed,
        "time_zone_note": entry.times.zone_assumption,
        "uid": entry.uid,
        "gid": entry.gid,
        "mode": entry.mode,
        **content_columns(content, content_name(entry)),
        "run_id": run_id,
        "origin": origin,
        "parent_file_id": None,
        **text_columns(content.document),
    }


def content_columns(content: ContentResult, name: str) -> dict[str, Any]:
    """The files row's columns from reading the content: status, hashes, classification."""
    hashes = content.hashes
    classification = content.classification
    return {
        "content_status": content.status,
        "content_error": content.error,
        "bytes_hashed": content.bytes_hashed if content.status != "none" else None,
        "md5": hashes.md5 if hashes else None,
        "sha1": hashes.sha1 if hashes else None,
        "sha256": hashes.sha256 if hashes else None,
        "blake3": hashes.blake3 if hashes else None,
        "mime": classification.mime if classification else None,
        "magic_description": classification.description if classification else None,
        "category": classification.category if classification else None,
        "extension": extension_of(name) or None,
        "extension_mismatch": int(classification.extension_mismatch) if classification else 0,
        "exif": classification.exif if classification else None,
    }


def text_columns(document: DocumentResult | None) -> dict[str, Any]:
    """The files row's text-extraction columns (all ``None`` when extraction did not run)."""
    if document is None or document.status == "none":
        return {"text_status": None, "text_kind": None, "text_encoding": None}
    return {
        "text_status": document.status,
        "text_kind": document.kind,
        "text_encoding": document.encoding,
    }
