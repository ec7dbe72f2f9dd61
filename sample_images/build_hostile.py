"""Build the hostile sample images: evidence designed to break a careless cataloguer.

- ``hostile/names.img``: ext2 whose file names carry terminal escape codes, spreadsheet
  formulas (``=HYPERLINK(``, ``+``, ``-``, ``@``), a newline and invalid UTF-8.
- ``hostile/loop.img``: ext2 where a directory holds an entry pointing back to its own
  ancestor, so a naive recursive walk never ends.
- ``hostile/usb_fat.E01`` + ``.E02``: ``usb_fat.img`` as a two-segment EWF set, so tests can
  take a segment away.

Run after ``build.py`` (it reuses ``usb_fat.img``). Deterministic like ``build.py``.
Usage: python sample_images/build_hostile.py [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOOLS = ("mke2fs", "debugfs", "ewfacquire", "faketime")
FAKE_NOW = "2024-03-15 09:30:00"
FAKE_EPOCH = "20240315093000"
ENV = {**os.environ, "TZ": "UTC", "E2FSPROGS_FAKE_TIME": "1710495000", "LC_ALL": "C.UTF-8"}
HOSTILE_NAMES = (
    b"\x1b[2J\x1b[31mred_alert.txt",
    b'=HYPERLINK("evil.example?x","click me").txt',
    b"+cmd.txt",
    b"-rf.txt",
    b"@sum.txt",
    b"line\nbreak.txt",
    b"bad_utf8_\xff\xfe.txt",
    "顧客リスト_2026.csv".encode(),  # "customer list", UTF-8
    "台本_サポート.txt".encode("shift_jis"),  # "script_support", Shift_JIS
)
IMAGE_KIB = 512
FIXED_TIME = 1709251200  # 2024-03-01T00:00:00Z


def check_tools() -> None:
    """Exit with one line naming the first missing tool."""
    for tool in TOOLS:
        if shutil.which(tool) is None and shutil.which(tool, path="/usr/sbin:/sbin") is None:
            sys.exit(
                f"build_hostile.py: missing tool {tool!r} (apt-get install e2fsprogs"
                " ewf-tools faketime)"
            )


def run(*args: str | Path) -> None:
    """Run a build tool under the frozen clock."""
    subprocess.run(
        ["faketime", "-f", FAKE_NOW, *map(str, args)], check=True, env=ENV, capture_output=True
    )


def _pin_times(source: Path) -> None:
    """Give every file and folder under ``source`` (and itself) one fixed time."""
    for folder, _, names in os.walk(os.fsencode(source)):
        for name in names:
            os.utime(os.path.join(folder, name), (FIXED_TIME, FIXED_TIME))  # noqa: PTH118
        os.utime(folder, (FIXED_TIME, FIXED_TIME))


def mke2fs(image: Path, source: Path, uuid: str) -> None:
    """A small ext2 with fixed identity from the files in ``source``."""
    image.unlink(missing_ok=True)
    _pin_times(source)
    run(
        "mke2fs",
        "-q",
        "-F",
        "-t",
        "ext2",
        "-b",
        "1024",
        "-U",
        uuid,
        "-E",
        f"hash_seed={uuid}",
        "-d",
        source,
        image,
        f"{IMAGE_KIB}k",
    )
    _pin_change_times(image, source)


def _pin_change_times(image: Path, source: Path) -> None:
    """Set every used inode's ctime to FIXED_TIME.

    ``mke2fs -d`` copies each source file's ctime, which the host sets when the file is
    made and ``utime`` cannot change. Inodes of a populated ext2 are the root (2), lost+found
    (11) and then one per copied entry, in order from 12.
    """
    entries = sum(len(dirs) + len(files) for _, dirs, files in os.walk(os.fsencode(source)))
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(FIXED_TIME))
    commands = [f"sif <{ino}> ctime {stamp}" for ino in (2, 11, *range(12, 12 + entries))]
    script = image.with_suffix(".debugfs")
    script.write_text("\n".join(commands) + "\n")
    try:
        run("debugfs", "-w", "-f", script, image)
    finally:
        script.unlink()


def build_names(out: Path, work: Path) -> Path:
    """Files whose names attack terminals and spreadsheets."""
    source = work / "names"
    source.mkdir()
    for index, raw in enumerate(HOSTILE_NAMES):
        path = os.fsencode(source) + b"/" + raw
        with open(path, "wb") as handle:  # noqa: PTH123 - a bytes path, which pathlib cannot hold
            handle.write(f"hostile name {index}\n".encode())
        os.utime(path, (FIXED_TIME, FIXED_TIME))
    image = out / "names.img"
    mke2fs(image, source, "65766361-7400-4000-8000-0000000000a1")
    return image


def build_loop(out: Path, work: Path) -> Path:
    """``/a/b/up`` is a directory entry pointing back at ``/a``."""
    source = work / "loop"
    (source / "a" / "b").mkdir(parents=True)
    (source / "a" / "b" / "inside.txt").write_text("inside the loop\n")
    image = out / "loop.img"
    mke2fs(image, source, "65766361-7400-4000-8000-0000000000a2")
    run("debugfs", "-w", "-R", "ln /a /a/b/up", image)
    return image


def build_two_segment_ewf(out: Path) -> list[Path]:
    """``usb_fat.img`` uncompressed in 1 MiB segments: ``usb_fat.E01`` and ``usb_fat.E02``."""
    for old in out.glob("usb_fat.E*"):
        old.unlink()
    run(
        "ewfacquire",
        "-u",
        "-q",
        "-c",
        "none",
        "-S",
        "1MiB",
        "-f",
        "encase6",
        "-C",
        "EVCAT-HOSTILE",
        "-D",
        "two segments",
        "-e",
        "evcat build",
        "-E",
        "EV-H1",
        "-N",
        "synthetic",
        "-m",
        "removable",
        "-M",
        "physical",
        "-t",
        out / "usb_fat",
        HERE / "usb_fat.img",
    )
    return sorted(out.glob("usb_fat.E*"))


def main(argv: list[str] | None = None) -> int:
    """Build every hostile image and print their SHA-256."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "hostile")
    out = parser.parse_args(argv).out
    check_tools()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        images = [build_names(out, Path(work)), build_loop(out, Path(work))]
    images += build_two_segment_ewf(out)
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}" for p in images]
    (out / "MANIFEST.sha256").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
