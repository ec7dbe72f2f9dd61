"""Cases whose every shown value is the same on each run and machine, for TUI snapshots.

A scanned case normally differs from run to run: a random case id and run id, the wall
clock, the host name and library versions in every custody entry (and so every entry
hash), the scan's elapsed time, and the image's absolute path. ``freeze_case_inputs``
pins each of those where the core looks it up, so a case built in the test process (and
the actions the TUI takes on it) comes out identical everywhere. Images are registered by
a path relative to the test's working folder, which the tests ``chdir`` into.
"""

from __future__ import annotations

import importlib
import itertools
import os
import pkgutil
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from textual.widgets import Input

import catalog.case
import catalog.custody.log
import catalog.pipeline
import catalog.provenance
import catalog.timeutil
from catalog.csvsafe import clean_text

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pytest

FIXED_NOW = "2026-03-01T09:30:00.000000Z"
FIXED_HOST = "examiner-workstation"
FIXED_VERSION = "0.0.0+snapshot"
FIXED_LIBRARIES = {"python": "3", "pytsk3/libtsk": "4"}
FIXED_EPOCH = 1_709_251_200  # 2024-03-01T00:00:00Z, for files put into built images


def _fixed_now() -> str:
    return FIXED_NOW


def _registered_path(image: Path) -> str:
    """The image path as given (relative to the test's folder), not resolved."""
    return clean_text(str(image))


def _import_core() -> None:
    """Import every core module now, so none binds the fake clock for good by a late import."""
    for info in pkgutil.walk_packages(catalog.__path__, "catalog."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)


def freeze_case_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin ids, clock, host, versions, elapsed time and image paths of the core.

    The names are patched where they are looked up: ``utc_now`` in every ``catalog``
    module that imported it, ``uuid`` in the modules that draw ids, the host name and
    library versions behind ``Actor``'s defaults. Undo with the monkeypatch, then call
    ``thaw_case_inputs``.
    """
    _import_core()
    counter = itertools.count(1)
    fake_uuid = SimpleNamespace(uuid4=lambda: uuid.UUID(int=next(counter)))
    monkeypatch.setattr(catalog.timeutil, "utc_now", _fixed_now)
    for name, module in list(sys.modules.items()):
        if name.startswith(("catalog.", "tui.")) and hasattr(module, "utc_now"):
            monkeypatch.setattr(module, "utc_now", _fixed_now)
        if name.startswith("catalog.") and getattr(module, "uuid", None) is uuid:
            monkeypatch.setattr(module, "uuid", fake_uuid)
    monkeypatch.setattr(catalog.pipeline, "time", SimpleNamespace(monotonic=lambda: 0.0))
    monkeypatch.setattr(
        catalog.provenance, "socket", SimpleNamespace(gethostname=lambda: FIXED_HOST)
    )
    monkeypatch.setattr(catalog.provenance, "__version__", FIXED_VERSION)
    monkeypatch.setattr(catalog.provenance, "library_versions", lambda: dict(FIXED_LIBRARIES))
    monkeypatch.setattr(catalog.custody.log, "library_versions", lambda: dict(FIXED_LIBRARIES))
    catalog.custody.log._libraries.cache_clear()
    monkeypatch.setattr(catalog.case, "registered_path", _registered_path)


def pinned_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """For a fixture to ``yield from``: ``folder`` as the working folder, inputs pinned.

    On resumption it undoes the patches (and the ``chdir``) and forgets the cached versions.
    """
    monkeypatch.chdir(folder)
    freeze_case_inputs(monkeypatch)
    steady_cursors(monkeypatch)
    yield folder
    monkeypatch.undo()
    thaw_case_inputs()


def thaw_case_inputs() -> None:
    """Forget the pinned library versions cached by ``Actor`` (call after the monkeypatch undo)."""
    catalog.custody.log._libraries.cache_clear()


def link_images(folder: Path, images: dict[str, Path]) -> dict[str, Path]:
    """Symlink each image into ``folder`` under its new name; the relative paths, by name."""
    folder.mkdir(parents=True, exist_ok=True)
    relative = {}
    for name, image in images.items():
        (folder / name).symlink_to(image.resolve())
        relative[name] = Path(folder.name) / name
    return relative


def _cursor_shown(self: Input) -> None:
    self._cursor_visible = True


def steady_cursors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every input's cursor shown (no blinking), so a screenshot never catches it off."""
    monkeypatch.setattr(Input, "_toggle_cursor", _cursor_shown)


def fix_times(tree: Path) -> None:
    """Give every file and folder under ``tree`` the same access and modification times."""
    for path in sorted(tree.rglob("*"), reverse=True):
        os.utime(path, (FIXED_EPOCH, FIXED_EPOCH), follow_symlinks=False)
    os.utime(tree, (FIXED_EPOCH, FIXED_EPOCH))
