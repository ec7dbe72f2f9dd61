"""Which country a telephone number written in national format belongs to.

``03-1234-5678`` is a valid number in Japan, Australia and France; ``123 456 789`` is a
valid French number once a parser assumes France. Numbers written with ``+`` need none
of this. For the others each region in ``REGIONS`` is tried, under these rules:

* Trunk prefix: a region whose national numbers begin with a ``0`` (all but North
  America and Singapore) only counts when the number as written begins with ``0``.
  Exceptions need the text to name the country: Indian mobiles written without their
  ``0``, toll-free and shared-cost numbers such as Australia's ``1300``, India's ``1800``,
  and Singapore, whose 8-digit numbers have no prefix at all.
* Order: the regions the number's surroundings point to (``resolve:local``: Japanese
  script within ``CONTEXT_CHARS``, or the North American ``(NNN) NNN-NNNN`` and
  ``1-NNN-NNN-NNNN`` layouts), then those the whole text suggests by naming a country,
  city or currency (``resolve:hint``); a number valid in exactly one of them is taken.
  Otherwise a number valid in exactly one region (one E.164 number across them) is taken
  (``resolve:unique``), else the one region whose own national format is exactly how
  the number is written (``resolve:format``: ``03-1234-5678`` is Japanese, ``(03) 1234
  5678`` Australian). Anything still ambiguous is dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from parsers.detectors.scanning import JAPANESE_SCRIPT, distance_to

REGIONS = ("JP", "US", "CA", "GB", "IN", "AU", "DE", "FR", "PH", "NZ", "IE", "SG")
"""Regions national-format numbers are tried in (scam call centres' usual targets)."""

_FROM_DEFAULT_COUNTRY = phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY
_E164 = phonenumbers.PhoneNumberFormat.E164
_NATIONAL = phonenumbers.PhoneNumberFormat.NATIONAL
_TRUNKLESS_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.SHARED_COST}
)
NANP = frozenset({"US", "CA"})
"""The North American Numbering Plan regions in play (one E.164 space)."""

_NANP_SHAPE = re.compile(r"(?:\+?1[ .\-]?)?(?:\(\d{3}\) ?|\d{3}[ .\-])\d{3}[ .\-]\d{4}")
_REGION_WORDS = {
    "US": r"\b(?:USA|U\.S\.A?\.|United States|America)\b",
    "CA": r"\bCanada\b",
    "GB": r"£|\b(?:UK|U\.K\.|United Kingdom|Britain|British|England|London|Scotland|Wales)\b",
    "IN": r"₹|\bRs\.? ?\d|\b(?:India|Indian|Delhi|Mumbai|Kolkata|Noida|Bengaluru|Bangalore)\b",
    "AU": r"\b(?:Australia|Australian|Sydney|Melbourne|Brisbane|AUD)\b|\bA\$",
    "DE": r"\b(?:Deutschland|Germany|Telefon|Rufnummer|Berlin|München)\b",
    "FR": r"\b(?:France|Téléphone|Paris|appelez)\b",
    "PH": r"₱|\b(?:Philippines|Manila|Cebu)\b",
    "NZ": r"\b(?:New Zealand|Auckland|Wellington|NZD)\b|\bNZ\$",
    "IE": r"\b(?:Ireland|Dublin)\b",
    "SG": r"\b(?:Singapore|SGD)\b|\bS\$",
    "JP": r"\b(?:Japan|JPY)\b|日本",
}
_REGION_PATTERNS = {region: re.compile(words) for region, words in _REGION_WORDS.items()}


def local_hints(text: str, start: int, end: int, candidate: str) -> frozenset[str]:
    """Regions a number's own layout or its neighbourhood point to (``resolve:local``)."""
    if _NANP_SHAPE.fullmatch(candidate):
        return NANP
    if distance_to(text, start, end, JAPANESE_SCRIPT) is not None:
        return frozenset({"JP"})
    return frozenset()


def _regions_for(candidate: str, digits: str, hints: frozenset[str]) -> tuple[str | None, ...]:
    """Regions worth parsing a candidate for (the others could not count, see ``_counts``)."""
    if candidate.startswith("+"):
        return (None,)
    if digits.startswith(("00", "01")):
        return REGIONS  # an international call prefix (00, 010, 011, 0011) or FR/IE 01
    if digits.startswith("0"):
        return tuple(region for region in REGIONS if region not in NANP and region != "SG")
    return tuple(region for region in REGIONS if region in NANP or region in hints)


@lru_cache(maxsize=8192)
def _parses(
    candidate: str, regions: tuple[str | None, ...]
) -> tuple[tuple[str, str, str, bool, int], ...]:
    """(region, E.164, national format, written as national, type) for each valid parse."""
    out = []
    for region in regions:
        try:
            number = phonenumbers.parse(candidate, region, keep_raw_input=True)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        national = number.country_code_source == _FROM_DEFAULT_COUNTRY
        out.append(
            (
                region or "",
                phonenumbers.format_number(number, _E164),
                phonenumbers.format_number(number, _NATIONAL),
                national,
                phonenumbers.number_type(number),
            )
        )
    return tuple(out)


def _counts(
    region: str, digits: str, is_national: bool, number_type: int, hints: frozenset[str]
) -> bool:
    """Whether a region's parse of a national-format number may be taken (trunk rules)."""
    if not is_national:
        return True
    if region in NANP:
        return not digits.startswith("0")
    if region == "SG":
        return "SG" in hints
    if digits.startswith("0"):
        return True
    if region not in hints:
        return False
    if region == "IN" and len(digits) == 10 and digits[0] in "6789":
        return True  # Indian mobiles are usually written without their trunk 0
    return digits.startswith("1") and number_type in _TRUNKLESS_TYPES  # AU 1300, IN 1800


def _valid(
    candidate: str, digits: str, regions: tuple[str | None, ...], hints: frozenset[str]
) -> list[tuple[str, str, str]]:
    """(region, E.164, national format) of the parses of ``candidate`` that count."""
    return [
        (region, e164, national)
        for region, e164, national, is_national, kind in _parses(candidate, regions)
        if _counts(region, digits, is_national, kind, hints)
    ]


def _same_layout(candidate: str, national: str) -> bool:
    """Whether a number is written exactly as its region formats it (parentheses aside)."""

    def layout(text: str) -> str:
        return " ".join(text.replace("(", " ").replace(")", " ").split())

    return layout(candidate) == layout(national)


def resolve(candidate: str, hints: frozenset[str], local: frozenset[str]) -> tuple[str, str] | None:
    """(E.164, resolving rule) for a candidate, or ``None`` if invalid or ambiguous.

    Regions the number's surroundings point to (``local``) are tried first, then those
    the document suggests (``hints``); only then every region, see the module docstring.
    """
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith("+"):
        numbers = {e164 for _, e164, _ in _valid(candidate, digits, (None,), hints)}
        return (numbers.pop(), "format:international") if len(numbers) == 1 else None
    for preferred, rule in ((local, "resolve:local"), (hints, "resolve:hint")):
        regions = tuple(region for region in REGIONS if region in preferred)
        numbers = {e164 for _, e164, _ in _valid(candidate, digits, regions, hints)}
        if len(numbers) == 1:
            return numbers.pop(), rule
    valid = _valid(candidate, digits, _regions_for(candidate, digits, hints), hints)
    numbers = {e164 for _, e164, _ in valid}
    if len(numbers) == 1:
        return numbers.pop(), "resolve:unique"
    same = {e164 for _, e164, national in valid if _same_layout(candidate, national)}
    if len(same) == 1:
        return same.pop(), "resolve:format"
    return None


def document_hints(text: str) -> frozenset[str]:
    """Regions a text suggests by naming a country, city or currency, or by Japanese script."""
    hints = {region for region, pattern in _REGION_PATTERNS.items() if pattern.search(text)}
    if JAPANESE_SCRIPT.search(text):
        hints.add("JP")
    return frozenset(hints)
