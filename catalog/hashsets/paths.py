"""Where the hash-set store lives when no path is given."""

from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "EVCAT_HASHSETS"


def default_store_path() -> Path:
    """The store's path when none is given.

    ``$EVCAT_HASHSETS``, else ``$XDG_DATA_HOME/evcat/hashsets.db`` (an absolute
    ``XDG_DATA_HOME`` only, as the XDG spec says), else ``~/.local/share/evcat/hashsets.db``.
    """
    explicit = os.environ.get(STORE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME")
    base = Path(data_home) if data_home and Path(data_home).is_absolute() else None
    return (base or Path.home() / ".local" / "share") / "evcat" / "hashsets.db"


def store_for_scan(given: Path | None) -> Path | None:
    """The store a scan looks files up in: the one given, else the default when it exists."""
    if given is not None:
        return given
    default = default_store_path()
    return default if default.is_file() else None
