"""Write the calibration's tables into the docs from the files they summarise.

    .venv/bin/python scripts/calibration_tables.py            # rewrite the tables in place
    .venv/bin/python scripts/calibration_tables.py --check    # exit 1 if a table is out of date

* docs/validation.md, ``calibration-posterior``: each calibrated parameter's prior default and range
  (the registry) and its posterior median and 90% interval (azalai/model/calibrated.yaml);
* docs/validation.md, ``calibration-statistics``: each summary statistic's observed value, posterior
  mean and scale in the distance (the same file);
* docs/calibration.md, ``morris-screen``: the ten largest effects (mu*) of the Morris screen of the whole
  registry on each of its four statistics (docs/img/screen/morris_*.csv, written by
  ``scripts/screen_registry.py --out docs/img/screen``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from doc_table import render  # noqa: E402

CALIBRATED = ROOT / "azalai" / "model" / "calibrated.yaml"
SCREEN = ROOT / "docs" / "img" / "screen"
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
    a = ap.parse_args()
    doc = yaml.safe_load(a.calibrated.read_text(encoding="utf-8"))
    tables = {VALIDATION: [("calibration-posterior", posterior_table(doc)),
                           ("calibration-statistics", statistics_table(doc))],
              CALIBRATION: [("morris-screen", screen_table(a.screen))]}
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
