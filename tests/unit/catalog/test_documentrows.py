"""A batch of rows is full by its number of files or by the length of its text."""

from __future__ import annotations

from catalog import documentrows
from catalog.documentrows import DocumentRows


def _rows(*texts: str) -> DocumentRows:
    return DocumentRows(
        files=[{"file_id": f"f{index}"} for index in range(len(texts) or 1)],
        findings=[{"finding_id": "x"}],
        texts=[{"file_id": f"f{index}", "text": text} for index, text in enumerate(texts)],
    )


def test_extend_gathers_rows_and_counts_characters_of_text() -> None:
    batch = DocumentRows()
    batch.extend(_rows("abc", "日本語"))
    batch.extend(_rows())
    assert len(batch.files) == 3
    assert len(batch.findings) == 2
    assert batch.text_chars == 6


def test_a_batch_is_full_at_its_file_count_or_at_the_text_limit() -> None:
    batch = DocumentRows()
    batch.extend(_rows("x" * (documentrows.BATCH_TEXT_CHARS - 1)))
    assert not batch.is_full(max_files=2)
    batch.extend(_rows())
    assert batch.is_full(max_files=2)
    texty = DocumentRows()
    texty.extend(_rows("x" * documentrows.BATCH_TEXT_CHARS))
    assert texty.is_full(max_files=500)
