"""Per-file libmagic cost: milliseconds per ``from_buffer`` call, text vs binary.

Samples allocated regular files of the benchmark images (up to ``--per-kind`` files of each
extension), reads the first 64 KiB of each (evcat's head buffer) into memory, then times,
per file, libmagic's MIME type call and its description call (evcat makes both), and the
MIME call on shorter heads (16 KiB and 4 KiB) with how many results those change. Reading
is outside the timed region: this is libmagic alone.

Prints a table and writes ``bench/out/magic_cost.json``.

Usage: python bench/magic_cost.py [--images mix.ext4,tiny.ext4] [--per-kind 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import magic
import pytsk3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import HEAD, image_path, markdown_table, walk_regular_files, write_json

TEXT_MIMES = {"application/json", "application/csv", "application/x-ndjson"}
SHORT_HEADS = (16 * 1024, 4 * 1024)


def sample_heads(image: Path, per_kind: int, seed: int = 1) -> list[tuple[str, bytes]]:
    """``(label, head)`` for up to ``per_kind`` files of each extension of ``image``."""
    fs = pytsk3.FS_Info(pytsk3.Img_Info(str(image)))
    by_ext: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for tsk_file, inode, size in walk_regular_files(fs):
        name = tsk_file.info.name.name.decode("utf-8", "replace")
        ext = name.rsplit(".", 1)[-1] if "." in name else "(none)"
        if size > 0:
            by_ext[ext].append((inode, size))
    rng = random.Random(seed)
    heads = []
    for ext, files in sorted(by_ext.items()):
        for inode, size in rng.sample(files, min(per_kind, len(files))):
            head = fs.open_meta(inode=inode).read_random(0, min(HEAD, size))
            heads.append((f"{image.stem}:{ext}", head))
    return heads


def _time_calls(handle: magic.Magic, heads: list[bytes], repeat: int) -> list[float]:
    """Best-of-``repeat`` seconds per call, for each head."""
    best = [float("inf")] * len(heads)
    for _ in range(repeat):
        for index, head in enumerate(heads):
            started = time.perf_counter()
            handle.from_buffer(head)
            best[index] = min(best[index], time.perf_counter() - started)
    return best


def measure(heads: list[tuple[str, bytes]], repeat: int = 3) -> dict[str, Any]:
    """Per-file costs grouped by label and by text/binary."""
    mime = magic.Magic(mime=True)
    describe = magic.Magic()
    buffers = [head for _, head in heads]
    mimes = [mime.from_buffer(head) for head in buffers]
    t_mime = _time_calls(mime, buffers, repeat)
    t_desc = _time_calls(describe, buffers, repeat)
    short: dict[int, dict[str, Any]] = {}
    for limit in SHORT_HEADS:
        cut = [head[:limit] for head in buffers]
        changed = sum(1 for m, head in zip(mimes, cut, strict=True) if mime.from_buffer(head) != m)
        short[limit] = {"seconds": _time_calls(mime, cut, repeat), "changed": changed}
    groups: dict[str, list[int]] = defaultdict(list)
    for index, (label, _) in enumerate(heads):
        groups[label].append(index)
        is_text = mimes[index].startswith("text/") or mimes[index] in TEXT_MIMES
        groups["ALL text" if is_text else "ALL binary"].append(index)
        groups["ALL"].append(index)

    def ms(values: list[float], members: list[int]) -> float:
        return round(statistics.mean(values[i] for i in members) * 1000, 3)

    rows = {}
    for label, members in sorted(groups.items()):
        rows[label] = {
            "files": len(members),
            "mean_head_kib": round(statistics.mean(len(buffers[i]) for i in members) / 1024, 1),
            "mime_ms": ms(t_mime, members),
            "description_ms": ms(t_desc, members),
            "both_ms": round(ms(t_mime, members) + ms(t_desc, members), 3),
            **{
                f"mime_{limit // 1024}k_ms": ms(short[limit]["seconds"], members)
                for limit in SHORT_HEADS
            },
            "top_mime": statistics.mode(mimes[i] for i in members),
        }
    return {
        "libmagic": magic.version() if hasattr(magic, "version") else None,
        "groups": rows,
        "short_head_changes": {
            f"{limit // 1024}k": short[limit]["changed"] for limit in SHORT_HEADS
        },
        "sampled_files": len(heads),
    }


def table(result: dict[str, Any]) -> str:
    """The markdown table of ``measure``'s groups."""
    headers = [
        "sample",
        "files",
        "head KiB",
        "mime ms",
        "description ms",
        "both ms",
        "mime 16K ms",
        "mime 4K ms",
        "typical MIME",
    ]
    rows = [
        [
            label,
            g["files"],
            g["mean_head_kib"],
            g["mime_ms"],
            g["description_ms"],
            g["both_ms"],
            g["mime_16k_ms"],
            g["mime_4k_ms"],
            g["top_mime"],
        ]
        for label, g in result["groups"].items()
    ]
    return markdown_table(headers, rows)


def run(images: list[str], per_kind: int) -> dict[str, Any]:
    """Sample, measure, print and save."""
    heads: list[tuple[str, bytes]] = []
    for name in images:
        heads += sample_heads(image_path(name), per_kind)
    result = measure(heads)
    print(table(result))
    changes = result["short_head_changes"]
    print(
        f"MIME types that change when libmagic sees only 16 KiB / 4 KiB of the"
        f" {result['sampled_files']} sampled heads: {changes['16k']} / {changes['4k']}"
    )
    write_json("magic_cost.json", result)
    return result


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", default="mix.ext4,tiny.ext4")
    parser.add_argument("--per-kind", type=int, default=200)
    args = parser.parse_args()
    run(args.images.split(","), args.per_kind)


if __name__ == "__main__":
    main()
