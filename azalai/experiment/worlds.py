"""States of the world: what we do not know, drawn so that policies can be compared across it.

A *world* is one joint draw of everything uncertain, from up to three sources:

* ``posterior``: the calibrated parameters, drawn from the calibration posterior
  (``azalai/model/calibrated.yaml``, through :func:`azalai.analysis.calibration.sample_posterior`);
* ``scenario``: the scenario's own uncertain numbers, each written ``{value: x, range: [lo, hi]}``
  (a community's ``trafficking_dependence``, an actor's ``cash``, a commodity's ``volume_per_month``
  and ``value_per_unit``) and each actor's multiplicative ``fighters_uncertainty``;
* ``influential``: registry parameters over their plausible ranges. Which ones: :data:`INFLUENTIAL`,
  a declared list (no stored sensitivity ranking is shipped). It is the sensitivity analysis's default
  set (:data:`azalai.experiment.sensitivity.DEFAULT_PARAMS`), the weakly constrained coefficients
  closest to the claims and to planners' questions, minus any parameter the calibration estimates
  (those come from the posterior).

Scenario and influential quantities are drawn by Latin hypercube (one per source) and mapped through
a piecewise-linear distribution with its median at the point value: half of the draws fall between
the range's low end and the point value, half between it and the high end (for a fighters factor the
point value is 1). Everything is deterministic from ``seed``; each source has its own stream, so
adding a source does not change the draws of the others.

A world holds registry overrides (:attr:`World.params`) and scenario draws (:attr:`World.scenario`,
dotted keys such as ``jnim.cash`` or ``mnla.fighters``); :meth:`World.apply` writes the scenario
draws into a copy of the scenario, so the engine's prepared world is built from the drawn values.
``point=True`` (or an empty ``sources``) holds every uncertainty at its point value: one world, no
overrides.

:func:`run_paired` runs candidate arms (a policy plus parameter overrides, optionally with mechanism
terms switched off) in every world over common seeds, through the engine's vectorised batches, in
this process or in a pool of worker processes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from azalai.defaults import DEFAULT_SCENARIO
from azalai.errors import InputError, Problem

SOURCES = ("posterior", "scenario", "influential")

INFLUENTIAL = (
    "rent_rate", "risk_aversion", "stake_weight", "aggression_weight", "tension_threshold", "accord_restraint",
    "lie_base", "lie_rivalry", "support_grievance", "misdirected_grievance",
)


def _bad(field_: str, msg: str) -> InputError:
    return InputError(Problem("<arguments>", None, None, field_, msg))


@dataclass(frozen=True)
class World:
    """One state of the world: registry overrides and scenario draws."""

    index: int
    params: dict[str, float] = field(default_factory=dict)
    scenario: dict[str, float] = field(default_factory=dict)

    def apply(self, sc):
        """A copy of scenario ``sc`` with this world's draws written into its uncertain numbers."""
        if not self.scenario:
            return sc
        d = self.scenario

        def unc(obj, name):
            key = f"{obj.id}.{name}"
            cur = getattr(obj, name)
            return cur.model_copy(update={"value": float(d[key])}) if key in d else cur

        comms = [c.model_copy(update={"trafficking_dependence": unc(c, "trafficking_dependence")})
                 for c in sc.communities]
        actors = []
        for a in sc.actors:
            upd: dict[str, Any] = {"cash": unc(a, "cash")}
            f = d.get(f"{a.id}.fighters")
            if f is not None:
                upd["fighters"] = {p: float(v) * float(f) for p, v in a.fighters.items()}
            actors.append(a.model_copy(update=upd))
        comms_k = [k.model_copy(update={"volume_per_month": unc(k, "volume_per_month"),
                                        "value_per_unit": unc(k, "value_per_unit")}) for k in sc.commodities]
        return sc.model_copy(update={"communities": comms, "actors": actors, "commodities": comms_k})

    def features(self) -> dict[str, float]:
        return {**self.params, **self.scenario}


@dataclass
class Worlds:
    """The drawn worlds, with what they were drawn from."""

    scenario: Any  # the base Scenario
    worlds: list[World]
    sources: tuple[str, ...]
    seed: int
    point: bool
    ranges: dict[str, tuple[float, float, float]]  # key -> (low, point value, high)

    def __len__(self) -> int:
        return len(self.worlds)

    def __iter__(self):
        return iter(self.worlds)

    def features(self):
        """One row per world, one column per drawn quantity (for scenario discovery)."""
        import pandas as pd

        return pd.DataFrame([w.features() for w in self.worlds], index=[w.index for w in self.worlds])


def scenario_ranges(sc) -> dict[str, tuple[float, float, float]]:
    """Every uncertain number of a scenario with a non-degenerate range: key -> (low, value, high)."""
    out: dict[str, tuple[float, float, float]] = {}

    def add(key, u):
        lo, hi = float(u.range[0]), float(u.range[1])
        if hi > lo:
            out[key] = (lo, float(u.value), hi)

    for c in sc.communities:
        add(f"{c.id}.trafficking_dependence", c.trafficking_dependence)
    for a in sc.actors:
        lo, hi = (float(x) for x in a.fighters_uncertainty)
        if hi > lo:
            out[f"{a.id}.fighters"] = (lo, min(max(1.0, lo), hi), hi)
        add(f"{a.id}.cash", a.cash)
    for k in sc.commodities:
        add(f"{k.id}.volume_per_month", k.volume_per_month)
        add(f"{k.id}.value_per_unit", k.value_per_unit)
    return out


def _stream_seed(seed: int, source: str) -> int:
    return int(np.random.SeedSequence([int(seed), SOURCES.index(source)]).generate_state(1)[0] % (2**31 - 1))


def _median_at_point(u: np.ndarray, lo: float, mid: float, hi: float) -> np.ndarray:
    return np.interp(u, [0.0, 0.5, 1.0], [lo, mid, hi])


def _lhs_unit(k: int, n: int, seed: int) -> np.ndarray:
    if k == 0:
        return np.zeros((n, 0))
    if n == 1:
        return np.full((1, k), 0.5)
    from azalai.experiment.discovery import lhs_samples

    return lhs_samples([f"u{i}" for i in range(k)], n, seed=seed, bounds=[[0.0, 1.0]] * k).to_numpy()


def sample_worlds(
    scenario: Any = DEFAULT_SCENARIO,
    sources: Sequence[str] = SOURCES,
    n: int = 200,
    seed: int = 0,
    *,
    point: bool = False,
    influential: Sequence[str] | None = None,
    calibration: str | Path | None = None,
) -> Worlds:
    """``n`` worlds drawn from ``sources`` (deterministic from ``seed``); ``point`` gives the one point world."""
    from azalai.scenario.loader import resolve_scenario
    from azalai.model.params import CALIBRATED_FILE, calibrated_defaults, make_params, params_dict, spec

    sc = resolve_scenario(scenario)
    unknown = [s for s in sources if s not in SOURCES]
    if unknown:
        raise _bad("sources", f"unknown source {unknown[0]!r}: use {', '.join(SOURCES)}")
    if n < 1:
        raise _bad("n", f"must be at least 1 (got {n})")
    srcs = tuple(s for s in SOURCES if s in sources)
    if point or not srcs:
        return Worlds(sc, [World(0)], (), int(seed), True, {})
    cal_file = Path(calibration) if calibration is not None else CALIBRATED_FILE
    calibrated = set(calibrated_defaults()) if calibration is None else set()
    if calibration is not None:
        from azalai.errors import InputError
        from azalai.safeio import RESULTS_MAX_BYTES
        from azalai.scenario.yamlio import load_yaml_file

        doc = load_yaml_file(cal_file, InputError, what="calibration file", max_bytes=RESULTS_MAX_BYTES).data
        values = doc.get("values") or {}
        calibrated = set(values) if isinstance(values, dict) else set()
    params: list[dict[str, float]] = [{} for _ in range(n)]
    scen: list[dict[str, float]] = [{} for _ in range(n)]
    ranges: dict[str, tuple[float, float, float]] = {}
    if "posterior" in srcs and cal_file.exists():
        from azalai.experiment.posterior import sample_posterior

        for d, draw in zip(params, sample_posterior(cal_file, n, seed=_stream_seed(seed, "posterior"))):
            d.update(draw)
        point_vals = params_dict(make_params())
        for name in calibrated:
            s = spec(name)
            ranges[name] = (s.low, point_vals[name], s.high)
    if "influential" in srcs:
        names = [p for p in (INFLUENTIAL if influential is None else influential) if p not in calibrated
                 or "posterior" not in srcs]
        point_vals = params_dict(make_params())
        U = _lhs_unit(len(names), n, _stream_seed(seed, "influential"))
        for j, name in enumerate(names):
            s = spec(name)
            ranges[name] = (s.low, point_vals[name], s.high)
            col = _median_at_point(U[:, j], s.low, point_vals[name], s.high)
            for i in range(n):
                params[i][name] = float(col[i])
    if "scenario" in srcs:
        sr = scenario_ranges(sc)
        U = _lhs_unit(len(sr), n, _stream_seed(seed, "scenario"))
        for j, (key, (lo, mid, hi)) in enumerate(sr.items()):
            ranges[key] = (lo, mid, hi)
            col = _median_at_point(U[:, j], lo, mid, hi)
            for i in range(n):
                scen[i][key] = float(col[i])
    worlds = [World(i, params[i], scen[i]) for i in range(n)]
    return Worlds(sc, worlds, srcs, int(seed), False, ranges)


@dataclass(frozen=True)
class Arm:
    """A candidate: a policy, parameter overrides on top of the world's, and mechanism terms switched off.

    ``off`` names registry parameters set to exactly 0 (an ablation: the term they scale is removed);
    0 may lie outside a parameter's plausible range, which is why it is not an ordinary override.
    """

    policy: Any  # a built-in policy name, a file path or a Policy
    params: Mapping[str, float] = field(default_factory=dict)
    off: tuple[str, ...] = ()

    def label(self) -> str:
        name = self.policy if isinstance(self.policy, str) else getattr(self.policy, "id", "policy")
        parts = [f"{k}={v:g}" for k, v in self.params.items()] + [f"{k}=0 (off)" for k in self.off]
        return name + (" [" + ", ".join(parts) + "]" if parts else "")


def prepare_arm(sc, world: World, arm: Arm, days: int | None):
    """The engine's prepared world for one arm in one world."""
    from azalai.model.engine import prepare
    from azalai.model.params import spec

    prep = prepare(world.apply(sc), arm.policy, days, {**world.params, **dict(arm.params)} or None)
    if arm.off:
        for k in arm.off:
            spec(k)  # unknown names fail here, with a suggestion
        prep = dataclasses.replace(prep, params=prep.params._replace(**{k: 0.0 for k in arm.off}))
    return prep


def _run_world(sc, world: World, arms: Mapping[str, Arm], seeds: Sequence[int], days, keep, with_events,
               measure=None):
    from azalai.model.engine import events_frame, run_prepared
    from azalai.model.outcomes import values

    rows, events = [], {}
    for label, arm in arms.items():
        prep = prepare_arm(sc, world, arm, days)
        S = run_prepared(prep, list(seeds))
        outs = values(prep, S)
        if measure is not None:
            for r, o in enumerate(outs):
                o.update(measure(prep, S, r))
        evs = [events_frame(prep, S, r, tag=f"AZ{seeds[r]}-") for r in range(len(seeds))] if with_events else None
        for j, (s, o) in enumerate(zip(seeds, outs)):
            rows.append({"world": world.index, "arm": label, "seed": int(s),
                         **({k: o[k] for k in keep if k in o} if keep else o)})
            if with_events:
                events[(world.index, label, int(s))] = evs[j]
    return rows, events


_POOL_SC = None


def _init_pool(sc) -> None:
    global _POOL_SC
    import signal

    import numba

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    numba.set_num_threads(1)
    _POOL_SC = sc


def _pool_task(args):
    return _run_world(_POOL_SC, *args)


def run_paired(
    worlds: Worlds | Sequence[World],
    arms: Mapping[str, Arm] | Sequence[Arm],
    seeds: Sequence[int],
    days: int | None = None,
    *,
    scenario: Any = None,
    outcomes: Sequence[str] | None = None,
    workers: int = 1,
    with_events: bool = False,
    progress=None,
    measure=None,
):
    """Run every arm in every world over the same ``seeds``; one row per (world, arm, seed).

    Returns a data frame with columns ``world``, ``arm``, ``seed`` and the outcomes (all of them, or
    ``outcomes``). Replicate (world, seed) of every arm uses the same random streams (common random
    numbers), so the paired difference between two arms in a world removes the seed's noise. Results
    do not depend on ``workers``. ``measure(prep, S, r)`` (a module-level function, so that workers can
    receive it) adds measurements of replicate r read from the final state. With ``with_events`` the frame's ``attrs["events"]`` maps
    (world, arm, seed) to the run's event frame.
    """
    import pandas as pd

    from azalai.scenario.loader import resolve_scenario

    if isinstance(worlds, Worlds):
        sc = worlds.scenario if scenario is None else resolve_scenario(scenario)
        wl = list(worlds.worlds)
    else:
        sc = resolve_scenario(scenario or DEFAULT_SCENARIO)
        wl = list(worlds)
    if not isinstance(arms, Mapping):
        arms = {a.label(): a for a in arms}
    if not arms:
        raise _bad("arms", "no arm to run")
    if len(seeds) < 1:
        raise _bad("seeds", "no seed to run")
    keep = list(outcomes) if outcomes else None
    # One task per world; with few worlds for the workers, each world's arms are split over several tasks.
    k = max(1, min(len(arms), -(-2 * int(workers) // len(wl)))) if workers > 1 else 1
    items = list(arms.items())
    chunks = [dict(items[j::k]) for j in range(k)]
    tasks = [(w, ch, [int(s) for s in seeds], days, keep, with_events, measure) for w in wl for ch in chunks]
    results: list[tuple[list, dict]] = []
    if workers <= 1 or len(tasks) < 2:
        for i, t in enumerate(tasks):
            results.append(_run_world(sc, *t))
            if progress is not None:
                progress(i + 1, len(tasks))
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        _run_world(sc, World(-1), {"warm": next(iter(arms.values()))}, [0], 7, keep, with_events, measure)
        with ProcessPoolExecutor(max_workers=int(workers), mp_context=mp.get_context("spawn"),
                                 initializer=_init_pool, initargs=(sc,)) as pool:
            for i, res in enumerate(pool.map(_pool_task, tasks, chunksize=1)):
                results.append(res)
                if progress is not None:
                    progress(i + 1, len(tasks))
    rows = [r for res in results for r in res[0]]
    # The same order however the arms were split: worlds, then arms, then seeds, as given.
    wpos = {w.index: i for i, w in enumerate(wl)}
    apos = {a: i for i, a in enumerate(arms)}
    rows.sort(key=lambda r: (wpos[r["world"]], apos[r["arm"]]))
    df = pd.DataFrame(rows)
    if with_events:
        df.attrs["events"] = {k: v for res in results for k, v in res[1].items()}
    return df


def paired_differences(df, a: str, b: str, outcome: str):
    """Per (world, seed): outcome of arm ``b`` minus arm ``a``, as a world x seed frame."""
    wide = df.pivot_table(index=["world", "seed"], columns="arm", values=outcome, aggfunc="first")
    d = (wide[b] - wide[a]).rename(outcome)
    return d.unstack("seed")


__all__ = ["SOURCES", "INFLUENTIAL", "World", "Worlds", "Arm", "sample_worlds", "scenario_ranges", "prepare_arm",
           "run_paired", "paired_differences"]
