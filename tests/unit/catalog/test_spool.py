"""The spool keeps a bounded copy of a file, in memory or in a private temporary file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from catalog.spool import IN_MEMORY_BYTES, Spool, open_spooled


def test_small_content_stays_in_memory_and_reads_back() -> None:
    spool = Spool(cap=1 << 20, expected_size=5)
    spool.write(b"hel")
    spool.write(b"lo")
    data = spool.seal()
    assert data == b"hello"
    assert spool.is_complete and spool.size == 5
    with open_spooled(data) as stream:
        assert stream.read() == b"hello"


def test_large_content_goes_to_a_private_temporary_file_that_discard_removes() -> None:
    spool = Spool(cap=4 << 20, expected_size=3 << 20)
    chunk = os.urandom(1 << 20)
    for _ in range(3):
        spool.write(chunk)
    path = spool.seal()
    assert isinstance(path, str)
    assert Path(path).stat().st_size == 3 << 20
    assert stat.S_IMODE(Path(path).stat().st_mode) == 0o600
    with open_spooled(path) as stream:
        assert stream.read(1 << 20) == chunk
    spool.discard()
    assert not Path(path).exists()
    spool.discard()  # twice is harmless


def test_the_cap_cuts_the_copy_and_says_so() -> None:
    spool = Spool(cap=IN_MEMORY_BYTES + 10, expected_size=IN_MEMORY_BYTES + 100)
    spool.write(b"a" * IN_MEMORY_BYTES)
    spool.write(b"b" * 100)
    assert spool.size == IN_MEMORY_BYTES + 10
    assert not spool.is_complete
    path = spool.seal()
    assert isinstance(path, str)
    assert Path(path).read_bytes().endswith(b"a" + b"b" * 10)
    spool.discard()
