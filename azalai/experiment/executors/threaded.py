"""Run batches in threads of this process: the ``thread`` backend.

The compiled day loop releases the interpreter lock while it runs (its entry points are compiled with
numba's ``nogil``), so ``n`` threads step ``n`` batches at once on ``n`` cores. They share this process's
compiled engine and prepared world: nothing is forked, copied or started but a thread, no worker exits,
and no result is pickled. What a batch does outside the loop (allocating its state arrays, computing
its outcomes and, when asked for, its events) holds the lock; for the built-in scenario that is about
a twentieth of a batch's time.

The calling thread computes too: it starts ``n - 1`` threads, and all of them take batches in their order
from one counter (the first batches are the largest, see :func:`azalai.experiment.batching.make_batches`).
Between two of its own batches the calling thread hands on the results the other threads have
finished. Replicates are independent and draw from their own seeds, so a batch's results do not depend on
which thread ran it, or when.

An exception in any batch stops the other threads after their current batch and is raised as it is.
Python delivers Ctrl-C to the main thread, which sees it when its own batch ends; the other threads
then finish their current batch and stop, and the results already handed on (stored by the driver)
stay. A thread cannot be killed: a stop waits for the batches that are running, at most one batch per
thread (use the ``process`` backend when batches are long and an immediate stop matters).

A ``summary`` function of the spec (calibration) runs in these threads: it must not change shared
state (the summaries the project defines read the batch's own arrays only).
"""

from __future__ import annotations

import itertools
import queue
import threading
from typing import Iterator, Sequence

from azalai.experiment.executors.base import Batch, BatchResult, Runner, RunSpec


def execute(spec: RunSpec, batches: Sequence[Batch], workers: int | None = None,
            runner: Runner | None = None) -> Iterator[BatchResult]:
    """Results of ``batches`` run by ``workers`` threads (this one included), as they finish.
    ``runner``: a :class:`Runner` of ``spec`` to use (a session's), else one is made here."""
    if not batches:
        return
    from azalai.experiment.executors.process import default_workers, warm_parent

    n = max(1, min(int(workers or default_workers()), len(batches)))
    warm_parent(spec)  # the engine loaded (or compiled) before any thread needs it
    if runner is None:
        runner = Runner(spec)
    base = runner.base
    base.world_struct()  # built once, here, rather than by two threads at once
    base.levers_struct()
    order = itertools.count()  # next() on it is atomic: no two threads take the same batch
    stop = threading.Event()
    out: queue.SimpleQueue = queue.SimpleQueue()

    def take() -> Batch | None:
        if stop.is_set():
            return None
        i = next(order)
        return batches[i] if i < len(batches) else None

    def work() -> None:
        try:
            while (b := take()) is not None:
                out.put(("ok", runner.run(b)))
        except BaseException as e:  # noqa: BLE001 - handed to the calling thread, which raises it
            stop.set()
            out.put(("error", e))
        finally:
            out.put(("end", None))

    threads = [threading.Thread(target=work, name=f"azalai-batches-{k + 1}", daemon=True) for k in range(n - 1)]
    running = 0
    try:
        for t in threads:
            t.start()
            running += 1
        while (b := take()) is not None:
            yield runner.run(b)
            while running > 0:  # what the other threads have finished meanwhile
                try:
                    kind, value = out.get_nowait()
                except queue.Empty:
                    break
                running -= kind == "end"
                if kind != "end":
                    yield _result(kind, value)
        while running > 0:
            kind, value = out.get()
            running -= kind == "end"
            if kind != "end":
                yield _result(kind, value)
    finally:
        stop.set()  # after an error, an interrupt or an early close: the threads end after their batch
        for t in threads:
            if t.is_alive():
                t.join()


def _result(kind: str, value) -> BatchResult:
    if kind == "error":
        raise value
    return value
