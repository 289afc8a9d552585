"""Run batches as Ray tasks, on this machine or on a cluster; the driver gathers results.

``ray`` is imported only here. With ``address`` the driver joins an existing cluster
(``ray start --head`` / ``ray start --address=...``); without it a local Ray is started with
``workers`` CPUs, whose workers end when the driver process is killed (Ray stops its own processes
with the driver, and each worker also watches the driver's process id). Each worker process keeps one
prepared world per run spec (the spec is put in the object store once) and loads the compiled engine
from numba's disk cache, so each node compiles the engine at most once (see docs/cluster.md).
"""

from __future__ import annotations

import os
from typing import Iterator, Sequence

from azalai.experiment.executors.base import Batch, BatchResult, RunSpec

_REMOTE = None


def _remote():
    global _REMOTE
    if _REMOTE is None:
        import ray

        @ray.remote(num_cpus=1, max_retries=2)
        def run_batch_task(spec: RunSpec, batch: Batch, driver_pid: int | None = None) -> BatchResult:
            import numba

            from azalai.experiment.executors.base import run_batch_local

            if driver_pid is not None:  # a local Ray: end this worker when the driver is killed
                from azalai.experiment.executors.lifeline import watch_pid

                watch_pid(driver_pid)

            numba.set_num_threads(1)  # Ray schedules one task per CPU
            return run_batch_local(spec, batch)

        _REMOTE = run_batch_task
    return _REMOTE


def ensure_ray(address: str | None = None, workers: int | None = None) -> bool:
    """Connect to (or start) Ray; returns True if this call started it."""
    import ray

    if ray.is_initialized():
        return False
    kw = dict(ignore_reinit_error=True, log_to_driver=False, include_dashboard=False)
    address = address or os.environ.get("AZALAI_RAY_ADDRESS")
    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        ray.init(num_cpus=int(workers) if workers else None, **kw)
    return True


def execute(spec: RunSpec, batches: Sequence[Batch], workers: int | None = None,
            address: str | None = None) -> Iterator[BatchResult]:
    if not batches:
        return
    import ray

    from azalai.experiment.executors.process import warm_parent

    warm_parent(spec)  # the compiled engine is cached on disk before any worker needs it
    started = ensure_ray(address, workers)
    # a Ray started here runs on this machine: its workers end when this process is killed
    driver = os.getpid() if started and not (address or os.environ.get("AZALAI_RAY_ADDRESS")) else None
    fn = _remote()
    spec_ref = ray.put(spec)
    cpus = int(ray.cluster_resources().get("CPU", 1))
    window = max(2, 2 * cpus)
    todo = list(batches)
    pending = []
    try:
        while todo and len(pending) < window:
            pending.append(fn.remote(spec_ref, todo.pop(0), driver))
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                while todo and len(pending) < window:
                    pending.append(fn.remote(spec_ref, todo.pop(0), driver))
                yield ray.get(ref)
    finally:
        for ref in pending:
            try:
                ray.cancel(ref, force=True)
            except Exception:  # noqa: BLE001 - already finished or gone
                pass
