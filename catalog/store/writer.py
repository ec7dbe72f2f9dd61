"""The single catalog writer: one thread owns the write connection.

Producers hand it row batches (``upsert``/``insert``) or whole operations (``call``). Row
batches are turned into parameter tuples on the producer's side and applied with one
``executemany`` each; batches queued back to back share one transaction. Nothing else
writes to the catalog during a run, so SQLite never sees two writers.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from catalog.errors import CatalogError
from catalog.store import open_catalog

T = TypeVar("T")
Row = dict[str, Any]
_STOP = object()
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_QUEUED_BATCHES = 8
"""Batches waiting for the writer: producers block beyond this, so rows in flight stay few
(a walk that outruns the writer would otherwise pile up tens of MiB of rows)."""
_MAX_COALESCED = _QUEUED_BATCHES


@dataclass(frozen=True, slots=True)
class _RowBatch:
    """Rows of one table as SQL plus parameter tuples."""

    sql: str
    values: list[tuple[Any, ...]]

    def __call__(self, db: Database) -> None:
        db.conn.executemany(self.sql, self.values)


def row_batch(table: str, rows: Sequence[Row], verb: str) -> _RowBatch:
    """``rows`` of ``table`` as one ``executemany``; names are checked, values are parameters.

    Raises:
        ValueError: a table or column name is not a plain catalog identifier.
    """
    columns = tuple(rows[0])
    if not all(_IDENTIFIER.fullmatch(name) for name in (table, *columns)):
        raise ValueError(f"not a catalog identifier in {table}{columns}")
    placeholders = ", ".join("?" * len(columns))
    sql = f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
    return _RowBatch(sql, [tuple(row[name] for name in columns) for row in rows])


class CatalogWriter:
    """Serialises every write to one case catalog through one thread."""

    def __init__(self, path: Path) -> None:
        """Open the catalog in a dedicated thread.

        Raises:
            CatalogError: the catalog cannot be opened.
        """
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=_QUEUED_BATCHES)
        self._failure: BaseException | None = None
        ready: Future[None] = Future()
        self._thread = threading.Thread(
            target=self._run, args=(path, ready), name="catalog-writer", daemon=True
        )
        self._thread.start()
        ready.result()

    def _run(self, path: Path, ready: Future[None]) -> None:
        try:
            db = open_catalog(path)
        except BaseException as exc:  # broad by design: handed to the opener through the future
            ready.set_exception(exc)
            return
        ready.set_result(None)
        carried: Any = None
        while True:
            item = carried if carried is not None else self._queue.get()
            carried = None
            if item is _STOP:
                db.close()
                return
            operation, future = item
            if future is not None:
                self._run_call(db, operation, future)
                continue
            batches = [operation]
            while len(batches) < _MAX_COALESCED:
                try:
                    following = self._queue.get_nowait()
                except queue.Empty:
                    break
                if following is _STOP or following[1] is not None:
                    carried = following
                    break
                batches.append(following[0])
            self._run_batches(db, batches)

    def _run_call(
        self, db: Database, operation: Callable[[Database], Any], future: Future[Any]
    ) -> None:
        try:
            with db.atomic():
                result = operation(db)
        except BaseException as exc:  # broad by design: per-operation boundary, re-raised by caller
            future.set_exception(exc)
            return
        future.set_result(result)

    def _run_batches(self, db: Database, batches: list[Callable[[Database], Any]]) -> None:
        try:
            with db.atomic():
                for batch in batches:
                    batch(db)
        except BaseException as exc:  # broad by design: reported by the next _check()
            self._failure = self._failure or exc

    def _check(self) -> None:
        if self._failure is not None:
            raise CatalogError(f"catalog write failed: {self._failure}") from self._failure

    def call(self, operation: Callable[[Database], T]) -> T:
        """Run ``operation(db)`` in one transaction and wait for its result."""
        self._check()
        future: Future[T] = Future()
        self._queue.put((operation, future))
        return future.result()

    def upsert(self, table: str, rows: Sequence[Row], pk: str) -> None:
        """Insert rows, replacing any with the same primary key ``pk``, without waiting.

        Rows are always complete, so ``INSERT OR REPLACE`` gives the result of an upsert.
        """
        self._check()
        if rows:
            self._queue.put((row_batch(table, rows, "INSERT OR REPLACE"), None))

    def insert(self, table: str, rows: Sequence[Row]) -> None:
        """Append rows, without waiting."""
        self._check()
        if rows:
            self._queue.put((row_batch(table, rows, "INSERT"), None))

    def close(self) -> None:
        """Commit what is queued and stop the thread."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        self._check()
