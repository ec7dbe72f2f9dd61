"""What a file says: its text, the artefacts in it, and the members of an archive.

``analyse_document`` runs inside the extraction sandbox (``catalog.sandbox``), on a bounded
copy of one file taken by the content pass. It picks the extractor or archive reader for
the file, runs every detector over the text, turns each finding's text offset into a byte
offset of the file where the encoding allows, and opens archives recursively: each member
is hashed, classified and analysed like a file, within the depth, member-count, expansion
and ratio limits. Everything it returns is plain values; problems are one-line messages the
pipeline records against the file (or the member) they belong to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

import parsers
from catalog.content import ContentResult, classify_head
from catalog.hashing import MultiHasher
from catalog.spool import SPOOL, Spool, open_spooled
from parsers.archive import ArchiveError, MemberInfo
from parsers.archives import choose_archive
from parsers.context import Limits
from parsers.extractor import ExtractionError
from parsers.extractors import choose_extractor
from parsers.extractors.encoding import ByteOffsets

if TYPE_CHECKING:
    from parsers.archive import ArchiveReader
    from parsers.detector import Finding
    from parsers.extractor import Extraction, Extractor

PARTIAL_INPUT_OK = frozenset({"plain", "html", "csv", "vcard", "json", "xml", "legacy"})
"""Extractors that read a file's first bytes usefully when the whole file is over the limit."""

MAX_FINDINGS = 10_000
"""Findings kept per file; more are counted in a problem."""

ARCHIVE_TEXT_CHARS = 32 << 20
"""Characters of text kept across all members of one archive."""


@dataclass(frozen=True, slots=True)
class DocumentRequest:
    """One file to analyse: its name, type, first bytes and the spooled content."""

    name: str
    mime: str | None
    head: bytes
    data: bytes | str
    """The content (bytes) or a spool file's path."""
    size: int
    """Bytes available in ``data``."""
    full_size: int
    """Bytes in the whole file (more than ``size`` when the spool hit its cap)."""
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True, slots=True)
class PlacedFinding:
    """A detector's finding with the offset resolved in its file."""

    finding: Finding
    detector: str
    detector_version: int
    offset: int | None
    offset_basis: str
    """``file`` (a byte offset in the file), ``text`` or ``markup`` (an index into those)."""


@dataclass(frozen=True, slots=True)
class MemberResult:
    """One archive member: what the archive says about it, its content and its analysis."""

    info: MemberInfo
    content: ContentResult
    document: DocumentResult | None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """The outcome of analysing one file."""

    status: str
    """``extracted``, ``truncated`` (limits cut the text), ``error``, ``skipped`` (over the
    size limit) or ``none`` (no text format)."""
    kind: str | None = None
    encoding: str | None = None
    text: str | None = None
    findings: tuple[PlacedFinding, ...] = ()
    members: tuple[MemberResult, ...] = ()
    problems: tuple[str, ...] = ()


NOTHING = DocumentResult(status="none")


@dataclass(slots=True)
class _Budget:
    """What one top-level file may still expand and keep, across all its members."""

    expanded_bytes: int
    text_chars: int = ARCHIVE_TEXT_CHARS
    exhausted: str | None = None


def plan_analysis(
    name: str, mime: str | None, head: bytes, size: int, cap: int
) -> DocumentResult | str | None:
    """What to do with a file of ``size`` bytes, before copying any of it.

    ``None``: no text format, or an empty file. ``SPOOL``: copy up to ``cap`` bytes and
    analyse them. A ``skipped`` result: the format needs the whole file and the file is
    over ``cap``, so nothing is copied.
    """
    if size == 0:
        return None
    extractor = _extractor_for(name, mime, head)
    reader = None if extractor else _reader_for(name, mime, head)
    kind = extractor.name if extractor else reader.name if reader else None
    if kind is None:
        return None
    if size > cap and kind not in PARTIAL_INPUT_OK:
        message = f"{kind} not opened: {size} bytes exceeds the {cap} byte extraction limit"
        return DocumentResult(status="skipped", kind=kind, problems=(message,))
    return SPOOL


def analyse_document(request: DocumentRequest) -> DocumentResult:
    """Extract, detect and expand one file (never raises for bad content)."""
    budget = _Budget(request.limits.archive.max_total_bytes)
    return _analyse(request, budget, depth=1)


def _extractor_for(name: str, mime: str | None, head: bytes) -> Extractor | None:
    return choose_extractor(name, mime, head)


def _reader_for(name: str, mime: str | None, head: bytes) -> ArchiveReader | None:
    return choose_archive(name, mime, head)


def _analyse(request: DocumentRequest, budget: _Budget, depth: int) -> DocumentResult:
    extractor = _extractor_for(request.name, request.mime, request.head)
    reader = None if extractor else _reader_for(request.name, request.mime, request.head)
    if extractor is None and reader is None:
        return NOTHING
    complete = request.size >= request.full_size
    if not complete and (extractor is None or extractor.name not in PARTIAL_INPUT_OK):
        kind = extractor.name if extractor else reader.name if reader else ""
        message = (
            f"{kind} not opened: {request.full_size} bytes exceeds the"
            f" {request.size} byte extraction limit"
        )
        return DocumentResult(status="skipped", kind=kind, problems=(message,))
    if reader is not None and depth > request.limits.archive.max_depth:
        limit = request.limits.archive.max_depth
        message = f"archive nested deeper than {limit} levels not opened"
        return DocumentResult(status="skipped", kind=reader.name, problems=(message,))
    with open_spooled(request.data) as stream:
        if extractor is not None:
            return _extract(extractor, stream, request, budget)
        assert reader is not None
        return _expand(reader, stream, request, budget, depth)


def _extract(
    extractor: Extractor, stream: IO[bytes], request: DocumentRequest, budget: _Budget
) -> DocumentResult:
    limits = request.limits
    try:
        extraction = extractor.extract(stream, request.size, limits.text)
    except ExtractionError as exc:
        return _failed(extractor.name, str(exc))
    except Exception as exc:
        return _failed(extractor.name, f"extractor failed ({type(exc).__name__}: {exc})")
    problems = [f"{extractor.name}: {warning}" for warning in extraction.warnings]
    truncated = extraction.truncated or request.size < request.full_size
    if request.size < request.full_size:
        problems.append(
            f"text extraction stopped at the {request.size} byte limit"
            f" ({request.full_size} bytes in the file)"
        )
    elif extraction.truncated:
        problems.append(f"{extractor.name}: text cut at the extraction limit")
    findings, detector_problems = _detect(extraction)
    problems += detector_problems
    return DocumentResult(
        status="truncated" if truncated else "extracted",
        kind=extraction.kind,
        encoding=extraction.encoding,
        text=_kept_text(extraction.text, limits.stored_text_chars, budget),
        findings=findings,
        problems=tuple(problems),
    )


def _failed(kind: str, message: str) -> DocumentResult:
    first_line = message.splitlines()[0][:300] if message else "unknown error"
    if not first_line.startswith(f"{kind}:"):
        first_line = f"{kind}: {first_line}"
    return DocumentResult(status="error", kind=kind, problems=(first_line,))


def _kept_text(text: str, cap: int, budget: _Budget) -> str | None:
    kept = text[: min(cap, budget.text_chars)]
    budget.text_chars -= len(kept)
    return kept or None


def _detect(extraction: Extraction) -> tuple[tuple[PlacedFinding, ...], list[str]]:
    placed: list[PlacedFinding] = []
    problems: list[str] = []
    mappers: dict[str, ByteOffsets] = {}
    for detector in parsers.DETECTORS:
        try:
            found = detector.detect(extraction)
        except Exception as exc:
            problems.append(f"detector {detector.name} failed ({type(exc).__name__}: {exc})")
            continue
        placed += (_place(f, detector.name, detector.version, extraction, mappers) for f in found)
    if len(placed) > MAX_FINDINGS:
        problems.append(f"{len(placed) - MAX_FINDINGS} findings beyond {MAX_FINDINGS} not kept")
        placed = placed[:MAX_FINDINGS]
    return tuple(placed), problems


def _place(
    finding: Finding,
    detector: str,
    version: int,
    extraction: Extraction,
    mappers: dict[str, ByteOffsets],
) -> PlacedFinding:
    """Turn a finding's index into a byte offset when its string maps onto the file.

    ``mappers`` keeps one byte-offset map per string of the extraction, so the text is
    encoded once however many findings it holds.
    """
    string = extraction.markup if finding.source == "markup" else extraction.text
    maps_to_file = extraction.offset_basis == "file" and (
        finding.source == "markup" or extraction.markup is None
    )
    offset, basis = finding.offset, finding.source
    if maps_to_file and string is not None and offset is not None and extraction.encoding:
        if finding.source not in mappers:
            mappers[finding.source] = ByteOffsets(
                string, extraction.encoding, extraction.bom_length
            )
        offset, basis = mappers[finding.source].byte_offset(offset), "file"
    return PlacedFinding(finding, detector, version, offset, basis)


def _expand(
    reader: ArchiveReader,
    stream: IO[bytes],
    request: DocumentRequest,
    budget: _Budget,
    depth: int,
) -> DocumentResult:
    members: list[MemberResult] = []
    problems: list[str] = []
    try:
        for info, content, error in reader.members(stream, request.limits.archive):
            if budget.exhausted:
                problems.append(budget.exhausted)
                break
            info = _named(info, request.name)
            members.append(_member(info, content, error, request, budget, depth))
    except ArchiveError as exc:
        problems.append(f"{reader.name}: {exc}")
    except Exception as exc:
        problems.append(f"{reader.name}: archive reader failed ({type(exc).__name__}: {exc})")
    status = "error" if problems and not members else "extracted"
    return DocumentResult(
        status=status, kind=reader.name, members=tuple(members), problems=tuple(problems)
    )


def _named(info: MemberInfo, archive_name: str) -> MemberInfo:
    """Give a nameless member (a gzip stream without FNAME) its archive's name minus ``.gz``."""
    if info.path:
        return info
    stem = Path(archive_name)
    suffix = stem.suffix.lower()
    name = stem.stem + ".tar" if suffix in (".tgz", ".taz") else stem.stem if suffix else "data"
    return MemberInfo(
        path=name or "data",
        name_raw=info.name_raw,
        size=info.size,
        compressed_size=info.compressed_size,
        modified=info.modified,
        zone_note=info.zone_note,
        is_dir=info.is_dir,
        is_encrypted=info.is_encrypted,
    )


def _member(
    info: MemberInfo,
    content: IO[bytes] | None,
    error: str | None,
    request: DocumentRequest,
    budget: _Budget,
    depth: int,
) -> MemberResult:
    if content is None:
        status = "none" if info.is_dir or error is None else "unreadable"
        problems = (error,) if error else ()
        return MemberResult(info, ContentResult(status=status, error=error), None, problems)
    limits = request.limits
    hasher = MultiHasher()
    head = bytearray()
    spool = Spool(limits.text.max_input_bytes, info.size or 0)
    read_error = _copy_member(content, hasher, head, spool, limits, budget)
    data = spool.seal()
    try:
        return _member_result(
            info, hasher, bytes(head), spool, data, read_error, request, budget, depth
        )
    finally:
        spool.discard()


def _copy_member(
    content: IO[bytes],
    hasher: MultiHasher,
    head: bytearray,
    spool: Spool,
    limits: Limits,
    budget: _Budget,
) -> str | None:
    """Stream a member once into the hashes, the head and the spool; the error, if any."""
    try:
        while chunk := content.read(limits.chunk_size):
            if len(chunk) > budget.expanded_bytes:
                budget.exhausted = (
                    "archive expansion stopped: the limit of"
                    f" {limits.archive.max_total_bytes} expanded bytes was reached"
                )
                return budget.exhausted
            budget.expanded_bytes -= len(chunk)
            hasher.update(chunk)
            if len(head) < limits.head_size:
                head += chunk[: limits.head_size - len(head)]
            spool.write(chunk)
    except (ArchiveError, OSError, EOFError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    return None


def _member_result(
    info: MemberInfo,
    hasher: MultiHasher,
    head: bytes,
    spool: Spool,
    data: bytes | str,
    read_error: str | None,
    request: DocumentRequest,
    budget: _Budget,
    depth: int,
) -> MemberResult:
    name = info.path.rsplit("/", 1)[-1]
    complete = read_error is None
    whole = complete and hasher.bytes_hashed == len(head)
    hashes = hasher.hashes() if complete else None
    digest = bytes.fromhex(hashes.blake3) if whole and hashes else None
    classification, exif_error = classify_head(name, head, digest)
    problems = (
        [f"content {'partial' if hasher.bytes_hashed else 'unreadable'} ({read_error})"]
        if read_error
        else []
    )
    if exif_error is not None:
        problems.append(str(exif_error))
    content = ContentResult(
        status="ok" if complete else ("partial" if hasher.bytes_hashed else "unreadable"),
        hashes=hashes,
        bytes_hashed=hasher.bytes_hashed,
        classification=classification,
        error=read_error,
    )
    document = None
    if complete and hasher.bytes_hashed:
        nested = DocumentRequest(
            name, classification.mime, head, data, spool.size, hasher.bytes_hashed,
            request.limits,
        )  # fmt: skip
        found = _analyse(nested, budget, depth + 1)
        document = None if found is NOTHING else found
    return MemberResult(info, content, document, tuple(problems))


def analyse_path(path: Path, limits: Limits | None = None) -> list[Finding]:
    """Every finding in a host file and, for an archive, in its members (for tests, tools).

    The file is classified as the scan would classify it and analysed in this process.
    """
    limits = limits or Limits()
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(limits.head_size)
    classification, _ = classify_head(path.name, head)
    request = DocumentRequest(path.name, classification.mime, head, str(path), size, size, limits)
    return list(_all_findings(analyse_document(request)))


def _all_findings(document: DocumentResult) -> Iterator[Finding]:
    yield from (placed.finding for placed in document.findings)
    for member in document.members:
        if member.document is not None:
            yield from _all_findings(member.document)
