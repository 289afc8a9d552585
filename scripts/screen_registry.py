"""Morris screen of the whole parameter registry on the statistics the validation checks.

Every parameter whose range is not a single point varies over its registry range (SALib Morris,
4 levels, ``--trajectories`` trajectories); each point runs ``--replicates`` replicates of the
built-in scenario for ``--days`` days. Statistics per point (mean over its replicates): log(1 +
fatalities), the share of fatalities in the centre (Mopti and Ségou), Mopti's share, and the
Spearman rank correlation of fatalities by admin1 with ACLED's 2015-07-01 to 2016-06-30 split
(typed below from the monthly aggregates: the last year before the scenario). Writes one CSV per
statistic (mu*, sigma, mu per parameter, most influential first) into ``--out``, and ``points.csv``: the
statistics of every point (its parameters are the SALib Morris design of ``--seed``).

    .venv/bin/python scripts/screen_registry.py --trajectories 4 --replicates 2 --out /tmp/screen

The figures of docs/calibration.md come from that command (740 points, about 15 minutes on a
shared 2-core machine).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# ACLED Mali fatalities by admin1, 2015-07-01 to 2016-06-30 (acled_mali_monthly_aggregates_2012-01_to_2016-06.csv).
OBSERVED = {"Mopti": 112, "Tombouctou": 73, "Kidal": 58, "Gao": 57, "Bamako": 22, "Sikasso": 9, "Segou": 7,
            "Kayes": 0, "Koulikoro": 0}
STATS = ["log_total", "centre_share", "mopti_share", "rho"]


def statistics(prep, S, reps: int) -> list[float]:
    from azalai.analysis.validation import light_events, outside_admin1, spearman

    regions = sorted(OBSERVED)
    out = outside_admin1(prep)
    ys = []
    for r in range(reps):
        ev = light_events(prep, S, r)
        by = ev[~ev["admin1"].isin(out)].groupby("admin1")["fatalities"].sum()
        tot = float(by.sum())
        rho = spearman([OBSERVED[k] for k in regions], [float(by.get(k, 0)) for k in regions])
        ys.append([np.log1p(tot), float(by.get("Mopti", 0) + by.get("Segou", 0)) / max(tot, 1.0),
                   float(by.get("Mopti", 0)) / max(tot, 1.0), rho if np.isfinite(rho) else 0.0])
    return list(np.mean(ys, axis=0))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trajectories", type=int, default=4)
    ap.add_argument("--replicates", type=int, default=2)
    ap.add_argument("--days", type=int, default=366)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=Path("screen"))
    a = ap.parse_args()
    import pandas as pd
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    from azalai.model.engine import prepare, run_prepared
    from azalai.model.params import registry

    specs = [s for s in registry() if s.high > s.low]
    problem = {"num_vars": len(specs), "names": [s.name for s in specs], "bounds": [[s.low, s.high] for s in specs]}
    X = morris_sample.sample(problem, a.trajectories, num_levels=4, seed=a.seed)
    Y = np.zeros((len(X), len(STATS)))
    seeds = list(range(1, a.replicates + 1))
    for i, x in enumerate(X):
        prep = prepare("mali-2016", None, a.days, dict(zip(problem["names"], map(float, x))))
        Y[i] = statistics(prep, run_prepared(prep, seeds), a.replicates)
        if i % 50 == 0:
            print(f"{i}/{len(X)}", flush=True)
    a.out.mkdir(parents=True, exist_ok=True)
    for j, name in enumerate(STATS):
        res = morris_analyze.analyze(problem, X, Y[:, j], num_levels=4)
        df = pd.DataFrame({"mu_star": res["mu_star"], "sigma": res["sigma"], "mu": res["mu"]}, index=problem["names"])
        df.sort_values("mu_star", ascending=False).to_csv(a.out / f"morris_{name}.csv")
    pd.DataFrame(Y, columns=STATS).to_csv(a.out / "points.csv", index_label="point")
    print(f"wrote {len(STATS)} tables and the points' statistics into {a.out}")


if __name__ == "__main__":
    main()
