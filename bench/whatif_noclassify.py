"""What-if: evcat hashing only, until ``evcat scan --no-classify`` exists.

Runs ``evcat scan`` on each image with a ``sitecustomize`` (in a temporary folder put on
``PYTHONPATH``, so the worker processes load it too) that replaces
``catalog.content.classify`` with a stub returning an empty classification: no libmagic, no
EXIF, everything else as usual (walk, four hashes, media hash, catalog rows). Compares with
``fiwalk`` (MD5 + SHA-1) from ``bench/out/speed.json`` when that has it.

This patches an evcat internal by name, so it is a stop-gap: once evcat has ``--no-classify``,
``speed.py`` measures it directly (tool ``evcat-noclassify``) and this script is obsolete.
Writes ``bench/out/whatif_noclassify.json``.

Usage: python bench/whatif_noclassify.py [--images mix.ext4,tiny.ext4]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (
    OUT,
    REPO,
    evcat_command,
    image_path,
    markdown_table,
    run_measured,
    warm_page_cache,
    write_json,
)

SITECUSTOMIZE = '''
"""evcat bench what-if: no classification (stand-in for --no-classify)."""
import catalog.content as _content
from catalog.model import Classification as _Classification


def _no_classify(name, head, ctx, entry):
    return _Classification(mime=None, description=None)


_content.classify = _no_classify
'''


def fiwalk_wall(image: str) -> float | None:
    """fiwalk's wall time on ``image`` from the last speed.py run, if any."""
    path = OUT / "speed.json"
    if not path.is_file():
        return None
    rows = json.loads(path.read_text()).get("images", {}).get(image, {}).get("rows", [])
    return next((row["wall_s"] for row in rows if row["tool"] == "fiwalk"), None)


def main() -> None:
    """Run the stubbed scans and compare."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", default="mix.ext4,tiny.ext4")
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "sitecustomize.py").write_text(SITECUSTOMIZE)
        env = {**os.environ, "PYTHONPATH": folder}
        for name in args.images.split(","):
            image = image_path(name)
            case = OUT / "whatif-noclassify.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{case}{suffix}").unlink(missing_ok=True)
            warm_page_cache(image)
            cmd = [*evcat_command(), "scan", str(image), "--case", str(case)]
            run = run_measured(cmd, cwd=REPO, env=env)
            with sqlite3.connect(case) as db:
                rows, mimes, hashed = db.execute(
                    "SELECT count(*), count(mime), count(sha256) FROM files"
                ).fetchone()
            fiwalk = fiwalk_wall(name)
            results.append(
                {
                    "image": name,
                    "wall_s": run.wall_s,
                    "cpu_s": run.tree_cpu_s,
                    "rows": rows,
                    "hashed": hashed,
                    "classified": mimes,
                    "returncode": run.returncode,
                    "fiwalk_wall_s": fiwalk,
                    "vs_fiwalk": round(fiwalk / run.wall_s, 2) if fiwalk else None,
                }
            )
    headers = ["image", "wall s", "CPU s", "rows", "hashed", "classified", "fiwalk s", "vs fiwalk"]
    table = [
        [r["image"], r["wall_s"], r["cpu_s"], r["rows"], r["hashed"], r["classified"],
         r["fiwalk_wall_s"], r["vs_fiwalk"]]
        for r in results
    ]  # fmt: skip
    print(markdown_table(headers, table))
    write_json("whatif_noclassify.json", {"runs": results})


if __name__ == "__main__":
    main()
