"""Docs that can drift are tested: parsers and CLI commands are all documented."""

from __future__ import annotations

import click

import parsers
from catalog.cli import main
from tests.conftest import PROJECT_ROOT


def _commands(group: click.Group, prefix: str = "evcat") -> list[str]:
    found: list[str] = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append(f"{prefix} {name}")
    return found


def test_every_cli_command_is_in_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    missing = [command for command in _commands(main) if f"`{command}" not in readme]
    assert missing == []


def test_every_registered_parser_is_in_docs_parsers() -> None:
    text = (PROJECT_ROOT / "docs" / "parsers.md").read_text()
    registries = (parsers.SOURCES, parsers.EXTRACTORS, parsers.ARCHIVES, parsers.DETECTORS)
    missing = [p.name for r in registries for p in r.all() if f"`{p.name}`" not in text]
    missing += [u.name for r in registries for u in r.unavailable() if f"`{u.name}`" not in text]
    assert missing == []


def test_readme_test_command_is_what_ci_runs() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    command = "pip install '.[test]' && python -m pytest -n auto"
    assert command in readme
    assert ci.strip().splitlines()[-1] == command
