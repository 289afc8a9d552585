"""A region's fatalities in the model's first year, decomposed, set against ACLED's monthly aggregates.

    .venv/bin/python scripts/region_decomposition.py --params calibrated.yaml --regions Kidal,Mopti \\
        --acled ../shared/data/observed/acled_mali_monthly_aggregates_2012-01_to_2016-06.csv \\
        --period 2015-07:2016-06 -n 50 [--set dispute_rate=0.2] [--scenario FILE]

Runs seeds 1..n over 366 days (baseline policy) and prints, per region, the mean fatalities per run by
actor pair, event type, place and mechanism; by ACLED inter-code pair and event type for both sides (the
aggregates have no actor names or places); and, for every region, events and fatalities per event by
event type. Ends with each region's median share and how many runs put each region among the two
deadliest.
"""

from __future__ import annotations

import argparse

import pandas as pd

from azalai.scenario.acled import VIOLENT_TYPES as VIOLENT


def model_events(scenario: str, params: dict, n: int, days: int) -> pd.DataFrame:
    from azalai.analysis.validation_data import outside_admin1
    from azalai.model.engine import prepare, run_prepared
    from azalai.model.events import EVENT_COLUMNS, event_rows

    prep = prepare(scenario, None, days, params)
    outside = outside_admin1(prep)
    frames = []
    for i in range(0, n, 25):
        seeds = list(range(1 + i, min(n, i + 25) + 1))
        S = run_prepared(prep, seeds, record=False)
        for r, s in enumerate(seeds):
            df = pd.DataFrame(event_rows(S, r, prep.index), columns=EVENT_COLUMNS)
            frames.append(df[~df.admin1.isin(outside)].assign(seed=s))
    return pd.concat(frames, ignore_index=True)


def per_run(df: pd.DataFrame, cols: list[str], n: int, top: int = 10) -> str:
    t = (df.groupby(cols).fatalities.sum() / n).sort_values(ascending=False).head(top)
    return t.round(1).to_string()


def run_arguments(doc: str) -> argparse.ArgumentParser:
    """The options of a script that runs seeds 1..n of a scenario with a parameter file and overrides."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--params", help="parameter file (a mapping or {values: ...})")
    ap.add_argument("--set", action="append", default=[], help="NAME=VALUE over the parameter file")
    ap.add_argument("--scenario", default="mali-2016")
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--days", type=int, default=366)
    return ap


def run_params(a: argparse.Namespace) -> dict:
    """The parameter file's values with the --set overrides."""
    from azalai.model.params import load_param_file

    params = dict(load_param_file(a.params)) if a.params else {}
    for kv in a.set:
        k, v = kv.split("=")
        params[k] = float(v)
    return params


def main() -> None:
    ap = run_arguments(__doc__)
    ap.add_argument("--regions", default="Kidal,Mopti")
    ap.add_argument("--acled", required=True, help="ACLED monthly aggregates CSV")
    ap.add_argument("--period", default="2015-07:2016-06", help="observed months FIRST:LAST")
    a = ap.parse_args()
    params = run_params(a)
    ev = model_events(a.scenario, params, a.n, a.days)
    first, last = a.period.split(":")
    ob = pd.read_csv(a.acled)
    ob = ob[(ob.month >= first) & (ob.month <= last)]
    for region in a.regions.split(","):
        m = ev[(ev.admin1 == region) & (ev.fatalities > 0)]
        o = ob[ob.admin1 == region]
        print(f"\n## {region}: model {m.fatalities.sum() / a.n:.1f} fatalities per run, ACLED {o.fatalities.sum()}")
        for cols in (["actor1_id", "actor2_id"], ["event_type", "sub_event_type"], ["location"], ["mechanism"]):
            print(per_run(m, cols, a.n), "\n")
        mi = m.groupby(["inter1", "inter2"]).fatalities.sum() / a.n
        oi = o.groupby(["inter1", "inter2"]).fatalities.sum()
        print("ACLED by inter pair:\n" + oi.sort_values(ascending=False).head(10).to_string())
        print("model by inter pair:\n" + mi.sort_values(ascending=False).head(10).round(1).to_string(), "\n")
    rows = []
    for region in sorted(set(ev.admin1) | set(ob.admin1)):
        for t in VIOLENT:
            o = ob[(ob.admin1 == region) & (ob.event_type == t)]
            m = ev[(ev.admin1 == region) & (ev.event_type == t)]
            oe, of_, me, mf = o.events.sum(), o.fatalities.sum(), len(m) / a.n, m.fatalities.sum() / a.n
            if oe or me:
                rows.append((region, t, oe, of_, of_ / max(oe, 1), me, mf, mf / me if me else 0.0))
    print(pd.DataFrame(rows, columns=["admin1", "event type", "ACLED events", "ACLED fat.", "ACLED fat./event",
                                      "model events", "model fat.", "model fat./event"]).round(2).to_string(index=False))
    f = ev[ev.fatalities > 0]
    reg = f.groupby(["seed", "admin1"]).fatalities.sum().unstack(fill_value=0).reindex(range(1, a.n + 1), fill_value=0)
    share = reg.div(reg.sum(axis=1).where(lambda s: s > 0, 1), axis=0)
    top2 = (reg.rank(axis=1, ascending=False, method="min") <= 2).sum()
    print("\nmedian share and runs among the two deadliest:")
    print(pd.DataFrame({"median share": share.median().round(3), "top-2 runs": top2})
          .sort_values("median share", ascending=False).to_string())


if __name__ == "__main__":
    main()
