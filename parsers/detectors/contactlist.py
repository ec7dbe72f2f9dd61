"""Contact lists: tables whose rows are people reachable by phone or e-mail.

Lead and victim lists are the call centre's raw material. A table is one when it has a
contact column (phone or e-mail) and a column that makes each row a person (a personal
name, an age or a birth year, an address or a prefecture), and at least ``MIN_ROWS`` rows
qualify. Columns are classified by their header (English and Japanese) and, failing that,
by their cells. Rows naming organisations (branches, shops, companies) are not people, so
a list of company branches is not reported; a price list or an invoice has no contact
column. Files without tables are read as delimited or fixed-width text, vCards or JSON.

Decision on personal address books: a family address book *is* a list of people with
phone numbers, and nothing general separates it from a small lead list (lead lists do
not always carry ages or call results). It is reported, with a lower score and the rule
``shape:personal`` when it has a relationship column and no lead-list columns (status,
amount, age), so an examiner can rank it below lead lists.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from typing import TYPE_CHECKING

from parsers.detector import Finding
from parsers.detectors.lexicon import (
    EMAIL_RE,
    ORG_WORDS,
    column_role,
    header_role,
    is_person_name,
    phone_digits,
)
from parsers.extractor import Table

if TYPE_CHECKING:
    from parsers.extractor import Extraction

MAX_TEXT_LINES = 20_000
"""Lines of text read as table records."""
MAX_JSON_CHARS = 8 << 20
"""Largest text parsed as JSON records."""
MIN_ROWS = 5
"""Rows that must look like people before a table is reported."""
_PERSON_ROLES = frozenset({"name", "age", "birth", "address", "prefecture"})
_LEAD_ROLES = frozenset({"status", "amount", "age", "birth", "notes"})


def _vcards(text: str) -> list[Table]:
    """Read vCards as one table: name, phone, e-mail, address, birthday."""
    rows = []
    for card in re.findall(r"BEGIN:VCARD(.*?)END:VCARD", text[:MAX_JSON_CHARS], re.S | re.I)[
        :20_000
    ]:
        fields: dict[str, str] = {}
        for line in re.sub(r"\r?\n[ \t]", "", card).splitlines():
            key, _, value = line.partition(":")
            prop = key.split(";", 1)[0].split(".")[-1].upper()
            if prop in {"FN", "N", "TEL", "EMAIL", "ADR", "BDAY"} and prop not in fields:
                fields[prop] = " ".join(value.replace(";", " ").split())
        rows.append(tuple(fields.get(k, "") for k in ("FN", "TEL", "EMAIL", "ADR", "BDAY")))
    if not rows:
        return []
    return [Table("vcard", ("FN", "TEL", "EMAIL", "ADR", "BDAY"), tuple(rows), len(rows))]


def _json_records(text: str) -> list[Table]:
    """A JSON array of objects (or the first such array in an object) as one table."""
    if len(text) > MAX_JSON_CHARS:
        return []
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), [])
    records = [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []
    if not records:
        return []
    header = list(dict.fromkeys(k for r in records[:50] for k in r))[:64]
    rows = tuple(tuple(str(r.get(k, "")) for k in header) for r in records[:MAX_TEXT_LINES])
    return [Table("json", tuple(header), rows, len(records))]


def _split(lines: list[str], delimiter: str | None) -> list[list[str]]:
    """Fields of each line: CSV rules for a delimiter, runs of spaces for fixed width."""
    if delimiter is None:
        return [re.split(r"\s{2,}|\t", line.strip()) for line in lines]
    return list(csv.reader(lines, delimiter=delimiter))


def _records(lines: list[str]) -> list[list[str]] | None:
    """The lines as records of one delimiter or of fixed-width columns, if they are."""
    for delimiter in (",", "\t", ";", "|", None):
        try:
            parsed = _split(lines, delimiter)
        except csv.Error:
            continue
        width, count = Counter(len(r) for r in parsed).most_common(1)[0]
        if width >= 3 and count >= MIN_ROWS + 1 and count >= 0.6 * len(parsed):
            return [r for r in parsed if len(r) == width]
    return None


def _header_at(records: list[list[str]]) -> int | None:
    """Index of the header among the first records: two known column names, no contacts."""
    for index, record in enumerate(records[:3]):
        named = sum(header_role(c) is not None for c in record)
        if named >= 2 and not any(phone_digits(c) or EMAIL_RE.search(c) for c in record):
            return index
    return None


def tables_from_text(text: str) -> list[Table]:
    """Tables found in plain text: vCards, JSON records, delimited or fixed-width lines."""
    if "BEGIN:VCARD" in text[:4096].upper():
        return _vcards(text)
    if text.lstrip()[:1] in ("[", "{"):
        return _json_records(text.strip())
    lines = [line for line in text.splitlines()[:MAX_TEXT_LINES] if line.strip()]
    records = _records(lines) if len(lines) > MIN_ROWS else None
    if not records:
        return []
    at = _header_at(records)
    header = tuple(records[at]) if at is not None else None
    rows = tuple(tuple(r) for r in records[(at + 1 if at is not None else 0) :])
    return [Table("", header, rows, len(rows))]


def _roles(table: Table) -> list[str | None]:
    """The role of each column: from its header when it names one, else from its cells."""
    width = max((len(r) for r in table.rows[:200]), default=0)
    header = list(table.header or ())
    roles: list[str | None] = []
    for index in range(width):
        cells = [r[index].strip() for r in table.rows[:200] if index < len(r) and r[index].strip()]
        role = header_role(header[index]) if index < len(header) else None
        content = column_role(cells)
        if role == "name" and content == "org":
            role = "org"
        roles.append(role or content)
    return roles


def _is_contact(cell: str, role: str) -> bool:
    """Whether a cell of a phone or e-mail column holds a usable contact."""
    if role == "email":
        return EMAIL_RE.search(cell) is not None
    return phone_digits(cell) is not None


def _person_rows(table: Table, roles: list[str | None]) -> int:
    """Rows with a contact and a person cell, none naming an organisation."""
    contact = [i for i, r in enumerate(roles) if r in {"phone", "email"}]
    person = [i for i, r in enumerate(roles) if r in _PERSON_ROLES]
    names = [i for i, r in enumerate(roles) if r == "name"]
    # A person's row names a person; without a name column, any text cell may name a firm.
    named = names or [i for i, r in enumerate(roles) if r not in {"phone", "email"}]
    count = 0
    for row in table.rows:
        cells = [c.strip() for c in row]
        if any(i < len(cells) and ORG_WORDS.search(cells[i]) for i in named):
            continue
        if not any(i < len(cells) and _is_contact(cells[i], roles[i] or "") for i in contact):
            continue
        if not any(i < len(cells) and cells[i] for i in person):
            continue
        if names and not any(
            i < len(cells) and is_person_name(cells[i], loose=True) for i in names
        ):
            continue
        count += 1
    if table.rows and table.row_count > len(table.rows):
        count = round(count * table.row_count / len(table.rows))
    return count


def _assess(table: Table) -> tuple[int, set[str]]:
    """People rows of ``table`` and the column roles it has (zero when not a contact list)."""
    roles = _roles(table)
    found = {r for r in roles if r}
    if not found & {"phone", "email"} or not found & _PERSON_ROLES:
        return 0, found
    return _person_rows(table, roles), found


def _score(rows: int, roles: set[str]) -> tuple[float, tuple[str, ...]]:
    """Confidence and rules for a list of ``rows`` people with column ``roles``."""
    rules = {f"column:{r}" for r in roles if r != "org"}
    score = 0.55 + 0.05 * len(roles & _PERSON_ROLES) + (0.1 if rows >= 20 else 0.0)
    score += 0.1 if roles & _LEAD_ROLES else 0.0
    if "relationship" in roles and not roles & (_LEAD_ROLES - {"notes", "birth"}):
        rules.add("shape:personal")
        score = min(score, 0.6)
    return min(1.0, score), tuple(sorted(rules))


class ContactListDetector:
    """Reports tabular data whose rows are people with phone numbers or e-mail addresses."""

    name = "contact_list"
    version = 1
    description = "Lists of people with phones or e-mail (CSV, sheets, vCards, tables in text)"
    emits: tuple[str, ...] = ("contact_list",)

    def detect(self, doc: Extraction) -> list[Finding]:
        """One ``contact_list`` finding whose value is the number of people rows."""
        tables = doc.tables or tables_from_text(doc.text)
        total = 0
        roles: set[str] = set()
        best_name = ""
        for table in tables:
            rows, found = _assess(table)
            if rows >= MIN_ROWS:
                total += rows
                roles |= found
                best_name = best_name or table.name
        if total < MIN_ROWS:
            return []
        score, rules = _score(total, roles)
        label = f"table {best_name}" if best_name else "table"
        return [
            Finding(
                kind="contact_list",
                value=str(total),
                normalized=str(total),
                score=round(score, 3),
                rules=rules,
                snippet=f"{label}: {total} people rows, columns {', '.join(sorted(roles))}"[:160],
                offset=None,
            )
        ]
