"""The custody log: entries chain by hash, carry who acted, and cannot be rewritten."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from catalog.case import CaseFacts, create_case
from catalog.custody import log
from catalog.custody.canonical import sha256_hex
from catalog.custody.log import GENESIS, Actor
from catalog.errors import UsageError
from catalog.store import open_catalog


def test_entries_chain_and_record_the_actor(tmp_path: Path) -> None:
    db = open_catalog(tmp_path / "case.db")
    actor = Actor("E. Xaminer", host="lab-01", tool="evcat 9.9", libraries=(("pytsk3", "1"),))
    with db.atomic():
        create_case(db, CaseFacts(case_number="K-1"), actor)
        log.append(db, "note.added", actor, {"text": "台本"})
    first, second = list(log.entries(db))
    db.close()
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.entry_hash
    assert second.entry_hash == sha256_hex(first.entry_hash + "\n" + second.body)
    fields = second.fields
    assert (fields["seq"], fields["action"], fields["examiner"]) == (2, "note.added", "E. Xaminer")
    assert (fields["host"], fields["tool_version"]) == ("lab-01", "evcat 9.9")
    assert fields["libraries"] == {"pytsk3": "1"}
    assert fields["time"].endswith("Z")
    assert fields["case_id"] == first.details["case"]["case_id"]


def test_actor_without_a_name_is_refused() -> None:
    with pytest.raises(UsageError, match="examiner"):
        Actor("  ")


def test_a_failed_action_leaves_no_entry(tmp_path: Path) -> None:
    db = open_catalog(tmp_path / "case.db")
    actor = Actor("E. Xaminer")
    with pytest.raises(RuntimeError), db.atomic():
        log.append(db, "case.created", actor, {})
        raise RuntimeError("the action failed")
    assert log.head(db) is None
    db.close()


def test_default_actor_names_real_library_versions() -> None:
    libraries = dict(Actor("E. Xaminer").libraries)
    assert libraries["pytsk3/libtsk"] not in ("missing", "unknown")
    assert libraries["libmagic"]


def test_custody_rows_cannot_be_updated_or_deleted(tmp_path: Path) -> None:
    path = tmp_path / "case.db"
    db = open_catalog(path)
    with db.atomic():
        create_case(db, CaseFacts(), Actor("E. Xaminer"))
    db.close()
    connection = sqlite3.connect(path)
    for statement in ("UPDATE custody_log SET prev_hash = 'x'", "DELETE FROM case_info"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute(statement)
    connection.close()
