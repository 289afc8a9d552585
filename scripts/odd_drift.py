"""Print the baseline's drift table of docs/ODD.md §7.6 (fighters and cash of every actor over two years).

    .venv/bin/python scripts/odd_drift.py            # mean of seeds 1-20, mali-2016 under baseline-2016, 730 days

Fighters are read from ``ts_fighters`` at the last recorded week and cash from ``ts_cash`` at the week
before it (the last weekly purse step); the line under the table gives the run totals behind the text.
A second table gives, for every armed group with a purse, its mean weekly income by source (``ts_income``)
(``ts_income`` holds the running totals: the year's difference over its weeks) and its upkeep
(``7·upkeep·ts_fighters``) in each year of the run, and the first week its cash ran out (earliest-latest, seeds).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--days", type=int, default=730)
    a = ap.parse_args()

    from azalai.defaults import DEFAULT_POLICY, DEFAULT_SCENARIO
    from azalai.model.engine import outcomes_of, prepare, run_prepared
    from azalai.model.state import ACC, SOURCES

    prep = prepare(DEFAULT_SCENARIO, DEFAULT_POLICY, a.days)
    seeds = list(range(1, a.seeds + 1))
    S = run_prepared(prep, seeds, record=True)
    weeks = a.days // 7
    f0 = np.asarray(prep.world.fighters0).sum(axis=1)
    c0 = np.asarray(prep.world.cash0)
    f1 = S.ts_fighters[:, weeks - 1, :].mean(axis=0)
    c1 = S.ts_cash[:, weeks - 2, :].mean(axis=0)

    def pct(x, y):
        return "—" if x == 0 else f"{(y - x) / x:+.0%}"

    print("| actor | fighters at start | after two years | change | cash at start | after two years | change |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for i, name in enumerate(prep.index.actors):
        print(f"| {name} | {f0[i]:,.0f} | {f1[i]:,.0f} | {pct(f0[i], f1[i])} | {c0[i]:,.0f} | {c1[i]:,.0f} "
              f"| {pct(c0[i], c1[i])} |")
    tot = {k: float(S.acc[:, ACC[k]].mean()) for k in (
        "recruits", "jihadist_recruits", "attrition", "demobilised", "local_fighter_deaths", "desertions",
        "defections", "fatalities", "militias_formed")}
    outs = [outcomes_of(prep, S, r) for r in range(len(seeds))]
    formed = sum(1 for o in outs if o["militias_formed"] > 0)
    print()
    print(", ".join(f"{k} {v:,.0f}" for k, v in tot.items()) + f"; a militia formed in {formed} of {len(seeds)} seeds")
    print()
    upkeep = float(prep.params.upkeep)
    years = [(y, range(y * 52, min((y + 1) * 52, weeks - 1))) for y in range((weeks - 1 + 51) // 52)]
    print("| actor | year | " + " | ".join(SOURCES) + " | income | upkeep | cash out (week, seeds) |")
    print("|---|---:|" + "---:|" * (len(SOURCES) + 3))
    for i, name in enumerate(prep.index.actors):
        if c0[i] <= 0 or prep.index.actor_kind[i] in ("state", "international"):
            continue
        out = [int(np.argmax(S.ts_cash[r, :weeks - 1, i] <= 0)) for r in range(len(seeds))
               if (S.ts_cash[r, :weeks - 1, i] <= 0).any()]
        when = f"{min(out)}-{max(out)}, {len(out)}" if out else "—"
        for y, ws in years:
            before = S.ts_income[:, ws[0] - 1, i, :] if ws[0] > 0 else 0.0
            inc = (S.ts_income[:, ws[-1], i, :] - before).mean(axis=0) / len(ws)
            up = 7 * upkeep * S.ts_fighters[:, ws, i].mean()
            print(f"| {name} | {y + 1} | " + " | ".join(f"{x:,.0f}" for x in inc) + f" | {inc.sum():,.0f} | {up:,.0f} | "
                  f"{when if y == 0 else ''} |")


if __name__ == "__main__":
    main()
