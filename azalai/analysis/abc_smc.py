"""Approximate Bayesian Computation with Sequential Monte Carlo (ABC-SMC), for any simulator.

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
many statistics it has (or as its declared ``group_weights`` say); the distance is the square root.
A statistic the simulation cannot compute (no events, too small a tail) counts as 5 scales away.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from azalai.analysis import abc_checkpoint as ck

NAN_PENALTY = 5.0


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


def group_distance(stats: np.ndarray, observed: np.ndarray, scales: np.ndarray, groups: Sequence[int],
                   group_weights: Sequence[float] | None = None) -> np.ndarray:
    """Distances of rows of ``stats`` to ``observed``: normalised squared differences averaged
    within each group, then across groups (weighted by ``group_weights[k]`` for group k if given,
    else equally); square root. NaN statistics count NAN_PENALTY scales."""
    stats = np.atleast_2d(stats)
    z = (stats - observed) / scales
    z = np.where(np.isfinite(z), z, NAN_PENALTY)
    g = np.asarray(groups)
    ks = np.unique(g)
    parts = [np.mean(z[:, g == k] ** 2, axis=1) for k in ks]
    if group_weights is None:
        return np.sqrt(np.mean(parts, axis=0))
    return np.sqrt(np.average(parts, axis=0, weights=np.asarray(group_weights, dtype=float)[ks]))


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
    simulate_many: Callable[[np.ndarray, list[int]], np.ndarray] | None = None,
    progress: Callable[[str], None] | None = None,
    stat_names: Sequence[str] | None = None,
    scale_floor: Sequence[float] | None = None,
    checkpoint: str | Path | None = None,
    group_weights: Sequence[float] | None = None,
) -> ABCResult:
    """ABC-SMC (see the module docstring). ``simulate(theta, seed)`` returns the summary vector of
    one simulation at parameter vector ``theta`` (seeded by ``seed``). ``simulate_many(thetas, seeds)``,
    when given, is used instead: the summary vectors (rows) of a whole batch of particles, e.g. run in
    parallel on the project's executors; the result must not depend on how it is parallelised (every
    particle's seed is fixed before it is sent). ``scale_floor``: lowest
    allowed scale per statistic (a statistic the prior barely moves must not dominate the distance).
    ``group_weights``: the weight of each group in the distance (default: equal).
    ``checkpoint``: a file written after every generation and resumed from when it exists
    (:mod:`azalai.analysis.abc_checkpoint`; the resumed result equals an uninterrupted run's)."""
    rng = np.random.default_rng(seed)
    observed = np.asarray(observed, dtype=float)
    groups = list(groups) if groups is not None else list(range(len(observed)))
    N, P = int(particles), len(prior.names)
    budget = max_simulations_per_generation or 20 * N
    sim_counter = [int(seed) * 1_000_003]

    def run(thetas: np.ndarray) -> np.ndarray:
        seeds = list(range(sim_counter[0] + 1, sim_counter[0] + 1 + len(thetas)))
        sim_counter[0] += len(thetas)
        if simulate_many is not None:
            res = simulate_many(thetas, seeds)
        else:
            res = [simulate(th, s) for th, s in zip(thetas, seeds)]
        return np.array([np.asarray(r, dtype=float) for r in res]).reshape(len(thetas), len(observed))

    say = progress or (lambda s: None)

    fp = ck.fingerprint(observed=observed, low=prior.low, high=prior.high, names=list(prior.names), N=N, seed=seed,
                        quantile=quantile, groups=groups, budget=budget, stat_names=list(stat_names or []),
                        floor=np.asarray(scale_floor if scale_floor is not None else [], dtype=float),
                        **({"group_weights": [float(w) for w in group_weights]} if group_weights is not None else {}))
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
        d = group_distance(stats, observed, scales, groups, group_weights)
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
            dd = group_distance(st, observed, scales, groups, group_weights)
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


__all__ = ["UniformPrior", "abc_smc", "ABCResult", "Generation", "robust_scales", "group_distance",
           "weighted_quantile", "weighted_cov", "NAN_PENALTY"]
