"""Opening a catalog: bounded SQLite memory, and no pandas or numpy pulled in."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.store import CACHE_KIB, open_catalog

_PROBE = """
import json, sys
import catalog.store
import sqlite_utils.db
loaded = {name: name in sys.modules for name in ("pandas", "numpy")}
seen = {"pd": sqlite_utils.db.pd is None, "np": sqlite_utils.db.np is None}
import pandas, numpy
print(json.dumps({"loaded": loaded, "none": seen, "after": "pandas" in sys.modules}))
"""


@pytest.mark.skipif(
    importlib.util.find_spec("pandas") is None or importlib.util.find_spec("numpy") is None,
    reason="pandas and numpy are not installed, so sqlite-utils cannot import them anyway",
)
def test_sqlite_utils_loads_without_pandas_and_numpy_which_stay_importable() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True
    )
    report = json.loads(probe.stdout)
    assert report["loaded"] == {"pandas": False, "numpy": False}
    assert report["none"] == {"pd": True, "np": True}
    assert report["after"] is True


def test_the_page_cache_has_a_fixed_size(tmp_path: Path) -> None:
    db = open_catalog(tmp_path / "case.db")
    try:
        assert db.execute("PRAGMA cache_size").fetchone()[0] == -CACHE_KIB
    finally:
        db.close()
