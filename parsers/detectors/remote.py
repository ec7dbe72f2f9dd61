"""Remote-access IDs: the AnyDesk and TeamViewer addresses of a scammer's or victim's PC.

Tech-support scams run on remote-access tools; the 9- or 10-digit ID a victim read out,
or an AnyDesk alias (``name@ad``), links a script, a chat log and a seized PC. The digits
alone are indistinguishable from order numbers and phone numbers, so an ID is only
reported with the product named within ``CONTEXT_CHARS`` characters, as whichever product
is named nearest; a number written with ``+`` or nearer a phone label than the product
is a phone number, not an ID (unless an "ID" or "address" label is nearer still).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from parsers.detectors.phones import PHONE_LABEL
from parsers.detectors.scanning import (
    FindingSet,
    Target,
    bounded,
    distance_to,
    nearest_label,
    preceding,
    scan_target,
)

if TYPE_CHECKING:
    from parsers.detector import Finding
    from parsers.extractor import Extraction

ANYDESK = re.compile(r"(?i)any[ \-]?desk|エニーデスク|エニデスク")
"""A mention of AnyDesk (English or katakana)."""
TEAMVIEWER = re.compile(r"(?i)team[ \-]?viewer|チームビュー[アワ]ー?")
"""A mention of TeamViewer (English or katakana)."""
_PRODUCTS = {"anydesk_id": ANYDESK, "teamviewer_id": TEAMVIEWER}

_ID = re.compile(
    r"(?<![0-9A-Za-z+\-.,/#])"
    r"(?:[1-9][0-9]{8,9}"
    r"|[1-9][0-9]{0,2}(?P<sep>[ \-])[0-9]{3}(?P=sep)[0-9]{3}(?:(?P=sep)[0-9]{3})?)"
    r"(?![0-9A-Za-z]|[ \-.,][0-9])"
)
_ALIAS = re.compile(
    r"(?<![A-Za-z0-9_.@+\-])([A-Za-z0-9][A-Za-z0-9._\-]{0,39})@(?i:ad)(?![A-Za-z0-9_.\-@])"
)
_COUNTRY_CODE_BEFORE = re.compile(r"\+\d{1,3}[ \-]?$")
_ID_LABEL = re.compile(r"(?i)(?<![a-z])(?:id|address)(?![a-z])|アドレス")
_NEAR_CHARS = 30


def _ids(target: Target, found: FindingSet) -> None:
    text = target.folded
    for match in bounded(_ID.finditer(text)):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) not in (9, 10):
            continue
        start, end = match.span()
        product = nearest_label(text, start, end, _PRODUCTS)
        if product is None or _COUNTRY_CODE_BEFORE.search(preceding(text, start)):
            continue
        kind, gap = product
        phone_gap = distance_to(text, start, end, PHONE_LABEL)
        id_gap = distance_to(text, start, end, _ID_LABEL)
        if phone_gap is not None and phone_gap < min(gap, id_gap if id_gap is not None else gap):
            continue
        score = 0.85 if gap <= _NEAR_CHARS else 0.7
        context = "context:anydesk" if kind == "anydesk_id" else "context:teamviewer"
        found.add(kind, (start, end), digits, score, (context,))


def _aliases(target: Target, found: FindingSet) -> None:
    text = target.folded
    if not ANYDESK.search(text):
        return
    for match in bounded(_ALIAS.finditer(text)):
        near = distance_to(text, match.start(), match.end(), ANYDESK) is not None
        rules = ("format:anydesk_alias", "context:anydesk")
        found.add("anydesk_id", match.span(), match.group().lower(), 0.85 if near else 0.7, rules)


class RemoteAccessDetector:
    """AnyDesk and TeamViewer IDs named as such, and AnyDesk aliases."""

    name = "remote_access_ids"
    version = 1
    description = (
        "AnyDesk and TeamViewer IDs (9-10 digits near the product's name), AnyDesk aliases"
    )
    emits: tuple[str, ...] = ("anydesk_id", "teamviewer_id")

    def detect(self, doc: Extraction) -> list[Finding]:
        """Remote-access IDs in the markup or text of ``doc``."""
        target = scan_target(doc)
        found = FindingSet(target)
        _ids(target, found)
        _aliases(target, found)
        return found.findings()
