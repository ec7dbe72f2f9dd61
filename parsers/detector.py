"""Artefact detection: findings and the plug point every detector shares.

A detector reads an ``Extraction`` (never the evidence) and returns findings: what kind of
artefact it saw, the value and its normalised form, a score between 0 and 1, the rules
that fired, and a short snippet with its offset in the text it read. The pipeline stamps
provenance (file, exhibit, run) and turns text offsets into byte offsets where it can.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from parsers.extractor import Extraction

FINDING_KINDS = (
    "call_script",
    "popup_template",
    "contact_list",
    "phone",
    "email",
    "url",
    "domain",
    "btc_address",
    "eth_address",
    "trx_address",
    "anydesk_id",
    "teamviewer_id",
    "gift_card_code",
    "iban",
    "bank_account",
    "sip_account",
    "ipv4",
    "known_bad",
)
"""The closed set of finding kinds written to the catalog and the findings CSV."""

DOCUMENT_KINDS = ("call_script", "popup_template", "contact_list")
"""Kinds that describe a whole file rather than one value in it."""

SNIPPET_CHARS = 160
"""Longest snippet a finding carries."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One artefact seen in a file's text."""

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickle as constructor arguments (fast across worker processes)."""
        return (type(self), tuple(getattr(self, name) for name in self.__slots__))

    kind: str
    """One of ``FINDING_KINDS``."""
    value: str
    """As written in the text (for ``contact_list``: the row count; for ``call_script`` and
    ``popup_template``: a short label such as the brand impersonated)."""
    normalized: str
    """Canonical form used to link files: E.164 phone, lower-case domain, checksummed
    address, IBAN without spaces ...."""
    score: float
    """Confidence between 0 and 1."""
    rules: tuple[str, ...]
    """Names of the rules that fired, stable and lower-case (``brand:microsoft``)."""
    snippet: str
    """Up to ``SNIPPET_CHARS`` characters of context around the evidence."""
    offset: int | None
    """Index of the evidence in the text the detector read (``source`` says which)."""
    source: str = "text"
    """``text`` or ``markup``: which string of the extraction ``offset`` indexes."""


class Detector(Protocol):
    """Finds one family of artefacts in extracted text."""

    name: str
    version: int
    description: str
    emits: tuple[str, ...]

    def detect(self, doc: Extraction) -> list[Finding]:
        """Findings in ``doc``; an empty list when there are none."""
        ...


def snippet_around(text: str, start: int, end: int, width: int = SNIPPET_CHARS) -> str:
    """Context around ``text[start:end]``, at most ``width`` characters, on one line."""
    spare = max(0, width - (end - start)) // 2
    lo = max(0, start - spare)
    hi = min(len(text), max(end, lo + width))
    piece = text[lo:hi][:width]
    return " ".join(piece.split())
