"""Ensemble throughput: runs/s of two-year runs with the thread, process and Ray backends on 1 and 2 workers.

    .venv/bin/python benchmarks/bench_ensemble.py                       # 1024 runs per configuration
    .venv/bin/python benchmarks/bench_ensemble.py -n 256 --backends process

Each configuration runs ``-n`` replicates of mali-2016 (baseline policy, 730 days, batches of 32)
through :func:`azalai.experiment.ensemble.run_ensemble`, writing outcomes to a temporary DuckDB store as
a user's ensemble does. Reported: wall time, runs/s, the 2-vs-1-worker ratio measured in the same
invocation, the CPU time per run (driver and finished workers: under load, wall times follow the
machine's other work, CPU times much less), the peak resident memory of the driver and of the largest worker
(``resource.getrusage``), and the size of one batch's state arrays. Memory does not grow with ``-n``:
workers hold one batch at a time and the driver keeps only outcome scalars (68 floats per run).
Results go to ``benchmarks/results/ensemble.json``.

First, the fixed cost of a pool (``--startup-rounds`` times per start method): the wall time of
``run_ensemble`` of 2 one-day replicates on 2 workers, which is almost all starting and stopping the
workers, in this process where the engine is already loaded: ``fork`` copies this process;
``forkserver``'s first call starts the server, which loads the engine once, and later calls fork from
it; ``spawn`` starts fresh interpreters that import and load the engine every time.
``--startup-only`` stops there.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))


def state_bytes(days: int, batch: int) -> int:
    import numpy as np

    from azalai.model.engine import prepare
    from azalai.model.state import alloc_state

    prep = prepare("mali-2016", "baseline-2016", days=days)
    S = alloc_state(prep.world, np.arange(batch), days, False)
    return int(sum(a.nbytes for a in S))


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process, and of its children that have ended (a process pool's workers once it
    is shut down; a Ray backend's workers are not children and are not counted)."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime, c.ru_utime + c.ru_stime


def one(backend: str, workers: int, n: int, days: int, batch: int) -> dict:
    from azalai.experiment.ensemble import run_ensemble
    from azalai.experiment.executors.process import start_method

    how = start_method() if backend == "process" else ""  # after a local Ray, its threads make it forkserver

    with tempfile.TemporaryDirectory() as d:
        c0, t0 = _cpu(), time.perf_counter()
        df, run_id = run_ensemble("mali-2016", "baseline-2016", n=n, seed=0, days=days, backend=backend,
                                  workers=workers, store=Path(d) / "bench.duckdb", batch_size=batch)
        wall, c1 = time.perf_counter() - t0, _cpu()
    assert len(df) == n
    return {"backend": backend, "start_method": how, "workers": workers, "n": n, "days": days, "wall_seconds": wall,
            "runs_per_second": n / wall, "driver_cpu_seconds": c1[0] - c0[0], "workers_cpu_seconds": c1[1] - c0[1],
            "cpu_ms_per_run": 1000 * (sum(c1) - sum(c0)) / n,
            "driver_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


STARTUP_METHODS = ("fork", "forkserver", "spawn")


def startup(rounds: int) -> dict[str, list[float]]:
    """Wall seconds of a 2-replicate, 1-day ensemble on 2 workers, per start method (first call first)."""
    from azalai.experiment.ensemble import run_ensemble
    from azalai.experiment.executors.process import START_ENV

    out: dict[str, list[float]] = {}
    old = os.environ.get(START_ENV)
    try:
        for method in STARTUP_METHODS:
            os.environ[START_ENV] = method
            out[method] = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                run_ensemble("mali-2016", "baseline-2016", n=2, days=1, backend="process", workers=2)
                out[method].append(time.perf_counter() - t0)
            print(f"pool start-up, {method}: " + ", ".join(f"{x:.2f}" for x in out[method]) + " s", flush=True)
    finally:
        if old is None:
            os.environ.pop(START_ENV, None)
        else:
            os.environ[START_ENV] = old
    return out


def main() -> None:
    from bench_engine import machine

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=1024)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--backends", default="thread,process,ray")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--repeats", type=int, default=1, help="alternate 1 and 2 workers this many times (medians)")
    ap.add_argument("--startup-rounds", type=int, default=3, help="pools started per start method")
    ap.add_argument("--startup-only", action="store_true", help="measure the pools' start-up only")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "ensemble.json")
    a = ap.parse_args()

    from azalai.experiment.executors.process import warm_parent  # noqa: F401 - engine loaded once here
    from azalai.model.engine import prepare, simulate_batch

    simulate_batch(prepare("mali-2016", "baseline-2016", days=7), [0])
    if a.startup_only:  # keep the file's throughput runs, replace its start-up measurement
        res = json.loads(a.out.read_text()) if a.out.exists() else {"runs": []}
        res["startup"] = {"machine": machine(), "seconds": startup(a.startup_rounds)}
        res["startup"]["machine"]["load_average_end"] = os.getloadavg()
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(res, indent=2, default=str))
        return
    res = {"machine": machine(), "state_bytes_per_batch": state_bytes(a.days, a.batch_size), "runs": []}
    res["startup"] = {"machine": machine(), "seconds": startup(a.startup_rounds)}
    res["startup"]["machine"]["load_average_end"] = os.getloadavg()
    for backend, w in [(b, int(x)) for _ in range(a.repeats) for b in a.backends.split(",")
                       for x in a.workers.split(",")]:
        if True:
            if backend == "ray":
                import ray

                ray.init(num_cpus=w, include_dashboard=False, log_to_driver=False)
            try:
                r = one(backend, w, a.n, a.days, a.batch_size)
            finally:
                if backend == "ray":
                    ray.shutdown()
            r["load_average"] = os.getloadavg()
            res["runs"].append(r)
            print(f"{backend:8s} workers={w}: {r['wall_seconds']:.1f} s, {r['runs_per_second']:.2f} runs/s, "
                  f"CPU {r['cpu_ms_per_run']:.1f} ms per run (driver {r['driver_cpu_seconds']:.2f} s), "
                  f"driver peak {r['driver_maxrss_mb']:.0f} MB, largest worker {r['children_maxrss_mb']:.0f} MB, "
                  f"load {r['load_average'][0]:.1f}", flush=True)
    import statistics

    ratios, medians = {}, {}
    for backend in a.backends.split(","):
        rs = {w: statistics.median(r["runs_per_second"] for r in res["runs"] if r["backend"] == backend
                                   and r["workers"] == w)
              for w in {r["workers"] for r in res["runs"] if r["backend"] == backend}}
        medians[backend] = rs
        if 1 in rs and 2 in rs:
            ratios[backend] = rs[2] / rs[1]
        for w, v in sorted(rs.items()):
            print(f"{backend}: median {v:.2f} runs/s on {w} worker(s)")
    res["median_runs_per_second"] = medians
    res["speedup_2_vs_1"] = ratios
    res["machine"]["load_average_end"] = os.getloadavg()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(res, indent=2, default=str))
    print(f"state arrays of one batch of {a.batch_size} x {a.days} days: {res['state_bytes_per_batch'] / 2**20:.1f} MB")
    for k, v in ratios.items():
        print(f"{k}: 2 workers / 1 worker = {v:.2f}x")


if __name__ == "__main__":
    main()
