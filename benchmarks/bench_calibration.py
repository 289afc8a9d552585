"""Wall time of an ABC-SMC calibration with many parameters and particles on this machine.

    .venv/bin/python benchmarks/bench_calibration.py                       # 10 parameters, 500 particles
    .venv/bin/python benchmarks/bench_calibration.py --particles 100 --generations 2

Calibrates ``--params`` (default: the five violence rates and sizes of the shipped calibration plus five of the sensitivity
analysis's influential set) of ``mali-2015`` on ACLED aggregates 2014-01..2015-06 with the
time-aware statistics on the project's executors (``--backend``, default a pool of ``--workers``
processes kept for the whole run), and records per generation: simulations, accepted
particles, seconds; the total; simulations per second; and the load average at start and end
(the machine is shared, see README.md). Results: benchmarks/results/calibration.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARAMS = ["clash_base", "attack_base", "reprisal_rate", "fatality_scale", "fatality_alpha",
          "rent_rate", "risk_aversion", "stake_weight", "aggression_weight", "tension_threshold"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "observed")
    ap.add_argument("--params", default=",".join(PARAMS))
    ap.add_argument("--particles", type=int, default=500)
    ap.add_argument("--generations", type=int, default=4)
    ap.add_argument("--replicates", type=int, default=1)
    ap.add_argument("--budget", type=int, default=3000, help="simulations per generation at most")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--backend", default="process", help="serial | process | ray (the project's executors)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "calibration.json")
    a = ap.parse_args()

    from azalai.analysis.calibration import calibrate
    from azalai.data.acled import import_acled_aggregates, import_acled_event_sizes
    from azalai.model.params import defaults

    store = Path(tempfile.mkdtemp(prefix="azalai-bc-")) / "store.duckdb"
    import_acled_aggregates(a.data / "acled_mali_monthly_aggregates_2012-01_to_2016-06.csv", store)
    import_acled_event_sizes(a.data / "acled_mali_event_size_counts_2012_2015.csv", store)
    names = [s for s in a.params.split(",") if s]
    load0 = os.getloadavg()
    t0 = time.time()
    res, tg = calibrate("acled-aggregates", "2014-01-01:2015-06-30", names, particles=a.particles,
                        generations=a.generations, replicates=a.replicates, seed=a.seed, store=store,
                        scenario="mali-2015", base=defaults(), workers=a.workers, backend=a.backend,
                        max_simulations_per_generation=a.budget, progress=lambda s: print(s, flush=True),
                        time_stats=True)
    wall = time.time() - t0
    out = {
        "params": names, "particles": a.particles, "generations_asked": a.generations,
        "generations_done": len(res.generations), "replicates": a.replicates, "workers": a.workers, "backend": a.backend,
        "budget_per_generation": a.budget, "statistics": len(tg.names),
        "per_generation": [{"simulations": g.simulations, "accepted": int(len(g.theta)),
                            "acceptance": round(g.acceptance, 3), "seconds": round(g.seconds, 1)}
                           for g in res.generations],
        "simulations": res.simulations, "wall_seconds": round(wall, 1),
        "simulations_per_second": round(res.simulations / wall, 2),
        "stopped_early": res.stopped_early or None,
        "load_average_start": [round(x, 2) for x in load0], "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "cpu_count": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "model_revision": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                         cwd=ROOT).stdout.strip(),
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
