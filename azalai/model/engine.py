"""The Python face of the engine: run one simulation or a batch of replicates.

>>> import azalai
>>> res = azalai.simulate("mali-2016", "baseline-2016", seed=1, days=730)
>>> res.outcomes["fatalities"], len(res.events)

``simulate_batch`` runs many seeds as one vectorised batch; replicate *i* gives exactly the results
of ``simulate(..., seed=seeds[i])``.
"""

from __future__ import annotations

import hashlib
import json
from collections import namedtuple
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from azalai.defaults import DEFAULT_SCENARIO
from azalai.limits import DAYS
from azalai.model.fields import LEVER_FIELDS, names
from azalai.model.frames import events_frame, timeseries_frame, tips_frame
from azalai.model.params import Params, make_params, params_dict
from azalai.policy.loader import resolve_policy
from azalai.scenario.loader import resolve_scenario
from azalai.model.state import alloc_state
from azalai.model.world import Index, World, build_world, lever_matrix
from azalai.policy.schema import LEVERS, Policy
from azalai.scenario.schema import Scenario

Levers = namedtuple("Levers", names(LEVER_FIELDS))  # type: ignore[misc]

PROGRESS_CHUNK_DAYS = 30  # days stepped between progress reports
HANDLER_DEPENDENCE = 1 / 10  # trafficking dependence from which a community counts as handling trafficking
HASH_CHARS = 16  # length of the parameter-set hash in run metadata


def _contig(x):
    return np.ascontiguousarray(x) if isinstance(x, np.ndarray) else x


def state_struct(S):
    """The state bundled for the compiled loop; it shares its arrays with ``S``."""
    from azalai.model._structs_gen import new_state

    return new_state(*S)


@dataclass
class Prepared:
    """Everything the compiled loop needs, built once per (scenario, policy, days, params)."""

    scenario: Scenario
    policy: Policy
    world: World
    index: Index
    levers: Any
    aid: np.ndarray
    params: Params
    days: int
    _structs: dict = field(default_factory=dict, repr=False)

    def world_struct(self):
        """The world bundled for the compiled loop (built once)."""
        if "world" not in self._structs:
            from azalai.model._structs_gen import new_world

            self._structs["world"] = new_world(*[_contig(x) for x in self.world])
        return self._structs["world"]

    def levers_struct(self):
        if "levers" not in self._structs:
            from azalai.model._structs_gen import new_levers

            self._structs["levers"] = new_levers(*[_contig(x) for x in self.levers])
        return self._structs["levers"]

    @property
    def scenario_hash(self) -> str:
        from azalai.scenario.loader import scenario_hash

        return scenario_hash(self.scenario)


def prepare(
    scenario: Scenario | str = DEFAULT_SCENARIO,
    policy: Policy | str | None = None,
    days: int | None = None,
    params: Mapping[str, float] | Params | None = None,
) -> Prepared:
    sc = resolve_scenario(scenario)
    pol = resolve_policy(policy)
    n = DAYS.check(days if days is not None else sc.calendar.horizon_days, "days")
    w, idx = build_world(sc)
    lev, aid = lever_matrix(pol, sc, sc.calendar.start, n)
    levers = Levers(*[np.ascontiguousarray(lev[:, i]) for i in range(len(LEVERS))])
    p = params if isinstance(params, Params) else make_params(params)
    return Prepared(sc, pol, w, idx, levers, aid, p, n)


@dataclass
class RunResult:
    """One replicate's outputs."""

    seed: int
    outcomes: dict[str, float]
    events: Any = None  # pandas DataFrame in ACLED columns + cause columns
    tips: Any = None
    timeseries: Any = None
    meta: dict[str, Any] = field(default_factory=dict)
    state: Any = field(default=None, repr=False)  # the final state arrays, when asked for (keep_state)

    def _repr_html_(self) -> str:
        from azalai.notebook import run_html

        return run_html(self.seed, self.outcomes, self.meta)


def run_prepared(prep: Prepared, seeds: Sequence[int], record: bool = False, check: bool = False,
                 progress=None, chunk: int = PROGRESS_CHUNK_DAYS):
    """Run a batch; returns the final state arrays.

    ``check`` verifies the invariants every day; ``progress(days_done)`` is called every ``chunk`` days
    when given (the run is then stepped in chunks, with identical results).
    """
    from azalai.model.kernel import finish_batch, init_batch, run_batch, step_days
    from azalai.model.warmup import ensure_compiled

    ensure_compiled(prep)  # with an empty numba cache: the loop's callees compiled in parallel processes
    S = alloc_state(prep.world, np.asarray(seeds, dtype=np.int64), prep.days, record)
    Wr, Lr, Sr = prep.world_struct(), prep.levers_struct(), state_struct(S)
    if not check and progress is None:
        run_batch(Wr, Sr, prep.params, Lr, prep.aid, prep.days)
        return S
    if not check:
        init_batch(Wr, Sr)
        for d0 in range(0, prep.days, chunk):
            d1 = min(prep.days, d0 + chunk)
            step_days(Wr, Sr, prep.params, Lr, prep.aid, d0, d1)
            progress(d1)
        finish_batch(Wr, Sr, prep.days)
        return S
    from azalai.model.invariants import check_invariants

    init_batch(Wr, Sr)
    for d in range(prep.days):
        step_days(Wr, Sr, prep.params, Lr, prep.aid, d, d + 1)
        check_invariants(prep.world, S, day=d)
        if progress is not None and ((d + 1) % chunk == 0 or d + 1 == prep.days):
            progress(d + 1)
    finish_batch(Wr, Sr, prep.days)
    return S


def outcomes_of(prep: Prepared, S, r: int) -> dict[str, float]:
    """The per-run outcome scalars (BRIEF §Outcomes) of replicate r (:func:`azalai.model.outcomes.values`)."""
    from azalai.model.outcomes import values

    return values(prep, S, [r])[0]


def simulate(
    scenario: Scenario | str = DEFAULT_SCENARIO,
    policy: Policy | str | None = None,
    seed: int = 0,
    days: int | None = None,
    params: Mapping[str, float] | None = None,
    check: bool = False,
) -> RunResult:
    """Run one replicate with full outputs: events, tips, weekly time series and outcomes."""
    prep = prepare(scenario, policy, days, params)
    return simulate_prepared(prep, seed, check=check)


def simulate_prepared(prep: Prepared, seed: int, check: bool = False, progress=None, chunk: int = PROGRESS_CHUNK_DAYS,
                      keep_state: bool = False) -> RunResult:
    """One replicate with full outputs; ``progress(days_done)`` every ``chunk`` days (identical results)."""
    S = run_prepared(prep, [seed], record=True, check=check, progress=progress, chunk=chunk)
    return RunResult(
        seed=int(seed),
        outcomes=outcomes_of(prep, S, 0),
        events=events_frame(prep, S, 0, tag=f"AZ{seed}-"),
        tips=tips_frame(prep, S, 0),
        timeseries=timeseries_frame(prep, S, 0),
        meta=run_meta(prep, seed),
        state=S if keep_state else None,
    )


def simulate_batch(
    prep: Prepared, seeds: Sequence[int], with_events: bool = False
) -> tuple[list[dict[str, float]], list[Any] | None]:
    """Outcomes (and optionally event frames) of many seeds, run as one vectorised batch."""
    S = run_prepared(prep, seeds, record=False)
    from azalai.model.outcomes import values

    outs = values(prep, S)  # all replicates at once
    evs = [events_frame(prep, S, r, tag=f"AZ{seeds[r]}-") for r in range(len(seeds))] if with_events else None
    return outs, evs


def run_meta(prep: Prepared, seed: int) -> dict[str, Any]:
    from azalai import __version__

    pd_ = params_dict(prep.params)
    return {
        "scenario": prep.scenario.meta.id,
        "scenario_hash": prep.scenario_hash,
        "policy": prep.policy.id,
        "policy_json": prep.policy.model_dump_json(),
        "seed": int(seed),
        "days": prep.days,
        "start": prep.scenario.calendar.start.isoformat(),
        "version": __version__,
        "params": pd_,
        "params_hash": hashlib.sha256(json.dumps(pd_, sort_keys=True).encode()).hexdigest()[:HASH_CHARS],
    }
