"""Tests of the pure-Python AFF reader: ground-truth media hashes and hostile files.

The real image (``ntfs1-gen0.aff`` from The Sleuth Kit's fiwalk tests) lives in the shared
corpus beside the project and is only read; the other images are built here, byte by
byte, so the reader is checked against every page encoding without AFFLIB installed.
"""

from __future__ import annotations

import hashlib
import json
import lzma
import random
import struct
import threading
import time
import zlib
from pathlib import Path

import pytest

from catalog.errors import EvidenceError, ImageOpenError
from parsers.source import EvidenceSource
from parsers.sources import aff
from parsers.sources.aff import AFF_MAGIC, AffParser, AffSource

CORPUS = Path(__file__).resolve().parents[4] / ".." / "shared" / "corpus"
NTFS_AFF = CORPUS / "ntfs1-gen0.aff"
needs_corpus = pytest.mark.skipif(
    not NTFS_AFF.exists(), reason=f"shared corpus image {NTFS_AFF} is not present"
)
slow = pytest.mark.slow  # reconciliation against ../shared/corpus (see pyproject markers)

MIB = 1024 * 1024
PAGE = 4096

# page0 and page1 of an image written by AFFLIB 3.7.20 with LZMA compression (page size
# 4096): real "alone" streams with a known size, as lzma_glue.cpp writes them.
AFFLIB_LZMA_PAGE0 = bytes.fromhex(
    "5d00000001001000000000000000329d88898a313095dc86e48020d657d360a238d4ebf3faa77eb51ac0"
    "cbf697ed39cc5e41569993972fa2e11b1707955ef4d11fd43748e6159e1f54d61226ce21733447f78026"
    "b6f8033aa2f44eb3713160dd64f8e0f04d1396bf4142abd6511b911768ddbc9588863a51e272f3f30c17"
    "c10fb994f485ddaa3b9e4c421fd5b95f7d775a3d675f098095f4b6a55be2062bab4d73b42081e73fa7c3"
    "cf987e5cf4a13a852f1b37aa22e0437d949f82ebd32f2b1c1684b29e7f2e9c600b917aea8e40bad90d66"
    "ff054d07436aab3e5c56b5772e5066dbd66be8051a73ffc9d8c1e8151ec580ad3d5668a6586a64399916"
    "c56bd2b75e73c3fdc4a4d1b19f2b1096952720"
)
AFFLIB_LZMA_PAGE0_TEXT = b"".join(b"evcat lzma page %04d\n" % i for i in range(200))[:PAGE]
AFFLIB_LZMA_PAGE1 = bytes.fromhex(
    "5d000000011f00000000000000003a184972593c4fc2e38c3adb3ef3968fb2a725051433c4b7056cd235"
    "c3929568c3ce1a"
)
AFFLIB_LZMA_PAGE1_TEXT = b"tail bytes of a short last page"


def segment(name: bytes, data: bytes = b"", flag: int = 0) -> bytes:
    """One AFF segment: header, name, data and tail."""
    head = struct.pack(">4sIII", b"AFF\x00", len(name), len(data), flag)
    tail = struct.pack(">4sI", b"ATT\x00", 24 + len(name) + len(data))
    return head + name + data + tail


def quad(value: int) -> bytes:
    """AFFLIB's 8-byte quad: low u32 then high u32, both big-endian."""
    return struct.pack(">II", value & 0xFFFFFFFF, value >> 32)


def zlib_page(data: bytes) -> bytes:
    """A zlib-compressed page segment body and flag."""
    return zlib.compress(data, 9)


def build(*segments: bytes) -> bytes:
    """An AFF file from segments."""
    return AFF_MAGIC + b"".join(segments)


def write(tmp_path: Path, content: bytes, name: str = "image.aff") -> Path:
    """Write ``content`` to a file in ``tmp_path``."""
    path = tmp_path / name
    path.write_bytes(content)
    return path


def read_all(source: AffSource, chunk: int = MIB) -> bytes:
    """The whole media, read in ``chunk``-sized pieces."""
    parts = []
    offset = 0
    while piece := source.read(offset, chunk):
        parts.append(piece)
        offset += len(piece)
    return b"".join(parts)


@pytest.fixture(name="mixed")
def fixture_mixed(tmp_path: Path) -> tuple[Path, bytes]:
    """An image using every page encoding, an absent page and a short page, with its media."""
    rng = random.Random(7)
    noise = rng.randbytes(PAGE)
    text = b"".join(b"line %05d of text\n" % i for i in range(400))[:PAGE]
    pages = [
        segment(b"page0", zlib_page(text), aff.PAGE_COMPRESSED),
        segment(b"page1", noise),  # stored uncompressed
        segment(b"page2", struct.pack(">I", PAGE), 0x33),  # all zeros, AFFLIB's flag
        segment(b"page3", AFFLIB_LZMA_PAGE0, 0x21),
        # page4 is absent
        segment(b"page5", b"short page"),  # valid bytes end early: the rest reads as zeros
        segment(b"page6", AFFLIB_LZMA_PAGE1, 0x21),
    ]
    media_size = 6 * PAGE + len(AFFLIB_LZMA_PAGE1_TEXT)
    expected = (
        text
        + noise
        + bytes(PAGE)
        + AFFLIB_LZMA_PAGE0_TEXT
        + bytes(PAGE)
        + b"short page".ljust(PAGE, b"\x00")
        + AFFLIB_LZMA_PAGE1_TEXT
    )
    md5 = hashlib.md5(expected).digest()
    content = build(
        segment(b"badflag", b"BAD SECTOR\x00".ljust(512, b"\xee")),
        segment(b"sectorsize", flag=512),
        segment(b"pagesize", flag=PAGE),
        segment(b"", bytes(40)),  # free space left by a rewritten segment
        *pages,
        segment(b"page0_md5", b"\x01" * 16),  # per-page hash, not a page
        segment(b"md5", md5),
        segment(b"imagesize", quad(media_size), 2),
    )
    return write(tmp_path, content), expected


@slow
@needs_corpus
def test_ground_truth_media_hashes() -> None:
    """Reading all of ntfs1-gen0.aff in 1 MiB chunks gives TSK's size, MD5 and SHA-256."""
    truth = json.loads((CORPUS / "ntfs1-gen0.aff.gt.json").read_text())["media"]
    md5, sha256, size = hashlib.md5(), hashlib.sha256(), 0
    source = AffParser().open(NTFS_AFF)
    try:
        while piece := source.read(size, MIB):
            md5.update(piece)
            sha256.update(piece)
            size += len(piece)
        info = source.info
    finally:
        source.close()
    assert (size, md5.hexdigest(), sha256.hexdigest()) == (
        truth["size"],
        truth["md5"],
        truth["sha256"],
    )
    assert info.media_size == truth["size"]
    assert info.format == "aff"
    assert info.segments[0].size == NTFS_AFF.stat().st_size
    assert dict(info.stored_hashes)["md5"] == truth["md5"]
    assert dict(info.stored_hashes)["sha256"] == truth["sha256"]


@slow
@needs_corpus
def test_ground_truth_random_reads_match_full_read() -> None:
    """Reads at random offsets, across 16 MiB page boundaries, equal slices of a full read."""
    source = AffSource(NTFS_AFF)
    try:
        cases = _random_cases(source.info.media_size, source.page_size, seed=1)
        expected = _slices_of_full_read(source, cases)
        for case in cases:
            assert source.read(*case) == expected[case], case
    finally:
        source.close()


def test_mixed_image_reads_every_encoding(mixed: tuple[Path, bytes]) -> None:
    """zlib, raw, zero, AFFLIB LZMA, absent and short pages all read as AFFLIB reads them."""
    path, expected = mixed
    with_source = AffSource(path)
    assert read_all(with_source, 1000) == expected
    assert with_source.info.media_size == len(expected)
    assert with_source.info.stored_hashes == (("md5", hashlib.md5(expected).hexdigest()),)
    assert any("1 of 7 pages are absent" in note for note in with_source.info.notes)
    with_source.close()


def test_mixed_image_random_reads_match_full_read(mixed: tuple[Path, bytes]) -> None:
    """Random reads spanning page boundaries equal the same slice of the full media."""
    path, expected = mixed
    source = AffSource(path)
    _check_random_reads(source, expected, PAGE, seed=2)
    source.close()


def _random_cases(size: int, page_size: int, seed: int) -> list[tuple[int, int]]:
    """(offset, length) reads straddling every page boundary, random ones, and end cases."""
    rng = random.Random(seed)
    boundaries = range(page_size, size, page_size)
    cases = [(b - rng.randint(1, 600), rng.randint(601, 70_000)) for b in boundaries]
    cases += [(rng.randrange(size), rng.randint(0, 70_000)) for _ in range(40)]
    cases += [(page_size - 100, page_size + 200), (size - 2 * page_size - 7, 2 * page_size)]
    return [*cases, (size - 10, 100), (size, 10), (size + 5, 10), (0, 0)]


def _slices_of_full_read(
    source: AffSource, cases: list[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    """The bytes each case covers, cut from one sequential 1 MiB-chunk read of the media."""
    found = {case: bytearray() for case in cases}
    offset = 0
    while piece := source.read(offset, MIB):
        end = offset + len(piece)
        for (start, length), into in found.items():
            low, high = max(start, offset), min(start + length, end)
            if low < high:
                into += piece[low - offset : high - offset]
        offset = end
    return {case: bytes(value) for case, value in found.items()}


def _check_random_reads(source: AffSource, media: bytes, page_size: int, seed: int) -> None:
    """Compare boundary-straddling and random reads with slices of ``media``."""
    for offset, length in _random_cases(len(media), page_size, seed):
        assert source.read(offset, length) == media[offset : offset + length], (offset, length)


def test_read_is_short_only_at_end(mixed: tuple[Path, bytes]) -> None:
    """A read past the end is cut at the media size; beyond it, reads are empty."""
    path, expected = mixed
    source = AffSource(path)
    assert len(source.read(len(expected) - 3, 10)) == 3
    assert source.read(len(expected), 10) == b""
    with pytest.raises(ValueError, match="negative"):
        source.read(-1, 10)
    source.close()


def test_concurrent_reads(mixed: tuple[Path, bytes]) -> None:
    """Several threads reading at once each get the right bytes."""
    path, expected = mixed
    source = AffSource(path)
    failures: list[tuple[int, int]] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(200):
            offset, length = rng.randrange(len(expected)), rng.randint(1, 3 * PAGE)
            if source.read(offset, length) != expected[offset : offset + length]:
                failures.append((offset, length))

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    source.close()
    assert failures == []


def test_cache_stays_within_budget(
    mixed: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With tiny budgets the cache stays within them and reads stay correct."""
    monkeypatch.setattr(aff, "CACHE_BYTES", PAGE)
    monkeypatch.setattr(aff, "CACHE_PAGES", 2)
    path, expected = mixed
    source = AffSource(path)
    for chunk in (777, PAGE, 3 * PAGE):
        assert read_all(source, chunk) == expected
        cache = source._cache  # private on purpose: the bound is what is tested
        assert len(cache) <= 2
        assert sum(map(len, cache.values())) <= PAGE
    source.close()


def test_legacy_names_and_inferred_size(tmp_path: Path) -> None:
    """Old ``segsize``/``segN`` files without ``imagesize`` are sized from the last page."""
    body = b"legacy" * 100
    path = write(
        tmp_path,
        build(
            segment(b"segsize", flag=PAGE),
            segment(b"seg0", zlib_page(body), aff.PAGE_COMPRESSED),
            segment(b"seg2", b"end"),
        ),
    )
    source = AffSource(path)
    assert source.info.media_size == 2 * PAGE + 3
    assert read_all(source) == body.ljust(PAGE, b"\x00") + bytes(PAGE) + b"end"
    source.close()


def test_only_canonical_page_names_count(tmp_path: Path) -> None:
    """``page01`` is not page 1 (AFFLIB never looks it up), nor is ``page1_md5``."""
    path = write(
        tmp_path,
        build(
            segment(b"pagesize", flag=PAGE),
            segment(b"page01", b"wrong"),
            segment(b"page1_md5", b"wrong"),
            segment(b"page1", b"right"),
            segment(b"page9", b"beyond the end"),
            segment(b"imagesize", quad(2 * PAGE), 2),
        ),
    )
    source = AffSource(path)
    assert source.read(PAGE, 5) == b"right"
    assert source.read(0, PAGE) == bytes(PAGE)
    assert any("1 page segments lie past imagesize" in note for note in source.info.notes)
    source.close()


def test_huge_sparse_media_opens_quickly(tmp_path: Path) -> None:
    """An imagesize of 2**62 with page size 1 neither hangs nor allocates: pages are absent."""
    path = write(
        tmp_path,
        build(segment(b"pagesize", flag=1), segment(b"imagesize", quad(2**62), 2)),
    )
    started = time.monotonic()
    source = AffSource(path)
    assert source.info.media_size == 2**62
    assert source.read(2**62 - 3, 10) == bytes(3)
    assert time.monotonic() - started < 1.0
    source.close()


def test_unknown_size_lzma_page(tmp_path: Path) -> None:
    """An "alone" LZMA stream with the unknown-size marker also decodes."""
    body = b"abc" * 1000
    path = write(
        tmp_path,
        build(
            segment(b"pagesize", flag=PAGE),
            segment(b"page0", lzma.compress(body, format=lzma.FORMAT_ALONE), 0x21),
            segment(b"imagesize", quad(PAGE), 2),
        ),
    )
    source = AffSource(path)
    assert source.read(0, PAGE) == body.ljust(PAGE, b"\x00")
    source.close()


def test_corrupt_page_raises_evidence_error(tmp_path: Path) -> None:
    """A page whose zlib stream is damaged fails the read with an EvidenceError."""
    damaged = bytearray(zlib_page(bytes(range(256)) * 16))
    damaged[10:20] = b"\xff" * 10
    path = write(
        tmp_path,
        build(
            segment(b"pagesize", flag=PAGE),
            segment(b"page0", bytes(damaged), aff.PAGE_COMPRESSED),
            segment(b"imagesize", quad(PAGE), 2),
        ),
    )
    source = AffSource(path)
    with pytest.raises(EvidenceError, match="page 0"):
        source.read(0, 10)
    source.close()


def test_read_after_close_raises(mixed: tuple[Path, bytes]) -> None:
    """A closed source refuses reads of pages it no longer has."""
    source = AffSource(mixed[0])
    source.close()
    with pytest.raises(EvidenceError, match="closed"):
        source.read(0, 10)


def test_source_implements_protocol(mixed: tuple[Path, bytes]) -> None:
    """AffSource is an EvidenceSource and reports the file as its one segment."""
    path, _ = mixed
    source = AffParser().open(path)
    assert isinstance(source, EvidenceSource)
    assert source.info.segments[0].path == str(path)
    assert source.info.sector_size == 512
    source.close()


def _valid_image() -> bytes:
    """A small well-formed image, to be damaged by the hostile cases."""
    return build(
        segment(b"pagesize", flag=PAGE),
        segment(b"page0", b"x" * 100),
        segment(b"imagesize", quad(PAGE), 2),
    )


HOSTILE = {
    "magic only plus 4 bytes": AFF_MAGIC + b"AFF\x00",
    "truncated mid-segment": _valid_image()[:-30],
    "4 GiB data length": (
        AFF_MAGIC + struct.pack(">4sIII", b"AFF\x00", 5, 0xFFFFFFFF, 0) + b"page0" + bytes(64)
    ),
    "absurd name length": (
        AFF_MAGIC + struct.pack(">4sIII", b"AFF\x00", 0xFFFFFF00, 0, 0) + bytes(64)
    ),
    "garbage after magic": AFF_MAGIC + b"\x00" * 64,
    "damaged tail": _valid_image()[:-4] + b"\x00\x00\x00\x01",
    "no pagesize": build(segment(b"page0", b"x"), segment(b"imagesize", quad(1), 2)),
    "zero pagesize": build(segment(b"pagesize", flag=0), segment(b"imagesize", quad(1), 2)),
    "no data at all": AFF_MAGIC,
    "wrong magic": b"AFF11\r\n\x00" + _valid_image()[8:],
    "encrypted pages": build(
        segment(b"pagesize", flag=PAGE),
        segment(b"affkey_aes256", bytes(52)),
        segment(b"page0/aes256", bytes(128)),
        segment(b"imagesize", quad(PAGE), 2),
    ),
    "AFM metadata file": build(segment(b"aff_file_type", b"AFM"), segment(b"pagesize", flag=PAGE)),
    "bzip page": build(segment(b"pagesize", flag=PAGE), segment(b"page0", b"BZh9", 0x11)),
    "imagesize past 2**63": build(
        segment(b"pagesize", flag=PAGE), segment(b"imagesize", quad(2**64 - 1), 2)
    ),
    "page larger than page size": build(
        segment(b"pagesize", flag=16), segment(b"page0", bytes(17))
    ),
}


@pytest.mark.parametrize("content", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_files_raise_image_open_error(tmp_path: Path, content: bytes) -> None:
    """Damaged or unsupported files fail fast with a one-line ImageOpenError naming the file."""
    path = write(tmp_path, content)
    started = time.monotonic()
    with pytest.raises(ImageOpenError) as caught:
        AffParser().open(path)
    assert time.monotonic() - started < 1.0
    message = str(caught.value)
    assert str(path) in message
    assert "\n" not in message


def test_encrypted_message_is_clear(tmp_path: Path) -> None:
    """Encrypted pages are named as such, not reported as corruption."""
    path = write(tmp_path, HOSTILE["encrypted pages"])
    with pytest.raises(ImageOpenError, match="encrypted"):
        AffSource(path)


def test_missing_file_is_evidence_error(tmp_path: Path) -> None:
    """A path that does not exist raises an EvidenceError subclass."""
    with pytest.raises(EvidenceError):
        AffSource(tmp_path / "absent.aff")


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"AFF",
        b"AFF10\r\n",
        b"AFF11\r\n\x00",
        b"EVF\x09\x0d\x0a\xff\x00",
        b"PK\x03\x04",
        b"\x00" * 512,
        b"KDMV",
    ],
)
def test_detect_rejects_other_heads(head: bytes) -> None:
    """Only the AFF10 magic is detected."""
    assert AffParser().detect(Path("x.aff"), head) is False


def test_detect_accepts_magic() -> None:
    """The AFF10 magic with anything after it is detected."""
    assert AffParser().detect(Path("x"), AFF_MAGIC + b"AFF\x00") is True
