"""Calibration of the model by ABC-SMC on observed data (``azalai calibrate``).

* The sampler: :mod:`azalai.analysis.abc_smc` (adaptive population Monte Carlo ABC, generic over
  the simulator; checkpoints in :mod:`azalai.analysis.abc_checkpoint`).
* What is compared: :mod:`azalai.analysis.calibration_stats` (pooled statistics) and
  :mod:`azalai.analysis.time_stats` (statistics that see time); which stretch of a run is set
  against which stretch of the period: :mod:`azalai.analysis.calibration_align` (``align``).
* The result file and draws from the posterior: :mod:`azalai.analysis.calibration_result`.

The model's simulations run on the project's executors (:mod:`azalai.experiment.executors`: in
this process, a pool of processes, or Ray), as ensembles do. Each particle is one batch of R
replicates sharing its parameters; the worker keeps the scenario's prepared world and swaps each
particle's parameters in, runs the batch, and returns only the particle's summary vector
(:class:`ParticleSummary`), not its events. Seeds are fixed before a batch is sent, so the result
does not depend on the backend or the number of workers.
"""

from __future__ import annotations

import datetime as _dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from azalai.analysis.abc_smc import (NAN_PENALTY, ABCResult, Generation, UniformPrior, abc_smc, group_distance,
                                     robust_scales, weighted_quantile)
from azalai.analysis.calibration_align import (ALIGNS, DEFAULT_RECENT_WEIGHT, check_align, check_recent_weight,
                                               end_targets)
from azalai.analysis.calibration_result import result_document, sample_posterior, write_result
from azalai.analysis.calibration_stats import (ACLED_VIOLENT, Targets, model_statistics, scale_floors,
                                               targets_from_observed)
from azalai.defaults import DEFAULT_SCENARIO
from azalai.errors import InputError, Problem


@dataclass(frozen=True)
class ParticleSummary:
    """Run in the worker on a finished batch (one particle's replicates): the pooled summary vector
    of the batch's events, in the observed data's form and dated from the runs' first day
    (``targets.run_start``)."""

    targets: Targets
    days: int
    time_stats: bool = False

    def __call__(self, prep, S, seeds: Sequence[int]) -> np.ndarray:
        from azalai.analysis.validation import light_events, outside_admin1, to_observed_form

        tg = self.targets
        outside = outside_admin1(prep)
        evs = []
        for r in range(len(seeds)):
            ev = light_events(prep, S, r, tg.run_start)
            evs.append(to_observed_form(ev[~ev["admin1"].isin(outside)].reset_index(drop=True), tg.observed))
        out = model_statistics(evs, tg, self.days)
        if self.time_stats:
            from azalai.analysis import time_stats as ts

            out = np.concatenate([out, ts.model_part(evs, tg)])
        return out


def model_simulator(targets: Targets, names: Sequence[str], scenario=DEFAULT_SCENARIO, policy=None,
                    base: Mapping[str, float] | None = None, replicates: int = 4, days: int | None = None,
                    time_stats: bool = False, backend: str = "serial", workers: int | None = None,
                    address: str | None = None) -> tuple[Callable[[np.ndarray, list[int]], np.ndarray], Callable]:
    """``(simulate_many, close)``: ``simulate_many(thetas, seeds)`` for :func:`abc_smc` runs particle i as
    ``replicates`` replicates (seeds ``seeds[i] * 100 + k``) with ``base`` overridden by ``names = thetas[i]``
    on ``backend``, whose workers stay up until ``close()``."""
    from azalai.analysis.validation import period_days
    from azalai.experiment.executors import Batch, RunSpec, Session
    from azalai.experiment.executors.base import params_key
    from azalai.policy.loader import resolve_policy
    from azalai.scenario.loader import resolve_scenario

    sc, pol = resolve_scenario(scenario), resolve_policy(policy)
    n_days = int(days or period_days(targets.run_start, targets.end))
    base = {k: float(v) for k, v in (base or {}).items()}
    summary = ParticleSummary(targets, n_days, bool(time_stats))
    spec = RunSpec(sc, pol, n_days, base or None, False,
                   key=f"calibration|{sc.model_dump_json()}|{pol.model_dump_json()}|{n_days}|{params_key(base)}|"
                       f"{targets.observed}|{targets.start}|{targets.run_start}|{targets.end}|{time_stats}",
                   summary=summary)
    R = int(replicates)
    session = Session(spec, backend, workers, address)

    def simulate_many(thetas: np.ndarray, seeds: list[int]) -> np.ndarray:
        batches = [Batch(i, tuple(range(R)), tuple(int(s) * 100 + k for k in range(R)),
                         {n: float(v) for n, v in zip(names, th)}) for i, (th, s) in enumerate(zip(thetas, seeds))]
        out = np.full((len(batches), len(targets.values)), np.nan)
        for res in session.run(batches):
            out[res.batch_id] = res.summary
        return out

    return simulate_many, session.close


# The parameters of the shipped calibration (scripts/calibrate_builtin.py, docs/calibration.md), chosen by a
# Morris screen of the whole registry on the model's first year (scripts/screen_registry.py): the violence rates
# and sizes (the volume), those the screen found to move the regional split most (where groups and forces put
# their men: the smallest presence and detachment, the concentration and aims of deployments, the weight of
# threats and defence, growth, informants' cooperation, the tempo of forces without a lever, how fast
# insecurity fades), and those that decide whether the centre's land disputes turn into a war of militias.
CAL_PARAMS = ("clash_base", "attack_base", "reprisal_rate", "fatality_scale", "fatality_alpha", "op_fatality_scale",
              "min_presence", "cooperation_base", "defend_premium", "min_group", "value_power", "value_aim",
              "max_growth", "threat_weight", "other_force_tempo", "insecurity_decay",
              "dispute_rate", "escalation_rate", "militia_insecurity", "communal_fatality_scale")
# The word that names them on the command line (``azalai calibrate --params shipped``).
SHIPPED = "shipped"


def check_param_names(names: Sequence[str]) -> list[str]:
    """The parameters to calibrate: registry names, or the single word ``shipped`` for ``CAL_PARAMS``."""
    from azalai.model.params import spec

    if [n.strip() for n in names] == [SHIPPED]:
        names = CAL_PARAMS
    out = []
    for n in names:
        n = n.strip()
        if not n:
            continue
        spec(n)  # raises a clear InputError for unknown names
        out.append(n)
    if not out:
        raise InputError(Problem("<argument>", None, None, "--params", "name at least one parameter to calibrate"),
                         file="<argument>")
    return out


SAMPLERS = ("azalai", "pyabc")


def check_sampler(sampler: str) -> str:
    """``sampler`` if known (and, for pyabc, installed); else a clear InputError."""
    if sampler not in SAMPLERS:
        raise InputError(Problem("<argument>", None, None, "--sampler",
                                 f"{sampler!r} is not one of {', '.join(SAMPLERS)}"), file="<argument>")
    if sampler == "pyabc":
        import importlib.util

        if importlib.util.find_spec("pyabc") is None:
            raise InputError(Problem("<argument>", None, None, "--sampler",
                                     "pyabc is not installed: pip install 'azalai[calibration]'"), file="<argument>")
    return sampler


def calibration_targets(store, observed: str, period, days: int | None = None, time_stats: bool = False,
                        align: str = "start", recent_weight: float = DEFAULT_RECENT_WEIGHT,
                        interactions: bool = False) -> Targets:
    """The observed summary vector of ``period`` for the alignment ``align`` (with the time-aware
    statistics, and who fights whom, if asked)."""
    from azalai.analysis.validation import load_observed_period

    obs, _start, _end = load_observed_period(store, observed, period, days)
    tg = targets_from_observed(obs, interactions=interactions)
    if check_align(align) == "end":
        tg = end_targets(store, tg, check_recent_weight(recent_weight))
    if time_stats:
        from azalai.analysis import time_stats as ts

        tg = ts.with_time_statistics(store, tg)
    return tg


def calibrate(
    observed: str,
    period: str | tuple[_dt.date, _dt.date],
    params: Sequence[str],
    particles: int = 100,
    generations: int = 4,
    replicates: int = 4,
    seed: int = 1,
    store=None,
    scenario=DEFAULT_SCENARIO,
    policy=None,
    base: Mapping[str, float] | None = None,
    days: int | None = None,
    quantile: float = 0.5,
    workers: int = 1,
    max_simulations_per_generation: int | None = None,
    progress: Callable[[str], None] | None = None,
    sim_days: int | None = None,
    time_stats: bool = False,
    checkpoint: str | Path | None = None,
    backend: str | None = None,
    address: str | None = None,
    sampler: str = "azalai",
    align: str = "start",
    recent_weight: float = DEFAULT_RECENT_WEIGHT,
    interactions: bool = False,
) -> tuple[ABCResult, Targets]:
    """Calibrate ``params`` of the model on observed data of ``period`` by ABC-SMC.

    ``base``: values of the other parameters (default: the current defaults, i.e. the registry and
    any shipped calibrated.yaml). ``days`` shortens the period (for tests). ``sim_days``: length of
    each simulated replicate (default: the period's); every statistic is a rate per year or a
    share, so shorter runs compare with the whole period's year-equivalent, only more noisily.
    ``time_stats`` adds the statistics of :mod:`azalai.analysis.time_stats` (level and trend, the
    latest year's regions, monthly dispersion); replicates then run for the whole period.
    ``backend``: ``serial``, ``thread``, ``process`` or ``ray`` (default: ``process`` with more than one
    worker, else ``serial``); ``address``: a Ray cluster to join. ``sampler``: ``azalai``
    (:func:`abc_smc`) or ``pyabc`` (:func:`azalai.analysis.abc_pyabc.pyabc_smc`, same prior, simulator
    and distance; ``checkpoint`` is then its SQLite history, not resumed). ``align``: ``start``
    (the above) or ``end``: each replicate runs the period's last year only, set against that year's
    statistics weighted ``recent_weight`` and the whole period's averages
    (:mod:`azalai.analysis.calibration_align`); ``sim_days`` is then ignored. ``interactions`` adds who
    fights whom (with ACLED data): the shares of fatalities of forces against armed groups, of armed groups
    against each other and against civilians (:func:`azalai.analysis.observed.interaction_class`)."""
    from azalai.analysis.validation import period_days
    from azalai.model.params import spec

    names = check_param_names(params)
    check_sampler(sampler)
    check_align(align)
    check_recent_weight(recent_weight)
    tg = calibration_targets(store, observed, period, days, time_stats, align, recent_weight, interactions)
    if time_stats or align == "end":
        sim_days = None
    prior = UniformPrior(names, np.array([spec(n).low for n in names]), np.array([spec(n).high for n in names]))
    backend = backend or ("process" if int(workers) > 1 else "serial")
    simulate_many, close = model_simulator(tg, names, scenario, policy, base, replicates, sim_days, time_stats,
                                           backend, int(workers), address)
    t0 = time.time()
    try:
        if sampler == "pyabc":
            from azalai.analysis.abc_pyabc import pyabc_smc

            res = pyabc_smc(simulate_many, tg.values, prior, tg.groups, particles, max(1, generations - 1), seed,
                            checkpoint, scale_floors(tg), max_simulations_per_generation, None, "group", tg.names,
                            progress, tg.group_weights)
        else:
            res = abc_smc(None, tg.values, prior, tg.groups, particles, generations, quantile, seed,
                          max_simulations_per_generation, simulate_many, progress, tg.names, scale_floors(tg),
                          checkpoint, tg.group_weights)
    finally:
        close()
    res.meta = {**res.meta, "seconds": time.time() - t0, "replicates": int(replicates), "workers": int(workers),
                "backend": backend, "sampler": sampler, "align": align,
                "days_per_replicate": int(sim_days or period_days(tg.run_start, tg.end))}
    return res, tg


__all__ = [
    "UniformPrior", "abc_smc", "ABCResult", "Generation", "robust_scales", "group_distance", "weighted_quantile",
    "NAN_PENALTY", "ACLED_VIOLENT", "Targets", "targets_from_observed", "model_statistics", "scale_floors",
    "ParticleSummary", "model_simulator", "calibration_targets", "SAMPLERS", "check_sampler", "calibrate", "result_document", "write_result",
    "sample_posterior", "check_param_names", "ALIGNS", "DEFAULT_RECENT_WEIGHT", "check_align", "check_recent_weight",
    "CAL_PARAMS",
]
