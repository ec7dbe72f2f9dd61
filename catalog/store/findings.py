"""Read-side queries over findings and extracted text: listings, links and search.

Findings come back with the file they were found in (exhibit, file system offset, path),
in a total order, so listings and exports are deterministic. ``value_links`` is the
cross-exhibit view: each normalised value with the files and exhibits it appears in.
``search_text`` uses the trigram full-text index, which finds any substring of three or
more characters (Japanese included); shorter queries fall back to a scan of the text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

_FINDING_SQL = """
SELECT g.*, e.exhibit AS exhibit, fs.offset AS partition_offset, f.path AS path,
       f.sha256 AS file_sha256, f.origin AS origin
FROM findings g
JOIN files f ON f.file_id = g.file_id
JOIN filesystems fs ON fs.fs_id = f.fs_id
JOIN evidence e ON e.evidence_id = g.evidence_id
WHERE (:all_kinds OR g.kind IN (SELECT value FROM json_each(:kinds)))
  AND (:exhibit IS NULL OR e.exhibit = :exhibit)
  AND NOT (:hide_known AND EXISTS (SELECT 1 FROM known_files k
                                   WHERE k.file_id = g.file_id AND k.status = 'known-good'))
ORDER BY e.exhibit, fs.offset, f.path, f.file_id, g.offset, g.kind, g.finding_id
"""


def _kind_filter(kinds: Sequence[str]) -> dict[str, Any]:
    import json

    return {"all_kinds": not kinds, "kinds": json.dumps(list(kinds))}


def finding_records(
    db: Database,
    kinds: Sequence[str] = (),
    exhibit: str | None = None,
    *,
    hide_known: bool = False,
) -> Iterator[dict[str, Any]]:
    """Findings with their exhibit, partition offset and path; all kinds when none given.

    ``hide_known`` leaves out findings in files a known-good hash set matched.
    """
    params = {**_kind_filter(kinds), "exhibit": exhibit, "hide_known": hide_known}
    yield from db.query(_FINDING_SQL, params)


_LINKS_SQL = """
SELECT g.kind AS kind, g.normalized AS normalized,
       count(DISTINCT g.file_id) AS file_count,
       count(DISTINCT g.evidence_id) AS exhibit_count,
       (SELECT group_concat(x, ' ') FROM (SELECT DISTINCT h.evidence_id AS x FROM findings h
            WHERE h.kind = g.kind AND h.normalized = g.normalized ORDER BY x)) AS exhibits,
       max(g.score) AS score
FROM findings g
WHERE (:all_kinds OR g.kind IN (SELECT value FROM json_each(:kinds)))
GROUP BY g.kind, g.normalized
HAVING count(DISTINCT g.file_id) >= :min_files
ORDER BY exhibit_count DESC, file_count DESC, g.kind, g.normalized
"""


def value_links(
    db: Database, kinds: Sequence[str] = (), min_files: int = 1
) -> Iterator[dict[str, Any]]:
    """Each (kind, normalised value) with how many files and which exhibits hold it."""
    yield from db.query(_LINKS_SQL, {**_kind_filter(kinds), "min_files": min_files})


_VALUE_FILES_SQL = """
SELECT DISTINCT e.exhibit AS exhibit, fs.offset AS partition_offset, f.path AS path,
       f.file_id AS file_id
FROM findings g
JOIN files f ON f.file_id = g.file_id
JOIN filesystems fs ON fs.fs_id = f.fs_id
JOIN evidence e ON e.evidence_id = g.evidence_id
WHERE g.kind = ? AND g.normalized = ?
ORDER BY e.exhibit, fs.offset, f.path, f.file_id
"""


def files_with_value(db: Database, kind: str, normalized: str) -> list[dict[str, Any]]:
    """The files (and their exhibits) in which one normalised value was found."""
    return list(db.query(_VALUE_FILES_SQL, [kind, normalized]))


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A file whose extracted text holds the query, with a snippet around the first hit."""

    file_id: str
    exhibit: str
    path: str
    snippet: str


TRIGRAM = 3
"""The shortest query the trigram index can answer."""

_SEARCH_SQL = """
SELECT t.file_id, e.exhibit, f.path,
       snippet(texts_fts, 0, :open, :close, '...', 16) AS snippet
FROM texts_fts
JOIN texts t ON t.rowid = texts_fts.rowid
JOIN files f ON f.file_id = t.file_id
JOIN evidence e ON e.evidence_id = f.evidence_id
WHERE texts_fts MATCH :phrase
ORDER BY e.exhibit, f.path, t.file_id
LIMIT :limit
"""

_SCAN_SQL = """
SELECT t.file_id, e.exhibit, f.path, t.text
FROM texts t
JOIN files f ON f.file_id = t.file_id
JOIN evidence e ON e.evidence_id = f.evidence_id
WHERE instr(lower(t.text), lower(?)) > 0
ORDER BY e.exhibit, f.path, t.file_id
LIMIT ?
"""


def search_text(
    db: Database, query: str, limit: int = 100, marks: tuple[str, str] = ("[", "]")
) -> list[SearchHit]:
    """Files whose text contains ``query`` (a literal string, case-insensitive).

    Each snippet shows the first hit between ``marks``.
    """
    query = " ".join(query.split())
    if not query:
        return []
    if len(query) >= TRIGRAM:
        phrase = '"' + query.replace('"', '""') + '"'
        params = {"phrase": phrase, "limit": limit, "open": marks[0], "close": marks[1]}
        return [SearchHit(*row) for row in db.execute(_SEARCH_SQL, params)]
    hits = []
    for file_id, exhibit, path, text in db.execute(_SCAN_SQL, [query, limit]):
        hits.append(SearchHit(file_id, exhibit, path, _snippet(text, query, marks)))
    return hits


def _snippet(text: str, query: str, marks: tuple[str, str], width: int = 60) -> str:
    at = text.lower().find(query.lower())
    start = max(0, at - width // 2)
    end = at + len(query)
    before, hit = text[start:at], text[at:end]
    after = text[end : end + width // 2]
    return " ".join(f"{'...' if start else ''}{before}{marks[0]}{hit}{marks[1]}{after}...".split())
