"""Executors run batches of replicates: in this process, in a pool of processes, or on a Ray cluster.

Every executor takes a :class:`~azalai.experiment.executors.base.RunSpec` (what to simulate) and a list of
:class:`~azalai.experiment.executors.base.Batch` (which replicates, with which seeds and parameters) and
yields :class:`~azalai.experiment.executors.base.BatchResult` objects as batches finish, in any order.
The driver (:func:`azalai.experiment.ensemble.run_ensemble`) writes each result to the store, so a
worker never touches the store.
"""

from __future__ import annotations

from typing import Iterator, Sequence

from azalai.experiment.executors.base import Batch, BatchResult, RunSpec, run_batch_local

BACKENDS = ("serial", "process", "ray")


def execute(
    spec: RunSpec,
    batches: Sequence[Batch],
    backend: str = "serial",
    workers: int | None = None,
    address: str | None = None,
) -> Iterator[BatchResult]:
    """Run ``batches`` with the chosen backend, yielding results as they complete."""
    if backend == "serial":
        from azalai.experiment.executors.serial import execute as ex

        return ex(spec, batches)
    if backend == "process":
        from azalai.experiment.executors.process import execute as ex

        return ex(spec, batches, workers=workers)
    if backend == "ray":
        from azalai.experiment.executors.ray_backend import execute as ex

        return ex(spec, batches, workers=workers, address=address)
    from azalai.errors import InputError, Problem

    raise InputError(Problem("<arguments>", None, None, "backend", f"unknown backend {backend!r}: use one of "
                                                                     f"{', '.join(BACKENDS)}"))


__all__ = ["BACKENDS", "Batch", "BatchResult", "RunSpec", "execute", "run_batch_local"]
