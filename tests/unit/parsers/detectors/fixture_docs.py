"""Extractions built from the labelled fixture sources, for the document detectors' tests."""

from __future__ import annotations

from parsers.extractor import Extraction, Table
from tests.fixtures.artefacts import SourceDocument, source_documents


def extraction(doc: SourceDocument, *, with_tables: bool = True) -> Extraction:
    """What an extractor should recover from ``doc``: its text, markup and tables."""
    tables = tuple(Table(name, header, rows, len(rows)) for name, header, rows in doc.tables)
    return Extraction(
        kind="html" if doc.markup is not None else "plain",
        text=doc.text,
        markup=doc.markup,
        tables=tables if with_tables else (),
    )


DOCS = list(source_documents())
