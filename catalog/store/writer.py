"""The single catalog writer: one thread owns the write connection.

Producers hand it row batches (``upsert``/``insert``) or whole operations (``call``); it
applies each inside ``db.atomic()``. Nothing else writes to the catalog during a run, so
SQLite never sees two writers.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from catalog.errors import CatalogError
from catalog.store import open_catalog

T = TypeVar("T")
Row = dict[str, Any]
_STOP = object()


class CatalogWriter:
    """Serialises every write to one case catalog through one thread."""

    def __init__(self, path: Path) -> None:
        """Open the catalog in a dedicated thread.

        Raises:
            CatalogError: the catalog cannot be opened.
        """
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=64)
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
        except BaseException as exc:
            ready.set_exception(exc)
            return
        ready.set_result(None)
        while True:
            item = self._queue.get()
            if item is _STOP:
                db.close()
                return
            operation, future = item
            try:
                with db.atomic():
                    result = operation(db)
            except BaseException as exc:
                if future is None:
                    self._failure = self._failure or exc
                else:
                    future.set_exception(exc)
                continue
            if future is not None:
                future.set_result(result)

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
        """Insert rows, replacing any with the same primary key, without waiting.

        Rows are always complete, so ``INSERT OR REPLACE`` (one statement a row) gives
        the same result as an upsert (two).
        """
        self._check()
        batch = list(rows)
        if batch:
            self._queue.put(
                (lambda db: db.table(table).insert_all(batch, pk=pk, replace=True), None)
            )

    def insert(self, table: str, rows: Sequence[Row]) -> None:
        """Append rows, without waiting."""
        self._check()
        batch = list(rows)
        if batch:
            self._queue.put((lambda db: db.table(table).insert_all(batch), None))

    def flush(self) -> None:
        """Wait until every queued write is committed.

        Raises:
            CatalogError: an earlier asynchronous write failed.
        """
        self.call(lambda db: None)
        self._check()

    def close(self) -> None:
        """Commit what is queued and stop the thread."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        self._check()
