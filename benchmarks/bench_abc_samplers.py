"""The project's ABC-SMC sampler and pyABC's side by side, on the same problems and budgets.

    .venv/bin/python benchmarks/bench_abc_samplers.py            # toy + model (~15 min on a loaded 2-core machine)
    .venv/bin/python benchmarks/bench_abc_samplers.py --skip-model

1. **Toy problem with a known posterior**: the mean of 20 Poisson(rate) draws and of 20 Normal(3 * shift, 1)
   draws, uniform priors; the exact posterior is Gamma(sum + 1, 20) for the rate and Normal(mean / 3, 1 / (3 * sqrt(20)))
   for the shift (the priors' bounds are far in the tails). Each sampler's posterior is compared with the exact
   one (1-Wasserstein distance of each marginal, in units of the prior's width) over several seeds; pyABC gets
   as many generations as fit in the simulations the project's sampler used.
2. **The model**: ``--params`` of ``mali-2015`` on ACLED aggregates 2014-01..2015-06 (pooled statistics,
   ``--days`` days per replicate, one replicate per particle), both samplers in this process (serial backend) so
   their CPU times compare (the machine is shared: wall times are recorded but vary with the load). The
   project's sampler runs twice (two seeds: the spread between its own runs is the Monte Carlo noise); pyABC
   gets the same particles and as many generations as fit in the same total number of simulations. Posterior
   agreement: each marginal's weighted median and 90% interval, the 1-Wasserstein distance of each run's
   marginals to the first run's (in prior widths), and each final population's weighted mean distance to the
   observed statistics under the project's distance (with the first run's scales).

Both use the project's distance (pyABC through ``GroupDistance``), so differences come from the samplers;
``--adaptive`` adds pyABC with its adaptive distance. Results: benchmarks/results/abc_samplers.json and the
tables of docs/forecasting.md (between its SAMPLER COMPARISON markers).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _toy(theta, seed):
    rng = np.random.default_rng(seed)
    return np.array([rng.poisson(theta[0], 20).mean(), rng.normal(3 * theta[1], 1.0, 20).mean()])


def _w1(a, wa, b, wb) -> float:
    from scipy.stats import wasserstein_distance

    return float(wasserstein_distance(a, b, wa, wb))


def _marginals(res, width) -> dict:
    q = res.quantiles((0.05, 0.5, 0.95))
    return {n: {"median": q[n][1], "q05": q[n][0], "q95": q[n][2]} for n in res.names}


def toy(seeds, particles, generations) -> dict:
    from scipy import stats

    from azalai.analysis.abc_pyabc import pyabc_smc
    from azalai.analysis.abc_smc import UniformPrior, abc_smc

    obs = _toy(np.array([7.0, 1.5]), 12345)
    prior = UniformPrior(["rate", "shift"], np.array([0.0, -5.0]), np.array([30.0, 5.0]))
    width = prior.high - prior.low
    exact = [stats.gamma(a=obs[0] * 20 + 1, scale=1 / 20), stats.norm(obs[1] / 3, 1 / (3 * math.sqrt(20)))]
    grid = [e.ppf(np.linspace(0.0005, 0.9995, 2000)) for e in exact]
    rows = []
    for s in seeds:
        for name in ("azalai", "pyabc"):
            t0 = time.process_time()
            if name == "azalai":
                res = abc_smc(_toy, obs, prior, [0, 1], particles, generations + 1, seed=s)
                sims = res.simulations
            else:
                res = pyabc_smc(lambda th, ss: np.array([_toy(t, k) for t, k in zip(th, ss)]), obs, prior, [0, 1],
                                particles, 100, seed=s, max_total_simulations=budget_of[s])
                sims = res.meta["simulations_total"]
            if name == "azalai":
                budget_of[s] = sims
            w1 = [_w1(res.theta[:, j], res.weights, grid[j], np.ones(len(grid[j]))) / width[j] for j in range(2)]
            rows.append({"sampler": name, "seed": s, "simulations": int(sims), "cpu_seconds": round(time.process_time() - t0, 2),
                         "generations": len(res.generations),
                         "w1_to_exact": {n: round(v, 4) for n, v in zip(prior.names, w1)},
                         "posterior": _marginals(res, width)})
    return {"observed": obs.tolist(), "exact": {"rate": [float(exact[0].ppf(q)) for q in (0.05, 0.5, 0.95)],
                                                 "shift": [float(exact[1].ppf(q)) for q in (0.05, 0.5, 0.95)]},
            "particles": particles, "runs": rows}


budget_of: dict = {}


def model(a) -> dict:
    from azalai.analysis.abc_pyabc import pyabc_smc
    from azalai.analysis.abc_smc import UniformPrior, abc_smc, group_distance
    from azalai.analysis.calibration import calibration_targets, model_simulator, scale_floors
    from azalai.data.acled import import_acled_aggregates, import_acled_event_sizes
    from azalai.model.params import defaults, spec

    store = Path(tempfile.mkdtemp(prefix="azalai-bs-")) / "store.duckdb"
    import_acled_aggregates(a.data / "acled_mali_monthly_aggregates_2012-01_to_2016-06.csv", store)
    import_acled_event_sizes(a.data / "acled_mali_event_size_counts_2012_2015.csv", store)
    names = [s for s in a.params.split(",") if s]
    tg = calibration_targets(store, "acled-aggregates", "2014-01-01:2015-06-30")
    prior = UniformPrior(names, np.array([spec(n).low for n in names]), np.array([spec(n).high for n in names]))
    width = prior.high - prior.low
    simulate_many, close = model_simulator(tg, names, "mali-2015", None, defaults(), 1, a.days)
    out = {"params": names, "particles": a.particles, "days_per_replicate": a.days, "statistics": len(tg.names),
           "load_average_start": [round(x, 2) for x in os.getloadavg()], "runs": []}
    try:
        simulate_many(prior.sample(np.random.default_rng(0), 1), [0])  # load the engine before timing
        runs = []
        for label, seed in (("azalai", a.seed), ("azalai (another seed)", a.seed + 1)):
            t0, c0 = time.time(), time.process_time()
            res = abc_smc(None, tg.values, prior, tg.groups, a.particles, a.generations + 1, seed=seed,
                          max_simulations_per_generation=a.budget, simulate_many=simulate_many, stat_names=tg.names,
                          scale_floor=scale_floors(tg), progress=lambda s: print("azalai:", s, flush=True))
            runs.append((label, res, res.simulations, time.time() - t0, time.process_time() - c0))
        own = runs[0][1]
        variants = ["group"] + (["adaptive"] if a.adaptive else [])
        for dist in variants:
            t0, c0 = time.time(), time.process_time()
            res = pyabc_smc(simulate_many, tg.values, prior, tg.groups, a.particles, 100, seed=a.seed,
                            scale_floor=scale_floors(tg), max_simulations_per_generation=a.budget,
                            max_total_simulations=own.simulations, distance=dist, stat_names=tg.names,
                            progress=lambda s: print(s, flush=True))
            runs.append((f"pyabc ({dist} distance)", res, res.meta["simulations_total"], time.time() - t0,
                         time.process_time() - c0))
    finally:
        close()
    for label, res, sims, secs, cpu in runs:
        d = group_distance(res.generations[-1].stats, tg.values, own.scales, tg.groups)
        w1 = {n: round(_w1(res.theta[:, j], res.weights, own.theta[:, j], own.weights) / width[j], 4)
              for j, n in enumerate(names)}
        out["runs"].append({
            "sampler": label, "simulations": int(sims), "wall_seconds": round(secs, 1), "cpu_seconds": round(cpu, 1),
            "simulations_per_cpu_second": round(sims / cpu, 2), "generations": len(res.generations),
            "epsilons": [round(g.epsilon, 4) for g in res.generations],
            "mean_distance_final": round(float(np.average(d, weights=res.weights)), 4),
            "w1_to_azalai": w1, "ess": round(res.ess(), 1), "posterior": _marginals(res, width)})
    out["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return out


BEGIN, END = "<!-- BEGIN SAMPLER COMPARISON -->", "<!-- END SAMPLER COMPARISON -->"


def markdown(out: dict) -> str:
    """The tables of docs/forecasting.md's sampler comparison."""
    toy_runs = out["toy"]["runs"]
    lines = [f"Toy problem with a known posterior ({len(toy_runs) // 2} seeds, {out['toy'].get('particles', '')} "
             "particles, pyABC given the simulations the project's sampler used; mean over seeds; W1: "
             "1-Wasserstein distance to the exact posterior in prior widths):", "",
             "| sampler | simulations | generations | W1 to the exact posterior, rate | W1, shift | CPU s |",
             "|---|---:|---:|---:|---:|---:|"]
    for name in ("azalai", "pyabc"):
        rr = [r for r in toy_runs if r["sampler"] == name]
        lines.append(f"| {name} | {np.mean([r['simulations'] for r in rr]):,.0f} | "
                     f"{np.mean([r['generations'] for r in rr]):.1f} | "
                     f"{np.mean([r['w1_to_exact']['rate'] for r in rr]):.4f} | "
                     f"{np.mean([r['w1_to_exact']['shift'] for r in rr]):.4f} | "
                     f"{np.mean([r['cpu_seconds'] for r in rr]):.1f} |")
    m = out.get("model")
    if m:
        names = m["params"]
        lines += ["", f"The model (`mali-2015`, {', '.join(names)}; {m['particles']} particles, {m['statistics']} "
                  f"pooled statistics, {m['days_per_replicate']}-day replicates, serial backend; load average "
                  f"{m['load_average_start'][0]:.1f} at start, {m['load_average_end'][0]:.1f} at end). W1: "
                  "1-Wasserstein distance of each marginal to the first run's, in prior widths; distance: the final "
                  "population's weighted mean distance to the observed statistics (the project's distance):", "",
                  "| sampler | simulations | generations | final epsilon | distance | ESS | "
                  + " | ".join(f"{n}: median [90%]" for n in names) + " | " + " | ".join(f"W1 {n}" for n in names)
                  + " | CPU s | simulations per CPU s |",
                  "|---|---:|---:|---:|---:|---:|" + "---|" * len(names) + "---:|" * len(names) + "---:|---:|"]
        for r in m["runs"]:
            post = " | ".join(f"{r['posterior'][n]['median']:.3g} [{r['posterior'][n]['q05']:.3g}, "
                              f"{r['posterior'][n]['q95']:.3g}]" for n in names)
            w1 = " | ".join(f"{r['w1_to_azalai'][n]:.3f}" for n in names)
            lines.append(f"| {r['sampler']} | {r['simulations']:,} | {r['generations']} | {r['epsilons'][-1]:.3f} | "
                         f"{r['mean_distance_final']:.3f} | {r['ess']:.0f} | {post} | {w1} | {r['cpu_seconds']:.0f} | "
                         f"{r['simulations_per_cpu_second']:.1f} |")
    return "\n".join(lines) + "\n"


def write_doc(out: dict, doc: Path) -> None:
    import re

    text = doc.read_text(encoding="utf-8")
    md = markdown(out)
    text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: f"{BEGIN}\n{md}{END}", text, flags=re.S)
    doc.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "observed")
    ap.add_argument("--params", default="clash_base,attack_base,fatality_scale")
    ap.add_argument("--particles", type=int, default=200)
    ap.add_argument("--generations", type=int, default=4, help="the project's ABC generations after the prior sample")
    ap.add_argument("--budget", type=int, default=1000, help="simulations per generation at most")
    ap.add_argument("--days", type=int, default=180)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--toy-particles", type=int, default=300)
    ap.add_argument("--toy-seeds", type=int, default=5)
    ap.add_argument("--toy-generations", type=int, default=6)
    ap.add_argument("--skip-model", action="store_true")
    ap.add_argument("--adaptive", action="store_true", help="also pyABC with its adaptive distance")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "abc_samplers.json")
    ap.add_argument("--doc-only", action="store_true", help="only rewrite docs/forecasting.md's tables from --out")
    a = ap.parse_args()
    doc = ROOT / "docs" / "forecasting.md"
    if a.doc_only:
        write_doc(json.loads(a.out.read_text(encoding="utf-8")), doc)
        return
    out = {"toy": toy(list(range(1, a.toy_seeds + 1)), a.toy_particles, a.toy_generations)}
    print(json.dumps(out["toy"]["runs"], indent=1), flush=True)
    if not a.skip_model:
        out["model"] = model(a)
    elif a.out.exists():  # keep the model comparison of an earlier run
        earlier = json.loads(a.out.read_text(encoding="utf-8"))
        if "model" in earlier:
            out["model"] = earlier["model"]
    out["cpu_count"] = os.cpu_count()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(out, indent=1), encoding="utf-8")
    write_doc(out, doc)
    print(markdown(out))


if __name__ == "__main__":
    main()
