"""Regenerate the results of docs/forecasting.md: the mali-2015 backtest and the published mali-2016 forecast.

    .venv/bin/python scripts/forecast_docs.py              # both (about 10-20 minutes on 2 loaded cores)
    .venv/bin/python scripts/forecast_docs.py --skip-publish

1. Backtest: ``mali-2015`` (origin 2015-07-01), calibrated by ABC-SMC on ACLED aggregates
   2014-01-01..2015-06-30 only, forecast 2015-07..2016-06, scored against ACLED. Writes
   docs/forecasts/backtest_mali-2015.json, the calibration it used, docs/img/backtest_mali-2015.png,
   and the results table between the markers of docs/forecasting.md; then the same backtest
   calibrated on the pooled statistics only (docs/forecasts/backtest_mali-2015_pooled.json).
2. Published forecast: ``mali-2016`` from 2016-07-01 for 24 months with the shipped calibration
   (fitted on ACLED 2014-01..2016-06; checked to end before the origin) and the scenario's ranges:
   docs/forecasts/mali-2016_2016-07_2018-06.parquet and docs/img/forecast_mali-2016.png.

The observed files are read from ../shared/data/observed (or --data) into a temporary store.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BEGIN, END = "<!-- BEGIN BACKTEST RESULTS -->", "<!-- END BACKTEST RESULTS -->"


def _f(x, nd=2):
    return "–" if x is None else f"{x:,.{nd}f}"


def results_markdown(res: dict, revision: str) -> str:
    (o,) = res["origins"]
    cal = o["calibration"]
    lines = [f"Origin {o['origin']}, scored {o['origin']}..{o['through']}; calibration on ACLED {cal['period']} "
             f"({cal.get('simulations', '–')} simulations); {o['forecast']['members']} members over "
             f"{o['forecast']['draws']} posterior/scenario draws; benchmarks from {o['history']}. "
             f"Model revision `{revision}`.", ""]
    for v, r in o["variables"].items():
        lines += [f"**{v}** per region-month ({len(r['observed_by_region'])} regions × {res['months']} months)", "",
                  "| forecaster | mean CRPS | mean log score | 50% coverage | 90% coverage | model's CRPS skill [95% bootstrap] |",
                  "|---|---:|---:|---:|---:|---|"]
        for row in r["scores"]:
            sk = "" if "skill_of_model" not in row else (
                f"{_f(row['skill_of_model'])} [{_f(row['skill_low'])}, {_f(row['skill_high'])}]")
            lines.append(f"| {row['forecaster']} | {_f(row['crps'])} | {_f(row['log_score'])} | "
                         f"{100 * row['coverage50']:.0f}% | {100 * row['coverage90']:.0f}% | {sk} |")
        t = r["total"]
        lines += ["", f"Total {v}: observed {_f(t['observed'], 0)}, model median {_f(t['median'], 0)}, 90% interval "
                  f"[{_f(t['low'], 0)}, {_f(t['high'], 0)}]: {'covered' if t['covered'] else 'not covered'}. "
                  f"Regional Spearman ρ (observed totals vs model medians): {_f(r['regional_spearman'])}.", ""]
        regs = sorted(r["observed_by_region"], key=lambda k: -r["observed_by_region"][k])
        lines += ["| region | " + " | ".join(regs) + " |", "|---|" + "---:|" * len(regs),
                  "| observed | " + " | ".join(_f(r["observed_by_region"][k], 0) for k in regs) + " |",
                  "| model median | " + " | ".join(_f(r["model_median_by_region"][k], 0) for k in regs) + " |", ""]
    return "\n".join(lines)


def comparison_markdown(timed: dict, pooled: dict) -> str:
    """Key numbers of the backtest calibrated with and without the time-aware statistics."""
    lines = ["**Calibration statistics compared** (same origin, seed and budget; fatalities):", "",
             "| calibrated on | model CRPS | skill vs persistence | skill vs climatology | skill vs negbin_trend | "
             "total: median [90%] (observed) | regional ρ |", "|---|---:|---|---|---|---|---:|"]
    for label, res in (("pooled + time-aware statistics (default)", timed), ("pooled statistics only", pooled)):
        r = res["origins"][0]["variables"]["fatalities"]
        rows = {row["forecaster"]: row for row in r["scores"]}
        sk = [f"{_f(rows[b]['skill_of_model'])} [{_f(rows[b]['skill_low'])}, {_f(rows[b]['skill_high'])}]"
              for b in ("persistence", "climatology", "negbin_trend")]
        t = r["total"]
        lines.append(f"| {label} | {_f(rows['model']['crps'])} | " + " | ".join(sk) +
                     f" | {_f(t['median'], 0)} [{_f(t['low'], 0)}, {_f(t['high'], 0)}] ({_f(t['observed'], 0)}) | "
                     f"{_f(r['regional_spearman'])} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "observed")
    ap.add_argument("--members", type=int, default=200)
    ap.add_argument("--draws", type=int, default=50)
    # The backtest's calibration has the shipped calibration's budget (docs/validation.md, "Budget").
    ap.add_argument("--particles", type=int, default=300)
    ap.add_argument("--generations", type=int, default=12)
    ap.add_argument("--budget", type=int, default=5000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2015)
    ap.add_argument("--skip-backtest", action="store_true")
    ap.add_argument("--skip-publish", action="store_true")
    a = ap.parse_args()

    from azalai.analysis.panel import observed_panel
    from azalai.data.acled import import_acled_aggregates, import_acled_event_sizes
    from azalai.analysis.backtest import BacktestConfig, check_window, run_backtest
    from azalai.analysis.forecast import quantile_table, run_forecast, write_forecast
    from azalai.report.forecast_fig import band_figure

    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    store = Path(tempfile.mkdtemp(prefix="azalai-fc-")) / "store.duckdb"
    import_acled_aggregates(a.data / "acled_mali_monthly_aggregates_2012-01_to_2016-06.csv", store)
    import_acled_event_sizes(a.data / "acled_mali_event_size_counts_2012_2015.csv", store)
    fc_dir, img = ROOT / "docs" / "forecasts", ROOT / "docs" / "img"
    if not a.skip_backtest:
        out = fc_dir / "backtest_mali-2015"
        for stale in out.glob("*.ckpt.npz"):  # a checkpoint of an earlier model must not be resumed
            stale.unlink()
        cfg = BacktestConfig(scenarios=["mali-2015"], store=store, members=a.members, draws=a.draws, seed=a.seed,
                             particles=a.particles, generations=a.generations, budget=a.budget, workers=a.workers,
                             out_dir=out)
        res = run_backtest(cfg, say=lambda s: print(s, flush=True))
        res["model_revision"] = rev
        (fc_dir / "backtest_mali-2015.json").write_text(json.dumps(res, indent=1, default=str), encoding="utf-8")
        for done in out.glob("*.ckpt.npz"):
            done.unlink()
        # the same backtest calibrated on the pooled statistics only, for comparison
        pooled = run_backtest(dataclasses.replace(cfg, time_stats=False, out_dir=None), say=lambda s: print(s, flush=True))
        pooled["model_revision"] = rev
        (fc_dir / "backtest_mali-2015_pooled.json").write_text(json.dumps(pooled, indent=1, default=str),
                                                               encoding="utf-8")
        import pandas as pd

        table = pd.read_parquet(out / "forecast_2015-07-01.parquet")
        regions = sorted(table["admin1"].unique())
        obs = observed_panel(store, "acled-aggregates", dt.date(2015, 7, 1), dt.date(2016, 6, 30), regions)
        band_figure(table, img / "backtest_mali-2015.png", "fatalities",
                    "mali-2015 backtest: forecast from 2015-07-01 (bands) and ACLED (points)", observed=obs)
        doc = ROOT / "docs" / "forecasting.md"
        text = doc.read_text(encoding="utf-8")
        md = results_markdown(res, rev) + "\n" + comparison_markdown(res, pooled)
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda m: f"{BEGIN}\n{md}\n{END}", text, flags=re.S)
        doc.write_text(text, encoding="utf-8")
        print(md)
    if not a.skip_publish:
        import yaml

        from azalai.analysis.observed import parse_period
        from azalai.model.params import CALIBRATED_FILE

        period = (yaml.safe_load(CALIBRATED_FILE.read_text(encoding="utf-8")) or {}).get("period", "")
        s, e = parse_period(period)
        check_window(dt.date(2016, 7, 1), s, e, "shipped calibration period", "calibrated.yaml")
        samples, info = run_forecast("mali-2016", 24, a.members, a.draws, a.seed, CALIBRATED_FILE, False, "effective")
        qt = quantile_table(samples)
        write_forecast(qt, fc_dir / "mali-2016_2016-07_2018-06.parquet", info,
                       {"calibration_period": period, "data_through": "2016-06-30", "model_revision": rev})
        band_figure(qt, img / "forecast_mali-2016.png", "fatalities",
                    "mali-2016: forecast fatalities per month, 2016-07..2018-06 (data to 2016-06 only)")
        print(f"wrote {fc_dir / 'mali-2016_2016-07_2018-06.parquet'}")


if __name__ == "__main__":
    main()
