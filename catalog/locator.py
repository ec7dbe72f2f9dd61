"""Locators: serialisable addresses of everything evcat catalogues.

Layers pass locators, never open handles: a locator names the exhibit, the byte offset of
the file system inside the image, the file system address (TSK inode, with NTFS attribute
``type-id`` where relevant) and, for content found inside containers, a member suffix.
Anything holding a locator can re-open the evidence and reach the same bytes.

String form: ``<exhibit>@<fs_offset>#<inode>[!<member>]`` with each part percent-encoded,
so it round-trips for every value (checked by a hypothesis test).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

_SAFE = "-._~/:$"
_PLAIN = re.compile(r"[A-Za-z0-9\-._~/:$]*")


@dataclass(frozen=True, slots=True)
class Locator:
    """Where a catalogued item lives: exhibit, file system offset, address, container member."""

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickle as constructor arguments (fast across worker processes)."""
        return (type(self), tuple(getattr(self, name) for name in self.__slots__))

    exhibit: str
    fs_offset: int | None = None
    inode: str | None = None
    member: str | None = None

    def __str__(self) -> str:
        """Serialise to the canonical string form."""
        text = quote(self.exhibit, safe=_SAFE.replace("/", ""))
        if self.fs_offset is not None:
            text += f"@{self.fs_offset}"
        if self.inode is not None:
            text += "#" + (
                self.inode if _PLAIN.fullmatch(self.inode) else quote(self.inode, safe=_SAFE)
            )
        if self.member is not None:
            text += "!" + quote(self.member, safe=_SAFE)
        return text

    @classmethod
    def parse(cls, text: str) -> Locator:
        """Parse the string form produced by ``str(locator)``.

        Raises:
            ValueError: the text is not a locator.
        """
        member = None
        if "!" in text:
            text, member_part = text.split("!", 1)
            member = unquote(member_part)
        inode = None
        if "#" in text:
            text, inode_part = text.split("#", 1)
            inode = unquote(inode_part)
        fs_offset = None
        if "@" in text:
            text, offset_part = text.rsplit("@", 1)
            if not offset_part.isdigit():
                raise ValueError(f"bad file system offset in locator: {offset_part!r}")
            fs_offset = int(offset_part)
        if not text:
            raise ValueError("locator has no exhibit")
        return cls(unquote(text), fs_offset, inode, member)
