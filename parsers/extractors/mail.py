"""E-mail messages (.eml) and saved web pages (MHTML): MIME parts decoded to text.

Both are RFC 822 messages: headers in RFC 2047 encoded words (ISO-2022-JP subjects in
Japanese mail), bodies in quoted-printable or base64 in any charset. Mail shows who a
call centre talked to and which payment or remote-access instructions it sent; MHTML
files are pop-up pages saved by a browser, with the original URL in their headers.
"""

from __future__ import annotations

import email
from dataclasses import dataclass, field
from email.header import Header, decode_header, make_header
from email.message import Message
from typing import IO

from parsers.extractor import Extraction, ExtractionError, TextLimits
from parsers.extractors._common import TextBuffer, base_mime, extension, read_text_input
from parsers.extractors.encoding import decode_bytes, strict_decode
from parsers.extractors.markup import html_text

MAIL_HEADERS = ("From", "To", "Cc", "Subject", "Date")
MAX_PARTS = 1000
"""MIME parts read per message; the rest are counted in a warning."""
_MESSAGE_MIMES = frozenset({"message/rfc822", "multipart/related", "application/x-mimearchive"})


def header_text(value: str | Header | None) -> str:
    """A header value with RFC 2047 encoded words and raw 8-bit bytes decoded."""
    if value is None:
        return ""
    try:
        parts = decode_header(value)
        if any(charset == "unknown-8bit" for _, charset in parts):
            text = "".join(_decode_piece(piece, charset) for piece, charset in parts)
        else:
            text = str(make_header(parts))
    except (LookupError, UnicodeError, ValueError, AssertionError):
        text = "".join(_decode_piece(piece, charset) for piece, charset in decode_header(value))
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = _decode_piece(text.encode("utf-8", "surrogateescape"), None)
    return " ".join(text.split())


def _decode_piece(piece: bytes | str, charset: str | None) -> str:
    if isinstance(piece, str):
        return piece
    text = strict_decode(piece, charset) if charset and charset != "unknown-8bit" else None
    if text is not None:
        return text
    try:
        return decode_bytes(piece).text
    except ExtractionError:
        return piece.decode("latin-1")


@dataclass
class MailContent:
    """Text gathered from the parts of one message."""

    headers: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None
    truncated: bool = False


def _header_lines(message: Message) -> list[str]:
    return [
        f"{name}: {header_text(value)}"
        for name in MAIL_HEADERS
        for value in message.get_all(name) or []
    ]


def _part_text(part: Message, content: MailContent) -> str | None:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return None
    try:
        decoded = decode_bytes(payload, part.get_content_charset())
    except ExtractionError as exc:
        content.warnings.append(f"part {part.get_content_type()}: {exc}")
        return None
    content.encoding = content.encoding or decoded.encoding
    return decoded.text


def _read_part(part: Message, content: MailContent, limits: TextLimits) -> None:
    kind = part.get_content_type()
    name = part.get_filename()
    if name or part.get_content_disposition() == "attachment":
        content.attachments.append(header_text(name) if name else f"(unnamed {kind})")
        return
    if kind not in ("text/plain", "text/html"):
        return
    text = _part_text(part, content)
    if text is None:
        return
    if kind == "text/plain":
        content.bodies.append(text)
        return
    location = part.get("Content-Location")
    if location:
        content.locations.append(header_text(location))
    content.html.append(text)
    page = html_text(text, limits.max_text_chars)
    content.bodies.append(page.text)
    content.truncated = content.truncated or page.truncated
    content.warnings.extend([page.warning] if page.warning else [])


def _is_attached_message(part: Message) -> bool:
    return part.get_content_maintype() == "message" and part.is_multipart()


def _is_saved_page(head: bytes) -> bool:
    if b"Snapshot-Content-Location" in head or b"<Saved by " in head:
        return True
    return b"multipart/related" in head and not head.startswith(b"From") and b"\nFrom:" not in head


def read_message(data: bytes, limits: TextLimits) -> MailContent:
    """Parse a MIME message and gather its headers, bodies, pages and attachment names.

    Raises:
        ExtractionError: the message cannot be parsed at all.
    """
    content = MailContent()
    try:
        message = email.message_from_bytes(data)
        content.headers = _header_lines(message)
        for number, part in enumerate(message.walk()):
            if number >= MAX_PARTS:
                content.warnings.append(f"only the first {MAX_PARTS} MIME parts were read")
                content.truncated = True
                break
            if part is not message and _is_attached_message(part):
                inner = part.get_payload(0)
                if isinstance(inner, Message):
                    content.bodies.append("\n".join(_header_lines(inner)))
            elif not part.is_multipart():
                _read_part(part, content, limits)
    except ExtractionError:
        raise
    except Exception as exc:  # the email package raises many types on hostile input
        raise ExtractionError(f"malformed MIME message ({type(exc).__name__}: {exc})") from exc
    return content


def _extraction(kind: str, content: MailContent, limits: TextLimits, cut: bool) -> Extraction:
    out = TextBuffer(limits.max_text_chars)
    for line in content.headers + [f"Location: {url}" for url in content.locations]:
        out.line(line)
    for body in content.bodies:
        out.add("\n" + body.strip("\n") + "\n")
    if content.attachments:
        out.add("\n")
    for name in content.attachments:
        out.line(f"attachment: {name}")
    markup = "\n".join(content.html)[: limits.max_text_chars] if content.html else None
    return Extraction(
        kind=kind,
        text=out.text().strip("\n"),
        encoding=content.encoding,
        markup=markup,
        truncated=cut or content.truncated or out.truncated,
        warnings=tuple(content.warnings),
    )


class EmlExtractor:
    """E-mail messages: headers, plain and HTML bodies, attachment names."""

    name = "eml"
    version = 1
    description = "e-mail messages (.eml): headers, text and HTML bodies, attachment names"
    emits: tuple[str, ...] = ("text",)

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """``.eml`` files, or ``message/rfc822`` that is not a saved web page."""
        if extension(name) == ".eml":
            return True
        return base_mime(mime) == "message/rfc822" and not _is_saved_page(head)

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Decode the message; see ``read_message``."""
        data, cut = read_text_input(stream, size, limits)
        return _extraction(self.name, read_message(data, limits), limits, cut)


class MhtExtractor:
    """Saved web pages (MHTML): the HTML parts' markup and visible text."""

    name = "mht"
    version = 1
    description = "saved web pages (.mht/.mhtml): HTML parts decoded, visible text and markup"
    emits: tuple[str, ...] = ("text",)

    def applies_to(self, name: str, mime: str | None, head: bytes) -> bool:
        """``.mht``/``.mhtml`` files, or MIME messages whose head looks like a saved page."""
        if extension(name) in (".mht", ".mhtml"):
            return True
        return base_mime(mime) in _MESSAGE_MIMES and _is_saved_page(head)

    def extract(self, stream: IO[bytes], size: int, limits: TextLimits) -> Extraction:
        """Decode the archive's parts; see ``read_message``."""
        data, cut = read_text_input(stream, size, limits)
        return _extraction(self.name, read_message(data, limits), limits, cut)
