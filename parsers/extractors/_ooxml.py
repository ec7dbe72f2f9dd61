"""Safe reading of Office Open XML packages: bounded ZIP members, XML without DTDs.

DOCX and XLSX files are ZIP archives of XML parts, and hostile ones carry zip bombs,
``<!ENTITY>`` expansion bombs (billion laughs) and external entities. Members are read
against a byte budget shared by the whole package, and XML is parsed by expat with every
document type declaration refused, so no entity is ever defined, expanded or fetched.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from typing import IO, Protocol
from xml.parsers import expat

from parsers.extractor import ExtractionError

ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    KeyError,
    IndexError,
    UnicodeDecodeError,
)
"""What ``zipfile`` raises on damaged, encrypted or unsupported archives."""

_CHUNK = 1 << 20


class XmlTarget(Protocol):
    """Receives the elements of a part as expat reads them (tags in ``{ns}local`` form)."""

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        """An element opens."""

    def end(self, tag: str) -> None:
        """An element closes."""

    def data(self, text: str) -> None:
        """Character data inside the current element."""


class Package:
    """An OOXML package opened from a stream, with a budget of expanded bytes."""

    def __init__(self, stream: IO[bytes], kind: str, budget: int) -> None:
        """Open the ZIP directory.

        Raises:
            ExtractionError: not a readable ZIP archive.
        """
        self.kind = kind
        self.remaining = budget
        self.truncated = False
        try:
            self._zip = zipfile.ZipFile(stream)
            self.names = frozenset(self._zip.namelist())
        except ZIP_ERRORS as exc:
            raise ExtractionError(f"{kind}: not a readable ZIP package ({exc})") from exc

    def read(self, name: str) -> tuple[bytes, bool]:
        """The expanded bytes of member ``name`` within the budget, and whether it was cut.

        Raises:
            ExtractionError: the member is missing, encrypted or damaged.
        """
        try:
            with self._zip.open(name) as member:
                data = member.read(self.remaining + 1)
        except ZIP_ERRORS as exc:
            raise ExtractionError(f"{self.kind}: cannot read {name} ({exc})") from exc
        cut = len(data) > self.remaining
        data = data[: self.remaining]
        self.remaining -= len(data)
        self.truncated = self.truncated or cut
        return data, cut

    def parse(self, name: str, target: XmlTarget, stop: Callable[[], bool] | None = None) -> None:
        """Read member ``name`` and feed its XML to ``target``; a cut part ends early.

        ``stop`` is asked between chunks of a megabyte; once it answers true the rest of
        the part is skipped and the package is marked truncated.

        Raises:
            ExtractionError: the member is unreadable, malformed or declares a DTD.
        """
        data, cut = self.read(name)
        complete = parse_xml(data, target, f"{self.kind}: {name}", final=not cut, stop=stop)
        self.truncated = self.truncated or not complete

    def close(self) -> None:
        """Close the ZIP directory (not the stream)."""
        self._zip.close()


def _refuse_dtd(what: str) -> ExtractionError:
    return ExtractionError(f"{what}: DOCTYPE/ENTITY declaration refused (entity bomb defence)")


def parse_xml(
    data: bytes,
    target: XmlTarget,
    what: str,
    *,
    final: bool = True,
    stop: Callable[[], bool] | None = None,
) -> bool:
    """Parse ``data`` with expat, refusing any document type declaration.

    Args:
        data: the XML bytes.
        target: receives start, end and data events.
        what: names the part in error messages.
        final: ``False`` when ``data`` was cut at a limit: the events up to the cut are
            delivered and the missing end is not an error.
        stop: asked between chunks; true ends parsing there.

    Returns:
        Whether all of ``data`` was parsed.

    Raises:
        ExtractionError: malformed XML, or a DOCTYPE/ENTITY declaration.
    """
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    names: dict[str, str] = {}

    def clark(name: str) -> str:
        found = names.get(name)
        if found is None:
            found = names[name] = "{" + name if "}" in name else name
        return found

    def refuse(*_: object) -> int:
        raise _refuse_dtd(what)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = lambda tag, attrs: target.start(
        clark(tag), {clark(k): v for k, v in attrs.items()}
    )
    parser.EndElementHandler = lambda tag: target.end(clark(tag))
    parser.CharacterDataHandler = target.data
    try:
        for start in range(0, len(data), _CHUNK):
            if stop is not None and stop():
                return False
            parser.Parse(data[start : start + _CHUNK], False)
        if final:
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise ExtractionError(f"{what}: malformed XML ({exc})") from exc
    return True
