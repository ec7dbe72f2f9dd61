"""Build evcat's sample disk images without root, byte for byte the same on every run.

The images are the shared evidence for unit, integration and golden tests. One fixture
tree (a report, call scripts, a contact list, a fake virus popup, a photo with EXIF, a
file whose extension lies, a deleted file) goes into the FAT16 and ext4 partitions of an
MBR disk and into an unpartitioned FAT12 "USB stick"; the disk is also exported as EWF
(E01) and as a split raw set. Every clock-dependent value is pinned (faketime,
E2FSPROGS_FAKE_TIME, fixed UUIDs and volume ids, inode times set with debugfs), so a
rebuild gives the same bytes and MANIFEST.sha256 keeps holding.

Usage: python sample_images/build.py [--out DIR] [--golden DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TOOLS = "faketime sfdisk mkfs.fat mmd mcopy mdel mke2fs debugfs ewfacquire mmls fls"
PACKAGES = "faketime fdisk dosfstools mtools e2fsprogs ewf-tools sleuthkit"
SECTOR = 512
DISK_SECTORS = 16384  # 8 MiB; sectors 14336..16383 stay unallocated
FAT_START, FAT_SECTORS = 2048, 6144  # partition 1: FAT16, 3 MiB
EXT_START, EXT_SECTORS = 8192, 6144  # partition 2: ext4, 3 MiB
USB_KIB = 1536  # usb_fat.img: unpartitioned FAT12, 1.5 MiB
SEGMENT_SIZE = 3 * 1024 * 1024  # split/disk.001 ...
FAKE_NOW = "2024-03-15 09:30:00"  # UTC: the build's clock and every directory's time
DELETED = "deleted_lead_list.txt"
SYMLINK = ("/scripts/latest_script.txt", "call_script_en.txt")  # ext4 only
XATTR = ("/popup/alert.html", "user.xdg.origin.url", "http://pc-alert.example.net/")
EXT_UUID = "65766361-7400-4000-8000-000000000002"
EXT_HASH_SEED = "65766361-7400-4000-8000-000000000003"
FAT_VOLUME_IDS = {"EVCAT_FAT": "65766361", "EVCAT_USB": "55534201"}  # by label
FAT16_MIN_KIB = 2048  # below this, 512-byte clusters give too few for FAT16
ENV = {
    "TZ": "UTC",
    "LC_ALL": "C.UTF-8",
    "LANG": "C.UTF-8",
    "MTOOLS_SKIP_CHECK": "1",
    "MTOOLSRC": "/dev/null",
    "NO_FAKE_STAT": "1",  # let mcopy -m see the real (fixed) source mtimes
    "PATH": os.pathsep.join([os.environ.get("PATH", "/usr/bin:/bin"), "/usr/sbin"]),
}
MKE2FS_OPTIONS = ("-q", "-F", "-t", "ext4", "-b", "1024", "-L", "evcat_ext4")
EWF_OPTIONS = {
    "-f": "encase6",
    "-c": "deflate:best",
    "-d": "sha1",
    "-m": "fixed",
    "-M": "physical",
    "-C": "EVCAT-001",
    "-D": "evcat sample",
    "-e": "evcat build",
    "-E": "EV-001",
    "-N": "synthetic test image",
}

REPORT = """\
Case EVCAT-001: preliminary report

On 2024-03-12 officers seized a laptop from a rented office used by a suspected
tech-support scam call centre. Staff read from printed call scripts, told victims
their computer was infected and asked them to install remote-access software.
Payment was taken as gift cards and convenience-store e-money.
This report lists the files of interest.
"""
CALL_SCRIPT_EN = """\
Hello, this is Microsoft Windows support. We have detected that your computer has
a virus and your bank details are at risk. Do not turn off your computer.
Step 1: please open AnyDesk and read me the nine-digit ID (for example 123 456 789).
Step 2: if AnyDesk fails, use TeamViewer instead.
Step 3: to renew your protection, buy Google Play gift cards worth $500
and read me the codes on the back.
If the customer refuses, offer Bitcoin: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa
Call back number: +1-888-555-0199
"""
CALL_SCRIPT_JA = """\
もしもし、マイクロソフトサポートです。
お使いのパソコンがウイルスに感染しています。電源を切らないでください。
遠隔操作のため、AnyDesk を開いて表示された番号を読み上げてください。
修理費用として、コンビニで電子マネーを五万円分購入してください。
購入後、カード裏面の番号をお伝えください。
お問い合わせ: 03-5555-0142
"""
CONTACTS = """\
name,phone,email,status
John Carter,+1-202-555-0147,john.carter@example.com,called
Mary Lopez,+1 (312) 555-0175,mlopez@example.org,paid
Sato Hanako,+81-3-5555-0123,hanako.sato@example.net,called
Tanaka Ichiro,+81 90-5555-0187,i.tanaka@example.com,paid
"""
ALERT_HTML = """\
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>WARNING: VIRUS DETECTED</title></head>
<body style="background:#c00;color:#fff">
<h1>Windows Defender Security Warning</h1>
<p>Your computer has been blocked. Error code #DW6VB36.</p>
<p>Call Microsoft Support immediately: <b>+1-888-555-0199</b> (toll free)</p>
<script>alert("Do not restart your computer!");</script>
</body></html>
"""
DELETED_LEADS = """\
old leads - destroy after use
Robert King,+1-415-555-0162,rking@example.com
Suzuki Yuki,+81-6-5555-0111,yuki.s@example.net
"""


@dataclass(frozen=True, slots=True)
class FixtureFile:
    """One file of the shared fixture tree, with its modification time (UTC)."""

    path: str
    data: bytes
    mtime: str


def epoch(stamp: str) -> int:
    """Return seconds since the epoch for a "YYYY-MM-DD HH:MM:SS" UTC time stamp."""
    return int(datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp())


# ------------------------------------------------------------------ JPEG and PNG

Entry = tuple[int, int, int, bytes]  # TIFF tag, type, count, value bytes


def _ifd(entries: list[Entry], start: int) -> bytes:
    """Build a big-endian TIFF IFD at ``start``; long values follow the table."""
    table, extra = struct.pack(">H", len(entries)), b""
    data_at = start + 2 + 12 * len(entries) + 4
    for tag, kind, count, value in entries:
        if len(value) <= len(b"long"):
            table += struct.pack(">HHI", tag, kind, count) + value.ljust(4, b"\0")
        else:
            table += struct.pack(">HHII", tag, kind, count, data_at + len(extra))
            extra += value + b"\0" * (len(value) % 2)
    return table + b"\0\0\0\0" + extra


def _ascii(tag: int, text: str) -> Entry:
    raw = text.encode("ascii") + b"\0"
    return (tag, 2, len(raw), raw)


def _rationals(tag: int, *pairs: tuple[int, int]) -> Entry:
    return (tag, 5, len(pairs), b"".join(struct.pack(">II", *p) for p in pairs))


def _long(tag: int, value: int) -> Entry:
    return (tag, 4, 1, struct.pack(">I", value))


def exif_segment() -> bytes:
    """Build an APP1 Exif segment: Make, Model, DateTimeOriginal and GPS."""
    exif = [_ascii(0x9003, "2024:02:10 14:23:06")]
    gps = [
        (0x0000, 1, 4, bytes([2, 3, 0, 0])),
        _ascii(0x0001, "N"),
        _rationals(0x0002, (35, 1), (39, 1), (3100, 100)),  # 35°39'31" N
        _ascii(0x0003, "E"),
        _rationals(0x0004, (139, 1), (44, 1), (4300, 100)),  # 139°44'43" E
    ]
    ifd0 = [_ascii(0x010F, "Canon"), _ascii(0x0110, "Canon PowerShot G7 X")]
    exif_at = 8 + len(_ifd([*ifd0, _long(0x8769, 0), _long(0x8825, 0)], 8))
    gps_at = exif_at + len(_ifd(exif, exif_at))
    ifd0 += [_long(0x8769, exif_at), _long(0x8825, gps_at)]
    tiff = b"MM\0\x2a\0\0\0\x08" + _ifd(ifd0, 8) + _ifd(exif, exif_at)
    return _segment(0xE1, b"Exif\0\0" + tiff + _ifd(gps, gps_at))


def _segment(marker: int, body: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body


def _huffman_codes(bits: list[int]) -> list[str]:
    """Return canonical Huffman codes (bit strings) for a JPEG BITS list."""
    codes: list[str] = []
    code = 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes.append(format(code, f"0{length}b"))
            code += 1
        code <<= 1
    return codes


def _scan(levels: list[int], dc_bits: list[int]) -> bytes:
    """Entropy-code flat 8x8 blocks: DC differences only, each followed by EOB."""
    codes, stream, prev = _huffman_codes(dc_bits), "", 0
    for level in levels:
        diff, prev = level - prev, level
        size = abs(diff).bit_length()
        bits = format(diff if diff >= 0 else diff + (1 << size) - 1, f"0{size}b")
        stream += codes[size] + (bits if size else "") + "0"  # "0" is EOB (AC table)
    stream += "1" * (-len(stream) % 8)
    data = bytes(int(stream[i : i + 8], 2) for i in range(0, len(stream), 8))
    return data.replace(b"\xff", b"\xff\x00")


def jpeg_bytes(blocks: int = 4) -> bytes:
    """Build a baseline greyscale JPEG of flat 8x8 tiles forming a diagonal gradient."""
    dc_bits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]  # ITU T.81 table K.3
    levels = [20 * (r + c) - 88 for r in range(blocks) for c in range(blocks)]
    side = 8 * blocks
    return b"".join(
        [
            b"\xff\xd8",
            exif_segment(),
            _segment(0xDB, b"\0" + bytes([8] * 64)),  # quantiser 8: DC = level - 128
            _segment(0xC0, struct.pack(">BHHB", 8, side, side, 1) + b"\x01\x11\x00"),
            _segment(0xC4, b"\x00" + bytes(dc_bits) + bytes(range(12))),
            _segment(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00"),  # AC: EOB only
            _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
            _scan(levels, dc_bits),
            b"\xff\xd9",
        ]
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bytes(side: int = 16) -> bytes:
    """Build an RGB PNG checkerboard: the content of a file whose extension lies."""
    red, blue = b"\xcc\x00\x00", b"\x00\x33\xcc"
    cell = [[red if (x // 4 + y // 4) % 2 else blue for x in range(side)] for y in range(side)]
    rows = b"".join(b"\0" + b"".join(row) for row in cell)
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(rows, 9)),
            _png_chunk(b"IEND", b""),
        ]
    )


# ------------------------------------------------------------------ fixture tree


def fixture_files() -> list[FixtureFile]:
    """Return the shared tree, sorted by path; DELETED is deleted after copying."""
    files = {
        "docs/report.txt": ("2024-03-14 17:45:10", REPORT.encode()),
        "docs/invoice.pdf": ("2024-03-01 12:00:00", png_bytes()),
        "scripts/call_script_en.txt": ("2024-02-01 10:00:00", CALL_SCRIPT_EN.encode()),
        "scripts/通話スクリプト.txt": ("2024-02-02 11:30:00", CALL_SCRIPT_JA.encode()),
        "leads/contacts.csv": ("2024-02-20 08:15:30", CONTACTS.encode()),
        "popup/alert.html": ("2024-01-28 22:05:44", ALERT_HTML.encode()),
        "images/photo.jpg": ("2024-02-10 14:23:06", jpeg_bytes()),
        DELETED: ("2024-03-10 03:33:32", DELETED_LEADS.encode()),
    }
    return [FixtureFile(p, data, mtime) for p, (mtime, data) in sorted(files.items())]


def fixture_dirs() -> list[str]:
    """Return the fixture's directories (one level deep), sorted."""
    return sorted({f.path.rsplit("/", 1)[0] for f in fixture_files() if "/" in f.path})


def write_tree(root: Path) -> None:
    """Write the fixture tree under ``root`` with fixed modes and times."""
    for item in fixture_files():
        target = root / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.data)
        target.chmod(0o644)
        os.utime(target, (epoch(item.mtime), epoch(item.mtime)))
    for name in [*fixture_dirs(), "."]:
        (root / name).chmod(0o755)
        os.utime(root / name, (epoch(FAKE_NOW), epoch(FAKE_NOW)))


# ------------------------------------------------------------------ running tools


def check_tools() -> None:
    """Exit with one line naming every missing tool."""
    missing = [t for t in TOOLS.split() if shutil.which(t, path=ENV["PATH"]) is None]
    if missing:
        sys.exit(f"build.py: missing tool(s): {' '.join(missing)} (apt: {PACKAGES})")


def run(*args: str | Path, clock: bool = True, stdin: str | None = None) -> str:
    """Run a tool in the pinned environment (frozen clock) and return its stdout."""
    cmd = [str(a) for a in args]
    cmd = ["faketime", "-f", FAKE_NOW, *cmd] if clock else cmd
    env = {**ENV, "E2FSPROGS_FAKE_TIME": str(epoch(FAKE_NOW))}
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env, check=False)
    # debugfs reports failed commands on stderr but still exits 0.
    noise = [x for x in proc.stderr.splitlines() if x and not x.startswith("debugfs 1.")]
    if proc.returncode != 0 or (args[0] == "debugfs" and noise):
        sys.exit(f"build.py: {args[0]} failed: {' | '.join(noise)}")
    return proc.stdout


def blank(path: Path, size: int) -> None:
    """Create (or replace) ``path`` as a sparse, zero-filled file of ``size`` bytes."""
    with path.open("wb") as handle:
        handle.truncate(size)


# ------------------------------------------------------------------ file systems


def build_fat(image: Path, start_sector: int, size_kib: int, label: str) -> None:
    """Make FAT at ``start_sector`` of ``image``: FAT16 from 2 MiB up, else FAT12."""
    bits = ["-F", "16", "-s", "1"] if size_kib >= FAT16_MIN_KIB else ["-F", "12"]
    ident = ["-i", FAT_VOLUME_IDS[label], "-n", label]
    place = ["-h", str(start_sector), "--offset", str(start_sector)]
    run("mkfs.fat", *bits, *ident, *place, image, str(size_kib))


def fill_fat(image: Path, start_sector: int, tree: Path) -> None:
    """Copy the fixture tree in sorted order, keeping mtimes, then delete DELETED."""
    target = f"{image}@@{start_sector * SECTOR}"
    for name in fixture_dirs():
        run("mmd", "-i", target, f"::/{name}")
    for item in fixture_files():
        run("mcopy", "-m", "-i", target, tree / item.path, f"::/{item.path}")
    run("mdel", "-i", target, f"::/{DELETED}")


def _normalise(path: str, stamp: str) -> list[str]:
    """Return debugfs commands giving ``path`` owner root and all times ``stamp``."""
    times = ("atime", "mtime", "ctime", "crtime")
    return (
        [f'sif "{path}" {field} 0' for field in ("uid", "gid")]
        + [f'sif "{path}" {field} @{epoch(stamp)}' for field in times]
        + [f'sif "{path}" {field}_extra 0' for field in times]
    )


def ext4_script() -> str:
    """Return debugfs commands: symlink, xattr, pinned times, then delete DELETED."""
    link, target = SYMLINK
    cmds = [f"symlink {link} {target}", 'ea_set {} {} "{}"'.format(*XATTR)]
    for item in fixture_files():
        cmds += _normalise(f"/{item.path}", item.mtime)
    cmds.append(f"rm /{DELETED}")
    for name in ["", "lost+found", *fixture_dirs(), link.lstrip("/")]:
        cmds += _normalise(f"/{name}", FAKE_NOW)
    return "\n".join(cmds) + "\n"


def build_ext4(image: Path, tree: Path, work: Path) -> None:
    """Make an ext4 image of ``tree`` (1 KiB blocks) and normalise it with debugfs."""
    blank(image, EXT_SECTORS * SECTOR)
    seed = f"hash_seed={EXT_HASH_SEED},root_owner=0:0"
    run("mke2fs", *MKE2FS_OPTIONS, "-U", EXT_UUID, "-E", seed, "-d", tree, image)
    script = work / "debugfs.cmd"
    script.write_text(ext4_script(), encoding="utf-8")
    run("debugfs", "-w", "-f", script, image)


# ------------------------------------------------------------------ images


def build_disk(disk: Path, tree: Path, work: Path) -> None:
    """Build the MBR disk: p1 FAT16, p2 ext4 (built apart, spliced in), free tail."""
    blank(disk, DISK_SECTORS * SECTOR)
    layout = (
        "label: dos\nlabel-id: 0x65766361\nunit: sectors\n\n"
        f"start={FAT_START}, size={FAT_SECTORS}, type=e\n"
        f"start={EXT_START}, size={EXT_SECTORS}, type=83\n"
    )
    run("sfdisk", "--no-reread", "--no-tell-kernel", "-q", disk, stdin=layout)
    build_fat(disk, FAT_START, FAT_SECTORS * SECTOR // 1024, "EVCAT_FAT")
    fill_fat(disk, FAT_START, tree)
    ext = work / "p2.ext4"
    build_ext4(ext, tree, work)
    with disk.open("r+b") as handle:
        handle.seek(EXT_START * SECTOR)
        handle.write(ext.read_bytes())


def build_usb(image: Path, tree: Path) -> None:
    """Build an unpartitioned FAT12 image, like a small USB stick."""
    blank(image, USB_KIB * 1024)
    build_fat(image, 0, USB_KIB, "EVCAT_USB")
    fill_fat(image, 0, tree)


def build_ewf(disk: Path, target: Path) -> Path:
    """Acquire ``disk`` as EnCase 6 EWF (deflate) with MD5 and SHA-1 stored."""
    options = [part for pair in EWF_OPTIONS.items() for part in pair]
    run("ewfacquire", "-u", "-q", *options, "-t", target, disk)
    return target.with_suffix(".E01")


def build_split(disk: Path, folder: Path) -> list[Path]:
    """Cut the raw disk into split/disk.001, .002, ... of SEGMENT_SIZE bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    data, parts = disk.read_bytes(), []
    for number, offset in enumerate(range(0, len(data), SEGMENT_SIZE), start=1):
        part = folder / f"disk.{number:03d}"
        part.write_bytes(data[offset : offset + SEGMENT_SIZE])
        parts.append(part)
    return parts


# ------------------------------------------------------------------ golden and manifest


def write_golden(out: Path, golden: Path, split_parts: list[Path]) -> list[Path]:
    """Write mmls and ``fls -r -p -l`` listings, as this TSK prints them, per image."""
    golden.mkdir(parents=True, exist_ok=True)
    disks = {"disk.raw": [out / "disk.raw"], "disk.E01": [out / "disk.E01"]}
    disks["disk.split"] = split_parts
    jobs: dict[str, list[str | Path]] = {
        "usb_fat.img.fls.txt": ["fls", "-r", "-p", "-l", out / "usb_fat.img"]
    }
    for name, paths in disks.items():
        jobs[f"{name}.mmls.txt"] = ["mmls", *paths]
        for number, start in ((1, FAT_START), (2, EXT_START)):
            fls: list[str | Path] = ["fls", "-r", "-p", "-l", "-o", str(start)]
            jobs[f"{name}.p{number}.fls.txt"] = [*fls, *paths]
    for name, cmd in jobs.items():
        (golden / name).write_text(run(*cmd, clock=False), encoding="utf-8")
    return [golden / name for name in sorted(jobs)]


def write_manifest(out: Path, images: list[Path]) -> Path:
    """Write MANIFEST.sha256 (sha256sum format, paths relative to ``out``)."""
    names = sorted(p.relative_to(out).as_posix() for p in images)
    lines = [f"{hashlib.sha256((out / n).read_bytes()).hexdigest()}  {n}" for n in names]
    manifest = out / "MANIFEST.sha256"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def build_all(out: Path, golden: Path) -> list[Path]:
    """Build every image into ``out`` and the golden listings into ``golden``."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "split", ignore_errors=True)
    for stale in ("disk.raw", "disk.E01", "usb_fat.img"):
        (out / stale).unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="evcat-build-") as tmp:
        work = Path(tmp)
        write_tree(work / "tree")
        build_disk(out / "disk.raw", work / "tree", work)
        build_usb(out / "usb_fat.img", work / "tree")
        shutil.move(build_ewf(out / "disk.raw", work / "disk"), out / "disk.E01")
    parts = build_split(out / "disk.raw", out / "split")
    images = [out / "disk.raw", out / "disk.E01", out / "usb_fat.img", *parts]
    return [*images, write_manifest(out, images), *write_golden(out, golden, parts)]


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, check tools, build, and list what was written."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    golden = REPO / "tests" / "golden"
    parser.add_argument("--out", type=Path, default=HERE, help="where images go")
    parser.add_argument("--golden", type=Path, default=golden, help="mmls/fls output")
    args = parser.parse_args(argv)
    check_tools()
    for path in build_all(args.out.resolve(), args.golden.resolve()):
        print(f"{path.stat().st_size:>10}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
