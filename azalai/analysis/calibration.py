"""Calibration by Approximate Bayesian Computation with Sequential Monte Carlo (ABC-SMC).

The method is the adaptive population Monte Carlo ABC of Beaumont, Cornuet, Marin & Robert (2009),
in the form of Toni, Welch, Strelkowa, Ipsen & Stumpf (2009), with the tolerance schedule chosen on
the fly from quantiles of the previous population's distances (Del Moral et al. 2012; as in pyABC):

1. **Prior.** Each calibrated parameter is uniform over its plausible range in the registry
   (``parameters.yaml``). The others keep their current values.
2. **Generation 0.** Draw N particles from the prior and simulate each. The spread of every summary
   statistic over this prior-predictive sample (1.4826 × median absolute deviation, or the
   standard deviation when the MAD is 0) becomes its *scale*; each particle's distance to the
   observed statistics is computed with these scales (below). Scales have a floor (for the
   model: 0.1 for log rates and the tail exponent; for a share, 0.02 or a fifth of the observed
   share if larger), so a statistic the prior barely moves cannot dominate the distance. All N particles are kept, with
   equal weights.
3. **Generation t ≥ 1.** The tolerance ε_t is the ``quantile`` (default 0.5) of the distances of
   generation t-1. Until N particles are accepted: pick a particle of generation t-1 with
   probability equal to its weight, move it with a Gaussian kernel whose covariance is twice the
   weighted covariance of generation t-1 (Beaumont et al. 2009), reject the move if it leaves the
   prior's support, simulate, and accept it if its distance is at most ε_t. Accepted particle i
   gets the importance weight  w_i ∝ π(θ_i) / Σ_j w_j^{t-1} K_t(θ_i | θ_j^{t-1}).
4. Stop after G generations, or earlier when a generation's simulation budget runs out (the
   generation's accepted particles, if at least a quarter of N, are then the last population).
   The posterior is the last weighted population.

**Distance.** Summary statistics come in groups (volume, regions, event types, tail). Each
statistic's difference to the observed value is divided by its scale; the squared normalised
differences are averaged within a group, then across groups, so each group weighs the same however
many statistics it has; the distance is the square root. A statistic the simulation cannot
compute (no events, too small a tail) counts as 5 scales away.

**Summary statistics of the model** (pooled over R replicates of one particle, each run for the
period's length and shifted onto it; see :mod:`azalai.analysis.validation`):

* ``log_fatalities_per_year``: log(1 + fatalities per year), and ``log_violent_events_per_year``:
  log(1 + violent events per year) (the "volume" group);
* ``region_share:<admin1>``: share of fatalities in each of the observed top regions, plus the rest;
* ``event_share:<type>`` and ``fatality_share:<type>``: shares of events and fatalities among the
  violent event types (ACLED: Battles, Explosions/Remote violence, Violence against civilians;
  UCDP: the three types of violence);
* ``tail_alpha``: power-law exponent of event sizes above the observed xmin (closed-form discrete
  estimate of Clauset et al. 2009, eq. 3.7; the observed xmin is fitted once with ``powerlaw``).

The output file (YAML) holds ``values`` (posterior medians, loadable with ``--params``), a
``posterior`` summary (median, q05, q95 per parameter), the final weighted ``particles`` (so
ensembles can sample the joint posterior with :func:`sample_posterior`), and the method's record.
"""

from __future__ import annotations

import datetime as _dt
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from azalai.defaults import DEFAULT_SCENARIO
from azalai.errors import InputError, Problem

ACLED_VIOLENT = ["Battles", "Explosions/Remote violence", "Violence against civilians"]
NAN_PENALTY = 5.0


# ---------------------------------------------------------------------------------------------
# generic ABC-SMC
# ---------------------------------------------------------------------------------------------


@dataclass
class UniformPrior:
    names: list[str]
    low: np.ndarray
    high: np.ndarray

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size=(n, len(self.names)))

    def inside(self, theta: np.ndarray) -> np.ndarray:
        theta = np.atleast_2d(theta)
        return np.all((theta >= self.low) & (theta <= self.high), axis=1)

    def density(self) -> float:
        return float(1.0 / np.prod(self.high - self.low))


def robust_scales(stats: np.ndarray) -> np.ndarray:
    """Per-column scale: 1.4826 × MAD, else the standard deviation, else 1 (NaNs ignored)."""
    out = np.ones(stats.shape[1])
    for j in range(stats.shape[1]):
        col = stats[:, j]
        col = col[np.isfinite(col)]
        if len(col) < 2:
            continue
        mad = 1.4826 * np.median(np.abs(col - np.median(col)))
        sd = np.std(col)
        out[j] = mad if mad > 1e-12 else (sd if sd > 1e-12 else 1.0)
    return out


def group_distance(stats: np.ndarray, observed: np.ndarray, scales: np.ndarray, groups: Sequence[int]) -> np.ndarray:
    """Distances of rows of ``stats`` to ``observed``: normalised squared differences averaged
    within each group, then across groups; square root. NaN statistics count NAN_PENALTY scales."""
    stats = np.atleast_2d(stats)
    z = (stats - observed) / scales
    z = np.where(np.isfinite(z), z, NAN_PENALTY)
    g = np.asarray(groups)
    parts = [np.mean(z[:, g == k] ** 2, axis=1) for k in np.unique(g)]
    return np.sqrt(np.mean(parts, axis=0))


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float | Sequence[float]) -> np.ndarray:
    order = np.argsort(x)
    xs, ws = x[order], w[order]
    cw = np.cumsum(ws) - 0.5 * ws
    cw /= ws.sum()
    return np.interp(q, cw, xs)


def weighted_cov(theta: np.ndarray, w: np.ndarray) -> np.ndarray:
    w = w / w.sum()
    mu = (w[:, None] * theta).sum(axis=0)
    d = theta - mu
    c = (w[:, None, None] * d[:, :, None] * d[:, None, :]).sum(axis=0)
    c /= max(1e-12, 1.0 - (w ** 2).sum())
    return np.atleast_2d(c)


@dataclass
class Generation:
    epsilon: float
    theta: np.ndarray
    weights: np.ndarray
    distances: np.ndarray
    stats: np.ndarray
    simulations: int
    acceptance: float
    seconds: float


@dataclass
class ABCResult:
    names: list[str]
    generations: list[Generation]
    scales: np.ndarray
    observed: np.ndarray
    stat_names: list[str]
    groups: list[int]
    stopped_early: str = ""
    meta: dict = field(default_factory=dict)

    @property
    def theta(self) -> np.ndarray:
        return self.generations[-1].theta

    @property
    def weights(self) -> np.ndarray:
        w = self.generations[-1].weights
        return w / w.sum()

    def quantiles(self, q: Sequence[float] = (0.05, 0.5, 0.95)) -> dict[str, list[float]]:
        return {n: [float(v) for v in weighted_quantile(self.theta[:, i], self.weights, q)]
                for i, n in enumerate(self.names)}

    def ess(self) -> float:
        w = self.weights
        return float(1.0 / (w ** 2).sum())

    @property
    def simulations(self) -> int:
        return int(sum(g.simulations for g in self.generations))


def abc_smc(
    simulate: Callable[[np.ndarray, int], np.ndarray],
    observed: np.ndarray,
    prior: UniformPrior,
    groups: Sequence[int] | None = None,
    particles: int = 100,
    generations: int = 5,
    quantile: float = 0.5,
    seed: int = 1,
    max_simulations_per_generation: int | None = None,
    mapper: Callable | None = None,
    progress: Callable[[str], None] | None = None,
    stat_names: Sequence[str] | None = None,
    scale_floor: Sequence[float] | None = None,
    checkpoint: str | Path | None = None,
) -> ABCResult:
    """ABC-SMC (see the module docstring). ``simulate(theta, seed)`` returns the summary vector of
    one simulation at parameter vector ``theta`` (seeded by ``seed``). ``mapper(fn, list)`` maps
    simulations, e.g. over a process pool (default: the builtin ``map``). ``scale_floor``: lowest
    allowed scale per statistic (a statistic the prior barely moves must not dominate the distance).
    ``checkpoint``: a file written after every generation and resumed from when it exists
    (:mod:`azalai.analysis.abc_checkpoint`; the resumed result equals an uninterrupted run's)."""
    rng = np.random.default_rng(seed)
    mapper = mapper or (lambda fn, xs: list(map(fn, xs)))
    observed = np.asarray(observed, dtype=float)
    groups = list(groups) if groups is not None else list(range(len(observed)))
    N, P = int(particles), len(prior.names)
    budget = max_simulations_per_generation or 20 * N
    sim_counter = [int(seed) * 1_000_003]

    def run(thetas: np.ndarray) -> np.ndarray:
        jobs = []
        for th in thetas:
            sim_counter[0] += 1
            jobs.append((th, sim_counter[0]))
        res = mapper(_call, [(simulate, th, s) for th, s in jobs])
        return np.array([np.asarray(r, dtype=float) for r in res]).reshape(len(thetas), len(observed))

    say = progress or (lambda s: None)
    from azalai.analysis import abc_checkpoint as ck

    fp = ck.fingerprint(observed=observed, low=prior.low, high=prior.high, names=list(prior.names), N=N, seed=seed,
                        quantile=quantile, groups=groups, budget=budget, stat_names=list(stat_names or []),
                        floor=np.asarray(scale_floor if scale_floor is not None else [], dtype=float))
    restored = ck.load(checkpoint, fp, Generation) if checkpoint else None
    if restored:
        gens, scales, rng.bit_generator.state, sim_counter[0] = restored
        say(f"resumed from {checkpoint}: {len(gens)} generation(s) done")
    else:
        t0 = time.time()
        theta = prior.sample(rng, N)
        stats = run(theta)
        scales = robust_scales(stats)
        if scale_floor is not None:
            scales = np.maximum(scales, np.asarray(scale_floor, dtype=float))
        d = group_distance(stats, observed, scales, groups)
        gens = [Generation(float(np.max(d[np.isfinite(d)])) if np.isfinite(d).any() else math.inf, theta,
                           np.full(N, 1.0 / N), d, stats, N, 1.0, time.time() - t0)]
        say(f"generation 0 (prior): {N} simulations, median distance {np.median(d):.3f}, {time.time() - t0:.0f}s")
        if checkpoint:
            ck.save(checkpoint, fp, gens, scales, rng, sim_counter[0])
    stopped = ""
    if restored and len(gens) > 1 and len(gens[-1].theta) < N:  # the interrupted run had stopped there
        stopped = f"generation {len(gens) - 1}: simulation budget reached with {len(gens[-1].theta)} of {N} particles accepted"
    for t in range(len(gens), int(generations) if not stopped else 0):
        prev = gens[-1]
        eps = float(np.quantile(prev.distances, quantile))
        wprev = prev.weights / prev.weights.sum()
        cov = 2.0 * weighted_cov(prev.theta, wprev)
        cov += np.eye(P) * 1e-12 * (prior.high - prior.low) ** 2
        try:
            chol = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            chol = np.diag(np.sqrt(np.maximum(np.diag(cov), 1e-18)))
        inv = np.linalg.inv(chol @ chol.T)
        norm = 1.0 / math.sqrt((2 * math.pi) ** P * np.linalg.det(chol @ chol.T))
        acc_theta, acc_d, acc_s = [], [], []
        nsim = 0
        t1 = time.time()
        rate = max(0.05, gens[-1].acceptance if t > 1 else quantile)
        while len(acc_theta) < N and nsim < budget:
            need = N - len(acc_theta)
            batch = int(min(budget - nsim, max(need, math.ceil(need / rate * 1.1))))
            props = np.empty((0, P))
            while len(props) < batch:
                idx = rng.choice(len(wprev), size=batch, p=wprev)
                cand = prev.theta[idx] + rng.standard_normal((batch, P)) @ chol.T
                props = np.vstack([props, cand[prior.inside(cand)]])
            props = props[:batch]
            st = run(props)
            dd = group_distance(st, observed, scales, groups)
            nsim += batch
            ok = dd <= eps
            for i in np.flatnonzero(ok):
                if len(acc_theta) < N:
                    acc_theta.append(props[i])
                    acc_d.append(dd[i])
                    acc_s.append(st[i])
            rate = max(0.02, ok.mean()) if batch else rate
        n_acc = len(acc_theta)
        if n_acc < max(2, N // 4):
            stopped = (f"generation {t}: only {n_acc} of {N} particles within epsilon {eps:.3f} after {nsim} "
                       "simulations; kept the previous generation")
            say(stopped)
            break
        th = np.array(acc_theta)
        diff = th[:, None, :] - prev.theta[None, :, :]
        m = np.einsum("ijk,kl,ijl->ij", diff, inv, diff)
        kern = norm * np.exp(-0.5 * m)
        denom = (kern * wprev[None, :]).sum(axis=1)
        w = prior.density() / np.maximum(denom, 1e-300)
        w /= w.sum()
        gens.append(Generation(eps, th, w, np.array(acc_d), np.array(acc_s), nsim, n_acc / nsim, time.time() - t1))
        say(f"generation {t}: epsilon {eps:.3f}, {n_acc} accepted of {nsim} simulations "
            f"({100 * n_acc / nsim:.0f}%), ESS {1 / (w ** 2).sum():.0f}, {time.time() - t1:.0f}s")
        if checkpoint:
            ck.save(checkpoint, fp, gens, scales, rng, sim_counter[0])
        if n_acc < N:
            stopped = f"generation {t}: simulation budget reached with {n_acc} of {N} particles accepted"
            break
    return ABCResult(list(prior.names), gens, scales, observed,
                     list(stat_names) if stat_names else [f"s{i}" for i in range(len(observed))], groups, stopped)


def _call(job):
    fn, th, s = job
    return fn(th, s)


# ---------------------------------------------------------------------------------------------
# summary statistics of the model and of the observed data
# ---------------------------------------------------------------------------------------------


@dataclass
class Targets:
    """What the model is compared with: the observed statistics and how to compute the model's."""

    observed: str
    start: _dt.date
    end: _dt.date
    regions: list[str]
    types: list[str]
    xmin: float
    values: np.ndarray
    names: list[str]
    groups: list[int]
    group_names: list[str]


def _stat_vector(events_list, regions, types, xmin, years) -> np.ndarray:
    import pandas as pd

    ev = pd.concat(events_list, ignore_index=True) if events_list else pd.DataFrame(
        {"admin1": [], "event_type": [], "fatalities": []})
    R = max(1, len(events_list))
    fat = ev["fatalities"].to_numpy(dtype=float)
    total = fat.sum()
    vio = ev[ev["event_type"].isin(types)]
    out = [math.log1p(total / R / years), math.log1p(len(vio) / R / years)]
    by_reg = ev.groupby("admin1")["fatalities"].sum() if len(ev) else {}
    shares = [(float(by_reg.get(g, 0.0)) / total) if total else float("nan") for g in regions]
    out += shares + [1.0 - sum(shares) if total else float("nan")]
    nv, fv = len(vio), vio["fatalities"].sum()
    out += [((vio["event_type"] == t).sum() / nv) if nv else float("nan") for t in types]
    out += [(vio.loc[vio["event_type"] == t, "fatalities"].sum() / fv) if fv else float("nan") for t in types]
    from azalai.analysis.validation import tail_alpha_fixed_xmin

    out.append(tail_alpha_fixed_xmin(fat, xmin))
    return np.array(out, dtype=float)


def targets_from_observed(obs: dict, top_regions: int = 5) -> Targets:
    """Observed summary vector (see the module docstring) from :func:`validation.load_observed`."""
    from azalai.analysis.observed import event_size_tail
    from azalai.analysis.ucdp_form import TYPE_NAMES
    from azalai.analysis.validation import period_days, tail_alpha_fixed_xmin

    start, end = obs["start"], obs["end"]
    years = period_days(start, end) / 365.25
    reg = obs["regions"]
    reg = reg[reg["region"].notna()].sort_values("fatalities", ascending=False)
    regions = [str(r) for r in reg["region"].head(top_regions)]
    types = list(TYPE_NAMES.values()) if obs["source"] == "ucdp" else list(ACLED_VIOLENT)
    tail = event_size_tail(obs["sizes"])
    xmin = float(tail["xmin"]) if np.isfinite(tail["xmin"]) else 1.0
    total = float(obs["yearly"]["fatalities"].sum())
    ot = obs["types"].set_index("event_type")
    vio = ot.loc[[t for t in types if t in ot.index]]
    nv, fv = float(vio["events"].sum()), float(vio["fatalities"].sum())
    by_reg = dict(zip(reg["region"].astype(str), reg["fatalities"].astype(float)))
    shares = [by_reg.get(g, 0.0) / total if total else float("nan") for g in regions]
    vals = [math.log1p(total / years), math.log1p(nv / years)] + shares + [1.0 - sum(shares)]
    vals += [float(ot["events"].get(t, 0.0)) / nv if nv else float("nan") for t in types]
    vals += [float(ot["fatalities"].get(t, 0.0)) / fv if fv else float("nan") for t in types]
    vals.append(tail_alpha_fixed_xmin(obs["sizes"], xmin))
    names = (["log_fatalities_per_year", "log_violent_events_per_year"] + [f"region_share:{g}" for g in regions] + ["region_share:other"]
             + [f"event_share:{t}" for t in types] + [f"fatality_share:{t}" for t in types] + ["tail_alpha"])
    groups = [0, 0] + [1] * (len(regions) + 1) + [2] * (2 * len(types)) + [3]
    return Targets(obs["observed"], start, end, regions, types, xmin, np.array(vals, dtype=float), names, groups,
                   ["volume", "regions", "event_types", "tail"])


def scale_floors(tg: Targets) -> np.ndarray:
    """Lowest scale of each statistic: 0.1 for the log rates and the tail exponent, and for shares
    the larger of 0.02 and a fifth of the observed share (about the sampling error of a share
    estimated from a few hundred events)."""
    out = []
    for n, v in zip(tg.names, tg.values):
        if "share" in n:
            out.append(max(0.02, 0.2 * abs(v)) if np.isfinite(v) else 0.02)
        else:
            out.append(0.1)
    return np.array(out)


def model_statistics(events_list, targets: Targets, days: int | None = None) -> np.ndarray:
    """The model's summary vector (same order as ``targets.names``) from replicate event frames
    already in the observed form and shifted onto the period; ``days``: the runs' length (default
    the period's)."""
    from azalai.analysis.validation import period_days

    years = (days or period_days(targets.start, targets.end)) / 365.25
    return _stat_vector(events_list, targets.regions, targets.types, targets.xmin, years)


# ---------------------------------------------------------------------------------------------
# calibrating the model
# ---------------------------------------------------------------------------------------------

_CTX: dict = {}


def _model_sim(theta: np.ndarray, seed: int) -> np.ndarray:
    from azalai.analysis.validation import period_days, run_model_events, to_observed_form

    c = _CTX
    tg: Targets = c["targets"]
    vals = dict(c["base"])
    vals.update({n: float(v) for n, v in zip(c["names"], theta)})
    R = c["replicates"]
    seeds = [int(seed) * 100 + k for k in range(R)]
    days = c.get("sim_days") or period_days(tg.start, tg.end)
    try:
        evs = run_model_events(days, seeds, tg.start, c["scenario"], c["policy"], vals)
    except Exception as exc:  # a failed simulation is infinitely far, not a crash of the whole run
        c.setdefault("errors", []).append(repr(exc))
        return np.full(len(tg.values), np.nan)
    evs = [to_observed_form(ev, tg.observed) for ev in evs]
    out = model_statistics(evs, tg, days)
    if c.get("time_stats"):
        from azalai.analysis import time_stats as ts

        out = np.concatenate([out, ts.model_statistics(evs, tg.regions, tg.start, tg.end)])
    return out


def _pool_mapper(workers: int):
    if workers <= 1:
        return None, None
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    pool = ctx.Pool(workers)
    return (lambda fn, xs: pool.map(fn, xs, chunksize=max(1, len(xs) // (4 * workers)))), pool


def check_param_names(names: Sequence[str]) -> list[str]:
    from azalai.model.params import spec

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
) -> tuple[ABCResult, Targets]:
    """Calibrate ``params`` of the model on observed data of ``period`` by ABC-SMC.

    ``base``: values of the other parameters (default: the current defaults, i.e. the registry and
    any shipped calibrated.yaml). ``days`` shortens the period (for tests). ``sim_days``: length of
    each simulated replicate (default: the period's); every statistic is a rate per year or a
    share, so shorter runs compare with the whole period's year-equivalent, only more noisily.
    ``time_stats`` adds the statistics of :mod:`azalai.analysis.time_stats` (level and trend, the
    latest year's regions, monthly dispersion); replicates then run for the whole period."""
    from azalai.analysis.validation import load_observed_period
    from azalai.model.params import spec

    names = check_param_names(params)
    obs, _start, _end = load_observed_period(store, observed, period, days)
    tg = targets_from_observed(obs)
    if time_stats:
        import dataclasses

        from azalai.analysis import time_stats as ts

        tn, tgr = ts.names_and_groups(tg.regions, len(tg.group_names))
        tg = dataclasses.replace(tg, values=np.concatenate([tg.values, ts.observed_statistics(
            store, observed, tg.regions, tg.start, tg.end)]), names=tg.names + tn, groups=tg.groups + tgr,
            group_names=tg.group_names + ts.GROUPS)
        sim_days = None
    prior = UniformPrior(names, np.array([spec(n).low for n in names]), np.array([spec(n).high for n in names]))
    _CTX.clear()
    _CTX.update(targets=tg, base=dict(base or {}), names=names, replicates=int(replicates), scenario=scenario,
                policy=policy, sim_days=int(sim_days) if sim_days else None, time_stats=bool(time_stats))
    mapper, pool = _pool_mapper(int(workers))
    t0 = time.time()
    try:
        res = abc_smc(_model_sim, tg.values, prior, tg.groups, particles, generations, quantile, seed,
                      max_simulations_per_generation, mapper, progress, tg.names, scale_floors(tg), checkpoint)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    res.meta = {"seconds": time.time() - t0, "replicates": int(replicates), "workers": int(workers),
                "days_per_replicate": int(sim_days) if sim_days else None,
                "errors": list(_CTX.get("errors", []))[:5]}
    return res, tg


def result_document(res: ABCResult, tg: Targets, period_text: str | None = None, source_note: str | None = None,
                    base: Mapping[str, float] | None = None) -> dict:
    """The calibrated parameter set as a YAML-ready dict (see the module docstring)."""
    q = res.quantiles((0.05, 0.5, 0.95))
    last = res.generations[-1]
    best = int(np.argmin(last.distances))
    period = period_text or f"{tg.start.isoformat()}:{tg.end.isoformat()}"
    src = source_note or f"calibrated: ABC-SMC on {tg.observed} {period}"
    post_stats = np.average(np.where(np.isfinite(last.stats), last.stats, np.nan), axis=0, weights=res.weights) \
        if np.isfinite(last.stats).all() else np.nanmedian(last.stats, axis=0)
    doc = {
        "values": {n: _round(q[n][1]) for n in res.names},
        "source": {n: src for n in res.names},
        "posterior": {n: {"median": _round(q[n][1]), "q05": _round(q[n][0]), "q95": _round(q[n][2])}
                      for n in res.names},
        "method": {
            "name": "ABC-SMC (adaptive population Monte Carlo ABC; Beaumont et al. 2009, Toni et al. 2009)",
            "prior": "uniform over each parameter's registry range",
            "particles": int(len(last.theta)),
            "generations": len(res.generations),
            "epsilon_quantile": "0.5 of the previous generation's distances",
            "kernel": "Gaussian, covariance 2 x weighted covariance of the previous generation",
            "replicates_per_particle": res.meta.get("replicates"),
            "days_per_replicate": res.meta.get("days_per_replicate") or "the period's length",
            "simulations": res.simulations,
            "seconds": round(float(res.meta.get("seconds", 0.0)), 1),
            "epsilons": [None if not math.isfinite(g.epsilon) else round(g.epsilon, 4) for g in res.generations],
            "acceptance": [round(g.acceptance, 4) for g in res.generations],
            "ess": round(res.ess(), 1),
            "stopped_early": res.stopped_early or None,
            "best_particle": {n: _round(v) for n, v in zip(res.names, last.theta[best])},
            "best_distance": round(float(last.distances[best]), 4),
        },
        "observed": tg.observed,
        "period": period,
        "statistics": {
            n: {"observed": _round(o), "posterior_mean": _round(m), "scale": _round(s), "group": tg.group_names[g]}
            for n, o, m, s, g in zip(tg.names, tg.values, post_stats, res.scales, tg.groups)
        },
        "distance": (f"sqrt(mean over groups [{', '.join(tg.group_names)}] of the mean squared "
                     "difference / scale within the group); scales = 1.4826 x MAD over the prior-predictive "
                     "generation, floored (see scale_floors)"),
        "base": {k: _round(v) for k, v in (base or {}).items()},
        "particles": {
            "names": list(res.names),
            "weights": [_round(w) for w in res.weights],
            "values": [[_round(v) for v in row] for row in last.theta],
        },
    }
    return doc


def _round(x, sig: int = 6):
    x = float(x)
    if not math.isfinite(x):
        return None
    if x == 0:
        return 0.0
    return float(f"{x:.{sig}g}")


def write_result(doc: dict, path: str | Path, header: str = "") -> Path:
    import yaml

    class _NoAliases(yaml.SafeDumper):  # the reader refuses anchors and aliases
        def ignore_aliases(self, data):
            return True

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(doc, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=110)
    p.write_text((header + "\n" if header else "") + text, encoding="utf-8")
    return p


def sample_posterior(file: str | Path, n: int, seed: int = 0) -> list[dict[str, float]]:
    """``n`` parameter dicts drawn from a calibration file's posterior.

    With ``particles`` in the file, the draws resample the weighted particles (the joint
    posterior). Otherwise each parameter is drawn independently by inverting a piecewise-linear
    distribution function through (range low, q05, median, q95, range high). Draws stay inside
    the registry ranges."""
    from azalai.safeio import RESULTS_MAX_BYTES
    from azalai.scenario.yamlio import load_yaml_file

    doc = load_yaml_file(file, InputError, what="calibration file", max_bytes=RESULTS_MAX_BYTES).data
    try:
        return _sample_posterior(doc, n, seed)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise InputError(Problem(str(file), None, None, "", f"not a calibration result of azalai calibrate "
                                 f"({type(exc).__name__}: {exc})"), file=str(file)) from None


def _sample_posterior(doc: dict, n: int, seed: int) -> list[dict[str, float]]:
    from azalai.model.params import spec

    rng = np.random.default_rng(seed)
    parts = doc.get("particles")
    out: list[dict[str, float]] = []
    if parts and parts.get("values"):
        names = list(parts["names"])
        vals = np.array(parts["values"], dtype=float)
        w = np.array(parts.get("weights") or [1.0] * len(vals), dtype=float)
        w = w / w.sum()
        idx = rng.choice(len(vals), size=int(n), p=w)
        for i in idx:
            d = {}
            for j, name in enumerate(names):
                s = spec(name)
                d[name] = float(min(s.high, max(s.low, vals[i, j])))
            out.append(d)
        return out
    post = doc.get("posterior") or {}
    if not post:
        vals = doc.get("values") or {}
        return [{k: float(v) for k, v in vals.items()} for _ in range(int(n))]
    u = rng.uniform(size=(int(n), len(post)))
    for i in range(int(n)):
        d = {}
        for j, (name, q) in enumerate(post.items()):
            s = spec(name)
            xs = np.array([s.low, q.get("q05", q["median"]), q["median"], q.get("q95", q["median"]), s.high], dtype=float)
            xs = np.maximum.accumulate(np.clip(xs, s.low, s.high))
            d[name] = float(np.interp(u[i, j], [0.0, 0.05, 0.5, 0.95, 1.0], xs))
        out.append(d)
    return out


__all__ = [
    "UniformPrior", "abc_smc", "ABCResult", "Generation", "robust_scales", "group_distance", "weighted_quantile",
    "Targets", "targets_from_observed", "model_statistics", "calibrate", "result_document", "write_result",
    "sample_posterior", "check_param_names",
]
