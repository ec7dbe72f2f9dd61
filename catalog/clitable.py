"""Rows on stdout for a person or a pipe: tab-separated with controls escaped, or JSON lines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import click

from catalog.csvsafe import clean_text, escape_controls


def emit_rows(rows: Iterable[dict[str, Any]], columns: tuple[str, ...], as_json: bool) -> int:
    """Write rows to stdout, one per line (a header line first unless JSON); returns how many."""
    count = 0
    if not as_json:
        click.echo("\t".join(columns))
    for row in rows:
        values = {column: row.get(column) for column in columns}
        if as_json:
            click.echo(json.dumps(values, ensure_ascii=False, sort_keys=True))
        else:
            click.echo("\t".join(_cell(values[column]) for column in columns))
        count += 1
    return count


def _cell(value: object) -> str:
    text = "" if value is None else clean_text(str(value))
    return escape_controls(text.replace("\t", " ").replace("\n", " "))
