"""What executors share: the run specification, a batch of replicates, and running one batch."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from azalai.policy.schema import Policy
from azalai.scenario.schema import Scenario


@dataclass(frozen=True)
class RunSpec:
    """What every batch of an ensemble simulates (picklable: sent once to each worker)."""

    scenario: Scenario
    policy: Policy
    days: int | None = None
    params: Mapping[str, float] | None = None  # overrides shared by all batches without their own set
    with_events: bool = False
    key: str = ""  # identifies the spec across processes (workers cache one prepared world per key)
    # A picklable ``summary(prep, S, seeds)`` run in the worker on each batch's final state arrays (calibration:
    # one particle's summary statistics): its value is sent back as ``BatchResult.summary`` instead of the
    # batch's outcomes and events.
    summary: Any = None


@dataclass(frozen=True)
class Batch:
    """Replicates run together as one vectorised batch; they share one parameter set."""

    batch_id: int
    replicates: tuple[int, ...]
    seeds: tuple[int, ...]
    params: Mapping[str, float] | None = None  # overrides for this batch (else the spec's)
    # A batch may also run its own policy and/or state of the world (robust decisions: candidates x states
    # of the world): ``world`` is an :class:`azalai.experiment.worlds.World` whose scenario draws the worker
    # applies to the spec's scenario (a few hundred bytes to send instead of a whole scenario); ``variant``
    # names policy and world for the worker's cache of prepared worlds.
    policy: Policy | None = None
    world: Any = None
    variant: str = ""

    def __len__(self) -> int:
        return len(self.replicates)


@dataclass
class BatchResult:
    batch_id: int
    replicates: tuple[int, ...]
    seeds: tuple[int, ...]
    outcomes: list[dict[str, float]]
    events: list[Any] | None = None
    seconds: float = 0.0
    worker: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    summary: Any = None


def model_stamp() -> str:
    """A hash of the model's sources as this process loaded them (as numba's cache is keyed)."""
    global _STAMP
    if _STAMP is None:
        import hashlib
        from pathlib import Path

        import azalai.model as m

        here = Path(m.__file__).parent
        h = hashlib.sha256()
        for f in sorted(here.rglob("*.py")) + [here.parent / "policy" / "schema.py"]:
            h.update(f.name.encode())
            h.update(f.read_bytes())
        _STAMP = h.hexdigest()[:16]
    return _STAMP


_STAMP: str | None = None


def params_key(p: Mapping[str, float] | None) -> str:
    return json.dumps({k: float(v) for k, v in (p or {}).items()}, sort_keys=True)


_PREPARED: dict[str, Any] = {}  # spec key -> the world the driver prepared for it (one kept)


def remember_prepared(spec: RunSpec, prep) -> None:
    """Let runners of ``spec`` in this process, and in workers forked from it, use the world the driver
    has already prepared for it instead of preparing it again (a prepared world is never modified)."""
    _PREPARED.clear()
    if spec.key:
        _PREPARED[spec.key] = prep


class Runner:
    """Runs batches of one spec, preparing the world once and swapping parameter sets in cheaply."""

    def __init__(self, spec: RunSpec) -> None:
        self.spec = spec
        self.stamp = model_stamp()
        self.base = _PREPARED.get(spec.key) if spec.key else None
        if self.base is None:
            from azalai.model.engine import prepare

            self.base = prepare(spec.scenario, spec.policy, spec.days, spec.params)
        self._preps: dict[str, Any] = {params_key(spec.params): self.base}

    def prepared(self, params: Mapping[str, float] | None):
        if params is None:
            return self.base
        key = params_key({**(self.spec.params or {}), **params})
        prep = self._preps.get(key)
        if prep is None:
            from azalai.model.params import make_params

            prep = dataclasses.replace(self.base, params=make_params({**(self.spec.params or {}), **params}))
            if len(self._preps) > 64:
                self._preps.clear()
                self._preps[params_key(self.spec.params)] = self.base
            self._preps[key] = prep
        return prep

    def prepared_variant(self, batch: Batch):
        """The prepared world of a batch with its own policy or scenario (cached by ``variant`` and parameters)."""
        full = {**(self.spec.params or {}), **(batch.params or {})}
        key = f"{batch.variant}|{params_key(full)}"
        prep = self._preps.get(key)
        if prep is None:
            from azalai.model.engine import prepare

            sc = batch.world.apply(self.spec.scenario) if batch.world is not None else self.spec.scenario
            prep = prepare(sc, batch.policy or self.spec.policy, self.spec.days, full or None)
            if len(self._preps) > 64:
                self._preps.clear()
                self._preps[params_key(self.spec.params)] = self.base
            self._preps[key] = prep
        return prep

    def run(self, batch: Batch) -> BatchResult:
        import os
        import time

        from azalai.model.engine import simulate_batch

        t0 = time.perf_counter()
        if batch.policy is not None or batch.world is not None:
            prep = self.prepared_variant(batch)
        else:
            prep = self.prepared(batch.params)
        if self.spec.summary is not None:
            from azalai.model.engine import run_prepared

            S = run_prepared(prep, list(batch.seeds), record=False)
            return BatchResult(batch.batch_id, tuple(batch.replicates), tuple(batch.seeds), [], None,
                               time.perf_counter() - t0, worker=str(os.getpid()), meta={"model": self.stamp},
                               summary=self.spec.summary(prep, S, list(batch.seeds)))
        outs, evs = simulate_batch(prep, list(batch.seeds), with_events=self.spec.with_events)
        return BatchResult(batch.batch_id, tuple(batch.replicates), tuple(batch.seeds), outs, evs,
                           time.perf_counter() - t0, worker=str(os.getpid()), meta={"model": self.stamp})


_RUNNERS: dict[int, Runner] = {}


def run_batch_local(spec: RunSpec, batch: Batch) -> BatchResult:
    """Run one batch in this process, reusing a cached :class:`Runner` for the same spec key."""
    key = spec.key or str(id(spec))
    runner = _RUNNERS.get(key)
    if runner is None:
        _RUNNERS.clear()
        runner = Runner(spec)
        _RUNNERS[key] = runner
    return runner.run(batch)


def warm_engine() -> float:
    """Load (or, the first time, compile) the engine so later batches start at full speed."""
    from azalai.model.warmup import warmup

    return warmup(verbose=False)
