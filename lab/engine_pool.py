"""Engine runs for the pages, in worker processes, so that one Streamlit server uses every core.

Why: Streamlit runs every session's script in a thread of one process, and a race's engine
runs are single-point NumPy loops that hold the GIL (12-26 µs a step). Under a busy class
they were 65 % of the server's time, on one core, while the other core sat idle
(``bench/loadtest.py``, the busy scenario, profiled with py-spy). A run handed to a worker
process leaves the server's GIL to the other sessions' reruns.

The workers are started with "spawn" (forking a server that already runs threads can copy a
held lock and hang) and run :func:`execute`, which needs only the engine and
``lab.request``. A request crosses as a pickle of a few hundred bytes and its trajectory
comes back as arrays (about 100 kB for 5,000 steps): a millisecond or so each way.

A worker ends with its server: when the server process dies, even by SIGKILL (an
out-of-memory kill, a failed replica), the worker notices within a second and exits, so no
orphan keeps its memory.

``LAB_ENGINE_PROCESSES`` sets the number of workers: by default one per core; ``0`` runs
every request in the calling process (a one-core machine does the same). ``deploy/serve``
gives each replica its share of the cores.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import NamedTuple

from lab.request import Request
from optimizers import Trajectory, run

WORKERS_VARIABLE = "LAB_ENGINE_PROCESSES"


class Outcome(NamedTuple):
    """A run's trajectory, or the engine's message saying which argument was wrong."""

    trajectory: Trajectory | None
    error: str | None


def execute(request: Request, record_state: bool = False) -> Outcome:
    """Run the engine here, in this process; a bad argument comes back as its message."""
    try:
        trajectory = run(request.optimizer, request.surface_object(), record_state=record_state, **request.kwargs())
    except ValueError as err:
        return Outcome(None, str(err))
    return Outcome(trajectory, None)


def run_request(request: Request, record_state: bool = False) -> Outcome:
    """:func:`execute` in a worker process when there are workers, else here."""
    pool = _pool()
    if pool is None:
        return execute(request, record_state)
    try:
        return pool.submit(execute, request, record_state).result()
    except BrokenProcessPool:
        # A worker died (killed, out of memory): this request runs here, the next pool is new.
        _discard(pool)
        return execute(request, record_state)


def warm() -> None:
    """Start a worker now, in the background, so the first race does not wait for one to load
    NumPy and the engine (about 0.3 s; the server's own start-up runs meanwhile)."""
    pool = _pool()
    if pool is not None:
        pool.submit(os.getpid)


def worker_count() -> int:
    """How many workers the pool has, from ``LAB_ENGINE_PROCESSES`` or the cores."""
    text = os.environ.get(WORKERS_VARIABLE, "").strip()
    if text:
        try:
            return max(0, int(text))
        except ValueError:
            return 0  # a setting we cannot read: run in this process, as a one-core machine does
    cores = os.cpu_count() or 1
    return cores if cores > 1 else 0


_lock = threading.Lock()
_executor: ProcessPoolExecutor | None = None


def _pool() -> ProcessPoolExecutor | None:
    global _executor
    if _executor is not None:
        return _executor
    count = worker_count()
    if count == 0:
        return None
    with _lock:
        if _executor is None:
            _executor = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_follow_parent, initargs=(os.getpid(),))
        return _executor


def _follow_parent(parent: int) -> None:
    """In a worker: exit as soon as the server that started it is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)  # the pool's queues died with the parent: nothing to flush

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


PARENT_CHECK_S = 0.5


def _discard(pool: ProcessPoolExecutor) -> None:
    global _executor
    with _lock:
        if _executor is pool:
            _executor = None
    pool.shutdown(wait=False, cancel_futures=True)
