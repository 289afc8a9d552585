"""Agreement between the numba engine and the Mesa reference implementation.

Runs N seeds of both on the same scenario, policy and parameter values and compares, for every
outcome they share: means, 5/50/95 % quantiles, a two-sample Kolmogorov-Smirnov test and the
standardised mean difference (difference of means over the pooled standard deviation). The two do
not share random streams, so agreement is statistical.

    .venv/bin/python benchmarks/agreement.py               # N=200, the scenario's horizon
    .venv/bin/python benchmarks/agreement.py --n 50 --days 365 --out agreement.md
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

MAIN = ("fatalities", "signatory_clashes", "seizures", "jihadist_strength")


def _reference_one(args):
    scenario, policy, seed, days = args
    from azalai.reference import ReferenceModel

    return ReferenceModel(scenario, policy, seed=seed, days=days).run().outcomes()


def run_reference(scenario, policy, seeds, days, workers=2):
    jobs = [(scenario, policy, s, days) for s in seeds]
    if workers <= 1:
        return [_reference_one(j) for j in jobs]
    with ProcessPoolExecutor(workers) as ex:
        return list(ex.map(_reference_one, jobs, chunksize=max(1, len(jobs) // (4 * workers))))


def run_engine(scenario, policy, seeds, days):
    from azalai.model.engine import prepare, simulate_batch

    prep = prepare(scenario, policy, days=days)
    outs, _ = simulate_batch(prep, list(seeds))
    return outs


def smd(x, y):
    sd = math.sqrt((np.var(x, ddof=1) + np.var(y, ddof=1)) / 2.0) if len(x) > 1 else 0.0
    if sd == 0.0:
        return 0.0 if np.mean(x) == np.mean(y) else math.inf
    return float((np.mean(x) - np.mean(y)) / sd)


def compare(eng: list[dict], ref: list[dict], keys=None) -> list[dict]:
    from scipy.stats import ks_2samp

    if keys is None:
        keys = [k for k in eng[0] if k in ref[0]]
    rows = []
    for k in keys:
        x = np.array([o[k] for o in eng], dtype=float)
        y = np.array([o[k] for o in ref], dtype=float)
        if np.all(x == x[0]) and np.all(y == y[0]) and x[0] == y[0]:
            ks_p = 1.0
        else:
            ks_p = float(ks_2samp(x, y).pvalue)
        rows.append({
            "outcome": k,
            "engine_mean": float(x.mean()), "mesa_mean": float(y.mean()),
            "engine_q": np.quantile(x, [0.05, 0.5, 0.95]).tolist(),
            "mesa_q": np.quantile(y, [0.05, 0.5, 0.95]).tolist(),
            "smd": smd(x, y), "ks_p": ks_p,
            "rel_diff": float((x.mean() - y.mean()) / max(abs(y.mean()), abs(x.mean()), 1e-12)),
        })
    return rows


def _fmt(v):
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.1f}M"
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def markdown(rows, n, days, scenario, policy) -> str:
    out = [
        f"Engine vs Mesa reference: {n} seeds each, {days} days, scenario `{scenario}`, policy `{policy}`.",
        "Quantiles are 5 / 50 / 95 %. SMD: standardised mean difference (engine − Mesa). "
        "KS p: two-sample Kolmogorov–Smirnov. Main outcomes in bold.",
        "",
        "| outcome | engine mean | Mesa mean | engine q05/q50/q95 | Mesa q05/q50/q95 | SMD | KS p |",
        "|---|---:|---:|---|---|---:|---:|",
    ]
    for r in rows:
        name = f"**{r['outcome']}**" if r["outcome"] in MAIN else r["outcome"]
        out.append(
            f"| {name} | {_fmt(r['engine_mean'])} | {_fmt(r['mesa_mean'])} | "
            f"{' / '.join(_fmt(q) for q in r['engine_q'])} | {' / '.join(_fmt(q) for q in r['mesa_q'])} | "
            f"{r['smd']:+.2f} | {r['ks_p']:.3f} |"
        )
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="seeds per implementation (default 200)")
    ap.add_argument("--days", type=int, default=None, help="days per run (default: the scenario's horizon)")
    ap.add_argument("--scenario", default="mali-2016")
    ap.add_argument("--policy", default="baseline-2016")
    ap.add_argument("--workers", type=int, default=2, help="processes for the Mesa runs")
    ap.add_argument("--seed0", type=int, default=1000, help="first seed (seeds are seed0 .. seed0+n-1)")
    ap.add_argument("--out", default=None, help="write the Markdown table here as well")
    a = ap.parse_args(argv)
    import azalai

    days = a.days or azalai.load_scenario(a.scenario).calendar.horizon_days
    seeds = list(range(a.seed0, a.seed0 + a.n))
    t0 = time.perf_counter()
    eng = run_engine(a.scenario, a.policy, seeds, days)
    t1 = time.perf_counter()
    ref = run_reference(a.scenario, a.policy, seeds, days, a.workers)
    t2 = time.perf_counter()
    rows = compare(eng, ref)
    md = markdown(rows, a.n, days, a.scenario, a.policy)
    md += f"\nEngine {t1 - t0:.1f} s (one process), Mesa {t2 - t1:.1f} s ({a.workers} processes).\n"
    print(md)
    if a.out:
        Path(a.out).write_text(md, encoding="utf-8")
    bad = [r["outcome"] for r in rows if r["outcome"] in MAIN and (abs(r["smd"]) >= 0.35 or r["ks_p"] <= 0.01)]
    if bad:
        print("main outcomes disagreeing:", ", ".join(bad), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
