"""The Dask cluster a locker scan runs on: an embedded ``LocalCluster`` or an existing one.

Workers are processes with one thread each (The Sleuth Kit's handles are not shared
between threads) and must not be daemonic, because text extraction runs in a sandbox
child process of each worker. Before any work is sent, every worker is checked: it runs
the same evcat version and sees the locker at the same path.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dask
from distributed import Client, LocalCluster

from catalog import __version__
from catalog.errors import UsageError
from catalog.workers import default_workers

if TYPE_CHECKING:
    from collections.abc import Iterator

WORKER_WAIT_SECONDS = 60
"""How long to wait for an external cluster to have a worker."""

_CONFIG = {
    "distributed.worker.daemon": False,
    "distributed.scheduler.allowed-failures": 1,
    "distributed.logging.distributed": "error",
}


@dataclass(slots=True)
class Cluster:
    """A connected client, the embedded cluster it owns (if any) and its worker count."""

    client: Client
    local: LocalCluster | None
    workers: int
    address: str

    def close(self) -> None:
        """Disconnect, and stop the embedded cluster."""
        self.client.close()
        if self.local is not None:
            self.local.close()


def quiet_dask_logs() -> None:
    """Dask's own chatter (reconnects, worker restarts) stays out of the examiner's stderr."""
    for name in ("distributed", "dask", "tornado", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def connect(scheduler: str | None, workers: int = 0) -> Cluster:
    """Connect to ``scheduler`` (``tcp://HOST:PORT``) or start a local cluster of ``workers``.

    Raises:
        UsageError: no scheduler answers at ``scheduler``, or it has no worker.
    """
    quiet_dask_logs()
    dask.config.set(_CONFIG)
    if scheduler is None:
        n_workers = workers or default_workers()
        local = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
        )
        client = Client(local)
        return Cluster(client, local, n_workers, str(local.scheduler_address))
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"{scheduler}: no Dask scheduler answers ({exc})") from exc
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
    except (TimeoutError, OSError) as exc:
        client.close()
        raise UsageError(
            f"{scheduler}: the Dask cluster has no worker after {WORKER_WAIT_SECONDS} s"
        ) from exc
    threads = sum(info.get("nthreads", 1) for info in _workers(client))
    return Cluster(client, None, max(1, threads), scheduler)


def _workers(client: Client) -> Iterator[dict[str, Any]]:
    yield from client.scheduler_info(n_workers=-1)["workers"].values()


def worker_check(locker: str, version: str, needs_children: bool) -> str | None:
    """Run on each worker: why it cannot take the job, or None when it can."""
    if version != __version__:
        return f"runs evcat {__version__}, the job needs {version}"
    if not Path(locker).is_dir():
        return f"does not see the locker at {locker}"
    if not os.access(locker, os.R_OK | os.X_OK):
        return f"cannot read the locker at {locker}"
    if needs_children and multiprocessing.current_process().daemon:
        return (
            "runs as a daemonic process, so text extraction cannot start its sandbox;"
            " start workers with DASK_DISTRIBUTED__WORKER__DAEMON=False"
        )
    return None


def check_workers(cluster: Cluster, locker: Path, needs_children: bool) -> None:
    """Every worker must be able to take the job.

    Raises:
        UsageError: a worker cannot (named, with the reason).
    """
    answers = cluster.client.run(worker_check, str(locker), __version__, needs_children)
    refusals = sorted((address, reason) for address, reason in answers.items() if reason)
    if refusals:
        address, reason = refusals[0]
        more = f" ({len(refusals) - 1} more workers refuse too)" if len(refusals) > 1 else ""
        raise UsageError(f"Dask worker {address} {reason}{more}")
