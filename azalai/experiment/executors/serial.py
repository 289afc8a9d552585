"""Run batches one after another in this process."""

from __future__ import annotations

from typing import Iterator, Sequence

from azalai.experiment.executors.base import Batch, BatchResult, Runner, RunSpec


def execute(spec: RunSpec, batches: Sequence[Batch]) -> Iterator[BatchResult]:
    if not batches:
        return
    runner = Runner(spec)
    for b in batches:
        yield runner.run(b)
