"""Telephone numbers: the support lines victims were told to call, in E.164.

The same call-centre number printed on a pop-up, typed in a script and stored in a
softphone links exhibits, so numbers are normalised to E.164 with ``phonenumbers``.
Runs of digits with spaces, dots, dashes and parentheses (full-width forms folded) are
cut out of the text; within a run, the longest space-separated window that is a valid
number wins, left to right, so a date or a reference beside a number does not hide it.
Shapes that are never phones are dropped: dates, times, postcodes (``〒123-4567``,
``12345-6789``), version strings, IP addresses, prices, card numbers, parts of longer
digit runs. A national number nearer an order, invoice, account or remote-access label
than a phone label is dropped, and one written without any separator needs a phone
label. Which country a national number belongs to is decided in ``phone_regions``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from parsers.detectors.checksums import luhn_valid
from parsers.detectors.phone_regions import document_hints, local_hints, resolve
from parsers.detectors.scanning import (
    FindingSet,
    Target,
    bounded,
    distance_to,
    preceding,
    scan_target,
)

if TYPE_CHECKING:
    from parsers.detector import Finding
    from parsers.extractor import Extraction

PHONE_LABEL = re.compile(
    r"(?i)(?<![a-z])(?:tel|phone|telephone|call(?:ing)?|toll[- ]?free|free ?phone|helpline|"
    r"hotline|help ?desk|support|contact|mobile|cell|fax|whatsapp|dial)(?![a-z])"
    r"|電話|携帯|連絡先|お問い?合わせ|問合せ|フリーダイ[ヤア]ル|ナビダイヤル|サポート|窓口|[☎℡📞]"
)
"""Words that say a number nearby is a phone number (English and Japanese)."""

_OTHER_LABEL = re.compile(
    r"(?i)(?<![a-z])(?:invoice|order|receipt|serial|isbn|sku|ref(?:erence)?|tracking|"
    r"customer (?:id|no)|account|acct|routing|iban|swift|card|transaction|txn|ticket|case|"
    r"any ?desk|team ?viewer|zip|postal|postcode|id)(?![a-z])"
    r"|注文|請求|伝票|口座|会員|お客様番号|管理番号|シリアル|追跡|郵便|カード番号|〒"
)
_OTHER_LABEL_CHARS = 24

_RUN = re.compile(
    r"(?<![0-9A-Za-z_+\-/@#$¥€£〒%])(?<![0-9]:)(?:\+ ?)?\(?[0-9](?:[0-9().\-]| (?=[ (0-9]))*[0-9]"
)
_DATE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")
_POSTCODE = re.compile(r"\d{3}-\d{4}|\d{5}-\d{4}")
_VERSION_BEFORE = re.compile(
    r"(?i)(?<![a-z])(?:version|ver|v|build|rev|release|バージョン)[ .:#=]*$"
)
_POSTCODE_BEFORE = re.compile(r"(?i)(?:〒|zip|postal|post ?code|郵便番号)[ .:#]*$")
_AFTER_VETO = re.compile(r"[A-Za-z0-9_@%円年月日個件回]|[-.:][0-9A-Za-z]| ?(?:yen|USD|JPY|ドル)")
_SEPARATOR_RUN = re.compile(r"[ ().\-]+")
_RULE_SCORES = {
    "format:international": 0.9,
    "resolve:unique": 0.8,
    "resolve:local": 0.8,
    "resolve:hint": 0.75,
    "resolve:format": 0.7,
}
_TOKEN = re.compile(r"\S+")
_MAX_TOKENS = 7
_MAX_RUN_TOKENS = 40
MAX_RESOLVED = 20_000
"""Candidates per file that reach ``phonenumbers`` (each costs up to 12 parses)."""


def _shape_ok(candidate: str) -> bool:
    """Whether the characters of a candidate could be a phone number at all."""
    digits = sum(char.isdigit() for char in candidate)
    if not 7 <= digits <= 17 or candidate.count("(") != candidate.count(")"):
        return False
    if _DATE.fullmatch(candidate) or _POSTCODE.fullmatch(candidate):
        return False
    if any(sum(char in "-." for char in run) > 1 for run in _SEPARATOR_RUN.findall(candidate)):
        return False
    if "." in candidate and not candidate.startswith("+"):
        groups = re.split(r"[ .\-]+", candidate.strip("()"))
        if any(len(group) < 2 for group in groups) or (len(groups) == 4 and digits <= 12):
            return False
    return True


def _card_like(run: str) -> bool:
    """Whether a digit run is a payment card number (13-19 digits, Luhn or 4-digit groups)."""
    digits = re.sub(r"\D", "", run)
    if not 13 <= len(digits) <= 19:
        return False
    groups = re.split(r"[ \-]+", run)
    return luhn_valid(digits) or (len(groups) >= 3 and all(len(g) == 4 for g in groups[:-1]))


class _Scan:
    """One document's phone scan: the target, its region hints and the findings so far."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.hints = document_hints(target.folded)
        self.found = FindingSet(target)
        self.budget = MAX_RESOLVED

    def run(self) -> None:
        for match in bounded(_RUN.finditer(self.target.folded)):
            if self.budget <= 0:
                return
            self._split(match.start(), match.group())

    def _split(self, start: int, run: str) -> None:
        """Try the longest space-separated windows of a run, left to right."""
        if _card_like(run):
            return
        tokens = [(m.start() + start, m.end() + start, m.group()) for m in _TOKEN.finditer(run)]
        if len(tokens) > _MAX_RUN_TOKENS:
            return  # a table or a soup of numbers, not prose with a phone number in it
        digits = [
            99 if _DATE.fullmatch(token) else sum(char.isdigit() for char in token)
            for _, _, token in tokens
        ]  # a date is never part of a phone number: 99 keeps it out of every window
        i = 0
        while i < len(tokens) and self.budget > 0:
            for j in range(min(len(tokens), i + _MAX_TOKENS), i, -1):
                if 7 <= sum(digits[i:j]) <= 17 and self._evaluate(tokens[i][0], tokens[j - 1][1]):
                    i = j
                    break
            else:
                i += 1

    def _evaluate(self, start: int, end: int) -> bool:
        folded = self.target.folded
        if folded[start] == "(" and folded[start:end].count("(") > folded[start:end].count(")"):
            start += 1
        candidate = folded[start:end]
        if not _shape_ok(candidate) or self._vetoed(start, end):
            return False
        phone_gap = distance_to(folded, start, end, PHONE_LABEL)
        has_label = phone_gap is not None
        international = candidate.startswith("+")
        if not international:
            other_gap = distance_to(folded, start, end, _OTHER_LABEL, _OTHER_LABEL_CHARS)
            if other_gap is not None and (phone_gap is None or other_gap < phone_gap):
                return False
        if not has_label and not re.search(r"[ ().\-]|^\+", candidate):
            return False
        self.budget -= 1
        resolved = resolve(candidate, self.hints, local_hints(folded, start, end, candidate))
        if resolved is None:
            return False
        e164, rule = resolved
        score = _RULE_SCORES.get(rule, 0.7)
        rules = (rule, "context:phone_label") if has_label else (rule,)
        self.found.add("phone", (start, end), e164, score + (0.05 if has_label else 0.0), rules)
        return True

    def _vetoed(self, start: int, end: int) -> bool:
        folded = self.target.folded
        before = preceding(folded, start)
        if _VERSION_BEFORE.search(before) or _POSTCODE_BEFORE.search(before):
            return True
        if start >= 2 and folded[start - 1] == "." and folded[start - 2].isdigit():
            return True
        return bool(_AFTER_VETO.match(folded, end))


class PhoneDetector:
    """Telephone numbers, normalised to E.164."""

    name = "phone_numbers"
    version = 1
    description = "Telephone numbers, international or national in 12 target regions, as E.164"
    emits: tuple[str, ...] = ("phone",)

    def detect(self, doc: Extraction) -> list[Finding]:
        """Phone numbers in the markup or text of ``doc``, one per E.164 number."""
        scan = _Scan(scan_target(doc))
        scan.run()
        return scan.found.findings()
