from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_IMAGES = PROJECT_ROOT / "sample_images"
GOLDEN = PROJECT_ROOT / "tests" / "golden"
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus"
EXAMINER = "Test Examiner"

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS} (../shared/corpus)"
)


@pytest.fixture(autouse=True)
def examiner_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test acts as EXAMINER, never reads the developer's own evcat config or store."""
    monkeypatch.setenv("EVCAT_EXAMINER", EXAMINER)
    monkeypatch.setenv("EVCAT_CONFIG", str(tmp_path_factory.getbasetemp() / "no-config.toml"))
    monkeypatch.setenv("EVCAT_HASHSETS", str(tmp_path_factory.getbasetemp() / "no-store.db"))
    monkeypatch.delenv("EVCAT_SIGNING_KEY", raising=False)


@pytest.fixture
def case_path(tmp_path: Path) -> Path:
    """A case catalog path in a folder of its own (never beside evidence)."""
    folder = tmp_path / "case"
    folder.mkdir()
    return folder / "case.db"


@pytest.fixture
def open_db() -> Iterator[object]:
    connections: list[sqlite3.Connection] = []

    def opener(path: Path) -> sqlite3.Connection:
        connection = sqlite3.connect(path)
        connection.row_factory = sqlite3.Row
        connections.append(connection)
        return connection

    yield opener
    for connection in connections:
        connection.close()


def query(case: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """The rows of one read-only query on a case catalog, as tuples."""
    connection = sqlite3.connect(f"{case.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()
