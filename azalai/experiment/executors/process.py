"""Run whole batches in a pool of worker processes (``concurrent.futures.ProcessPoolExecutor``).

The parent loads (or compiles) the engine before starting the pool, so the numba cache on disk is
complete and every worker only loads it (about a second) instead of compiling for minutes.
Workers are started with ``spawn`` (no inherited DuckDB or thread state) and ignore SIGINT: on
Ctrl-C the parent stops handing out batches, stops the workers, and the batches already stored stay
stored. Workers also die with the parent when it is killed outright
(:func:`azalai.experiment.executors.lifeline.die_with_parent`).
"""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Iterator, Sequence

from azalai.experiment.executors.base import Batch, BatchResult, Runner, RunSpec

_RUNNER: Runner | None = None


def _init_worker(spec: RunSpec, parent_pid: int, parent_main_thread: bool) -> None:
    global _RUNNER
    from azalai.experiment.executors.lifeline import die_with_parent

    die_with_parent(parent_pid, parent_main_thread)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # One engine thread per worker: the workers already use the cores (no oversubscription).
    import numba

    numba.set_num_threads(1)
    _RUNNER = Runner(spec)


def _run(batch: Batch) -> BatchResult:
    assert _RUNNER is not None
    return _RUNNER.run(batch)


def warm_parent(spec: RunSpec) -> None:
    """Compile or load the batch entry point in this process, so the disk cache is complete."""
    from azalai.model.engine import prepare, simulate_batch

    prep = prepare(spec.scenario, spec.policy, 7, spec.params)
    simulate_batch(prep, [0], with_events=spec.with_events)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _start(spec: RunSpec, n: int) -> ProcessPoolExecutor:
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    main = threading.current_thread() is threading.main_thread()
    return ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_init_worker,
                               initargs=(spec, os.getpid(), main))


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
