"""Executors run batches of replicates: in this process, in threads of it, in worker processes, or on a Ray cluster.

Every executor takes a :class:`~azalai.experiment.executors.base.RunSpec` (what to simulate) and a list of
:class:`~azalai.experiment.executors.base.Batch` (which replicates, with which seeds and parameters) and
yields :class:`~azalai.experiment.executors.base.BatchResult` objects as batches finish, in any order.
The driver (:func:`azalai.experiment.ensemble.run_ensemble`) writes each result to the store, so a
worker never touches the store.
"""

from __future__ import annotations

from typing import Iterator, Sequence

from azalai.experiment.executors.base import Batch, BatchResult, RunSpec, run_batch_local

BACKENDS = ("serial", "thread", "process", "ray")


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
    if backend == "thread":
        from azalai.experiment.executors.threaded import execute as ex

        return ex(spec, batches, workers=workers)
    if backend == "process":
        from azalai.experiment.executors.process import execute as ex

        return ex(spec, batches, workers=workers)
    if backend == "ray":
        from azalai.experiment.executors.ray_backend import execute as ex

        return ex(spec, batches, workers=workers, address=address)
    from azalai.errors import InputError, Problem

    raise InputError(Problem("<arguments>", None, None, "backend", f"unknown backend {backend!r}: use one of "
                                                                     f"{', '.join(BACKENDS)}"))


class Session:
    """Runs several lists of batches of one spec on one backend, keeping its workers between them
    (a process pool stays up; Ray keeps its own workers; serial and thread keep their prepared world). ``close()``
    ends it; also usable as a context manager."""

    def __init__(self, spec: RunSpec, backend: str = "serial", workers: int | None = None,
                 address: str | None = None) -> None:
        if backend not in BACKENDS:
            execute(spec, [], backend)  # the clear error for an unknown backend
        self.spec, self.backend, self.workers, self.address = spec, backend, workers, address
        self._impl = None
        self._runner = None  # the thread backend's (one prepared world for every run)
        if backend == "process":
            from azalai.experiment.executors.process import Session as ProcessSession

            self._impl = ProcessSession(spec, workers)

    def run(self, batches: Sequence[Batch]) -> Iterator[BatchResult]:
        if self._impl is not None:
            return self._impl.run(batches)
        if self.backend == "serial":
            return (run_batch_local(self.spec, b) for b in batches)
        if self.backend == "thread":
            from azalai.experiment.executors.base import Runner
            from azalai.experiment.executors.threaded import execute as ex

            if self._runner is None:
                self._runner = Runner(self.spec)
            return ex(self.spec, batches, self.workers, self._runner)
        return execute(self.spec, batches, self.backend, self.workers, self.address)

    def close(self) -> None:
        if self._impl is not None:
            self._impl.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["BACKENDS", "Batch", "BatchResult", "RunSpec", "Session", "execute", "run_batch_local"]
