from __future__ import annotations

import hashlib
import itertools

import blake3
from hypothesis import given
from hypothesis import strategies as st

from catalog.hashing import MultiHasher, hash_bytes
from catalog.model import Hashes


def _reference(data: bytes) -> Hashes:
    return Hashes(
        md5=hashlib.md5(data).hexdigest(),
        sha1=hashlib.sha1(data).hexdigest(),
        sha256=hashlib.sha256(data).hexdigest(),
        blake3=blake3.blake3(data).hexdigest(),
    )


def test_empty_input_gives_the_well_known_empty_digests() -> None:
    hashes = MultiHasher().hashes()
    assert hashes.md5 == "d41d8cd98f00b204e9800998ecf8427e"
    assert hashes.sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    assert hashes.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert hashes.blake3 == "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"


@given(st.binary(max_size=4096))
def test_digests_equal_hashlib_and_blake3(data: bytes) -> None:
    assert hash_bytes(data) == _reference(data)


@st.composite
def _data_and_cuts(draw: st.DrawFn) -> tuple[bytes, list[int]]:
    data = draw(st.binary(max_size=8192))
    cuts = draw(st.lists(st.integers(min_value=0, max_value=len(data)), max_size=20))
    return data, sorted(cuts)


@given(_data_and_cuts())
def test_feeding_in_chunks_equals_feeding_at_once(data_and_cuts: tuple[bytes, list[int]]) -> None:
    data, cuts = data_and_cuts
    bounds = [0, *cuts, len(data)]
    hasher = MultiHasher()
    for start, end in itertools.pairwise(bounds):
        hasher.update(data[start:end])  # includes empty chunks where cuts repeat
    assert hasher.hashes() == hash_bytes(data)
    assert hasher.bytes_hashed == len(data)


def test_bytes_hashed_counts_every_chunk() -> None:
    hasher = MultiHasher()
    hasher.update(b"abc")
    hasher.update(b"")
    hasher.update(b"defg")
    assert hasher.bytes_hashed == 7


def test_digests_can_be_read_midway_and_feeding_continues() -> None:
    hasher = MultiHasher()
    hasher.update(b"first")
    assert hasher.hashes() == _reference(b"first")
    hasher.update(b" second")
    assert hasher.hashes() == _reference(b"first second")


def test_digests_are_lower_case_hex_of_the_right_length() -> None:
    hashes = hash_bytes(b"evidence")
    for digest, length in (
        (hashes.md5, 32),
        (hashes.sha1, 40),
        (hashes.sha256, 64),
        (hashes.blake3, 64),
    ):
        assert len(digest) == length
        assert digest == digest.lower()
        int(digest, 16)
