"""StreamedRegions: the carver gets the media pass's bytes, exactly, without deadlock."""

from __future__ import annotations

import random
import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.carving.tee import StreamedRegions

SIZE = 1 << 20
MEDIA = random.Random(5).randbytes(SIZE)


def read_media(offset: int, length: int) -> bytes:
    return MEDIA[offset : offset + length]


def run_pass(tap: StreamedRegions, chunk: int, stop_at: int = SIZE) -> threading.Thread:
    def media_pass() -> None:
        try:
            for offset in range(0, stop_at, chunk):
                tap.feed(offset, read_media(offset, chunk))
        finally:
            tap.finish()

    thread = threading.Thread(target=media_pass, daemon=True)
    thread.start()
    return thread


@settings(max_examples=60, deadline=None)
@given(
    extents=st.lists(
        st.tuples(st.integers(0, SIZE - 1), st.integers(1, 200_000)), min_size=1, max_size=5
    ),
    reads=st.lists(st.tuples(st.integers(0, SIZE), st.integers(0, 300_000)), max_size=12),
    chunk=st.sampled_from([4096, 65536, 262144]),
    window=st.sampled_from([65536, 1 << 20]),
)
def test_every_read_returns_the_media_bytes_and_nothing_blocks(
    extents: list[tuple[int, int]],
    reads: list[tuple[int, int]],
    chunk: int,
    window: int,
) -> None:
    tap = StreamedRegions(read_media, SIZE, extents, window=window)
    media_pass = run_pass(tap, chunk)
    for offset, length in sorted(reads):
        assert tap.read(offset, length) == read_media(offset, length)
    tap.done()
    media_pass.join(timeout=10)
    assert not media_pass.is_alive()
    assert tap.bytes_from_pass + tap.bytes_reread == sum(
        len(read_media(offset, length)) for offset, length in reads
    )


def test_a_forward_carver_reads_nothing_twice() -> None:
    tap = StreamedRegions(read_media, SIZE, [(0, SIZE)], window=256 << 10)
    media_pass = run_pass(tap, 65536)
    for offset in range(0, SIZE, 100_000):
        assert tap.read(offset, 100_000) == read_media(offset, 100_000)
    tap.done()
    media_pass.join(timeout=10)
    assert (tap.bytes_from_pass, tap.bytes_reread) == (SIZE, 0)


def test_bytes_outside_the_regions_are_not_kept_and_are_read_again() -> None:
    tap = StreamedRegions(read_media, SIZE, [(0, 65536)])
    run_pass(tap, 65536).join(timeout=10)
    assert tap.read(0, 100) == read_media(0, 100)
    assert tap.read(500_000, 100) == read_media(500_000, 100)
    assert (tap.bytes_from_pass, tap.bytes_reread) == (100, 100)


def test_a_pass_that_stops_early_leaves_the_carver_reading_for_itself() -> None:
    tap = StreamedRegions(read_media, SIZE, [(0, SIZE)])
    run_pass(tap, 65536, stop_at=65536 * 3).join(timeout=10)  # then finish(): cancelled
    assert tap.read(SIZE - 10, 100) == read_media(SIZE - 10, 10)
    assert tap.bytes_reread == 10


def test_reads_outside_the_medium_are_empty() -> None:
    tap = StreamedRegions(read_media, SIZE, [(0, SIZE)])
    tap.finish()
    assert tap.read(SIZE, 10) == b""
    assert tap.read(-5, 10) == b""


def test_a_cancelled_carver_stops_reading_at_once() -> None:
    tap = StreamedRegions(read_media, SIZE, [(0, SIZE)])
    tap.cancel()  # no media pass at all: the read must not wait for one
    try:
        tap.read(0, 10)
    except OSError as exc:
        assert "cancelled" in str(exc)
    else:
        raise AssertionError("a cancelled carver read bytes")
