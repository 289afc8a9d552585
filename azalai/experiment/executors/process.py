"""Run whole batches in worker processes: forked workers sharing a queue of batches with this process,
which computes too (:mod:`azalai.experiment.executors.forked`), when this process may fork, else a pool
(``concurrent.futures.ProcessPoolExecutor``; also for a :class:`Session`, which keeps its pool, and for a
queue of batches longer than a pipe can hold).

The parent loads (or compiles) the engine before starting the pool, so the numba cache on disk is
complete. How the workers start (:func:`start_method`) decides what a pool costs before its first
batch:

* ``fork`` (Linux), when it is safe: the workers are copies of the parent, with the compiled engine
  already loaded, and start in milliseconds. Safe means that nothing a worker needs can be held by
  a thread that the fork does not copy: the parent runs no Python thread besides the main one (so no
  other thread holds the interpreter's import lock, a stream's lock or a logging lock) and has not
  started numba's thread pool (the engine runs no parallel region, and a worker never starts one).
  Native threads of libraries (DuckDB's, for a store the parent holds open) may run: a worker never
  calls those libraries, the C library makes ``malloc`` safe across ``fork``, and whatever the
  parent held is frozen for the collector before the fork (``gc.freeze``), so a worker never runs
  the destructor of an object it inherited (a DuckDB connection, whose closing would write to the
  store); a worker ends with ``os._exit``, running no destructor either.
* ``forkserver`` (POSIX) otherwise: one clean, single-threaded server process loads the engine once
  (:mod:`azalai.experiment.executors.preload`) and forks every worker from itself; the server lives
  as long as the parent, so later pools in the same process start in milliseconds too.
* ``spawn`` where neither is available: each worker imports and loads the engine (1-3 s).

``AZALAI_WORKER_START`` (``fork``, ``forkserver`` or ``spawn``) chooses one explicitly.
Workers ignore SIGINT and die on SIGTERM: on Ctrl-C the parent stops handing out batches, stops the
workers, and the batches already stored stay stored. Workers also die with the parent when it is
killed outright (:func:`azalai.experiment.executors.lifeline.die_with_driver`).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Iterator, Sequence

from azalai.experiment.executors.base import Batch, BatchResult, Runner, RunSpec

START_ENV = "AZALAI_WORKER_START"
START_METHODS = ("fork", "forkserver", "spawn")
PRELOAD = "azalai.experiment.executors.preload"

_RUNNER: Runner | None = None


def _init_worker(spec: RunSpec, driver_pid: int, driver_main_thread: bool, method: str) -> None:
    global _RUNNER
    from azalai.experiment.executors.lifeline import die_with_driver

    die_with_driver(driver_pid, driver_main_thread)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):  # a forked worker has the parent's handlers
        if sig is not None:
            signal.signal(sig, signal.SIG_DFL)
    if method != "fork":
        # One engine thread per worker: the workers already use the cores (no oversubscription). A forked
        # worker leaves numba's thread pool alone: starting it would load a library in a copied process.
        import numba

        numba.set_num_threads(1)
    _RUNNER = Runner(spec)


def _run(batch: Batch) -> BatchResult:
    assert _RUNNER is not None
    return _RUNNER.run(batch)


_WARM: set[bool] = set()  # with_events values whose batch entry points this process has run


def warm_parent(spec: RunSpec) -> None:
    """Compile or load the batch entry point in this process, so the disk cache is complete (and a
    forked worker inherits the loaded engine). Once per process (and events flag): the compiled code
    does not depend on the scenario, policy or parameter values."""
    if spec.with_events in _WARM:
        return
    from azalai.model.engine import prepare, simulate_batch

    prep = prepare(spec.scenario, spec.policy, 7, spec.params)
    simulate_batch(prep, [0], with_events=spec.with_events)
    _WARM.add(spec.with_events)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def fork_is_safe() -> bool:
    """True when workers may be forked from this process (see the module's docstring)."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    from numba.np.ufunc import parallel

    return getattr(parallel, "_is_initialized", True) is False  # unknown (another numba): not safe


def start_method() -> str:
    """How this process starts workers now: ``AZALAI_WORKER_START`` if set, else ``fork`` when
    :func:`fork_is_safe`, else ``forkserver`` where available, else ``spawn``."""
    import multiprocessing as mp

    available = mp.get_all_start_methods()
    forced = os.environ.get(START_ENV, "").strip()
    if forced:
        if forced not in START_METHODS or forced not in available:
            from azalai.errors import InputError, Problem

            ok = ", ".join(m for m in START_METHODS if m in available)
            raise InputError(Problem(f"${START_ENV}", None, None, START_ENV,
                                     f"{forced[:40]!r} is not a start method of this system: use one of {ok}"))
        return forced
    if "fork" in available and fork_is_safe():
        return "fork"
    return "forkserver" if "forkserver" in available else "spawn"


def _start(spec: RunSpec, n: int) -> ProcessPoolExecutor:
    """A pool of ``n`` workers (forked ones are started before this returns, spawned ones on demand)."""
    import multiprocessing as mp

    method = start_method()
    ctx = mp.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload([PRELOAD])  # takes effect when this process's server starts (once)
    main = threading.current_thread() is threading.main_thread()
    pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_init_worker,
                               initargs=(spec, os.getpid(), main, method))
    if method == "fork":
        from azalai.experiment.executors.lifeline import prepare_fork

        prepare_fork()
        # A pool forks all its workers at its first submit, before it starts its own threads: submit a
        # no-op now, with what the workers inherit frozen for the collector (never destroyed in them).
        ours = gc.get_freeze_count() == 0  # leave frozen what the program itself froze
        gc.freeze()
        try:
            pool.submit(int)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            if ours:
                gc.unfreeze()
    return pool


def _feed(pool: ProcessPoolExecutor, batches: Sequence[Batch], n: int) -> Iterator[BatchResult]:
    """Results of ``batches`` on ``pool`` as they finish; on an early exit the pool's workers are stopped."""
    todo = list(batches)
    pending: set[Future] = set()
    finished = False
    try:
        # keep a couple of batches queued per worker: enough to stay busy, little to lose on Ctrl-C
        while todo and len(pending) < 2 * n:
            pending.add(pool.submit(_run, todo.pop(0)))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                while todo and len(pending) < 2 * n:
                    pending.add(pool.submit(_run, todo.pop(0)))
                yield f.result()
        finished = True
    finally:
        for f in pending:
            f.cancel()
        if not finished:  # interrupted or failed: the running batches' results would be thrown away
            _stop_workers(pool)
            pool.shutdown(wait=True, cancel_futures=True)


def execute(spec: RunSpec, batches: Sequence[Batch], workers: int | None = None) -> Iterator[BatchResult]:
    if not batches:
        return
    n = max(1, min(int(workers or default_workers()), len(batches)))
    warm_parent(spec)
    from azalai.experiment.executors import forked

    queue = forked.queue(len(batches)) if start_method() == "fork" else None
    if queue is not None:  # no pool to keep: workers that take batches from one queue and exit when done
        yield from forked.execute(spec, batches, n, queue)
        return
    pool = _start(spec, n)
    try:
        yield from _feed(pool, batches, n)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class Session:
    """One pool of workers kept across several lists of batches of the same spec (a calibration sends
    one generation's particles at a time; starting the workers again for each would cost seconds)."""

    def __init__(self, spec: RunSpec, workers: int | None = None) -> None:
        self.spec, self.n = spec, max(1, int(workers or default_workers()))
        self.pool: ProcessPoolExecutor | None = None

    def run(self, batches: Sequence[Batch]) -> Iterator[BatchResult]:
        if not batches:
            return
        if self.pool is None:
            warm_parent(self.spec)
            self.pool = _start(self.spec, self.n)
        finished = False
        try:
            yield from _feed(self.pool, batches, self.n)
            finished = True
        finally:
            if not finished:  # _feed has stopped the workers: start a new pool next time
                self.pool = None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate the pool's processes now instead of waiting for their batches to finish."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.terminate()
        except (OSError, ValueError):  # already gone
            pass
