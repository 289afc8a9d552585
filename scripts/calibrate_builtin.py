"""Reproduce the shipped calibration of the built-in scenario (azalai/model/calibrated.yaml).

ABC-SMC (azalai.analysis.calibration) on ACLED Mali monthly aggregates and event-size counts,
2014-01-01 to 2016-06-30, starting from the registry's prior defaults (AZALAI_UNCALIBRATED=1),
so an existing calibrated.yaml does not feed into its own recalibration. The scenario starts on
2016-07-01, in the regime of the last observed year, so by default each replicate runs one year (the
model's first) and is set against July 2015 - June 2016 (weighted --recent-weight) and the period's
per-year averages (--align end; azalai.analysis.calibration_align).

    .venv/bin/python -m azalai.model.warmup
    .venv/bin/python scripts/calibrate_builtin.py                # writes azalai/model/calibrated.yaml
    .venv/bin/python scripts/calibrate_builtin.py --out /tmp/c.yaml --particles 40 --generations 3

The observed files are read from ../shared/data/observed (or --data) and imported into a
temporary store. Takes 5-15 minutes on 2 cores with the defaults below, depending on the machine's load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ["AZALAI_UNCALIBRATED"] = "1"  # calibrate from the priors, not from a previous calibration

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from azalai.analysis.calibration_align import ALIGNS, DEFAULT_RECENT_WEIGHT  # noqa: E402

from azalai.analysis.calibration import CAL_PARAMS  # noqa: E402  (the calibrated parameters and why)

PARAMS = list(CAL_PARAMS)
PERIOD = "2014-01-01:2016-06-30"
SOURCE_NOTE = "calibrated: ABC-SMC on ACLED Mali 2014-2016 aggregates, see docs/validation.md"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "observed")
    ap.add_argument("--out", type=Path, default=ROOT / "azalai" / "model" / "calibrated.yaml")
    ap.add_argument("--params", default=",".join(PARAMS))
    ap.add_argument("--period", default=PERIOD)
    ap.add_argument("--particles", type=int, default=100)
    ap.add_argument("--generations", type=int, default=6)
    ap.add_argument("--replicates", type=int, default=2)
    ap.add_argument("--days", type=int, default=None,
                    help="days per simulated replicate with --align start (default: the period's length)")
    ap.add_argument("--align", choices=ALIGNS, default="end",
                    help="end: each replicate runs the period's last year (the model's first year) and is set "
                         "against that year and the period's per-year averages; start: it runs the whole period")
    ap.add_argument("--recent-weight", type=float, default=DEFAULT_RECENT_WEIGHT,
                    help="with --align end: weight of each group of the last year's statistics in the distance")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--budget", type=int, default=500, help="simulations per generation at most")
    ap.add_argument("--seed", type=int, default=2016)
    ap.add_argument("--no-time-stats", dest="time_stats", action="store_false",
                    help="leave out the statistics that see time (with --align end: the last year's monthly "
                         "dispersion; with --align start: also its level, trend and regional split)")
    ap.add_argument("--store", type=Path, default=None, help="store with the data already imported")
    ap.add_argument("--fit-interactions", dest="interactions", action="store_true",
                    help="also fit who fights whom (docs/validation.md); the shipped calibration does not")
    a = ap.parse_args()

    from azalai.analysis.calibration import calibrate, check_recent_weight, result_document, write_result

    check_recent_weight(a.recent_weight)
    store = a.store
    if store is None:
        from azalai.data.acled import import_acled_aggregates, import_acled_event_sizes

        store = Path(tempfile.mkdtemp(prefix="azalai-cal-")) / "store.duckdb"
        import_acled_aggregates(a.data / "acled_mali_monthly_aggregates_2012-01_to_2016-06.csv", store)
        import_acled_event_sizes(a.data / "acled_mali_event_size_counts_2012_2015.csv", store)
    names = [s.strip() for s in a.params.split(",") if s.strip()]
    t0 = time.time()
    res, tg = calibrate("acled-aggregates", a.period, names, particles=a.particles, generations=a.generations,
                        replicates=a.replicates, seed=a.seed, store=store, workers=a.workers,
                        max_simulations_per_generation=a.budget, sim_days=a.days,
                        time_stats=a.time_stats, align=a.align, recent_weight=a.recent_weight,
                        interactions=a.interactions,
                        progress=lambda s: print(s, flush=True))
    doc = result_document(res, tg, a.period, source_note=SOURCE_NOTE)
    header = (
        "# Calibrated defaults of the built-in scenario: they override parameters.yaml's defaults.\n"
        "# Produced by scripts/calibrate_builtin.py (ABC-SMC on ACLED Mali monthly aggregates and event sizes,\n"
        f"# {a.period}); method and fit in docs/validation.md. Set AZALAI_UNCALIBRATED=1 to ignore this file.\n"
        f"# command: .venv/bin/python scripts/calibrate_builtin.py --particles {a.particles} "
        f"--generations {a.generations} --replicates {a.replicates}{f' --days {a.days}' if a.days else ''} --workers {a.workers} --budget {a.budget} "
        f"--align {a.align} {f'--recent-weight {a.recent_weight:g} ' if a.align == 'end' else ''}"
        f"{'' if a.time_stats else '--no-time-stats '}{'--fit-interactions ' if a.interactions else ''}"
        f"--seed {a.seed}"
    )
    write_result(doc, a.out, header=header)
    print(f"wrote {a.out} after {res.simulations} simulations in {time.time() - t0:.0f} s")
    for n, q in doc["posterior"].items():
        print(f"  {n}: {q['median']:g} [{q['q05']:g}, {q['q95']:g}]")


if __name__ == "__main__":
    main()
