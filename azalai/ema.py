"""The EMA Workbench connector: azalai as an ``ema_workbench`` model.

Uncertainties come from the parameter registry (a ``RealParameter`` per coefficient over its
plausible range), levers from :data:`azalai.policy.schema.LEVERS` (``RealParameter``, or
``IntegerParameter`` for whole-day levers), outcomes from the engine's per-run outcome scalars
(``ScalarOutcome``). ::

    from ema_workbench import perform_experiments
    from azalai.ema import make_model

    model = make_model(days=365, uncertainties=["rent_rate", "lie_rivalry"], replications=4)
    experiments, outcomes = perform_experiments(model, scenarios=50, policies=8)

With ``replications`` the model is a ``ReplicatorModel``: each experiment runs that many seeds
(``seed``, ``seed+1`` ...) and every outcome holds one value per replication. The model function is a
plain module-level function, so the workbench's multiprocessing evaluator can pickle it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

from azalai.defaults import DEFAULT_POLICY, DEFAULT_SCENARIO
from azalai.model.outcomes import key_outcomes

DEFAULT_OUTCOMES = tuple(key_outcomes())  # declared in azalai/model/outcomes.yaml
_CONSTANTS = ("scenario", "base_policy", "days", "seed", "outcome_names")


@lru_cache(maxsize=8)
def _scenario(name: str):
    from azalai.scenario.loader import resolve_scenario

    return resolve_scenario(name)


@lru_cache(maxsize=8)
def _base_policy(name: str):
    from azalai.policy.loader import resolve_policy

    return resolve_policy(name)


def policy_with_levers(base: Any, levers: dict[str, float], pid: str = "ema-policy"):
    """The base policy with ``levers`` set from the start (dated changes no longer touch those levers)."""
    from azalai.policy.schema import LeverSettings, Policy

    pol = _base_policy(base) if isinstance(base, str) else base
    if not levers:
        return pol
    cur = {k: v for k, v in pol.levers.model_dump().items() if v is not None}  # unset levers keep their defaults
    cur.update({k: float(v) for k, v in levers.items()})
    changes = [ch.model_copy(update={"levers": ch.levers.model_copy(update={k: None for k in levers})})
               for ch in pol.changes]
    return Policy(id=pid, name=f"{pol.name} (levers set by the workbench)", description=pol.description,
                  source=pol.source, levers=LeverSettings(**cur), changes=changes)


def azalai_model(scenario: str = DEFAULT_SCENARIO, base_policy: str = DEFAULT_POLICY, days: int = 365, seed: int = 0,
                 outcome_names: Sequence[str] = DEFAULT_OUTCOMES, **values: float) -> dict[str, float]:
    """Run one replicate with the given parameter and lever values; return outcome scalars."""
    from azalai.model.engine import prepare, simulate_batch
    from azalai.model.params import names as param_names
    from azalai.policy.schema import LEVER_INDEX

    known = set(param_names())
    params = {k: float(v) for k, v in values.items() if k in known}
    levers = {k: float(v) for k, v in values.items() if k in LEVER_INDEX}
    unknown = set(values) - known - set(LEVER_INDEX)
    if unknown:
        raise KeyError(f"not a parameter or a lever: {', '.join(sorted(unknown))}")
    pol = policy_with_levers(base_policy, levers)
    prep = prepare(_scenario(scenario), pol, int(days), params)
    outs, _ = simulate_batch(prep, [int(seed)])
    return {k: outs[0][k] for k in outcome_names}


def make_model(
    name: str = "azalai",
    scenario: str = DEFAULT_SCENARIO,
    policy: str = DEFAULT_POLICY,
    days: int = 365,
    seed: int = 0,
    uncertainties: Sequence[str] | None = None,
    levers: Sequence[str] | None = None,
    outcomes: Sequence[str] | None = None,
    replications: int | None = None,
    reduce: str | None = "mean",
):
    """An EMA Workbench ``Model`` (or ``ReplicatorModel`` with ``replications``) of azalai.

    ``uncertainties`` and ``levers`` select registry parameters and levers by name (default: all of them);
    parameters left out keep their default (or calibrated) values. With ``replications`` each outcome is
    a ``ScalarOutcome`` reduced over the replications by ``reduce`` (``mean``, ``median``, ``min``,
    ``max``), or with ``reduce=None`` an ``ArrayOutcome`` holding every replication (the workbench
    registers outcome names per process, so one process cannot mix both kinds for the same outcome).
    """
    from ema_workbench import (ArrayOutcome, Constant, IntegerParameter, Model, RealParameter, ReplicatorModel,
                               ScalarOutcome)

    from azalai.errors import InputError, Problem
    from azalai.model.params import registry, spec
    from azalai.policy.schema import LEVERS

    specs = [spec(n) for n in uncertainties] if uncertainties is not None else [p for p in registry() if p.high > p.low]
    by_name = {lv.name: lv for lv in LEVERS}
    if levers is not None:
        bad = [lv for lv in levers if lv not in by_name]
        if bad:
            raise InputError(Problem("<arguments>", None, None, "levers", f"unknown lever(s): {', '.join(bad)}"))
    lev = [by_name[n] for n in levers] if levers is not None else list(LEVERS)
    outs = list(outcomes or DEFAULT_OUTCOMES)

    if replications:
        model = ReplicatorModel(name, function=azalai_model)
        model.replications = [{"seed": int(seed) + i} for i in range(int(replications))]
        constants = [Constant("scenario", scenario), Constant("base_policy", policy), Constant("days", int(days)),
                     Constant("outcome_names", tuple(outs))]
    else:
        model = Model(name, function=azalai_model)
        constants = [Constant("scenario", scenario), Constant("base_policy", policy), Constant("days", int(days)),
                     Constant("seed", int(seed)), Constant("outcome_names", tuple(outs))]
    model.uncertainties = [RealParameter(p.name, p.low, p.high) for p in specs]
    model.levers = [
        IntegerParameter(lv.name, int(lv.low), int(lv.high)) if lv.integer else RealParameter(lv.name, lv.low, lv.high)
        for lv in lev
    ]
    if replications and reduce is None:
        model.outcomes = [ArrayOutcome(o) for o in outs]
    elif replications:
        import numpy as np

        fn = {"mean": np.mean, "median": np.median, "min": np.min, "max": np.max}[reduce]
        model.outcomes = [ScalarOutcome(o, function=fn) for o in outs]
    else:
        model.outcomes = [ScalarOutcome(o) for o in outs]
    model.constants = constants
    return model
