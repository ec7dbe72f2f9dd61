"""evcat's MIME answers against libmagic's own two calls, on every file of some images.

evcat asks libmagic for the description first and skips the MIME call when the
description is one libmagic's text fallback writes alone (``parsers/classifiers/mime.py``).
This reads the head (first 64 KiB, as a scan does) of every allocated regular file of each
image, and checks that ``MagicClassifier.identify`` returns exactly libmagic's MIME call and
description call. It also times both ways over the same heads, held in memory.

Prints a table and writes ``bench/out/mime_equal.json``; exits 1 on any difference.

Usage: python bench/mime_equal.py [--images mix.ext4,tiny.ext4] [IMAGE_PATH ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import magic
import pytsk3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import HEAD, image_path, markdown_table, walk_regular_files, write_json

from parsers.classifiers.mime import MagicClassifier


def heads_of(image: Path) -> list[bytes]:
    """The head of every allocated regular file of ``image``'s file system."""
    fs = pytsk3.FS_Info(pytsk3.Img_Info(str(image)))
    return [
        tsk_file.read_random(0, min(size, HEAD)) if size else b""
        for tsk_file, _inode, size in walk_regular_files(fs)
    ]


def compare(heads: list[bytes]) -> dict[str, Any]:
    """Differences, shortcut use and the time of both ways over ``heads``."""
    mime_handle, text_handle = magic.Magic(mime=True), magic.Magic()
    started = time.perf_counter()
    reference = [
        (mime_handle.from_buffer(head), text_handle.from_buffer(head)) if head else None
        for head in heads
    ]
    two_calls = time.perf_counter() - started
    classifier = MagicClassifier()
    started = time.perf_counter()
    answers = [classifier.identify(head) if head else None for head in heads]
    evcat = time.perf_counter() - started
    differences = [
        {"mime": want[0], "description": want[1], "evcat": list(got)}
        for want, got in zip(reference, answers, strict=True)
        if want is not None and got is not None and want != got
    ]
    mimes = Counter(answer[0] for answer in reference if answer is not None)
    return {
        "files": len(heads),
        "libmagic_calls": classifier.calls,
        "mime_calls_saved": classifier.mime_calls_saved,
        "two_calls_s": round(two_calls, 2),
        "evcat_s": round(evcat, 2),
        "differences": differences[:20],
        "difference_count": len(differences),
        "top_mimes": mimes.most_common(8),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", default="mix.ext4,tiny.ext4")
    parser.add_argument("paths", nargs="*", type=Path, help="more images (raw file systems)")
    args = parser.parse_args()
    images = [image_path(name) for name in args.images.split(",") if name] + args.paths
    results: dict[str, Any] = {}
    for image in images:
        results[image.name] = compare(heads_of(image))
    rows = [
        [
            name,
            r["files"],
            r["mime_calls_saved"],
            r["two_calls_s"],
            r["evcat_s"],
            round(r["two_calls_s"] / r["evcat_s"], 2) if r["evcat_s"] else "",
            r["difference_count"],
        ]
        for name, r in results.items()
    ]
    headers = ["image", "files", "MIME calls skipped", "two calls s", "evcat s", "gain", "diffs"]
    print(markdown_table(headers, rows))
    write_json("mime_equal", results)
    sys.exit(1 if any(r["difference_count"] for r in results.values()) else 0)


if __name__ == "__main__":
    main()
