"""Who and what produced a result: tool version, host and the versions of the libraries."""

from __future__ import annotations

import importlib
import json
import platform
import socket
from typing import Any

from catalog import __version__
from catalog.timeutil import utc_now


def _module_version(module_name: str, attribute: str = "get_version") -> str:
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return "missing"
    value = getattr(module, attribute, None)
    if callable(value):
        return str(value())
    return str(value) if value is not None else "unknown"


def library_versions() -> dict[str, str]:
    """Versions of every library whose behaviour shapes the catalog."""
    from parsers.classifiers.mime import libmagic_version

    return {
        "python": platform.python_version(),
        "pytsk3/libtsk": _module_version("pytsk3", "TSK_VERSION_STR"),
        "libewf": _module_version("pyewf"),
        "libvmdk": _module_version("pyvmdk"),
        "libvhdi": _module_version("pyvhdi"),
        "libqcow": _module_version("pyqcow"),
        "libfsapfs": _module_version("pyfsapfs"),
        "libmagic": libmagic_version(),
        "blake3": _module_version("blake3", "__version__"),
        "exifread": _module_version("exifread", "__version__"),
    }


def tool_version() -> str:
    """``evcat X.Y.Z``."""
    return f"evcat {__version__}"


def host_name() -> str:
    """The examiner's machine."""
    return socket.gethostname()


def run_row(run_id: str, command: str, examiner: str) -> dict[str, Any]:
    """A new ``runs`` row, ``running``: the command, examiner, host and every version."""
    return {
        "run_id": run_id,
        "command": command,
        "started": utc_now(),
        "status": "running",
        "tool_version": tool_version(),
        "examiner": examiner,
        "host": host_name(),
        "library_versions": json.dumps(library_versions(), sort_keys=True),
    }
