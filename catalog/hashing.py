"""One pass, four digests: MD5, SHA-1, SHA-256 and BLAKE3 fed from the same chunks."""

from __future__ import annotations

import hashlib

import blake3

from catalog.model import Hashes


class MultiHasher:
    """Feed bytes once; read all four digests at the end."""

    __slots__ = ("_blake3", "_md5", "_sha1", "_sha256", "bytes_hashed")

    def __init__(self) -> None:
        """Start four empty digests."""
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha1 = hashlib.sha1(usedforsecurity=False)
        self._sha256 = hashlib.sha256()
        self._blake3 = blake3.blake3()
        self.bytes_hashed = 0

    def update(self, chunk: bytes | memoryview) -> None:
        """Add a chunk to every digest."""
        self._md5.update(chunk)
        self._sha1.update(chunk)
        self._sha256.update(chunk)
        self._blake3.update(chunk)
        self.bytes_hashed += len(chunk)

    def hashes(self) -> Hashes:
        """The four hex digests of everything fed so far."""
        return Hashes(
            md5=self._md5.hexdigest(),
            sha1=self._sha1.hexdigest(),
            sha256=self._sha256.hexdigest(),
            blake3=self._blake3.hexdigest(),
        )


def hash_bytes(data: bytes) -> Hashes:
    """The four digests of a small in-memory buffer (tests, fixtures)."""
    hasher = MultiHasher()
    hasher.update(data)
    return hasher.hashes()
