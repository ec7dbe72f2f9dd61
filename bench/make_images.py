"""Build the benchmark disk images in ``bench/images/`` without root.

Each image is an ext4 file system made by ``mke2fs -t ext4 -d SRC_DIR`` from a source tree
written here from a seeded RNG, so the file contents are the same on every run; the UUID,
hash seed and mke2fs clock (``E2FSPROGS_FAKE_TIME``) are pinned and every source file gets
the same mtime. (Inode change times still follow the build, so images are not byte-for-byte
reproducible; the catalogued content and hashes are.)

* ``mix.ext4``  (~1 GiB): ~20,000 small files, mostly text and HTML pages of 1-50 KiB, plus
  CSV, JSON, PNG, JPEG (some with EXIF), PDF-like and ZIP files with real headers, and three
  large binary files of 120, 160 and 200 MiB. No file reaches 1 GiB.
* ``tiny.ext4``: 100,000 tiny files (10-500 bytes) in 320 directories.
* ``many.ext4``: the same kind of files, four times as many (400,000 in 1,280 directories),
  for the memory test: peak memory must not grow with the number of files.
* ``big.ext4``: one 1.1 GiB pseudo-random file (streamed: real bytes, no holes) and a few
  small ones, for the memory test.

Existing images are kept unless ``--force``. The source trees are written beside the images
(``bench/images/.src-NAME``) and removed afterwards.

Usage: python bench/make_images.py [--force] [--only mix,tiny,big,many]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import blake3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import IMAGES, MIB

FAKE_EPOCH = 1_710_495_000  # 2024-03-15 09:30:00 UTC
UUIDS = {
    "mix": ("65766361-6265-4e63-8000-000000000001", "65766361-6265-4e63-8000-0000000000a1"),
    "tiny": ("65766361-6265-4e63-8000-000000000002", "65766361-6265-4e63-8000-0000000000a2"),
    "big": ("65766361-6265-4e63-8000-000000000003", "65766361-6265-4e63-8000-0000000000a3"),
    "many": ("65766361-6265-4e63-8000-000000000004", "65766361-6265-4e63-8000-0000000000a4"),
}
BIG_FILE_SIZE = int(1.1 * (1 << 30))  # 1,181,116,006 bytes: over 1 GiB, with a partial tail
MIX_SMALL_FILES = 20_000
MIX_LARGE_MIB = (120, 160, 200)
TINY_FILES = 100_000
MANY_FILES = 4 * TINY_FILES
STREAM_CHUNK = 4 * MIB

# ------------------------------------------------------------------ deterministic content

_COMMON_TEXT = (
    "the of and to in is that for it as was with be by on not he this are or his from at"
    " which but have an they you were her she there been one all we their has would when"
    " what will if more no out so up said about into than them can only other new some"
    " could time these two may then do first any my now such like our over man me even"
    " most made after also did many before must through back years where much your way"
    " well down should because each just those people how too little state good very make"
    " world still own see men work long get here between both life being under never day"
    " same another know while last might us great old year off come since against go came"
    " right used take three invoice payment account transfer customer support refund"
    " gift card remote access computer virus warning call number order delivery"
)
_COMMON = _COMMON_TEXT.split()


class Content:
    """Seeded generators for every kind of file the images hold."""

    def __init__(self, seed: str) -> None:
        """Start the RNG from ``seed`` and derive a vocabulary from it."""
        self.rng = random.Random(seed)
        self._seed = seed.encode()
        letters = "etaoinshrdlcumwfgypbvkjxqz"
        weights = [13, 9, 8, 8, 7, 7, 6, 6, 4, 4, 3, 3, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]
        invented = {
            "".join(self.rng.choices(letters, weights, k=self.rng.randint(3, 11)))
            for _ in range(4000)
        }
        self.vocab = _COMMON * 6 + sorted(invented)
        self._stream_no = 0

    # -- text ----------------------------------------------------------------------------

    def words(self, n: int) -> list[str]:
        """``n`` words, common ones more often."""
        return self.rng.choices(self.vocab, k=n)

    def prose(self, size: int, width: int = 12) -> str:
        """About ``size`` bytes of sentences broken into lines of ``width`` words."""
        words = self.words(max(1, size // 6))
        lines = [
            " ".join(words[i : i + width]).capitalize() + "." for i in range(0, len(words), width)
        ]
        return "\n".join(lines)[:size] + "\n"

    def text_file(self, size: int) -> bytes:
        """A plain text document (some with a little Latin-1/UTF-8 accented content)."""
        body = self.prose(size)
        if self.rng.random() < 0.1:
            body = body.replace(" the ", " thé ", 3)
        return body.encode("utf-8")[:size]

    def html_file(self, size: int) -> bytes:
        """An HTML page: doctype, head, paragraphs, links and a closing tag."""
        title = " ".join(self.words(5)).title()
        parts = [
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<title>{title}</title>\n<link rel="stylesheet" href="/css/site.css">\n'
            '</head>\n<body>\n<div class="content">\n'
        ]
        length = len(parts[0])
        while length < size - 40:
            kind = self.rng.random()
            if kind < 0.15:
                href = "/".join(self.words(3))
                piece = (
                    f'<p><a href="https://www.example.com/{href}.html">'
                    f"{' '.join(self.words(4))}</a></p>\n"
                )
            elif kind < 0.25:
                piece = f"<h2>{' '.join(self.words(4)).title()}</h2>\n"
            else:
                piece = f"<p>{self.prose(self.rng.randint(200, 900), 40).strip()}</p>\n"
            parts.append(piece)
            length += len(piece)
        parts.append("</div>\n</body>\n</html>\n")
        return "".join(parts).encode("utf-8")

    def csv_file(self, size: int) -> bytes:
        """A CSV table with a header row, dates, amounts and names."""
        rows = ["date,account,name,amount,currency,reference"]
        length = len(rows[0])
        while length < size:
            day = self.rng.randint(1, 28)
            row = (
                f"2024-{self.rng.randint(1, 12):02d}-{day:02d},{self.rng.randint(10**7, 10**8)},"
                f"{' '.join(self.words(2)).title()},{self.rng.randint(1, 99999) / 100:.2f},"
                f"{self.rng.choice(['USD', 'EUR', 'JPY', 'GBP'])},{self.rng.getrandbits(40):x}"
            )
            rows.append(row)
            length += len(row) + 1
        return ("\n".join(rows) + "\n").encode()

    def json_file(self, size: int) -> bytes:
        """A JSON array of records."""
        records = []
        length = 0
        while length < size:
            record = {
                "id": self.rng.getrandbits(32),
                "name": " ".join(self.words(2)).title(),
                "email": f"{self.rng.choice(self.vocab)}@example.org",
                "active": self.rng.random() < 0.5,
                "score": round(self.rng.random() * 100, 3),
                "tags": self.words(self.rng.randint(1, 4)),
            }
            records.append(record)
            length += 130
        return json.dumps(records, indent=1).encode()

    # -- binary --------------------------------------------------------------------------

    def random_bytes(self, n: int) -> bytes:
        """``n`` pseudo-random (incompressible) bytes."""
        return self.rng.randbytes(n)

    def stream(self, size: int) -> Callable[..., None]:
        """A writer of ``size`` pseudo-random bytes, streamed from a BLAKE3 XOF in chunks."""
        self._stream_no += 1
        key = self._seed + b"/stream/" + str(self._stream_no).encode()

        def write(path: Path, header: bytes = b"") -> None:
            xof = blake3.blake3(key)
            with path.open("wb") as handle:
                offset = 0
                while offset < size:
                    n = min(STREAM_CHUNK, size - offset)
                    chunk = xof.digest(length=n, seek=offset)
                    if offset == 0 and header:
                        chunk = header + chunk[len(header) :]
                    handle.write(chunk)
                    offset += n

        return write

    def png_file(self, size: int) -> bytes:
        """A valid RGB PNG whose (noisy) pixels make it about ``size`` bytes."""
        side = max(4, int(math.sqrt(max(size - 100, 48) / 3)))
        width, height = side + self.rng.randint(0, 8), side
        noise = self.rng.random() < 0.7
        rows = []
        for y in range(height):
            if noise:
                pixels = self.rng.randbytes(width * 3)
            else:
                pixels = bytes((x * 7 + y * 3) % 256 for x in range(width * 3))
            rows.append(b"\x00" + pixels)
        ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + _png_chunk(b"IHDR", ihdr)
            + _png_chunk(b"tEXt", b"Software\x00evcat bench")
            + _png_chunk(b"IDAT", zlib.compress(b"".join(rows), 6))
            + _png_chunk(b"IEND", b"")
        )

    def jpeg_file(self, size: int) -> bytes:
        """A JPEG: SOI, JFIF, sometimes an EXIF APP1, tables, frame, scan data, EOI."""
        out = bytearray(b"\xff\xd8")
        out += b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00"
        if self.rng.random() < 0.4:
            out += _exif_app1(
                make=self.rng.choice(["Canon", "NIKON CORPORATION", "Apple", "SONY"]),
                model=f"Model {self.rng.randint(100, 999)}",
                when=f"2023:{self.rng.randint(1, 12):02d}:{self.rng.randint(1, 28):02d} 10:00:00",
            )
        out += b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes(range(1, 65))
        out += b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, 480, 640, 3)
        out += b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
        out += b"\xff\xc4" + struct.pack(">H", 31) + b"\x00" + bytes(16) + bytes(12)
        out += b"\xff\xda" + struct.pack(">HB", 12, 3) + b"\x01\x00\x02\x11\x03\x11\x00\x3f\x00"
        scan = self.rng.randbytes(max(0, size - len(out) - 2)).replace(b"\xff", b"\xfe")
        return bytes(out + scan + b"\xff\xd9")

    def pdf_file(self, size: int) -> bytes:
        """A PDF-like file: header, catalog, page, one stream of random bytes, xref, EOF."""
        stream = self.rng.randbytes(max(64, size - 600))
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length "
            + str(len(stream)).encode()
            + b" /Filter /FlateDecode >>\nstream\n"
            + stream
            + b"\nendstream",
        ]
        out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
        out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
        trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
        out += f"{trailer}startxref\n{xref}\n%%EOF\n".encode()
        return bytes(out)

    def zip_file(self, size: int) -> bytes:
        """A real ZIP archive: a few deflated text members and one stored binary member."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            remaining = size
            for index in range(self.rng.randint(1, 4)):
                info = zipfile.ZipInfo(f"doc{index}.txt", date_time=(2024, 3, 1, 12, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, self.prose(self.rng.randint(500, 8000)))
            info = zipfile.ZipInfo("blob.bin", date_time=(2024, 3, 1, 12, 0, 0))
            remaining = max(16, size - buffer.tell() - 200)
            archive.writestr(info, self.rng.randbytes(remaining))
        return buffer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _exif_app1(make: str, model: str, when: str) -> bytes:
    """An APP1 segment with a little-endian TIFF IFD0: Make, Model and DateTime."""
    entries = [
        (0x010F, make.encode() + b"\x00"),
        (0x0110, model.encode() + b"\x00"),
        (0x0132, when.encode() + b"\x00"),
    ]
    ifd_size = 2 + 12 * len(entries) + 4
    data_offset = 8 + ifd_size
    ifd = bytearray(struct.pack("<H", len(entries)))
    blob = bytearray()
    for tag, value in entries:
        ifd += struct.pack("<HHII", tag, 2, len(value), data_offset + len(blob))
        blob += value
    ifd += struct.pack("<I", 0)
    tiff = b"II*\x00" + struct.pack("<I", 8) + bytes(ifd) + bytes(blob)
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


# ------------------------------------------------------------------ source trees


def log_uniform(rng: random.Random, low: int, high: int) -> int:
    """A size between ``low`` and ``high``, small ones more likely (as on real disks)."""
    return int(math.exp(rng.uniform(math.log(low), math.log(high))))


def _write(path: Path, data: bytes) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


MIX_KINDS: list[tuple[str, str, float, tuple[int, int]]] = [
    # kind, extension, share, size range in bytes
    ("text", "txt", 0.42, (1024, 50 * 1024)),
    ("html", "html", 0.30, (1024, 50 * 1024)),
    ("csv", "csv", 0.05, (1024, 50 * 1024)),
    ("json", "json", 0.05, (1024, 50 * 1024)),
    ("png", "png", 0.05, (2 * 1024, 200 * 1024)),
    ("jpeg", "jpg", 0.06, (8 * 1024, 400 * 1024)),
    ("pdf", "pdf", 0.04, (4 * 1024, 300 * 1024)),
    ("zip", "zip", 0.03, (4 * 1024, 300 * 1024)),
]
MIX_DIRS = {
    "text": ["Documents", "Desktop", "Notes", "Mail"],
    "html": ["www", "Downloads", "Cache"],
    "csv": ["Documents", "Downloads"],
    "json": ["config", "Cache"],
    "png": ["Pictures", "www/img"],
    "jpeg": ["Pictures", "DCIM", "Downloads"],
    "pdf": ["Documents", "Downloads"],
    "zip": ["Downloads", "Archive"],
}


def build_mix_tree(src: Path) -> dict[str, int]:
    """Write the ``mix`` tree; return counts and bytes."""
    content = Content("evcat-bench-mix-1")
    rng = content.rng
    users = [f"home/user{n:02d}" for n in range(1, 9)]
    generators: dict[str, Callable[[int], bytes]] = {
        "text": content.text_file,
        "html": content.html_file,
        "csv": content.csv_file,
        "json": content.json_file,
        "png": content.png_file,
        "jpeg": content.jpeg_file,
        "pdf": content.pdf_file,
        "zip": content.zip_file,
    }
    kinds = [k[0] for k in MIX_KINDS]
    shares = [k[2] for k in MIX_KINDS]
    spec = {k[0]: k for k in MIX_KINDS}
    total = 0
    counts: dict[str, int] = {}
    for index in range(MIX_SMALL_FILES):
        kind = rng.choices(kinds, shares)[0]
        _, ext, _, (low, high) = spec[kind]
        leaf = rng.choice(content.vocab[-200:])
        folder = f"{rng.choice(users)}/{rng.choice(MIX_DIRS[kind])}/{leaf}"
        name = f"{rng.choice(content.vocab)}_{index:05d}.{ext}"
        total += _write(src / folder / name, generators[kind](log_uniform(rng, low, high)))
        counts[kind] = counts.get(kind, 0) + 1
    large = [
        ("data/backup/disk_backup.bin", b""),
        ("data/video/interview.mp4", b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"),
        ("data/db/ledger.sqlite", b"SQLite format 3\x00\x10\x00\x01\x01\x00\x40\x20\x20"),
    ]
    for (path, header), mib in zip(large, MIX_LARGE_MIB, strict=True):
        target = src / path
        target.parent.mkdir(parents=True, exist_ok=True)
        content.stream(mib * MIB)(target, header)
        total += mib * MIB
    counts["large"] = len(large)
    counts["bytes"] = total
    return counts


def build_tiny_tree(
    src: Path, files: int = TINY_FILES, seed: str = "evcat-bench-tiny-1"
) -> dict[str, int]:
    """Write the ``tiny`` tree: 100,000 files of 10-500 bytes in 320 directories.

    ``files`` scales it (one project of 16 directories per 5,000 files).
    """
    content = Content(seed)
    rng = content.rng
    projects = max(1, files // 5000)
    dirs = [f"proj{p:02d}/mod{m:02d}" for p in range(projects) for m in range(15)]
    total = 0
    for index in range(files):
        size = rng.randint(10, 500)
        roll = rng.random()
        if roll < 0.6:
            data, ext = content.text_file(size), "txt"
        elif roll < 0.75:
            data = json.dumps({"id": index, "k": content.words(max(1, size // 10))}).encode()
            data, ext = data[: max(size, 12)], "json"
        elif roll < 0.85:
            data, ext = (
                (
                    f"[{rng.choice(content.vocab)}]\n"
                    + "\n".join(
                        f"{w}={rng.randint(0, 9999)}" for w in content.words(max(1, size // 12))
                    )
                ).encode()[:size],
                "ini",
            )
        else:
            data, ext = content.random_bytes(size), "bin"
        folder = dirs[index % len(dirs)] if rng.random() < 0.8 else rng.choice(dirs)
        total += _write(src / folder / f"f{index:06d}.{ext}", data)
    return {"files": files, "dirs": len(dirs) + projects, "bytes": total}


def build_many_tree(src: Path) -> dict[str, int]:
    """Write the ``many`` tree: 400,000 files of 10-500 bytes in 1,280 directories."""
    return build_tiny_tree(src, MANY_FILES, "evcat-bench-many-1")


def build_big_tree(src: Path) -> dict[str, int]:
    """Write the ``big`` tree: one 1.1 GiB file and three small ones."""
    content = Content("evcat-bench-big-1")
    target = src / "evidence" / "full_disk_copy.raw"
    target.parent.mkdir(parents=True)
    content.stream(BIG_FILE_SIZE)(target)
    total = BIG_FILE_SIZE
    for index in range(3):
        total += _write(src / f"notes{index}.txt", content.text_file(4096))
    return {"files": 4, "bytes": total, "largest": BIG_FILE_SIZE}


# ------------------------------------------------------------------ images


def _pin_times(src: Path) -> None:
    """Give every file and directory of ``src`` the same atime and mtime."""
    for folder, dirnames, filenames in os.walk(src, topdown=False):
        for name in [*filenames, *dirnames]:
            os.utime(Path(folder) / name, (FAKE_EPOCH, FAKE_EPOCH))
    os.utime(src, (FAKE_EPOCH, FAKE_EPOCH))


def _tree_bytes(src: Path) -> tuple[int, int]:
    files = size = 0
    for folder, _, filenames in os.walk(src):
        for name in filenames:
            files += 1
            size += (Path(folder) / name).stat().st_size
    return files, size


def make_ext4(name: str, src: Path, image: Path, *, min_mib: int, inodes: int | None) -> None:
    """``mke2fs -t ext4 -d src`` into ``image``, sized to fit with room to spare."""
    files, size = _tree_bytes(src)
    need = size + files * 4096 + 128 * MIB
    mib = max(min_mib, math.ceil(need * 1.1 / MIB))
    uuid, seed = UUIDS[name]
    tmp = image.with_suffix(".partial")
    tmp.unlink(missing_ok=True)
    cmd = [
        "mke2fs",
        "-q",
        "-F",
        "-t",
        "ext4",
        "-b",
        "4096",
        "-L",
        f"bench_{name}",
        "-U",
        uuid,
        "-E",
        f"hash_seed={seed},root_owner=0:0",
        "-d",
        str(src),
    ]
    if inodes:
        cmd += ["-N", str(inodes)]
    cmd += [str(tmp), f"{mib}M"]
    env = {
        **os.environ,
        "E2FSPROGS_FAKE_TIME": str(FAKE_EPOCH),
        "TZ": "UTC",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin",
    }
    subprocess.run(cmd, check=True, env=env)
    tmp.rename(image)


BUILDERS: dict[str, tuple[Callable[[Path], dict[str, int]], int, int | None]] = {
    # name: (tree builder, minimum image size in MiB, inode count)
    "mix": (build_mix_tree, 1024, None),
    "tiny": (build_tiny_tree, 512, 110_000),
    "big": (build_big_tree, 1280, None),
    "many": (build_many_tree, 2048, 440_000),
}


def build(name: str, force: bool) -> None:
    """Build ``bench/images/NAME.ext4`` unless it exists (or ``force``)."""
    image = IMAGES / f"{name}.ext4"
    if image.exists() and not force:
        print(f"{image.name}: exists, kept (--force rebuilds)")
        return
    builder, min_mib, inodes = BUILDERS[name]
    src = IMAGES / f".src-{name}"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    started = time.perf_counter()
    try:
        summary = builder(src)
        _pin_times(src)
        generated = time.perf_counter() - started
        make_ext4(name, src, image, min_mib=min_mib, inodes=inodes)
    finally:
        shutil.rmtree(src, ignore_errors=True)
    elapsed = time.perf_counter() - started
    print(
        f"{image.name}: {image.stat().st_size / MIB:,.0f} MiB image, {summary}"
        f" (content {generated:.1f} s, total {elapsed:.1f} s)"
    )


def main() -> None:
    """Parse arguments and build the requested images."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="rebuild images that exist")
    parser.add_argument(
        "--only", default="mix,tiny,big,many", help="comma-separated subset of mix,tiny,big,many"
    )
    args = parser.parse_args()
    if shutil.which("mke2fs", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is None:
        sys.exit("make_images.py: mke2fs not found (apt-get install e2fsprogs)")
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name in args.only.split(","):
        if name not in BUILDERS:
            sys.exit(f"make_images.py: unknown image {name!r} (choose from {', '.join(BUILDERS)})")
        build(name, args.force)


if __name__ == "__main__":
    main()
