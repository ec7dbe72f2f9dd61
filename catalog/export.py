"""Court-ready exports of a case catalog. The CSV lists every catalogued entry."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

from catalog.csvsafe import neutralise_cell
from catalog.store import open_catalog_readonly, queries

if TYPE_CHECKING:
    from pathlib import Path


def export_csv(case: Path, output: Path) -> int:
    """Write one row per catalogued entry to ``output``; return the number of rows.

    The column order is fixed (``queries.EXPORT_COLUMNS``), rows are in a stable order
    and every cell is neutralised, so the same case always gives the same bytes.

    Raises:
        CatalogError: the case catalog cannot be opened.
    """
    db = open_catalog_readonly(case)
    count = 0
    try:
        with output.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(queries.EXPORT_COLUMNS)
            for row in queries.export_rows(db):
                writer.writerow([neutralise_cell(row[column]) for column in queries.EXPORT_COLUMNS])
                count += 1
    finally:
        db.close()
    return count
