"""``evcat verify``: prove that neither the record nor the evidence changed.

The checks, each named in the report:

* the custody chain: every entry's body is canonical, hashes to its ``entry_hash``, holds
  its own sequence number and its predecessor's hash; with ``expect_head`` the given head
  must still be in the chain (catches entries cut off the end);
* the rows each entry vouches for: the case's facts, each exhibit's registration, every
  run, tag and note, and for each exhibit's last scan the sealed file rows (a changed row is
  named), the seal table itself and the digests of its other tables;
* checkpoint signatures, against their stored keys and any public key given;
* the evidence itself: each exhibit is re-hashed and compared with its acquisition hashes,
  the hashes stored in its container (EWF, AFF) and the hash recorded at its first scan.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import parsers
from catalog.csvsafe import host_path
from catalog.custody import log
from catalog.custody.canonical import canonical_json
from catalog.custody.log import GENESIS, CustodyEntry, entry_hash
from catalog.custody.seal import FilesHead, current_file_seals, stored_file_seals, table_digests
from catalog.custody.signing import (
    key_id,
    load_public_key,
    public_key_from_raw,
    signature_is_valid,
    signatures,
)
from catalog.errors import EvidenceError
from catalog.mediahash import MediaHasher
from parsers.evidence import open_evidence

if TYPE_CHECKING:
    from sqlite_utils import Database

HASH_NAMES = ("md5", "sha1", "sha256", "blake3")


@dataclass(frozen=True, slots=True)
class Check:
    """One verified fact: what was checked, whether it holds, and what was found."""

    name: str
    ok: bool
    message: str


@dataclass(slots=True)
class VerifyReport:
    """Every check of one verification, in the order made."""

    checks: list[Check] = field(default_factory=list)
    head: str | None = None
    entries: int = 0

    @property
    def ok(self) -> bool:
        """True when every check holds."""
        return all(check.ok for check in self.checks)

    @property
    def failures(self) -> list[Check]:
        """The checks that failed, first failure first."""
        return [check for check in self.checks if not check.ok]

    def add(self, name: str, ok: bool, message: str) -> None:
        """Record one check."""
        self.checks.append(Check(name, ok, message))


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """What to verify beyond the record itself."""

    expect_head: str | None = None
    public_keys: tuple[Path, ...] = ()
    rehash_evidence: bool = True


def describe(entry: CustodyEntry) -> str:
    """``entry 7 (exhibit.scanned)`` for messages, robust to a body that is not JSON."""
    try:
        return f"entry {entry.seq} ({entry.action})"
    except ValueError:
        return f"entry {entry.seq}"


def verify_case(db: Database, options: VerifyOptions) -> VerifyReport:
    """Run every check on an open case catalog and return the report."""
    report = VerifyReport()
    chain = list(log.entries(db))
    report.entries = len(chain)
    report.head = chain[-1].entry_hash if chain else None
    trusted = _check_chain(chain, report)
    _check_expected_head(chain, options.expect_head, report)
    parsed = [(entry, entry.fields) for entry in trusted]
    _check_case_facts(db, parsed, report)
    _check_exhibits(db, parsed, report)
    _check_runs(db, parsed, report)
    _check_annotations(db, parsed, report)
    _check_scans(db, parsed, report)
    _check_signatures(db, chain, options.public_keys, report)
    if options.rehash_evidence:
        _check_evidence(db, parsed, report)
    return report


def _check_chain(chain: list[CustodyEntry], report: VerifyReport) -> list[CustodyEntry]:
    """Check the hash chain; return the entries before the first bad one."""
    if not chain:
        report.add("custody chain", False, "the custody log is empty (not an evcat case?)")
        return []
    previous_hash = GENESIS
    for position, entry in enumerate(chain, start=1):
        problem = _entry_problem(entry, position, previous_hash)
        if problem:
            report.add("custody chain", False, f"custody {describe(entry)}: {problem}")
            return chain[: position - 1]
        previous_hash = entry.entry_hash
    report.add(
        "custody chain",
        True,
        f"{len(chain)} entries, each hashing to the next; head {chain[-1].entry_hash}",
    )
    return chain


def _entry_problem(entry: CustodyEntry, position: int, previous_hash: str) -> str | None:
    if entry.seq != position:
        return f"sequence number {entry.seq} where {position} was expected (entries removed?)"
    if entry.prev_hash != previous_hash:
        return "does not link to the entry before it (an entry was removed or replaced)"
    try:
        fields = entry.fields
    except ValueError:
        return "body is not JSON (altered)"
    if canonical_json(fields) != entry.body:
        return "body is not in canonical form (altered)"
    if entry_hash(entry.prev_hash, entry.body) != entry.entry_hash:
        return "content does not match its hash (the entry was altered)"
    if fields.get("seq") != entry.seq or fields.get("prev_hash") != entry.prev_hash:
        return "body's sequence number or link disagrees with its row"
    return None


def _check_expected_head(
    chain: list[CustodyEntry], expected: str | None, report: VerifyReport
) -> None:
    if not expected:
        return
    wanted = expected.strip().lower()
    matches = [entry for entry in chain if entry.entry_hash.startswith(wanted)]
    if len(wanted) < 16 or len(matches) != 1:
        reason = "is too short to be unambiguous" if len(wanted) < 16 else "is not in the log"
        report.add(
            "expected head",
            False,
            f"expected head {expected} {reason}: the log ends at entry {len(chain)}"
            " (entries cut off the end, or a different case)",
        )
        return
    later = len(chain) - matches[0].seq
    report.add(
        "expected head",
        True,
        f"expected head is entry {matches[0].seq}; {later} entries were added after it",
    )


def _of(parsed: list[tuple[CustodyEntry, dict[str, Any]]], *actions: str) -> list[Any]:
    return [(entry, fields) for entry, fields in parsed if fields.get("action") in actions]


def _check_case_facts(
    db: Database, parsed: list[tuple[CustodyEntry, dict[str, Any]]], report: VerifyReport
) -> None:
    created = _of(parsed, "case.created")
    row = next(db.query("SELECT * FROM case_info"), None)
    if not created or row is None:
        report.add("case facts", False, "no case.created entry or no case facts row")
        return
    recorded = created[0][1]["details"]["case"]
    current = {key: value for key, value in row.items() if key != "singleton"}
    if recorded != current:
        changed = sorted(key for key in current if current.get(key) != recorded.get(key))
        report.add("case facts", False, f"case facts changed since entry 1: {', '.join(changed)}")
    else:
        report.add("case facts", True, f"case {current['case_id']} as created")


def _check_exhibits(
    db: Database, parsed: list[tuple[CustodyEntry, dict[str, Any]]], report: VerifyReport
) -> None:
    recorded = {
        fields["details"]["exhibit"]["exhibit"]: (entry, fields["details"]["exhibit"])
        for entry, fields in _of(parsed, "exhibit.added")
    }
    rows = {row["exhibit"]: dict(row) for row in db.query("SELECT * FROM exhibits")}
    bad = False
    for exhibit in sorted(set(recorded) | set(rows)):
        if exhibit not in rows:
            report.add("exhibits", False, f"exhibit {exhibit!r}: registration row missing")
        elif exhibit not in recorded:
            report.add("exhibits", False, f"exhibit {exhibit!r}: registered with no custody entry")
        elif rows[exhibit] != recorded[exhibit][1]:
            entry = recorded[exhibit][0]
            changed = sorted(
                k for k in rows[exhibit] if rows[exhibit][k] != recorded[exhibit][1].get(k)
            )
            report.add(
                "exhibits",
                False,
                f"exhibit {exhibit!r}: {', '.join(changed)} changed since {describe(entry)}",
            )
        else:
            continue
        bad = True
    if not bad:
        report.add("exhibits", True, f"{len(rows)} exhibits as registered")


def _check_runs(
    db: Database, parsed: list[tuple[CustodyEntry, dict[str, Any]]], report: VerifyReport
) -> None:
    started = {
        fields["details"]["run_id"]: fields["action"].split(".")[0]
        for _, fields in _of(parsed, "scan.started", "carve.started")
    }
    finished = {
        fields["details"]["run_id"] for _, fields in _of(parsed, "scan.finished", "carve.finished")
    }
    missing = []
    for run_id, status in db.execute("SELECT run_id, status FROM runs ORDER BY started, run_id"):
        if run_id not in started:
            missing.append(f"run {run_id} has no scan.started or carve.started entry")
        elif status != "running" and run_id not in finished:
            missing.append(f"run {run_id} ({status}) has no {started[run_id]}.finished entry")
    if missing:
        report.add(
            "runs",
            False,
            f"{missing[0]} (custody entries removed from the end?)"
            + (f"; {len(missing) - 1} more" if len(missing) > 1 else ""),
        )
    else:
        report.add("runs", True, f"{len(started)} runs, each recorded")


def _check_annotations(
    db: Database, parsed: list[tuple[CustodyEntry, dict[str, Any]]], report: VerifyReport
) -> None:
    for table, action, text_column in (
        ("tags", "tag.added", "tag"),
        ("notes", "note.added", "note"),
    ):
        recorded = {
            canonical_json(fields["details"][table[:-1]]) for _, fields in _of(parsed, action)
        }
        rows = {
            canonical_json(dict(row))
            for row in db.query(
                f"SELECT file_id, {text_column}, added, examiner, custody_seq FROM {table}"
            )
        }
        if rows != recorded:
            extra, missing = len(rows - recorded), len(recorded - rows)
            report.add(
                table,
                False,
                f"{table}: {extra} rows not in the custody log, {missing} logged rows missing",
            )
        else:
            report.add(table, True, f"{len(rows)} {table}, each logged")


def _check_scans(
    db: Database, parsed: list[tuple[CustodyEntry, dict[str, Any]]], report: VerifyReport
) -> None:
    latest: dict[str, tuple[CustodyEntry, dict[str, Any]]] = {}
    for entry, fields in _of(parsed, "exhibit.scanned"):
        latest[fields["details"]["exhibit"]] = (entry, fields["details"])
    scanned = {row[0] for row in db.execute("SELECT DISTINCT evidence_id FROM files")}
    for exhibit in sorted(scanned - set(latest)):
        report.add(
            "scan record", False, f"exhibit {exhibit!r}: file rows with no exhibit.scanned entry"
        )
    overlays = _later_table_digests(parsed, latest)
    for exhibit, (entry, details) in sorted(latest.items()):
        _check_files(db, exhibit, entry, details, report)
        tables = {**details["tables"], **overlays.get(exhibit, {})}
        _check_tables(db, exhibit, entry, {**details, "tables": tables}, report)


def _later_table_digests(
    parsed: list[tuple[CustodyEntry, dict[str, Any]]],
    latest: dict[str, tuple[CustodyEntry, dict[str, Any]]],
) -> dict[str, dict[str, str]]:
    """Digests that ``hashsets.applied`` entries recorded after an exhibit's last scan.

    Applying hash sets to a scanned case rewrites its known-file rows and known-bad
    findings; the entry that did it records their new digests, which then stand.
    """
    overlays: dict[str, dict[str, str]] = {}
    for entry, fields in _of(parsed, "hashsets.applied"):
        for exhibit, digests in fields["details"].get("tables", {}).items():
            if exhibit in latest and entry.seq > latest[exhibit][0].seq:
                overlays.setdefault(exhibit, {}).update(digests)
    return overlays


@dataclass(slots=True)
class _SealComparison:
    """The current file rows against the stored seals, walked together in file-id order."""

    changed: int = 0
    removed: int = 0
    first: str | None = None

    def note(self, what: str) -> None:
        self.first = self.first or what


def _compare_seals(
    db: Database, exhibit: str, run_id: str, fold: FilesHead, version: int
) -> _SealComparison:
    """Merge the two sorted streams (memory stays flat however many files the exhibit has)."""
    result = _SealComparison()
    current = current_file_seals(db, exhibit, version)
    stored = stored_file_seals(db, run_id, exhibit)
    row = next(current, None)
    pair = next(stored, None)
    while row is not None or pair is not None:
        if pair is not None and (row is None or pair[0] < row.file_id):
            result.removed += 1
            result.note(f"file {pair[0]} (removed)")
            fold.add(*pair)
            pair = next(stored, None)
            continue
        assert row is not None
        if pair is None or row.file_id < pair[0]:
            result.changed += 1
            result.note(f"file {row.file_id} ({row.path!r}, added)")
        else:
            fold.add(*pair)
            if pair[1] != row.seal:
                result.changed += 1
                result.note(f"file {row.file_id} ({row.path!r})")
            pair = next(stored, None)
        row = next(current, None)
    return result


def _check_files(
    db: Database, exhibit: str, entry: CustodyEntry, details: dict[str, Any], report: VerifyReport
) -> None:
    fold = FilesHead()
    version = int(details["files"].get("seal_version", 1))
    comparison = _compare_seals(db, exhibit, details["run_id"], fold, version)
    name = "file rows"
    if comparison.changed or comparison.removed:
        report.add(
            name,
            False,
            f"exhibit {exhibit!r}: {comparison.changed} file rows changed or added and"
            f" {comparison.removed} removed since {describe(entry)}; first: {comparison.first}",
        )
        return
    recorded = details["files"]
    if fold.hexdigest() != recorded["head"] or fold.count != recorded["count"]:
        report.add(
            name,
            False,
            f"exhibit {exhibit!r}: the file seals no longer match the head in {describe(entry)}"
            " (seal table altered)",
        )
        return
    report.add(name, True, f"exhibit {exhibit!r}: {fold.count} file rows as sealed")


def _check_tables(
    db: Database, exhibit: str, entry: CustodyEntry, details: dict[str, Any], report: VerifyReport
) -> None:
    recorded: dict[str, str] = details["tables"]
    current = table_digests(db, exhibit, recorded)
    changed = sorted(t for t, digest in current.items() if recorded[t] != digest)
    if changed:
        report.add(
            "scan tables",
            False,
            f"exhibit {exhibit!r}: {', '.join(changed)} rows changed since {describe(entry)}",
        )
    else:
        report.add(
            "scan tables",
            True,
            f"exhibit {exhibit!r}: {', '.join(recorded)} as sealed",
        )


def _check_signatures(
    db: Database, chain: list[CustodyEntry], public_keys: Iterable[Path], report: VerifyReport
) -> None:
    stored = signatures(db)
    by_seq = {entry.seq: entry for entry in chain}
    case_row = db.execute("SELECT case_id FROM case_info").fetchone()
    case_id = str(case_row[0]) if case_row else ""
    wanted = {key_id(key): path for path in public_keys for key in [load_public_key(path)]}
    valid_by_key: dict[str, list[int]] = {}
    for signature in stored:
        entry = by_seq.get(signature.seq)
        public = public_key_from_raw(signature.public_key)
        if entry is None or entry.entry_hash != signature.entry_hash:
            report.add(
                "signatures",
                False,
                f"checkpoint signed at entry {signature.seq} no longer matches the log"
                " (entries removed or replaced)",
            )
            return
        if public is None or key_id(public) != signature.key_id:
            report.add("signatures", False, f"signature at entry {signature.seq}: bad stored key")
            return
        if not signature_is_valid(signature, case_id, public):
            report.add("signatures", False, f"signature at entry {signature.seq} does not verify")
            return
        valid_by_key.setdefault(signature.key_id, []).append(signature.seq)
    for wanted_id, path in sorted(wanted.items()):
        if wanted_id not in valid_by_key:
            report.add("signatures", False, f"no checkpoint is signed by the key in {path}")
            return
    if stored:
        last = max(signature.seq for signature in stored)
        report.add(
            "signatures",
            True,
            f"{len(stored)} checkpoint signatures verify (keys {', '.join(sorted(valid_by_key))});"
            f" last signed entry {last} of {len(chain)}",
        )


def _check_evidence(
    db: Database, parsed: list[tuple[CustodyEntry, dict[str, Any]]], report: VerifyReport
) -> None:
    first_scan: dict[str, dict[str, Any]] = {}
    for _, fields in _of(parsed, "exhibit.scanned"):
        media = fields["details"].get("media") or {}
        if media.get("media_sha256"):
            first_scan.setdefault(fields["details"]["exhibit"], media)
    for row in db.query("SELECT * FROM exhibits ORDER BY exhibit"):
        _check_one_exhibit(dict(row), first_scan.get(row["exhibit"]), report)


def _check_one_exhibit(
    row: dict[str, Any], first_scan: dict[str, Any] | None, report: VerifyReport
) -> None:
    exhibit, path = row["exhibit"], host_path(row["path"])
    name = "evidence"
    try:
        source = open_evidence(path, parsers.SOURCES.all())
    except EvidenceError as exc:
        report.add(name, False, f"exhibit {exhibit!r}: cannot be re-read ({exc})")
        return
    try:
        stored = dict(source.info.stored_hashes)
        outcome = MediaHasher(source).result()
    finally:
        source.close()
    if outcome.hashes is None:
        report.add(name, False, f"exhibit {exhibit!r}: cannot be re-hashed ({outcome.error})")
        return
    computed = {algorithm: getattr(outcome.hashes, algorithm) for algorithm in HASH_NAMES}
    references: dict[str, dict[str, Any]] = {
        "acquisition": {a: row.get(f"acquisition_{a}") for a in HASH_NAMES},
        "container": stored,
        "first scan": {a: (first_scan or {}).get(f"media_{a}") for a in HASH_NAMES},
    }
    compared = []
    for source_name, values in references.items():
        for algorithm, expected in sorted(values.items()):
            if not expected:
                continue
            compared.append(f"{source_name} {algorithm.upper()}")
            if expected.lower() != computed.get(algorithm):
                report.add(
                    name,
                    False,
                    f"exhibit {exhibit!r} ({path}): {source_name} {algorithm.upper()} {expected}"
                    f" != now {computed.get(algorithm)} (evidence changed)",
                )
                return
    if not compared:
        report.add(
            name, False, f"exhibit {exhibit!r}: no recorded hash to compare with (never scanned?)"
        )
        return
    report.add(
        name,
        True,
        f"exhibit {exhibit!r}: SHA-256 {computed['sha256']} matches {', '.join(compared)}",
    )


def summary_details(report: VerifyReport, options: VerifyOptions) -> dict[str, Any]:
    """What the ``verify.run`` entry records about a verification."""
    return {
        "ok": report.ok,
        "entries_checked": report.entries,
        "head_checked": report.head,
        "expect_head": options.expect_head,
        "evidence_rehashed": options.rehash_evidence,
        "public_keys": sorted(str(path) for path in options.public_keys),
        "checks": [{"name": c.name, "ok": c.ok, "message": c.message} for c in report.checks],
    }


def report_json(report: VerifyReport) -> str:
    """The report as a JSON document (for ``--json``)."""
    return json.dumps(
        {
            "ok": report.ok,
            "entries": report.entries,
            "head": report.head,
            "checks": [{"name": c.name, "ok": c.ok, "message": c.message} for c in report.checks],
        },
        sort_keys=True,
    )
