"""Which format a hash-set source is in, and the rows of a text source, line by line.

Text sources are read as bytes: UTF-8 with or without a BOM (a line that is not UTF-8 is
read as latin-1), UTF-16 with a BOM (PowerShell's redirection), CRLF or LF, lines over
``MAX_LINE`` bytes reported and skipped. Blank lines are ignored; every malformed line
becomes a ``LineProblem`` with its 1-based number and is skipped, never fatal.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, AnyStr

from catalog.hashsets import nsrl
from catalog.hashsets.lineparsers import (
    BSD_LINE,
    GNU_LINE,
    HEX_DIGITS,
    LineError,
    column_roles,
    make_parser,
    sniff_delimiter,
    split_csv,
)
from catalog.hashsets.records import HashRow, HashSetFormatError, ProblemLog

if TYPE_CHECKING:
    from pathlib import Path

FORMATS = ("auto", "nsrl-rdsv3", "hashdeep", "md5sum", "sha1sum", "sha256sum", "csv")
TEXT_FORMATS = ("hashdeep", "md5sum", "sha1sum", "sha256sum", "csv")
MAX_LINE = 64 * 1024
DETECT_BYTES = 64 * 1024
_SUMS = {32: "md5sum", 40: "sha1sum", 64: "sha256sum"}
_BSD_SUMS = {"MD5": "md5sum", "SHA1": "sha1sum"}
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def detect_format(path: Path) -> str:
    """The format of the hash-set source at ``path`` (never ``auto``).

    Raises:
        HashSetFormatError: unreadable, empty, or in no format evcat knows.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(DETECT_BYTES)
    except OSError as exc:
        raise HashSetFormatError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if head.startswith(nsrl.SQLITE_HEADER):
        if nsrl.has_file_table(path):
            return "nsrl-rdsv3"
        raise HashSetFormatError(f"{path}: SQLite database without a FILE table (not RDSv3)")
    for number, text in numbered_lines(io.BytesIO(head)):
        fmt = _shape(text) if text is not None and text.strip() else "skip"
        if fmt is None:
            raise HashSetFormatError(
                f"{path}: cannot tell the format from line {number}; pass --format"
            )
        if fmt != "skip":
            return fmt
    raise HashSetFormatError(f"{path}: no data line in the first 64 KiB; pass --format")


def _shape(text: str) -> str | None:
    """The format a first data line shows, ``skip`` for a comment, ``None`` if unknown."""
    if text.upper().startswith("%%%% HASHDEEP"):
        return "hashdeep"
    if text.startswith("#"):
        return "skip"
    bsd = BSD_LINE.match(text)
    if bsd:
        algorithm = bsd.group(1).upper().replace("-", "")
        return _BSD_SUMS.get(algorithm, "sha256sum")
    gnu = GNU_LINE.match(text)
    if gnu and len(gnu.group(2)) in _SUMS and _is_hex(gnu.group(2)):
        return _SUMS[len(gnu.group(2))]
    try:
        roles = column_roles(split_csv(text, sniff_delimiter(text)))
    except LineError:
        return None
    if any(role in (*HEX_DIGITS, "hash") for role in roles):
        return "csv"
    return None


def _is_hex(value: str) -> bool:
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return True


def iter_text_rows(fh: IO[bytes], fmt: str, problems: ProblemLog) -> Iterator[HashRow]:
    """The valid rows of a text source in format ``fmt``; malformed lines go to ``problems``.

    Reads ``fh`` to its end.
    """
    parser = make_parser(fmt)
    for number, text in numbered_lines(fh):
        if text is None:
            problems.add(number, f"line longer than {MAX_LINE} bytes")
            continue
        if not text.strip():
            continue
        try:
            row = parser.feed(text)
        except LineError as exc:
            problems.add(number, str(exc))
            continue
        if row is not None:
            yield row


def numbered_lines(fh: IO[bytes]) -> Iterator[tuple[int, str | None]]:
    """``(line number, text without line ending)``; text is ``None`` for an overlong line."""
    head = fh.read(2)
    chunks = _chunks(fh, head)
    if head in _UTF16_BOMS:
        decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
        texts = (decoder.decode(chunk, final=not chunk) for chunk in chunks)
        for number, line in enumerate(_split(texts, "\n"), 1):
            yield number, None if line is None else line.removesuffix("\r")
        return
    for number, raw in enumerate(_split(chunks, b"\n"), 1):
        if raw is None:
            yield number, None
            continue
        if number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        yield number, _decode(raw.removesuffix(b"\r"))


def _chunks(fh: IO[bytes], head: bytes) -> Iterator[bytes]:
    """``head`` then the rest of ``fh`` in 64 KiB reads, then one empty chunk."""
    yield head
    while chunk := fh.read(DETECT_BYTES):
        yield chunk
    yield b""


def _split(chunks: Iterator[AnyStr], newline: AnyStr) -> Iterator[AnyStr | None]:
    """The lines of a chunked stream, ``None`` for each line over ``MAX_LINE`` (memory bound)."""
    carry: AnyStr | None = None
    overlong = False
    for chunk in chunks:
        parts = chunk.split(newline)
        if carry is not None:
            parts[0] = carry + parts[0]
        carry = parts.pop()
        for part in parts:
            yield None if overlong or len(part) > MAX_LINE else part
            overlong = False
        if len(carry) > MAX_LINE:
            overlong, carry = True, carry[:0]
    if overlong:
        yield None
    elif carry:
        yield carry


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
