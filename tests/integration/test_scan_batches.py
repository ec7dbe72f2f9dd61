"""Row batches are cut by extracted text as well as by count, and the catalog is the same."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from catalog import documentrows, evidencescan
from catalog.pipeline import ScanOptions, scan
from catalog.rowsink import RowSink
from tests.conftest import EXAMINER, SAMPLE_IMAGES

IMAGE = SAMPLE_IMAGES / "disk.E01"


def _contents(case: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    connection = sqlite3.connect(case)
    try:
        files = connection.execute(
            "SELECT path, size, sha256, mime, text_status FROM files ORDER BY path"
        ).fetchall()
        texts = connection.execute(
            "SELECT f.path, t.text FROM texts t JOIN files f USING (file_id) ORDER BY f.path"
        ).fetchall()
    finally:
        connection.close()
    return files, texts


def test_a_batch_is_written_as_soon_as_its_text_reaches_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = ScanOptions(examiner=EXAMINER, workers=1, media_hash=False)
    scan([IMAGE], tmp_path / "whole.db", options)
    written: list[tuple[int, int]] = []
    write = RowSink.write

    def spy(self: RowSink, batch: documentrows.DocumentRows) -> None:
        written.append((len(batch.files), len(batch.texts)))
        write(self, batch)

    monkeypatch.setattr(RowSink, "write", spy)
    monkeypatch.setattr(documentrows, "BATCH_TEXT_CHARS", 1)
    scan([IMAGE], tmp_path / "cut.db", options)

    whole, cut = _contents(tmp_path / "whole.db"), _contents(tmp_path / "cut.db")
    assert cut == whole
    batches_with_text = [texts for _, texts in written if texts]
    # The image holds no archive, so each file with text ends a batch of its own.
    assert len(whole[1]) >= 2
    assert batches_with_text == [1] * len(whole[1])
    assert max(files for files, _ in written) < evidencescan.BATCH_SIZE
