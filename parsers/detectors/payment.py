"""Payment identifiers: gift-card codes, IBANs and bank account numbers victims paid into.

Scams are paid in gift cards read out over the phone and in transfers to mule accounts.
The codes and account numbers link a victim's statement to the call centre's notes.
Gift-card codes and bank accounts are strings of letters and digits like any other, so
they are only reported with their context (words within ``CONTEXT_CHARS`` characters),
and only in the shapes the cards and banks use. IBANs carry their own checksum (mod 97)
and a per-country length, and need no context.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from parsers.detectors.checksums import iban_mod97
from parsers.detectors.phones import PHONE_LABEL
from parsers.detectors.scanning import (
    FindingSet,
    SpanSet,
    Target,
    bounded,
    distance_to,
    label_for,
    scan_target,
)

if TYPE_CHECKING:
    from parsers.detector import Finding
    from parsers.extractor import Extraction

GIFT_CONTEXT = re.compile(
    r"(?i)(?<![a-z])(?:gift ?cards?|google ?play|itunes|apple|amazon|steam|walmart|ebay|"
    r"vanilla|razer ?gold|webmoney|bitcash|prepaid|redeem|claim code|scratch)(?![a-z])"
    r"|(?-i:\bTarget\b)|ギフト|カード番号|コンビニ|電子マネー|プリペイド|ウェブマネー|ビットキャッシュ"
    r"|アマゾン|グーグルプレイ|アイチューンズ|アップル"
)
"""Words that make a nearby code a gift-card code (English and Japanese)."""

_GIFT_CODE = re.compile(
    r"(?<![A-Za-z0-9_./@#=&?\-])(?:"
    r"(?P<g5>[A-Z0-9]{4}(?P<s5>[ \-])[A-Z0-9]{4}(?:(?P=s5)[A-Z0-9]{4}){3})"
    r"|(?P<g4>[A-Z0-9]{4}(?P<s4>[ \-])[A-Z0-9]{4}(?:(?P=s4)[A-Z0-9]{4}){2})"
    r"|(?P<steam>[A-Z0-9]{5}(?P<s3>[ \-])[A-Z0-9]{5}(?P=s3)[A-Z0-9]{5})"
    r"|(?P<amazon>[A-Z0-9]{4}-[A-Z0-9]{6}-[A-Z0-9]{4,5})"
    r"|(?P<plain>[A-Z0-9]{14,20})"
    r")(?![A-Za-z0-9_@]|[\-./][A-Za-z0-9]| [0-9]{2,4}(?![A-Za-z0-9]))"
)
_SHAPE_RULES = {
    "g5": "shape:groups_of_4",
    "g4": "shape:groups_of_4",
    "steam": "shape:steam",
    "amazon": "shape:amazon",
    "plain": "shape:plain",
}

# ISO 13616 lengths of the IBANs of the countries most seen (SWIFT IBAN registry).
_IBAN_LENGTHS = {
    **dict.fromkeys(("NO",), 15),
    **dict.fromkeys(("BE",), 16),
    **dict.fromkeys(("DK", "FI", "FO", "GL", "NL"), 18),
    **dict.fromkeys(("MK", "SI"), 19),
    **dict.fromkeys(("AT", "BA", "EE", "KZ", "LT", "LU", "XK"), 20),
    **dict.fromkeys(("CH", "HR", "LI", "LV"), 21),
    **dict.fromkeys(("BG", "BH", "CR", "DE", "GB", "GE", "IE", "ME", "RS", "VA"), 22),
    **dict.fromkeys(("AE", "GI", "IL", "IQ", "TL"), 23),
    **dict.fromkeys(("CZ", "ES", "MD", "PK", "RO", "SA", "SE", "SK", "TN", "VG"), 24),
    **dict.fromkeys(("PT", "ST"), 25),
    **dict.fromkeys(("IS", "TR"), 26),
    **dict.fromkeys(("FR", "GR", "IT", "MC", "MR", "SM"), 27),
    **dict.fromkeys(("AL", "AZ", "BY", "CY", "DO", "GT", "HU", "LB", "PL", "SV"), 28),
    **dict.fromkeys(("BR", "EG", "PS", "QA", "UA"), 29),
    **dict.fromkeys(("JO", "KW", "MU"), 30),
    **dict.fromkeys(("MT", "SC"), 31),
    **dict.fromkeys(("LC",), 32),
}
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2})[0-9]{2}")

_ACCOUNT_LABEL = re.compile(
    r"(?i)(?<![a-z])(?:account|acct|a/c|acc no|checking|savings|beneficiary)(?![a-z])"
    r"|口座番号|口座|普通|当座|貯蓄|支店|銀行|名義"
)
_ROUTING_LABEL = re.compile(
    r"(?i)(?<![a-z])(?:routing|aba|rtn|transit|swift|bic|bank code|branch code)(?![a-z])"
    r"|支店番号|店番"
)
_OTHER_LABEL = re.compile(
    r"(?i)(?<![a-z])(?:invoice|order|receipt|serial|tracking|customer id|member|card|ticket|"
    r"case|transaction|ref(?:erence)?|any ?desk|team ?viewer|id)(?![a-z])"
    r"|注文|請求|伝票|会員|カード|お客様番号|管理番号"
)
_LABELS = {
    "account": _ACCOUNT_LABEL,
    "routing": _ROUTING_LABEL,
    "phone": PHONE_LABEL,
    "other": _OTHER_LABEL,
}
_SORT_CODE = re.compile(r"(?<![0-9\-])[0-9]{2}-[0-9]{2}-[0-9]{2}(?![0-9\-])")
_ACCOUNT_DIGITS = re.compile(r"(?<![0-9A-Za-z\-+./,#])[0-9]{7,17}(?![0-9A-Za-z]|[\-./,][0-9])")
_NEAR_CHARS = 20


def _gift_codes(target: Target, found: FindingSet, taken: SpanSet) -> None:
    text = target.folded
    for match in bounded(_GIFT_CODE.finditer(text)):
        start, end = match.span()
        code = re.sub(r"[ \-]", "", match.group())
        shape = match.lastgroup or "plain"
        letters = [char for char in code if char.isalpha()]
        if not letters and shape != "g4":
            continue  # digits only: an order or card number, unless the 16-digit card shape
        if len(letters) == len(code):
            continue
        if taken.overlaps(start, end):
            continue
        gap = distance_to(text, start, end, GIFT_CONTEXT)
        if gap is None:
            continue
        score = 0.65 if shape == "plain" else 0.8
        rules = (_SHAPE_RULES[shape], "context:gift_card")
        found.add("gift_card_code", (start, end), code, score, rules)


def _iban_at(text: str, start: int, length: int) -> tuple[str, int] | None:
    """The IBAN of ``length`` characters starting at ``start`` (single spaces allowed)."""
    chars: list[str] = []
    i = start
    while i < len(text) and len(chars) < length:
        char = text[i]
        if char.isascii() and char.isalnum():
            chars.append(char.upper())
        elif char != " " or text[i - 1] == " " or i + 1 >= len(text):
            return None
        i += 1
    if len(chars) < length or (i < len(text) and text[i].isascii() and text[i].isalnum()):
        return None
    return "".join(chars), i


def _ibans(target: Target, found: FindingSet, taken: SpanSet) -> None:
    text = target.folded
    for match in bounded(_IBAN_START.finditer(text)):
        length = _IBAN_LENGTHS.get(match.group(1))
        iban = _iban_at(text, match.start(), length) if length else None
        if iban is None or not iban_mod97(iban[0]):
            continue
        taken.add(match.start(), iban[1])
        found.add("iban", (match.start(), iban[1]), iban[0], 0.95, ("checksum:mod97",))


def _accounts(target: Target, found: FindingSet, taken: SpanSet) -> None:
    text = target.folded
    for match in bounded(_ACCOUNT_DIGITS.finditer(text)):
        start, end = match.span()
        if taken.overlaps(start, end):
            continue
        digits = match.group()
        label = label_for(text, start, end, _LABELS)
        rules: tuple[str, ...]
        if label is not None and label[0] == "account":
            rules = ("context:bank_account",)
            score = 0.75 if label[1] <= _NEAR_CHARS else 0.6
        elif len(digits) == 8 and label is None and distance_to(text, start, end, _SORT_CODE):
            rules, score = ("context:sort_code",), 0.6
        else:
            continue
        found.add("bank_account", (start, end), digits, score, rules)


class PaymentDetector:
    """Gift-card codes and bank accounts named as such, and checksum-valid IBANs."""

    name = "payment_identifiers"
    version = 1
    description = "Gift-card codes and bank accounts (with context), IBANs (mod-97 valid)"
    emits: tuple[str, ...] = ("gift_card_code", "iban", "bank_account")

    def detect(self, doc: Extraction) -> list[Finding]:
        """Payment identifiers in the markup or text of ``doc``."""
        target = scan_target(doc)
        found = FindingSet(target)
        taken = SpanSet()
        _ibans(target, found, taken)
        _gift_codes(target, found, taken)
        _accounts(target, found, taken)
        return found.findings()
