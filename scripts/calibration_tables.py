"""Write the calibration's tables into the docs from the files they summarise.

    .venv/bin/python scripts/calibration_tables.py            # rewrite the tables in place
    .venv/bin/python scripts/calibration_tables.py --check    # exit 1 if a table is out of date

* docs/validation.md, ``calibration-posterior``: each calibrated parameter's prior default and range
  (the registry) and its posterior median and 90% interval (azalai/model/calibrated.yaml);
* docs/validation.md, ``calibration-statistics``: each summary statistic's observed value, posterior
  mean and scale in the distance (the same file);
* docs/validation.md and docs/calibration.md, ``calibration-fit``: the calibration period's statistics, observed and in the
  ensembles before calibration, after it and with posterior draws (docs/img/validation/summary.json,
  written by ``scripts/calibration_figures.py``);
* docs/calibration.md, ``morris-screen``: the ten largest effects (mu*) of the Morris screen of the whole
  registry on each of its four statistics (docs/img/screen/morris_*.csv, written by
  ``scripts/screen_registry.py --out docs/img/screen``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from doc_table import render  # noqa: E402

CALIBRATED = ROOT / "azalai" / "model" / "calibrated.yaml"
SCREEN = ROOT / "docs" / "img" / "screen"
SUMMARY = ROOT / "docs" / "img" / "validation" / "summary.json"
FITS = [("before", "before: prior defaults"), ("after", "after: calibrated"), ("posterior", "posterior draws")]
VALIDATION = ROOT / "docs" / "validation.md"
CALIBRATION = ROOT / "docs" / "calibration.md"
SCREEN_STATS = [("log_total", "log(1 + fatalities per year)", 2), ("centre_share", "centre (Mopti + Ségou) share", 3),
                ("mopti_share", "Mopti share", 3), ("rho", "regional Spearman ρ", 3)]
TOP = 10


def number(x: float) -> str:
    """Three significant digits; thousands separated by commas from 1,000 up."""
    x = float(x)
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def posterior_table(doc: dict) -> str:
    from azalai.model.params import spec

    rows = ["| parameter | prior default | prior range | posterior median | 90% posterior interval |",
            "|---|---|---|---|---|"]
    for name, q in doc["posterior"].items():
        s = spec(name)
        rows.append(f"| `{name}` | {number(s.default)} | {number(s.low)}–{number(s.high)} | {number(q['median'])} | "
                    f"{number(q['q05'])}–{number(q['q95'])} |")
    return "\n".join(rows)


def statistics_table(doc: dict) -> str:
    rows = ["| statistic | observed | posterior mean | scale |", "|---|---|---|---|"]
    for name, s in doc["statistics"].items():
        label = "dispersion (last 12 months)" if name == "dispersion" else name
        rows.append(f"| {label} | {s['observed']:.3f} | {s['posterior_mean']:.3f} | {s['scale']:.3f} |")
    return "\n".join(rows)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _interval(m: float, lo: float, hi: float, fmt=lambda x: f"{x:,.0f}") -> str:
    return f"{fmt(m)} [{fmt(lo)}–{fmt(hi)}]"


def fit_table(summary: dict) -> str:
    """Observed against the three ensembles, one row per statistic (the layout of docs/validation.md)."""
    runs = [summary[key] for key, _ in FITS]
    first = runs[0]
    rows = ["| statistic | observed (ACLED 2014-01 to 2016-06) | " + " | ".join(label for _, label in FITS) + " |",
            "|---|---|" + "---|" * len(FITS)]

    def row(label: str, observed: str, cells: list[str]) -> None:
        rows.append(f"| {label} | {observed} | " + " | ".join(cells) + " |")

    a = first["annual_rate"]
    row("fatalities per year", f"{a['observed']:,.0f}",
        [_interval(r["annual_rate"]["model_median"], r["annual_rate"]["model_lo"], r["annual_rate"]["model_hi"])
         for r in runs])
    for i, y in enumerate(first["yearly"]):
        row(f"fatalities {y['year']} ({y['days']} days)", f"{y['observed']:,.0f}",
            [_interval(r["yearly"][i]["model_median"], r["yearly"][i]["model_lo"], r["yearly"][i]["model_hi"])
             for r in runs])
    row("regional Spearman ρ (per replicate)", "1",
        [_interval(r["regions"]["spearman"]["median"], r["regions"]["spearman"]["lo"], r["regions"]["spearman"]["hi"],
                   lambda x: f"{x:.2f}") for r in runs])
    row("regional Spearman ρ (pooled ensemble)", "1", [f"{r['regions']['spearman_pooled']:.2f}" for r in runs])
    for g in first["regions"]["table"]:
        if g["observed_share"] < 0.01:
            continue
        cells = []
        for r in runs:
            m = next(x for x in r["regions"]["table"] if x["region"] == g["region"])
            cells.append(f"{_interval(m['model_share_median'], m['model_share_lo'], m['model_share_hi'], _pct)}; "
                         f"first in {m['replicates_deadliest']}, top two in {m['replicates_top_two']}")
        row(f"share of fatalities: {g['region']}", f"{_pct(g['observed_share'])} (rank {g['observed_rank']})", cells)
    for what, key in (("events", "event"), ("fatalities", "fatality")):
        for t in first["event_types"]["compared"]:
            cells = [_pct(next(x for x in r["event_types"]["compared"]
                               if x["event_type"] == t["event_type"])[f"model_{key}_share_median"]) for r in runs]
            row(f"share of {what}: {t['event_type']}", _pct(t[f"observed_{key}_share"]), cells)
    row("monthly coverage of the 90% band (fatalities)", "90% expected", [_pct(r["monthly"]["coverage"]) for r in runs])
    row("monthly coverage of the 90% band (events)", "90% expected",
        [_pct(r["monthly"]["coverage_events"]) for r in runs])
    ot = first["event_sizes"]["observed_tail"]
    row("tail exponent α, powerlaw (xmin)", f"{ot['alpha']:.2f} ({ot['xmin']:.0f})",
        [f"{r['event_sizes']['model_tail']['alpha']:.2f} ({r['event_sizes']['model_tail']['xmin']:.0f})" for r in runs])
    row("tail exponent α at the observed xmin, per replicate", "—",
        [_interval(r["event_sizes"]["model_alpha_at_observed_xmin"]["median"],
                   r["event_sizes"]["model_alpha_at_observed_xmin"]["lo"],
                   r["event_sizes"]["model_alpha_at_observed_xmin"]["hi"], lambda x: f"{x:.2f}") for r in runs])
    row("KS distance of event sizes (≥ 1 death)", "0", [f"{r['event_sizes']['ks']['statistic']:.2f}" for r in runs])
    return "\n".join(rows)


def screen_table(folder: Path) -> str:
    cols = [pd.read_csv(folder / f"morris_{key}.csv", index_col=0)["mu_star"].head(TOP) for key, _, _ in SCREEN_STATS]
    rows = ["| rank | " + " | ".join(label for _, label, _ in SCREEN_STATS) + " |",
            "|---|" + "---|" * len(SCREEN_STATS)]
    for i in range(TOP):
        cells = [f"`{c.index[i]}` {c.iloc[i]:.{digits}f}" for c, (_, _, digits) in zip(cols, SCREEN_STATS)]
        rows.append(f"| {i + 1} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if a table is out of date")
    ap.add_argument("--calibrated", type=Path, default=CALIBRATED)
    ap.add_argument("--screen", type=Path, default=SCREEN)
    ap.add_argument("--summary", type=Path, default=SUMMARY)
    a = ap.parse_args()
    doc = yaml.safe_load(a.calibrated.read_text(encoding="utf-8"))
    tables = {VALIDATION: [("calibration-posterior", posterior_table(doc)),
                           ("calibration-statistics", statistics_table(doc)),
                           ("calibration-fit", fit_table(json.loads(a.summary.read_text(encoding="utf-8"))))],
              CALIBRATION: [("morris-screen", screen_table(a.screen)),
                            ("calibration-fit", fit_table(json.loads(a.summary.read_text(encoding="utf-8"))))]}
    stale = 0
    for path, parts in tables.items():
        old = path.read_text(encoding="utf-8")
        new = old
        for name, table in parts:
            new = render(new, name, table, path)
        if new == old:
            continue
        if a.check:
            print(f"{path} is out of date: run python scripts/calibration_tables.py")
            stale = 1
        else:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path}")
    return stale


if __name__ == "__main__":
    raise SystemExit(main())
