r"""Canonical JSON: one byte string per value, so a hash of it means one thing.

Keys sorted, no insignificant white space, UTF-8 without ``\u`` escapes for non-ASCII.
Floats are refused: their text form differs between languages, so entries hold integers
(milliseconds, bytes) and strings only.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def _reject_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError(f"canonical JSON holds no floats ({value!r}); use an integer")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"canonical JSON keys are strings, not {type(key).__name__}")
            _reject_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _reject_floats(item)


def canonical_json(value: Any) -> str:
    """The canonical text of ``value`` (dicts, lists, strings, integers, booleans, None).

    Raises:
        TypeError: ``value`` holds a float, a non-string key or a type JSON cannot hold.
    """
    _reject_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    """SHA-256 of ``text`` as UTF-8, in lower-case hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
