"""The catalog writer: producers wait once a few batches are queued, and nothing is lost."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlite_utils import Database

from catalog.store import writer as writer_module
from catalog.store.writer import CatalogWriter


def test_producers_wait_while_the_writer_is_busy_and_every_row_lands(tmp_path: Path) -> None:
    case = tmp_path / "case.db"
    writer = CatalogWriter(case)
    writer.call(lambda db: db.execute("CREATE TABLE notes_probe (n INTEGER)"))
    release, busy = threading.Event(), threading.Event()

    def stall(db: Database) -> None:
        busy.set()
        release.wait(30)

    stalled = threading.Thread(target=writer.call, args=(stall,))
    stalled.start()
    assert busy.wait(30)
    queued = 0

    def produce() -> None:
        nonlocal queued
        for index in range(writer_module._QUEUED_BATCHES * 4):
            writer.insert("notes_probe", [{"n": index}])
            queued += 1

    producer = threading.Thread(target=produce)
    producer.start()
    producer.join(1.0)
    assert producer.is_alive()
    assert queued == writer_module._QUEUED_BATCHES
    release.set()
    producer.join(30)
    stalled.join(30)
    writer.close()
    db = Database(str(case))
    assert [row["n"] for row in db.query("SELECT n FROM notes_probe ORDER BY n")] == list(
        range(writer_module._QUEUED_BATCHES * 4)
    )
