"""Wall time of the robust-decision command on the nine built-in policies.

    .venv/bin/python benchmarks/bench_robust.py                      # -n 200, 4 seeds, process backend, 2 workers
    .venv/bin/python benchmarks/bench_robust.py -n 50 --seeds 2

Runs ``azalai robust --policies all --uncertainty posterior,scenario -n N --seeds S --format json`` as a
user does (a fresh process, a temporary DuckDB store, the process backend), after loading the compiled
engine once so that compilation is not timed. Records the wall time of the whole command, the
simulation's own wall time and throughput, the CPU seconds of the command and its workers (what the
wall time on two otherwise idle cores would be about half of that), the load average before and after (the machine is shared),
and the leading candidates. Results go to ``benchmarks/results/robust.json``; the JSON view of the run is
kept next to it (``robust_view.json``) and the store in ``--keep-store`` if given.
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

HERE = Path(__file__).parent
ROOT = HERE.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--backend", default="process")
    ap.add_argument("--satisfice", default="fatalities<=600,signatory_clashes<=5")
    ap.add_argument("--keep-store", type=Path, default=None, help="keep the DuckDB store here")
    a = ap.parse_args()

    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "azalai.model.warmup"], env=env, check=True, capture_output=True)
    tmp = Path(tempfile.mkdtemp(prefix="azalai-bench-robust-"))
    store = a.keep_store or tmp / "robust.duckdb"
    cmd = [sys.executable, "-m", "azalai.cli.main", "robust", "--policies", "all", "--uncertainty", "posterior,scenario",
           "-n", str(a.n), "--seeds", str(a.seeds), "--backend", a.backend, "--workers", str(a.workers),
           "--satisfice", a.satisfice, "--store", str(store), "--format", "json"]
    import resource

    def cpu() -> float:
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ru.ru_utime + ru.ru_stime

    load0 = os.getloadavg()
    c0 = cpu()
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    cpu_s = cpu() - c0  # the command and its worker processes (they are joined, so their time is counted)
    load1 = os.getloadavg()
    if r.returncode != 0:
        sys.exit(f"azalai robust failed ({r.returncode}):\n{r.stderr[-3000:]}")
    view = json.loads(r.stdout)
    runs = view["candidates"] * view["worlds"] * view["seeds"]
    sim = view.get("wall_seconds") or float("nan")
    result = {
        "command": "azalai " + " ".join(cmd[cmd.index("robust"):]).replace(str(store), "STORE"),
        "candidates": view["candidates"], "worlds": view["worlds"], "seeds": view["seeds"], "days": view["days"],
        "runs": runs, "wall_seconds_command": round(wall, 1), "wall_seconds_simulation": round(sim, 1),
        "runs_per_second": round(runs / sim, 2) if sim == sim else None,
        "cpu_seconds": round(cpu_s, 1), "cpu_share_of_two_cores": round(cpu_s / (2 * wall), 2),
        "target_seconds": 900, "within_target": wall <= 900,
        "load_average_start": [round(x, 2) for x in load0], "load_average_end": [round(x, 2) for x in load1],
        "cpus": os.cpu_count(), "backend": a.backend, "workers": a.workers,
        "ranking": [{"rank": x["rank"], "candidate": x["label"], "satisficing": x.get("satisficing")}
                    for x in view["ranking"]],
        "pareto": view["pareto"],
    }
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "robust.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    (out / "robust_view.json").write_text(json.dumps({k: v for k, v in view.items() if k != "distribution"}, indent=1),
                                          encoding="utf-8")
    print(f"| runs | command wall (s) | simulation wall (s) | runs/s | CPU s (all processes) | load avg start -> end |\n"
          f"|---|---|---|---|---|---|\n| {runs} | {wall:.1f} | {sim:.1f} | {result['runs_per_second']} | {cpu_s:.0f} | "
          f"{load0[0]:.1f} -> {load1[0]:.1f} |")
    if view.get("robust_id"):
        print("robust run:", view["robust_id"], "store:", store)


if __name__ == "__main__":
    main()
