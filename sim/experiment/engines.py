"""Execution engines: where replications run.

``open_engine(workers, dask)`` (or ``open_executor``, which yields only the executor) is the
one place executors are created and closed:

==========================  ==========================================================
arguments                   engine
==========================  ==========================================================
``workers <= 1``            this process (executor ``None``)
``workers > 1``             a ``ProcessPoolExecutor(max_workers=workers)``
``dask="local"``            a ``distributed.LocalCluster`` of ``workers`` single-threaded
                            worker processes on this machine, and a client to it
``dask="tcp://HOST:PORT"``  a client to a running Dask scheduler (``dask scheduler``); its
                            workers (``dask worker tcp://HOST:PORT``) run the replications
==========================  ==========================================================

For Dask the executor is the client's ``concurrent.futures`` executor
(``client.get_executor(pure=False)``), so :func:`sim.experiment.runner.run_replications`
treats every engine alike; a replication depends on (scenario, root seed, index) alone, so
the results are identical on every engine. Tasks of a worker that dies are rescheduled on the
others by Dask. The client (and a local cluster) is closed when the ``with`` block ends.

Dask is the optional ``cluster`` extra (``pip install 'zonesim[cluster]'``); without it a Dask
engine raises :class:`EngineError`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass

#: Seconds to wait for a remote scheduler to answer, and for its first worker to join.
CONNECT_TIMEOUT_SECONDS = 30
WORKER_WAIT_SECONDS = 60

MISSING_EXTRA = "--dask needs the cluster extra: pip install 'zonesim[cluster]'"


class EngineError(RuntimeError):
    """The engine asked for cannot be started: Dask not installed, scheduler unreachable, or
    a scheduler without workers."""


@dataclass(frozen=True)
class Engine:
    """An open engine: the executor to pass to ``run_replications`` (None: this process), how
    many replications it runs at once (for ``runner.batches``), and a label for messages."""

    executor: Executor | None
    workers: int
    label: str


def process_pool(workers: int) -> Executor | None:
    """A process pool for ``workers`` > 1, else None (run in this process). The caller shuts
    it down."""
    return ProcessPoolExecutor(max_workers=workers) if workers > 1 else None


def _distributed():
    try:
        import distributed
    except ImportError:
        raise EngineError(MISSING_EXTRA) from None
    return distributed


def _threads(client) -> int:
    """Tasks the cluster runs at once: the sum of its workers' threads."""
    return sum(client.nthreads().values())


@contextlib.contextmanager
def open_engine(workers: int = 1, dask: str | None = None) -> Iterator[Engine]:
    """Start the engine (see the module's table), yield it, close it on exit.

    ``workers`` is the number of local processes (process pool or ``dask="local"``); for a
    remote scheduler the engine's ``workers`` is the number of worker threads connected when
    the run starts (workers that join later get tasks too).
    """
    if dask is None or dask == "":
        pool = process_pool(workers)
        count = workers if pool is not None else 1
        try:
            yield Engine(pool, count, f"{count} worker{'s' if count > 1 else ''}")
        finally:
            if pool is not None:
                pool.shutdown()
        return
    distributed = _distributed()
    with contextlib.ExitStack() as stack:
        if dask == "local":
            workers = max(1, workers)
            cluster = stack.enter_context(
                distributed.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    # not ERROR: a worker's last heartbeat racing the scheduler's close at the
                    # end of a run is logged as an error with a traceback; a task's failure
                    # still reaches the client as its exception
                    silence_logs=logging.CRITICAL,
                )
            )
            client = stack.enter_context(distributed.Client(cluster))
            label = f"Dask LocalCluster, {workers} worker{'s' if workers > 1 else ''}"
        else:
            try:
                client = stack.enter_context(
                    distributed.Client(dask, timeout=CONNECT_TIMEOUT_SECONDS)
                )
            except (OSError, TimeoutError, ValueError) as exc:
                raise EngineError(
                    f"cannot connect to the Dask scheduler at {dask}: {exc}"
                ) from None
            try:
                client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
            except TimeoutError:
                raise EngineError(
                    f"the Dask scheduler at {dask} has no workers after "
                    f"{WORKER_WAIT_SECONDS} s (start some with: dask worker {dask})"
                ) from None
            workers = max(1, _threads(client))
            label = f"Dask at {dask}, {workers} worker thread{'s' if workers > 1 else ''}"
        executor = client.get_executor(pure=False)
        try:
            yield Engine(executor, workers, label)
        finally:
            executor.shutdown(wait=False)


@contextlib.contextmanager
def open_executor(workers: int = 1, dask: str | None = None) -> Iterator[Executor | None]:
    """The executor of :func:`open_engine` alone (None: run in this process). For batch
    sizing use ``open_engine(...).workers``, or :func:`engine_workers`."""
    with open_engine(workers, dask) as engine:
        yield engine.executor


def engine_workers(executor: Executor | None, default: int = 1) -> int:
    """How many tasks an executor runs at once, where it can tell: a Dask client executor's
    worker threads, a process pool's processes; else ``default``."""
    if executor is None:
        return 1
    client = getattr(executor, "_client", None)
    if client is not None:
        return max(1, _threads(client))
    return int(getattr(executor, "_max_workers", default) or default)


__all__ = [
    "CONNECT_TIMEOUT_SECONDS",
    "Engine",
    "EngineError",
    "MISSING_EXTRA",
    "WORKER_WAIT_SECONDS",
    "engine_workers",
    "open_engine",
    "open_executor",
    "process_pool",
]
