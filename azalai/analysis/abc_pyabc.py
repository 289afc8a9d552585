"""The same ABC-SMC problem solved with pyABC (Schälte et al. 2022), for comparison with
:func:`azalai.analysis.abc_smc.abc_smc` (``azalai calibrate --sampler pyabc``; ``pip install
'azalai[calibration]'``).

The problem is the project's: the uniform prior over the registry ranges, the simulator (each
particle's R replicates pooled, run on the project's executors through ``simulate_many``), the
observed summary vector, and by default the project's distance (:class:`GroupDistance`: the
grouped, scaled distance whose scales come from a prior sample, with the same floors). pyABC
brings its own loop: a calibration sample of N prior simulations to set the scales, then
generations whose tolerance is the median of the previous distances (``MedianEpsilon``), a
multivariate normal kernel with Silverman's bandwidth (``MultivariateNormalTransition``), its
SQLite history (``db``), and ``distance="adaptive"`` for its adaptive distance, whose scales are
re-estimated every generation (``AdaptivePNormDistance``, Prangle 2017).

Parallelism: the particles are proposed one at a time by pyABC's ``SingleCoreSampler`` (its
parallel samplers accept particles in the order simulations finish, so a result would depend on
timing); each simulation runs on the executors backend given to ``simulate_many``. Seeds: NumPy's
global generator is seeded with ``seed`` for pyABC's proposals and each simulation gets the next
number of a counter, so a run is reproducible.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from azalai.analysis.abc_smc import ABCResult, Generation, UniformPrior, group_distance, robust_scales

try:  # pyabc is optional (the "calibration" extra); the class below needs its Distance base
    from pyabc.distance import Distance as _PyabcDistance
except ModuleNotFoundError as _exc:  # only a missing pyabc; a broken install raises on import
    if _exc.name != "pyabc":
        raise
    _PyabcDistance = object


class GroupDistance(_PyabcDistance):
    """The project's distance for pyABC: scales from the calibration (prior) sample, floored."""

    def __init__(self, groups: Sequence[int], floor: np.ndarray | None = None,
                 group_weights: Sequence[float] | None = None) -> None:
        self.groups, self.floor, self.weights, self.scales = list(groups), floor, group_weights, None

    def requires_calibration(self) -> bool:
        return True

    def initialize(self, t, get_sample, x_0, total_sims) -> None:
        stats = np.array([np.asarray(s["s"], dtype=float) for s in get_sample().all_sum_stats])
        self.scales = robust_scales(stats)
        if self.floor is not None:
            self.scales = np.maximum(self.scales, self.floor)

    def __call__(self, x, x_0, t=None, par=None) -> float:
        return float(group_distance(np.asarray(x["s"], dtype=float)[None, :], np.asarray(x_0["s"], dtype=float),
                                    self.scales, self.groups, self.weights)[0])


def pyabc_smc(
    simulate_many: Callable[[np.ndarray, list[int]], np.ndarray],
    observed: np.ndarray,
    prior: UniformPrior,
    groups: Sequence[int],
    particles: int = 100,
    generations: int = 4,
    seed: int = 1,
    db: str | Path | None = None,
    scale_floor: np.ndarray | None = None,
    max_simulations_per_generation: int | None = None,
    max_total_simulations: int | None = None,
    distance: str = "group",
    stat_names: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    group_weights: Sequence[float] | None = None,
) -> ABCResult:
    """Run pyABC's ABCSMC on the problem (see the module docstring) and return its populations as an
    :class:`ABCResult` (the last one is the posterior). ``generations`` counts pyABC's populations
    (its calibration sample comes before them and is not one); ``max_simulations_per_generation``
    becomes pyABC's ``min_acceptance_rate`` (N / budget); ``db``: the SQLite history file (a
    temporary one by default); ``group_weights``: the groups' weights in the project's distance."""
    import tempfile

    import logging

    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)  # progress goes through ``progress``
    observed = np.asarray(observed, dtype=float)
    names = list(prior.names)
    counter = [int(seed) * 1_000_003]

    def model(par) -> dict:
        counter[0] += 1
        theta = np.array([[float(par[n]) for n in names]])
        return {"s": np.asarray(simulate_many(theta, [counter[0]])[0], dtype=float)}

    pri = pyabc.Distribution(**{n: pyabc.RV("uniform", float(lo), float(hi - lo))
                                for n, lo, hi in zip(names, prior.low, prior.high)})
    if distance == "group":
        dist = GroupDistance(groups, None if scale_floor is None else np.asarray(scale_floor, dtype=float),
                             group_weights)
    elif distance == "adaptive":
        dist = pyabc.AdaptivePNormDistance(p=2, scale_function=pyabc.distance.mad)
    else:
        raise ValueError(f"distance must be 'group' or 'adaptive', not {distance!r}")
    np.random.seed(int(seed) % 2 ** 32)
    abc = pyabc.ABCSMC(model, pri, dist, population_size=int(particles), eps=pyabc.MedianEpsilon(),
                       sampler=pyabc.sampler.SingleCoreSampler())
    if db is None:
        db = Path(tempfile.mkdtemp(prefix="azalai-pyabc-")) / "history.db"
    abc.new(f"sqlite:///{Path(db).resolve()}", {"s": observed})
    t0 = time.time()
    h = abc.run(max_nr_populations=int(generations),
                min_acceptance_rate=int(particles) / max_simulations_per_generation if max_simulations_per_generation
                else 0.0,
                max_total_nr_simulations=max_total_simulations or np.inf)
    pops = h.get_all_populations()
    gens = []
    for _, row in pops[pops["t"] >= 0].iterrows():
        pop = h.get_population(t=int(row["t"]))
        ps = pop.particles
        theta = np.array([[float(p.parameter[n]) for n in names] for p in ps])
        w = np.array([float(p.weight) for p in ps])
        gens.append(Generation(float(row["epsilon"]), theta, w / w.sum(), np.array([float(p.distance) for p in ps]),
                               np.array([np.asarray(p.sum_stat["s"], dtype=float) for p in ps]), int(row["samples"]),
                               len(ps) / max(1, int(row["samples"])), float(row.get("wall_time") or 0.0)))
        if progress:
            g = gens[-1]
            progress(f"pyabc generation {int(row['t'])}: epsilon {g.epsilon:.3f}, {len(ps)} accepted of "
                     f"{g.simulations} simulations")
    scales = dist.scales if isinstance(dist, GroupDistance) else np.ones(len(observed))
    res = ABCResult(names, gens, np.asarray(scales, dtype=float), observed,
                    list(stat_names) if stat_names else [f"s{i}" for i in range(len(observed))], list(groups))
    res.meta = {"seconds": time.time() - t0, "sampler": "pyabc", "distance": distance, "db": str(db),
                "simulations_total": int(h.total_nr_simulations), "pyabc": pyabc.__version__}
    return res


__all__ = ["GroupDistance", "pyabc_smc"]
