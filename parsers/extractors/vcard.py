"""vCard files (.vcf): address-book exports, one table row per card.

Phones export their contacts as vCard; Japanese phones write vCard 2.1 with
``CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE`` names. Each card becomes a row of
name, phone, e-mail, address, birthday, organisation and note, for contact-list
detection; the text stays the decoded file (indices map to its bytes).
"""

from __future__ import annotations

import dataclasses
import quopri
import re
from typing import IO

from parsers.extractor import Extraction, ExtractionError, TextLimits
from parsers.extractors._common import base_mime, build_table, extension
from parsers.extractors.encoding import decode_bytes, strict_decode
from parsers.extractors.plain import decode_document

HEADER = ("name", "phone", "email", "address", "birthday", "org", "note")
_FIELDS = {"FN": "name", "TEL": "phone", "EMAIL": "email", "ADR": "address", "BDAY": "birthday"}
_FIELDS |= {"ORG": "org", "NOTE": "note"}
_FOLD = re.compile(r"\n[ \t]")
_UNESCAPED_SEMICOLON = re.compile(r"(?<!\\);")
_ESCAPES = re.compile(r"\\([nN,;:\\])")
MAX_CARDS = 1_000_000


def _unescape(value: str) -> str:
    return _ESCAPES.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _params(spec: str) -> tuple[str, dict[str, str]]:
    name, *raw = spec.split(";")
    params: dict[str, str] = {}
    for item in raw:
        key, _, value = item.partition("=")
        if value:
            params[key.strip().upper()] = value.strip().strip('"')
        elif key.strip().upper() in ("QUOTED-PRINTABLE", "BASE64", "B"):
            params["ENCODING"] = key.strip().upper()
    return name.rsplit(".", 1)[-1].strip().upper(), params


def _decode_value(value: str, params: dict[str, str], encoding: str) -> str:
    if params.get("ENCODING", "").upper() != "QUOTED-PRINTABLE":
        return value
    raw = quopri.decodestring(value.encode(encoding, "replace"))
    charset = params.get("CHARSET")
    text = strict_decode(raw, charset) if charset else None
    if text is not None:
        return text
    try:
        return decode_bytes(raw, charset).text
    except ExtractionError:
        return raw.decode("latin-1")


def _join_lines(text: str) -> list[str]:
    text = _FOLD.sub("", text.replace(" \n", "\n"))
    lines: list[str] = []
    for line in text.split("\n"):
        if lines and lines[-1].endswith("=") and "QUOTED-PRINTABLE" in lines[-1].upper():
            lines[-1] = lines[-1][:-1] + line
        else:
            lines.append(line)
    return lines


def _field_value(name: str, value: str) -> str:
    parts = [_unescape(p).strip() for p in _UNESCAPED_SEMICOLON.split(value)]
    if name == "N":
        parts = parts[:2]
    if name in ("ADR", "ORG", "N"):
        return " ".join(p for p in parts if p)
    return _unescape(value).strip()


def cards(text: str, encoding: str) -> list[tuple[str, ...]]:
    """One row per ``BEGIN:VCARD`` ... ``END:VCARD`` block, in ``HEADER`` order.

    The name is ``FN``, or ``N`` (family then given name) when a card has no ``FN``.
    """
    rows: list[tuple[str, ...]] = []
    card: dict[str, list[str]] | None = None
    for line in _join_lines(text):
        spec, colon, value = line.partition(":")
        name, params = _params(spec)
        if not colon:
            continue
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            card = {field: [] for field in (*HEADER, "n")}
        elif name == "END" and card is not None:
            rows.append(_row(card))
            card = None
            if len(rows) >= MAX_CARDS:
                break
        elif card is not None and (name in _FIELDS or name == "N"):
            decoded = _field_value(name, _decode_value(value, params, encoding))
            if decoded:
                card[_FIELDS.get(name, "n")].append(decoded)
    return rows


def _row(card: dict[str, list[str]]) -> tuple[str, ...]:
    if not card["name"]:
        card["name"] = card["n"][:1]
    return tuple("; ".join(card[field]) for field in HEADER)


class VcardExtractor:
    """vCard address books: one row per card."""

    name = "vcard"
    version = 1
    description = "vCard address books (.vcf): one table row per card (QP and charsets decoded)"
    emits: tuple[str, ...] = ("text", "table")

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """``.vcf``/``.vcard``, a vCard MIME type, or a head that starts a vCard."""
        if extension(name) in (".vcf", ".vcard"):
            return True
        kind = base_mime(mime)
        starts = head.lstrip(b"\xef\xbb\xbf \r\n\t")[:11].upper() == b"BEGIN:VCARD"
        return kind in ("text/vcard", "text/x-vcard", "text/directory") or starts

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Decode the file and read its cards.

        Raises:
            ExtractionError: the bytes are not text in any charset.
        """
        doc = decode_document(self.name, stream, size, limits)
        table, cut = build_table("", cards(doc.text, doc.encoding or "utf-8"), limits, header=False)
        return Extraction(
            kind=doc.kind,
            text=doc.text,
            encoding=doc.encoding,
            offset_basis=doc.offset_basis,
            bom_length=doc.bom_length,
            tables=(dataclasses.replace(table, header=HEADER),),
            truncated=doc.truncated or cut,
        )
