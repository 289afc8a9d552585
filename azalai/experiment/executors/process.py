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


def execute(spec: RunSpec, batches: Sequence[Batch], workers: int | None = None) -> Iterator[BatchResult]:
    if not batches:
        return
    import multiprocessing as mp

    n = max(1, min(int(workers or default_workers()), len(batches)))
    warm_parent(spec)
    ctx = mp.get_context("spawn")
    main = threading.current_thread() is threading.main_thread()
    pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_init_worker,
                               initargs=(spec, os.getpid(), main))
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


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate the pool's processes now instead of waiting for their batches to finish."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.terminate()
        except (OSError, ValueError):  # already gone
            pass
