"""The plain baseline: one thread, pytsk3, four hashes and libmagic, nothing else.

Walks every allocated regular file of the image's file system, reads it in 1 MiB chunks,
feeds MD5, SHA-1, SHA-256 and BLAKE3, and calls ``magic.from_buffer`` (MIME type) on its
first 64 KiB. No catalog, no problem rows, no metadata: the least a single-threaded Python
tool doing evcat's content work must spend. ``--describe`` adds libmagic's text description
as well (evcat asks libmagic for both); ``--no-magic`` leaves classification out (the
hash-only proxy compared with ``fiwalk``).

Prints one JSON line: files, bytes, seconds, and a SHA-256 over all per-file results sorted
by inode (equal to ``ceiling.py``'s for the same magic mode, so the two can be checked
against each other).

Usage: python bench/plain_pytsk3.py IMAGE [--no-magic | --describe] [--offset BYTES]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import blake3
import magic
import pytsk3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import CHUNK, HEAD, add_job_arguments, walk_regular_files


def digest_file(tsk_file: pytsk3.File, size: int) -> tuple[str, str, str, str, bytes]:
    """Read ``tsk_file`` once in CHUNK pieces: four hex digests and the head bytes."""
    md5 = hashlib.md5(usedforsecurity=False)
    sha1 = hashlib.sha1(usedforsecurity=False)
    sha256 = hashlib.sha256()
    b3 = blake3.blake3()
    head = b""
    offset = 0
    while offset < size:
        chunk = tsk_file.read_random(offset, min(CHUNK, size - offset))
        if not chunk:
            raise OSError(f"short read at {offset} of {size}")
        md5.update(chunk)
        sha1.update(chunk)
        sha256.update(chunk)
        b3.update(chunk)
        if offset == 0:
            head = chunk[:HEAD]
        offset += len(chunk)
    return md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest(), b3.hexdigest(), head


def main() -> None:
    """Walk, hash and classify; print the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("image", type=Path)
    add_job_arguments(parser)
    args = parser.parse_args()

    started = time.perf_counter()
    mime = None if args.no_magic else magic.Magic(mime=True)
    describe = magic.Magic() if args.describe else None
    fs = pytsk3.FS_Info(pytsk3.Img_Info(str(args.image)), offset=args.offset)
    files = total = 0
    results: list[tuple[int, str]] = []
    for tsk_file, inode, size in walk_regular_files(fs):
        md5, sha1, sha256, b3, head = digest_file(tsk_file, size)
        kind = mime.from_buffer(head) if mime is not None and head else ""
        text = describe.from_buffer(head) if describe is not None and head else ""
        results.append((inode, f"{inode} {md5} {sha1} {sha256} {b3} {kind} {text}\n"))
        files += 1
        total += size
    elapsed = time.perf_counter() - started
    check = hashlib.sha256("".join(line for _, line in sorted(results)).encode())
    print(
        json.dumps(
            {
                "tool": "plain_pytsk3",
                "magic": "none"
                if args.no_magic
                else ("mime+description" if args.describe else "mime"),
                "files": files,
                "bytes": total,
                "elapsed_s": round(elapsed, 3),
                "results_sha256": check.hexdigest(),
            }
        )
    )


if __name__ == "__main__":
    main()
