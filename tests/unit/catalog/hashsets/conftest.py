from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from catalog.hashsets import HashSetStore


@dataclass(frozen=True)
class Digests:
    md5: str
    sha1: str
    sha256: str

    @property
    def lookup(self) -> tuple[str, str, str]:
        """(sha256, sha1, md5) as HashSetStore.lookup takes them."""
        return self.sha256, self.sha1, self.md5


def digests(data: bytes) -> Digests:
    return Digests(
        hashlib.md5(data).hexdigest(),
        hashlib.sha1(data).hexdigest(),
        hashlib.sha256(data).hexdigest(),
    )


TEAMVIEWER = digests(b"TeamViewer_Setup.exe (fake)")
ANYDESK = digests(b"AnyDesk.exe (fake)")
SCRIPT = digests(b"call-script.docx (fake)")
NOTEPAD = digests(b"notepad.exe (fake)")
OTHER = digests(b"never listed anywhere")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HashSetStore]:
    hash_sets = HashSetStore(tmp_path / "store" / "hashsets.db")
    yield hash_sets
    hash_sets.close()


def write(path: Path, text: str, newline: str = "\n", encoding: str = "utf-8") -> Path:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


RDS_SCHEMA = """
CREATE TABLE PKG (package_id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE FILE_DATA (sha256 VARCHAR, sha1 VARCHAR, md5 VARCHAR, crc32 VARCHAR,
    file_name VARCHAR, file_size INTEGER, package_id INTEGER);
CREATE VIEW FILE AS
    SELECT sha256, sha1, md5, crc32, file_name, file_size, package_id FROM FILE_DATA;
"""


def make_rds(path: Path, rows: list[tuple[object, ...]], schema: str = RDS_SCHEMA) -> Path:
    """An NSRL RDSv3-shaped database: a FILE view over a table, upper-case hex digests.

    rows: (sha256, sha1, md5, file_name, file_size, package_id)
    """
    db = sqlite3.connect(path)
    db.executescript(schema)
    if rows:
        db.executemany(
            "INSERT INTO FILE_DATA (sha256, sha1, md5, crc32, file_name, file_size, package_id)"
            " VALUES (?, ?, ?, '00000000', ?, ?, ?)",
            rows,
        )
    db.commit()
    db.close()
    return path


def rds_row(d: Digests, name: str, size: int = 10, package: int = 1) -> tuple[object, ...]:
    return (d.sha256.upper(), d.sha1.upper(), d.md5.upper(), name, size, package)
