"""Who is acting: the examiner's name (and signing key), never a silent default.

In order: the command-line value, the environment (``EVCAT_EXAMINER``,
``EVCAT_SIGNING_KEY``), then the config file (``EVCAT_CONFIG``, else
``$XDG_CONFIG_HOME/evcat/config.toml``, else ``~/.config/evcat/config.toml``)::

    examiner = "Det. A. Example (badge 1234)"
    signing_key = "/home/example/.config/evcat/examiner.key"
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.errors import UsageError

if TYPE_CHECKING:
    from catalog.custody.log import Actor


def config_path() -> Path:
    """Where evcat looks for its config file."""
    explicit = os.environ.get("EVCAT_CONFIG")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "evcat" / "config.toml"


def load_config() -> dict[str, Any]:
    """The config file's settings ({} when there is none).

    Raises:
        UsageError: the file exists but is not valid TOML.
    """
    path = config_path()
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: config file unreadable ({exc})") from exc


def resolve_examiner(given: str | None) -> str:
    """The examiner's name from the option, the environment or the config file.

    Raises:
        UsageError: no name anywhere, or an empty one.
    """
    for candidate in (given, os.environ.get("EVCAT_EXAMINER"), load_config().get("examiner")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    raise UsageError(
        "the examiner's name is required for this action: give --examiner NAME, set"
        f' EVCAT_EXAMINER, or put examiner = "NAME" in {config_path()}'
    )


def resolve_signing_key(given: Path | None) -> Path | None:
    """The examiner's Ed25519 private key, if one is configured (signing is optional)."""
    if given is not None:
        return given
    from_env = os.environ.get("EVCAT_SIGNING_KEY")
    if from_env:
        return Path(from_env)
    from_config = load_config().get("signing_key")
    return Path(from_config).expanduser() if isinstance(from_config, str) else None


def actor_for(examiner: str | None, sign_key: Path | None = None) -> Actor:
    """Who acts: the examiner resolved from ``examiner``, environment or config, and their key.

    Raises:
        UsageError: no examiner anywhere, or an unreadable config file.
    """
    from catalog.custody.log import Actor

    return Actor(resolve_examiner(examiner), signing_key=resolve_signing_key(sign_key))
