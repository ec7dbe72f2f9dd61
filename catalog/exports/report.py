"""The case report: one self-contained, printable HTML page for a court bundle.

It states the case's facts, each exhibit (seizure facts, acquisition, container and media
hashes, the latest verification), what was found (files per category, file systems), what
could not be read (problems) and the custody log, headed by the record head a reader can
check with ``evcat verify CASE --expect-head HASH``.

The page is inert whatever the evidence holds: no scripts, no links, no external
resources, a Content-Security-Policy that forbids them, and every value from the catalog
escaped by :mod:`catalog.exports.htmlsafe`. It is deterministic: nothing comes from the
clock or the host, every list has a total order, and ``export.written`` entries are left
out of the custody log (an export is not part of the record it exports), so two exports of
an unchanged case are byte-identical. Custody entries after ``snapshot.record_seq`` are
left out too: the page shows the record as of its head.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO

from catalog.custody import log
from catalog.exports.base import ExportSnapshot, ExportStats
from catalog.exports.htmlsafe import (
    code,
    document_end,
    document_start,
    esc,
    facts_table,
    number,
    shown,
    table,
)
from catalog.store import reads

if TYPE_CHECKING:
    from sqlite_utils import Database

    from catalog.custody.log import CustodyEntry

PROBLEM_LIST_LIMIT = 1000
"""At most this many problem messages are listed; the counts cover them all."""

EXCLUDED_ACTIONS = frozenset({"export.written"})
"""Custody actions the report leaves out (exports are not part of what they export)."""

SUMMARY_LIMIT = 400
"""Longest custody summary shown, in characters (the full details are in the log)."""

HASHES = (("MD5", "md5"), ("SHA-1", "sha1"), ("SHA-256", "sha256"))


@dataclass(frozen=True, slots=True)
class Verification:
    """What the latest ``verify.run`` that checked an exhibit found."""

    ok: bool
    text: str


def write_report(db: Database, handle: BinaryIO, snapshot: ExportSnapshot) -> ExportStats:
    """Write the HTML case report (UTF-8) to ``handle``.

    Args:
        db: The case catalog.
        handle: Binary output.
        snapshot: The case state the report reflects (case facts, record head).

    Returns:
        ``rows``: the number of custody entries the report lists.
    """
    stats = ExportStats()
    for part in report_parts(db, snapshot, stats):
        handle.write(part.encode("utf-8"))
    return stats


def report_parts(db: Database, snapshot: ExportSnapshot, stats: ExportStats) -> Iterator[str]:
    """The report as a sequence of markup strings, section by section."""
    exhibits = exhibit_rows(db)
    verified = verification_status(db, [row["exhibit"] for row in exhibits], snapshot.record_seq)
    yield from document_start(f"Case report {_case_name(snapshot.case)}")
    yield from _header(snapshot)
    yield from _case_section(snapshot.case)
    yield from _exhibits_section(exhibits, verified)
    yield from _categories_section(db)
    yield from _filesystems_section(db, exhibits)
    yield from _problems_section(db)
    yield from _custody_section(db, snapshot, stats)
    yield from _footer(snapshot)
    yield from document_end()


def _case_name(case: dict[str, Any]) -> str:
    return str(case.get("case_number") or case.get("case_id") or "(no case)")


def _header(snapshot: ExportSnapshot) -> Iterator[str]:
    head = esc(snapshot.record_head)
    yield f"<h1>Case report: {esc(_case_name(snapshot.case))}</h1>\n"
    yield '<div class="head" id="record-head">\n'
    yield f"<p><strong>Record head:</strong> custody entry {snapshot.record_seq}</p>\n"
    yield f'<p class="hash"><strong>{head}</strong></p>\n'
    yield (
        "<p>This report reflects the case record up to that entry. To check that the case"
        f" still holds it, run <code>evcat verify CASE --expect-head {head}</code>.</p>\n"
    )
    yield "</div>\n"
    yield f'<p class="note">Produced by {esc(snapshot.tool_version)}.</p>\n'


def _case_section(case: dict[str, Any]) -> Iterator[str]:
    yield '<section id="case">\n<h2>Case</h2>\n'
    yield from facts_table(
        [
            ("Case id", code(case.get("case_id"))),
            ("Case number", shown(case.get("case_number"))),
            ("Title", shown(case.get("title"))),
            ("Agency", shown(case.get("agency"))),
            ("Site time zone", shown(case.get("site_time_zone"))),
            ("Created (UTC)", shown(case.get("created"))),
            ("Created by", shown(case.get("created_by"))),
        ]
    )
    yield "</section>\n"


def exhibit_rows(db: Database) -> list[dict[str, Any]]:
    """Every exhibit, registered or only scanned, by exhibit id."""
    rows = {row["exhibit"]: {**row, "registered": True} for row in reads.exhibit_records(db)}
    for row in reads.source_records(db):
        rows.setdefault(row["exhibit"], {**row, "registered": False})
    return [rows[exhibit] for exhibit in sorted(rows)]


def verification_status(db: Database, exhibits: list[str], upto: int) -> dict[str, Verification]:
    """Per exhibit, the outcome of the latest ``verify.run`` entry naming it (to ``upto``)."""
    status: dict[str, Verification] = {}
    for entry in log.entries(db, ("verify.run",)):
        if entry.seq > upto:
            break
        fields = _fields(entry)
        if fields is None:
            continue
        details = fields.get("details") or {}
        checks = [check for check in details.get("checks") or [] if isinstance(check, dict)]
        for exhibit in exhibits:
            named = [c for c in checks if f"exhibit {exhibit!r}" in str(c.get("message", ""))]
            if named:
                status[exhibit] = _verdict(entry.seq, fields, details, named)
    return status


def _verdict(
    seq: int, fields: dict[str, Any], details: dict[str, Any], checks: list[dict[str, Any]]
) -> Verification:
    where = f"custody entry {seq}, {fields.get('time')}"
    failed = [check for check in checks if not check.get("ok")]
    if failed:
        return Verification(False, f"FAILED ({where}): {failed[0].get('message')}")
    text = f"verified ({where}): {len(checks)} checks hold"
    if details.get("evidence_rehashed") is False:
        text += "; the evidence was not re-hashed"
    if details.get("ok") is False:
        text += "; other checks of that verification failed"
    return Verification(True, text)


def _verification_word(verification: Verification | None) -> str:
    if verification is None:
        return "not verified"
    return "verified" if verification.ok else '<span class="fail">FAILED</span>'


def _verification_cell(verification: Verification | None) -> str:
    if verification is None:
        return "not verified"
    if verification.ok:
        return esc(verification.text)
    return f'<span class="fail">{esc(verification.text)}</span>'


def _exhibits_section(
    exhibits: list[dict[str, Any]], verified: dict[str, Verification]
) -> Iterator[str]:
    yield '<section id="exhibits">\n<h2>Exhibits</h2>\n'
    if not exhibits:
        yield "<p>No exhibits are registered or scanned.</p>\n</section>\n"
        return
    headers = (
        "Exhibit",
        "Format",
        "Media size (bytes)",
        "Files",
        "Problems",
        "Media SHA-256",
        "Verification",
    )
    rows = (
        (
            esc(row["exhibit"]),
            shown(row.get("format")),
            number(row.get("media_size")),
            number(row.get("file_count")),
            number(row.get("problem_count")),
            code(row.get("media_sha256")),
            _verification_word(verified.get(row["exhibit"])),
        )
        for row in exhibits
    )
    yield from table(headers, rows, numeric=(2, 3, 4))
    for row in exhibits:
        yield f"<h3>Exhibit {esc(row['exhibit'])}</h3>\n"
        yield from facts_table(_exhibit_facts(row, verified.get(row["exhibit"])))
    yield "</section>\n"


def _exhibit_facts(row: dict[str, Any], verification: Verification | None) -> list[tuple[str, str]]:
    registered = row["registered"]
    return [
        ("Exhibit id", esc(row["exhibit"])),
        ("Registered", "yes" if registered else "no (scanned without registration)"),
        ("Image path (registered)", shown(row.get("registered_path"))),
        ("Image path (scanned)", shown(row.get("scanned_path"))),
        ("Description", shown(row.get("description"))),
        ("Seized from", shown(row.get("seized_from"))),
        ("Seized where", shown(row.get("seized_where"))),
        ("Seized when (UTC)", shown(row.get("seized_when"))),
        ("Seized by", shown(row.get("seized_by"))),
        ("Registered at (UTC) / by", f"{shown(row.get('added'))} / {shown(row.get('added_by'))}"),
        ("Acquisition tool", shown(row.get("acquisition_tool"))),
        *((f"Acquisition {label}", code(row.get(f"acquisition_{k}"))) for label, k in HASHES),
        ("Format", shown(row.get("format"))),
        ("Media size (bytes)", number(row.get("media_size"))),
        ("Sector size (bytes)", number(row.get("sector_size"))),
        ("Volume scheme", shown(row.get("volume_scheme"))),
        *((f"Stored in container {label}", code(row.get(f"stored_{k}"))) for label, k in HASHES),
        *((f"Media {label}", code(row.get(f"media_{k}"))) for label, k in HASHES),
        ("Media BLAKE3", code(row.get("media_blake3"))),
        ("Media hash status", shown(row.get("media_hash_status"))),
        ("Scan status", shown(row.get("status"))),
        ("Verification", _verification_cell(verification)),
    ]


def _categories_section(db: Database) -> Iterator[str]:
    yield '<section id="categories">\n<h2>Files per category</h2>\n'
    counts = reads.category_counts(db)
    if not counts:
        yield "<p>No files are catalogued.</p>\n</section>\n"
        return
    rows = (
        (esc(row["exhibit"]), esc(row["category"]), number(row["files"]), number(row["bytes"]))
        for row in counts
    )
    yield from table(("Exhibit", "Category", "Files", "Bytes"), rows, numeric=(2, 3))
    yield "</section>\n"


def _filesystems_section(db: Database, exhibits: list[dict[str, Any]]) -> Iterator[str]:
    yield '<section id="filesystems">\n<h2>File systems</h2>\n'
    rows = [
        _filesystem_row(row)
        for exhibit in exhibits
        for row in reads.filesystem_records(db, exhibit["exhibit"])
    ]
    if not rows:
        yield "<p>No file systems were found.</p>\n</section>\n"
        return
    headers = (
        "Exhibit",
        "Offset (bytes)",
        "Type",
        "Label",
        "Block size",
        "Blocks",
        "Volume",
        "Files",
        "Parser",
    )
    yield from table(headers, rows, numeric=(1, 4, 5, 6, 7))
    yield "</section>\n"


def _filesystem_row(row: dict[str, Any]) -> tuple[str, ...]:
    return (
        esc(row["evidence_id"]),
        number(row["offset"]),
        esc(row["fs_type"]),
        shown(row.get("label")),
        number(row.get("block_size")),
        number(row.get("block_count")),
        number(row.get("volume_index")),
        number(row.get("file_count")),
        _parser(row.get("parser"), row.get("parser_version")),
    )


def _parser(name: object, version: object) -> str:
    if not name:
        return shown(None)
    return esc(f"{name}@{version}" if version is not None else name)


def _problems_section(db: Database) -> Iterator[str]:
    yield '<section id="problems">\n<h2>Problems</h2>\n'
    counts = reads.problem_stage_counts(db)
    total = sum(int(row["problems"]) for row in counts)
    if not total:
        yield "<p>No problems were recorded.</p>\n</section>\n"
        return
    yield f"<p>{number(total)} problems were recorded: parts of the evidence not read.</p>\n"
    rows = ((_exhibit_label(r["exhibit"]), esc(r["stage"]), number(r["problems"])) for r in counts)
    yield from table(("Exhibit", "Stage", "Problems"), rows, numeric=(2,))
    yield "<h3>Problem messages</h3>\n"
    problems = reads.first_problem_records(db, PROBLEM_LIST_LIMIT)
    yield from table(
        ("#", "Exhibit", "Stage", "Locator", "Parser", "Exception", "Offset", "Message"),
        (_problem_row(row) for row in problems),
        numeric=(0, 6),
    )
    if total > len(problems):
        yield (
            f'<p class="note">The first {number(len(problems))} are listed;'
            f" {number(total - len(problems))} more are in the case catalog.</p>\n"
        )
    yield "</section>\n"


def _exhibit_label(exhibit: str) -> str:
    return esc(exhibit) if exhibit else "(whole case)"


def _problem_row(row: dict[str, Any]) -> tuple[str, ...]:
    return (
        number(row["problem_id"]),
        _exhibit_label(row["exhibit"]),
        esc(row["stage"]),
        shown(row.get("locator")),
        _parser(row.get("parser"), row.get("parser_version")),
        shown(row.get("exception_type")),
        number(row.get("offset")),
        esc(row["message"]),
    )


def _custody_section(db: Database, snapshot: ExportSnapshot, stats: ExportStats) -> Iterator[str]:
    yield '<section id="custody">\n<h2>Custody log</h2>\n'
    yield (
        f"<p>Every entry of the custody log up to the record head (entry"
        f" {snapshot.record_seq}), in order. Entries that record exports"
        " (<code>export.written</code>) are left out: an export is not part of the record"
        " it exports, so two exports of an unchanged case are byte-identical."
        " <code>evcat verify</code> checks the whole log, those entries included.</p>\n"
    )
    headers = ("Seq", "Time (UTC)", "Action", "Examiner", "Host", "Tool", "Entry hash", "Summary")
    yield from table(headers, _custody_rows(db, snapshot.record_seq, stats), numeric=(0,))
    yield "</section>\n"


def _custody_rows(db: Database, upto: int, stats: ExportStats) -> Iterator[tuple[str, ...]]:
    for entry in log.entries(db):
        if entry.seq > upto:
            break
        fields = _fields(entry)
        if fields is None:
            yield _unreadable_row(entry)
        elif fields.get("action") in EXCLUDED_ACTIONS:
            continue
        else:
            yield _custody_row(entry, fields)
        stats.rows += 1


def _custody_row(entry: CustodyEntry, fields: dict[str, Any]) -> tuple[str, ...]:
    action = str(fields.get("action"))
    return (
        number(entry.seq),
        shown(fields.get("time")),
        esc(action),
        shown(fields.get("examiner")),
        shown(fields.get("host")),
        shown(fields.get("tool_version")),
        code(entry.entry_hash),
        esc(summarise(action, fields.get("details"))),
    )


def _unreadable_row(entry: CustodyEntry) -> tuple[str, ...]:
    message = '<span class="fail">body is not JSON: run evcat verify</span>'
    return (number(entry.seq), "", "", "", "", "", code(entry.entry_hash), message)


def _fields(entry: CustodyEntry) -> dict[str, Any] | None:
    try:
        fields = entry.fields
    except ValueError:
        return None
    return fields if isinstance(fields, dict) else None


def summarise(action: str, details: Any) -> str:
    """A one-line human summary of a custody entry's details (plain text, not escaped)."""
    summariser = _SUMMARIES.get(action)
    text = None
    if summariser is not None and isinstance(details, dict):
        try:
            text = summariser(details)
        except (AttributeError, KeyError, TypeError, ValueError):
            text = None  # unexpected shape: fall back to the raw details below
    if text is None:
        text = json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1] + "\u2026"


def _case_created(d: dict[str, Any]) -> str:
    case = d["case"]
    extra = [str(case[k]) for k in ("case_number", "title") if case.get(k)]
    return f"case {case['case_id']} created" + (f": {', '.join(extra)}" if extra else "")


def _exhibit_added(d: dict[str, Any]) -> str:
    exhibit = d["exhibit"]
    return f"exhibit {exhibit['exhibit']} registered: {exhibit['path']}"


def _scan_started(d: dict[str, Any]) -> str:
    return f"run {d['run_id']} started: {', '.join(str(x) for x in d['exhibits'])}"


def _exhibit_scanned(d: dict[str, Any]) -> str:
    counts, media = d["counts"], d.get("media") or {}
    return (
        f"exhibit {d['exhibit']} scanned ({d['status']}): {counts['files']:,} files,"
        f" {counts['deleted']:,} deleted, {counts['problems']:,} problems;"
        f" media SHA-256 {media.get('media_sha256') or 'not computed'};"
        f" {d['files']['count']:,} file rows sealed"
    )


def _problems_summary(d: dict[str, Any]) -> str:
    if not d["total"]:
        return f"exhibit {d['exhibit']}: no problems"
    stages = ", ".join(f"{stage} {count:,}" for stage, count in sorted(d["by_stage"].items()))
    return f"exhibit {d['exhibit']}: {d['total']:,} problems ({stages})"


def _scan_finished(d: dict[str, Any]) -> str:
    return (
        f"run {d['run_id']} {d['run_status']} ({d['status']}): {d['files']:,} files,"
        f" {d['bytes']:,} bytes, {d['problems']:,} problems"
    )


def _verify_run(d: dict[str, Any]) -> str:
    checks = d["checks"]
    failed = [check for check in checks if not check["ok"]]
    if not failed:
        return f"verification passed: {len(checks)} checks hold"
    return (
        f"verification FAILED: {len(failed)} of {len(checks)} checks failed;"
        f" first: {failed[0]['message']}"
    )


def _tag_added(d: dict[str, Any]) -> str:
    return f"tag \u201c{d['tag']['tag']}\u201d on file {d['tag']['file_id']}"


def _note_added(d: dict[str, Any]) -> str:
    return f"note on file {d['note']['file_id']}: {d['note']['note']}"


_SUMMARIES: dict[str, Callable[[dict[str, Any]], str]] = {
    "case.created": _case_created,
    "exhibit.added": _exhibit_added,
    "scan.started": _scan_started,
    "exhibit.scanned": _exhibit_scanned,
    "problems.summary": _problems_summary,
    "scan.finished": _scan_finished,
    "verify.run": _verify_run,
    "tag.added": _tag_added,
    "note.added": _note_added,
}


def _footer(snapshot: ExportSnapshot) -> Iterator[str]:
    yield (
        f'<footer>\n<p class="note">End of report. Record head: custody entry'
        f" {snapshot.record_seq}, <code>{esc(snapshot.record_head)}</code>.</p>\n</footer>\n"
    )
