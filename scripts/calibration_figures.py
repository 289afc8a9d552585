"""Figures and tables of docs/calibration.md and docs/validation.md.

Runs 50-replicate ensembles of the built-in scenario with the default policy (baseline-2016) over
the length of the calibration period (2014-01-01 to 2016-06-30, 912 days), shifts their events onto
that period, and compares them with ACLED Mali monthly aggregates (and, for the calibrated set,
with UCDP GED events in GED form):

* ``before``: the registry's prior defaults (AZALAI_UNCALIBRATED=1);
* ``after``: the same with the calibrated values of azalai/model/calibrated.yaml (or --calibrated);
* ``posterior``: each replicate with its own parameter draw from the calibration's posterior;
* ``ucdp``: the calibrated set against UCDP GED (precise locations only).

Writes PNGs and ``summary.json`` into docs/img/validation/ and prints the markdown tables.

    .venv/bin/python -m azalai.model.warmup
    .venv/bin/python scripts/calibration_figures.py
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ["AZALAI_UNCALIBRATED"] = "1"  # "before" = the priors; "after" passes the calibrated values explicitly

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PERIOD = "2014-01-01:2016-06-30"


def _posterior_figure(cal_file: Path, out: Path) -> Path | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import yaml

    from azalai.model.params import spec

    doc = yaml.safe_load(cal_file.read_text(encoding="utf-8"))
    parts = doc.get("particles")
    if not parts:
        return None
    names = parts["names"]
    vals = np.array(parts["values"], dtype=float)
    w = np.array(parts["weights"], dtype=float)
    fig, axes = plt.subplots(1, len(names), figsize=(2.6 * len(names), 2.6))
    for j, (ax, n) in enumerate(zip(np.atleast_1d(axes), names)):
        s = spec(n)
        ax.hist(vals[:, j], bins=15, range=(s.low, s.high), weights=w, color="#c60", alpha=0.8)
        ax.axvline(s.default, color="#222", ls="--", lw=1, label="prior default")
        ax.axvline(doc["values"][n], color="#c60", lw=1.5, label="posterior median")
        ax.set_title(n, fontsize=9)
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
    np.atleast_1d(axes)[0].legend(fontsize=6, frameon=False)
    fig.suptitle("ABC-SMC posterior (weighted particles) over the prior ranges", fontsize=10)
    fig.tight_layout()
    p = out / "posterior.png"
    fig.savefig(p, dpi=110)
    plt.close(fig)
    return p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "observed")
    ap.add_argument("--calibrated", type=Path, default=ROOT / "azalai" / "model" / "calibrated.yaml")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "validation")
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--store", type=Path, default=None)
    a = ap.parse_args()

    from azalai.analysis.calibration import sample_posterior
    from azalai.analysis.validation import validate
    from azalai.model.params import load_param_file
    from azalai.report.validation_report import figures, markdown

    store = a.store
    if store is None:
        from azalai.data.acled import import_acled_aggregates, import_acled_event_sizes
        from azalai.data.ucdp import import_ucdp

        store = Path(tempfile.mkdtemp(prefix="azalai-fig-")) / "store.duckdb"
        import_acled_aggregates(a.data / "acled_mali_monthly_aggregates_2012-01_to_2016-06.csv", store)
        import_acled_event_sizes(a.data / "acled_mali_event_size_counts_2012_2015.csv", store)
        import_ucdp(a.data / "ucdp_ged211_mali_precise_1990_to_2016-06.csv", store)
    cal = load_param_file(a.calibrated)
    a.out.mkdir(parents=True, exist_ok=True)
    runs = {
        "before": dict(observed="acled-aggregates", params=None, param_samples=None),
        "after": dict(observed="acled-aggregates", params=cal, param_samples=None),
        "posterior": dict(observed="acled-aggregates", params=None,
                          param_samples=sample_posterior(a.calibrated, a.n, a.seed)),
        "ucdp": dict(observed="ucdp", params=cal, param_samples=None),
    }
    summary = {"period": PERIOD, "replicates": a.n, "calibrated": cal}
    for name, kw in runs.items():
        print(f"{name}: {a.n} replicates against {kw['observed']} {PERIOD}", flush=True)
        v = validate(kw["observed"], PERIOD, n=a.n, store=store, params=kw["params"],
                     param_samples=kw["param_samples"], seed=a.seed)
        figures(v, a.out, prefix=f"{name}_")
        summary[name] = v.result
        print(markdown(v), flush=True)
    p = _posterior_figure(a.calibrated, a.out)
    if p:
        print(f"wrote {p}")
    (a.out / "summary.json").write_text(json.dumps(summary, indent=1, default=str), encoding="utf-8")
    print(f"wrote {a.out}/summary.json")


if __name__ == "__main__":
    main()
