"""Turn a file's document analysis into catalog rows: members, findings, text, problems.

Archive members become ``files`` rows of their own, children of the archive's row: the
same file system, address and allocation state as the archive, a path such as
``/docs/leads.zip!/2024/list.csv`` and a locator whose member part names the chain of
archives. Their ids extend the archive's id (``<archive id>.000001``), so they sort right
after it and a re-scan writes the same ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from catalog.csvsafe import clean_text
from catalog.locator import Locator
from catalog.rows import content_columns, file_row, text_columns

if TYPE_CHECKING:
    from catalog.content import ContentResult
    from catalog.documents import DocumentResult, MemberResult, PlacedFinding
    from catalog.model import FileEntry
    from parsers.context import ParseContext

Row = dict[str, Any]

_INHERITED = (
    "evidence_id", "fs_id", "seq", "inode", "meta_addr", "attr_type", "attr_id",
    "is_allocated", "is_realloc", "is_orphan",
)  # fmt: skip
"""Columns a member takes from its archive: where it lives on the disk, and its state."""


BATCH_TEXT_CHARS = 1 << 20
"""A batch of rows is full once its extracted text reaches this many characters, whatever
its number of files, so the rows waiting for the writer stay a few MiB."""


@dataclass(slots=True)
class DocumentRows:
    """The rows one file's analysis adds to the catalog (or a batch of files' rows)."""

    files: list[Row] = field(default_factory=list)
    findings: list[Row] = field(default_factory=list)
    texts: list[Row] = field(default_factory=list)
    problems: list[tuple[Locator, str]] = field(default_factory=list)
    text_chars: int = 0
    """Characters of text added through ``extend``."""

    def extend(self, rows: DocumentRows) -> None:
        """Add another file's files, findings and texts (its problems stay with the caller)."""
        self.files += rows.files
        self.findings += rows.findings
        self.texts += rows.texts
        self.text_chars += sum(len(text["text"]) for text in rows.texts)

    def is_full(self, max_files: int) -> bool:
        """Whether the batch should be written: ``max_files`` rows or enough text."""
        return len(self.files) >= max_files or self.text_chars >= BATCH_TEXT_CHARS


def entry_rows(
    entry: FileEntry,
    content: ContentResult,
    seq: int,
    fs_id: str,
    run_id: str,
    ctx: ParseContext,
    *,
    file_id: str | None = None,
    origin: str = "fs",
) -> DocumentRows:
    """Every row one walked entry gives: its own, its members', findings and text.

    The ``seq``-th entry of file system ``fs_id``; problems (an allocated file that could
    not be read, what extraction met) go to ``ctx``. ``evcat scan`` and the locker's
    workers both call this, so both catalogue an entry the same way; carving passes its
    items' own ``file_id`` and ``origin`` (see ``catalog.rows.file_row``).
    """
    if content.status in ("unreadable", "partial") and entry.is_allocated:
        ctx.problem(
            "content",
            f"{entry.path}: content {content.status} ({content.error})",
            locator=entry.locator,
        )
    row = file_row(fs_id, seq, entry, content, run_id, file_id=file_id, origin=origin)
    if content.document is None:
        return DocumentRows(files=[row])
    rows = document_rows(row, content.document, run_id)
    for locator, message in rows.problems:
        ctx.problem("extract", message, locator=locator)
    rows.problems = []
    rows.files.insert(0, row)
    return rows


def document_rows(file_row: Row, document: DocumentResult, run_id: str) -> DocumentRows:
    """Rows for the analysis of the file whose ``files`` row is ``file_row``."""
    rows = DocumentRows()
    _add(rows, file_row, document, run_id)
    return rows


def _add(rows: DocumentRows, owner: Row, document: DocumentResult, run_id: str) -> None:
    locator = Locator.parse(owner["locator"])
    rows.problems += [(locator, f"{owner['path']}: {message}") for message in document.problems]
    if document.text:
        rows.texts.append(
            {
                "file_id": owner["file_id"],
                "evidence_id": owner["evidence_id"],
                "run_id": run_id,
                "text": clean_text(document.text),
            }
        )
    rows.findings += (
        finding_row(owner, index, placed, run_id)
        for index, placed in enumerate(document.findings, start=1)
    )
    for index, member in enumerate(document.members, start=1):
        child = member_row(owner, member, index, run_id)
        rows.files.append(child)
        child_locator = Locator.parse(child["locator"])
        rows.problems += [(child_locator, f"{child['path']}: {m}") for m in member.problems]
        if member.document is not None:
            _add(rows, child, member.document, run_id)


def member_row(archive: Row, member: MemberResult, index: int, run_id: str) -> Row:
    """The ``files`` row of an archive member."""
    info, content = member.info, member.content
    locator = Locator.parse(archive["locator"])
    inner = f"{locator.member}!/{info.path}" if locator.member else info.path
    name = info.path.rstrip("/").rsplit("/", 1)[-1]
    row: Row = {name: archive[name] for name in _INHERITED}
    row.update(
        {
            "file_id": f"{archive['file_id']}.{index:06d}",
            "locator": str(Locator(locator.exhibit, locator.fs_offset, locator.inode, inner)),
            "path": clean_text(f"{archive['path']}!/{info.path}"),
            "name": clean_text(name),
            "name_raw": info.name_raw,
            "type": "dir" if info.is_dir else "file",
            "size": content.bytes_hashed if content.status == "ok" else info.size,
            "is_virtual": 0,
            "is_ads": 0,
            "is_fs_metadata": 0,
            "created": None,
            "modified": info.modified,
            "accessed": None,
            "changed": None,
            "time_zone_note": info.zone_note,
            "uid": None,
            "gid": None,
            "mode": None,
            **content_columns(content, name),
            "run_id": run_id,
            "origin": "archive",
            "parent_file_id": archive["file_id"],
            **text_columns(member.document),
        }
    )
    return row


def finding_row(owner: Row, index: int, placed: PlacedFinding, run_id: str) -> Row:
    """The ``findings`` row of one finding in the file ``owner``."""
    finding = placed.finding
    return {
        "finding_id": f"{owner['file_id']}:{index:05d}",
        "file_id": owner["file_id"],
        "evidence_id": owner["evidence_id"],
        "run_id": run_id,
        "kind": finding.kind,
        "value": clean_text(finding.value),
        "normalized": clean_text(finding.normalized),
        "score": round(float(finding.score), 3),
        "rules": ";".join(finding.rules),
        "snippet": clean_text(finding.snippet),
        "offset": placed.offset,
        "offset_basis": placed.offset_basis,
        "detector": placed.detector,
        "detector_version": placed.detector_version,
    }
