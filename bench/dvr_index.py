"""Listing a DVR disk reads its index only (issue 8, item 4).

Builds (once; ``--force`` rebuilds) a sparse Hikvision disk image of ``--tib`` TiB (default
4) in ``bench/images/``: a master sector, both HIKBTREE copies over one 1 GiB data block
per entry (channels 1-8, one recording per block), and nothing else written, so the file
takes a few hundred KiB on disk while reading as a multi-terabyte disk. Then:

1. ``read_hikvision`` through evcat's own evidence source (``open_evidence``, the raw
   reader every scan uses), with a counting ``DiskBytes``: seconds, segments listed, bytes
   and reads, the bytes as a share of the image;
2. the same through ``catalog.video.stage.list_index`` plus the rows a scan commits first
   (``index_rows``): what an examiner sees in ``evcat dvr list`` while the scan goes on to
   hash each segment.

Fails (exit 1) when a listed segment count differs from the blocks written or when more
than 1 MiB was read. Prints a markdown table and writes ``bench/out/dvr_index.json``.

Usage: python bench/dvr_index.py [--tib 4] [--force]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from benchlib import machine, markdown_table, write_json  # noqa: E402

import parsers  # noqa: E402
from catalog.video.stage import index_rows, list_index  # noqa: E402
from parsers.dvr.disk import DiskBytes  # noqa: E402
from parsers.dvr.hikvision import read_hikvision  # noqa: E402
from parsers.evidence import open_evidence  # noqa: E402
from tests.dvrsynth import hikvision as synth  # noqa: E402
from tests.dvrsynth.hikbtree import LeafEntry, build_tree, tree_bytes  # noqa: E402

GIB = 1 << 30
PER_LEAF = 82
FANOUT = 64


class _Problems:
    """A ParseContext that only counts problems."""

    def __init__(self) -> None:
        self.count = 0
        self.limits = None

    def problem(self, *args: object, **kwargs: object) -> None:
        self.count += 1


def build_disk(path: Path, tib: int) -> int:
    """Write the sparse image; returns the number of data blocks (= recordings)."""
    capacity = tib << 40
    blocks = (capacity - synth.VIDEO_AREA) // GIB
    start = 1_745_856_000
    entries = [
        LeafEntry(
            channel=1 + block % 8,
            start=start + 3600 * (block // 8),
            end=start + 3600 * (block // 8) + 3599,
            block=synth.VIDEO_AREA + block * GIB,
        )
        for block in range(blocks)
    ]
    levels = build_tree(entries, per_leaf=PER_LEAF, fanout=FANOUT)
    copies = [tree_bytes(levels, base, synth.INIT_TIME) for base in (synth.TREE1, synth.TREE2)]
    if max(len(copy) for copy in copies) > synth.TREE_REGION:
        raise SystemExit("the tree does not fit its region: lower --tib")
    sector = synth.master_sector(
        capacity=capacity, block_size=GIB, blocks=blocks, tree_size=len(copies[0])
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(capacity)
        handle.seek(synth.MASTER)
        handle.write(sector)
        for base, copy in zip((synth.TREE1, synth.TREE2), copies, strict=True):
            handle.seek(base)
            handle.write(copy)
    return blocks


def measure(path: Path) -> dict[str, object]:
    """Both listings over evcat's raw evidence source."""
    source = open_evidence(path, parsers.SOURCES.all())
    try:
        size = source.info.media_size
        disk = DiskBytes(source.read, size)
        began = time.perf_counter()
        listing = read_hikvision(disk)
        parse_seconds = time.perf_counter() - began
        assert listing is not None
        staged = DiskBytes(source.read, size)
        problems = _Problems()
        began = time.perf_counter()
        staged_listing = list_index(staged, problems)  # type: ignore[arg-type]
        assert staged_listing is not None
        rows = index_rows(staged_listing, "DVR", "bench")
        stage_seconds = time.perf_counter() - began
    finally:
        source.close()
    return {
        "image_bytes": size,
        "segments": len(listing.segments),
        "problems": len(listing.problems) + problems.count,
        "parse_seconds": round(parse_seconds, 4),
        "parse_bytes_read": disk.bytes_read,
        "parse_reads": disk.reads,
        "stage_seconds": round(stage_seconds, 4),
        "stage_rows": len(rows.segments),
        "stage_bytes_read": staged.bytes_read,
        "share_of_image": disk.bytes_read / size,
    }


def main() -> int:
    """Build the disk if needed, list it, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tib", type=int, default=4)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    path = ROOT / "bench" / "images" / f"dvr-hik-{args.tib}t.img"
    if args.force or not path.exists():
        build_disk(path, args.tib)
    blocks = (path.stat().st_size - synth.VIDEO_AREA) // GIB
    result = measure(path)
    on_disk = path.stat().st_blocks * 512
    table = markdown_table(
        ["image", "segments", "listing s", "bytes read", "reads", "share of image",
         "scan's first rows s", "bytes read (scan stage)"],
        [[f"{result['image_bytes'] / (1 << 40):.1f} TiB (sparse, {on_disk >> 10} KiB on disk)",
          result["segments"], result["parse_seconds"], result["parse_bytes_read"],
          result["parse_reads"], f"{result['share_of_image']:.2e}", result["stage_seconds"],
          result["stage_bytes_read"]]],
    )  # fmt: skip
    print(table)
    write_json("dvr_index", {"machine": machine(), "blocks_written": blocks, **result})
    ok = result["segments"] == blocks and int(str(result["parse_bytes_read"])) <= 1 << 20
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
