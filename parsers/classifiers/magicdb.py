"""What the loaded libmagic database allows evcat to infer from a description alone.

libmagic answers a MIME type and a description in two separate calls of the same cost, and
for plain text each call runs the whole soft-magic list (about 1.2 ms on a 13 KiB page).
When the description is one libmagic's text fallback (``ascmagic``) wrote by itself, such as
``ASCII text, with CRLF line terminators``, no magic entry printed anything, and the MIME
call would print ``text/plain``, unless some entry prints a MIME type while printing no
description. This module reads the compiled database libmagic loads and looks for such
entries: an entry with a MIME type whose description, and each of its parents', is empty
or only a format that can print nothing. Only when there is none, and nothing else in the
search path can add entries, may a classifier skip the MIME call for plain text.

Anything this module cannot read (another database format, a text magic file with
entries, an unknown path) answers "not safe", which only costs the second call.
"""

from __future__ import annotations

import ctypes
import functools
import os
import re
import struct
from pathlib import Path

import magic

MGC_MAGIC = 0xF11E041C
MGC_VERSION = 18
"""The compiled format of libmagic 5.4x: 376-byte entries, the first one a header."""
ENTRY_SIZE = 376
_DESC = slice(160, 224)
_MIME = slice(224, 304)

_MAY_PRINT_NOTHING = re.compile(r"\x08?(?:%[-#0 +]*[0-9]*(?:\.[0-9]*)?(?:ll|l|h|q)?[a-zA-Z])*")
"""A description that is empty or only conversions (``%s`` of an empty string prints nothing);
a leading backspace only asks for no separator."""


def _c_string(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("latin-1")


def silent_mime_entries(compiled: bytes) -> int | None:
    """Entries that can print a MIME type with no description, or None if unreadable.

    ``compiled`` is a ``magic.mgc`` file's bytes. Entries are in file order, each with its
    continuation level; an entry is tested only after its parents matched.
    """
    if len(compiled) < ENTRY_SIZE or len(compiled) % ENTRY_SIZE:
        return None
    for order in ("<", ">"):
        number, version, binary, text = struct.unpack_from(f"{order}IIII", compiled, 0)
        if number == MGC_MAGIC:
            break
    else:
        return None
    if version != MGC_VERSION or binary + text + 1 != len(compiled) // ENTRY_SIZE:
        return None
    silent_parents: list[bool] = []
    found = 0
    for start in range(ENTRY_SIZE, len(compiled), ENTRY_SIZE):
        (level,) = struct.unpack_from(f"{order}H", compiled, start)
        if level > len(silent_parents):
            return None
        del silent_parents[level:]
        record = compiled[start : start + ENTRY_SIZE]
        silent = (not silent_parents or silent_parents[-1]) and bool(
            _MAY_PRINT_NOTHING.fullmatch(_c_string(record[_DESC]))
        )
        if silent and _c_string(record[_MIME]):
            found += 1
        silent_parents.append(silent)
    return found


def _database_path() -> str | None:
    """The search path libmagic loads by default (``MAGIC``, ``~/.magic.mgc``, built-in)."""
    getpath = getattr(getattr(magic, "libmagic", None), "magic_getpath", None)
    if getpath is None:
        return None
    getpath.restype = ctypes.c_char_p
    getpath.argtypes = [ctypes.c_char_p, ctypes.c_int]
    raw: bytes | None = getpath(None, 0)
    return os.fsdecode(raw) if raw else None


def _text_magic_is_empty(path: Path) -> bool:
    with path.open("rb") as source:
        return all(not line.strip() or line.lstrip().startswith(b"#") for line in source)


def search_path_is_safe(search_path: str) -> bool:
    """True when every database on ``search_path`` is readable and has no silent-MIME entry.

    For each component libmagic prefers ``NAME.mgc``, then ``NAME`` (compiled or text); a
    missing component is skipped, as libmagic skips it. A text magic file is accepted only
    when it holds no entry.
    """
    loaded = 0
    for component in search_path.split(":"):
        if not component:
            continue
        candidates = [Path(component + ".mgc"), Path(component)]
        existing = next((path for path in candidates if path.is_file()), None)
        if existing is None:
            if Path(component).is_dir():
                return False  # a directory of text magic files: not analysed
            continue
        data = existing.read_bytes()
        if data[:4] in (struct.pack("<I", MGC_MAGIC), struct.pack(">I", MGC_MAGIC)):
            if silent_mime_entries(data) != 0:
                return False
            loaded += 1
        elif not _text_magic_is_empty(existing):
            return False
    return loaded > 0


@functools.cache
def plain_text_description_implies_text_plain() -> bool:
    """Whether, with the database this process loads, a plain-text description means text/plain."""
    search_path = _database_path()
    try:
        return search_path is not None and search_path_is_safe(search_path)
    except OSError:
        return False
