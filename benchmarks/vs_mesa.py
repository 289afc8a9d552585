"""Time the numba engine against the Mesa reference implementation, in one invocation, same machine.

1. A single run (default 730 days, the scenario's horizon): the warm engine (compiled code loaded
   from numba's cache; the timing includes ``prepare`` — world arrays and lever matrix — and the
   outcome scalars) against one ``ReferenceModel(...).run().outcomes()``. Engine and Mesa runs
   alternate, so both see the same load; medians over ``--repeats``.
2. An ensemble of ``--ensemble`` runs (default 100) on ``--workers`` processes (default 2): Mesa
   through ``mesa.batch_run``; the engine through the calls users make,
   ``azalai.experiment.ensemble.run_ensemble(..., backend=B, workers=2)`` with ``B`` = ``thread``
   (two threads of the calling process) and ``process`` (the calling process and a forked worker),
   whose timing includes starting the threads or workers (each call starts its own) and gathering the
   outcome table. Engine ensembles are timed before and after each Mesa ensemble, the two backends
   alternating (medians). For reference, the engine's ``simulate_batch`` of all runs in one process.

Besides wall time, the CPU time of each benchmark (this process and its finished children) is
recorded: on a shared machine the wall times move with the load, the CPU times much less.
Both read the same scenario, policy and parameter values. Run ``python -m azalai.model.warmup``
first so that the engine timings do not include compilation.

    .venv/bin/python benchmarks/vs_mesa.py --ensemble 50 --repeats 5 --mesa-repeats 1
    .venv/bin/python benchmarks/vs_mesa.py --ensemble 10 --repeats 3 --mesa-repeats 1   # quick
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time
from pathlib import Path

ENSEMBLE_BACKENDS = ("thread", "process")  # the engine's local parallel backends, timed alternately


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _timed(fn, into: dict[str, list[float]]) -> None:
    c0, t0 = _cpu(), time.perf_counter()
    fn()
    into["wall"].append(time.perf_counter() - t0)
    into["cpu"].append(_cpu() - c0)


def _new() -> dict[str, list[float]]:
    return {"wall": [], "cpu": []}


def _med(d: dict[str, list[float]], k: str) -> float:
    return statistics.median(d[k])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--ensemble", type=int, default=100, help="runs in the ensemble benchmark")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=7, help="repeats of the single-run and engine timings")
    ap.add_argument("--mesa-repeats", type=int, default=3, help="repeats of the Mesa ensemble timing")
    ap.add_argument("--scenario", default="mali-2016")
    ap.add_argument("--policy", default="baseline-2016")
    ap.add_argument("--out", default=None, help="also write the Markdown table here")
    ap.add_argument("--json", default=str(Path(__file__).parent / "results" / "vs_mesa.json"),
                    help="write the timings, machine, load and version here")
    a = ap.parse_args(argv)
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_engine import machine

    info = machine()  # load average at the start

    import mesa

    import azalai
    from azalai.experiment.ensemble import run_ensemble
    from azalai.experiment.executors.process import start_method
    from azalai.model.engine import outcomes_of, prepare, run_prepared, simulate_batch
    from azalai.model.params import make_params
    from azalai.reference import ReferenceModel

    sc = azalai.load_scenario(a.scenario)
    pol = azalai.load_policy(a.policy)
    params = make_params()
    days = a.days
    seeds = list(range(a.ensemble))

    # Warm: load the compiled engine, and exercise both once.
    prep = prepare(sc, pol, days=days)
    run_prepared(prep, [0])
    ReferenceModel(sc, pol, seed=0, days=7, params=params).run()

    counter = iter(range(10**6))

    def engine_single():
        pr = prepare(sc, pol, days=days, params=params)
        S = run_prepared(pr, [next(counter)])
        return outcomes_of(pr, S, 0)

    def mesa_single():
        return ReferenceModel(sc, pol, seed=next(counter), days=days, params=params).run().outcomes()

    def engine_batch():
        simulate_batch(prepare(sc, pol, days=days, params=params), seeds)

    methods: set[str] = set()

    def engine_ensemble(backend: str):
        if backend == "process":
            methods.add(start_method())
        df, _ = run_ensemble(sc, pol, n=a.ensemble, days=days, backend=backend, workers=a.workers)  # params: defaults
        assert len(df) == a.ensemble

    import tqdm  # mesa.batch_run's progress bar: without this its monitor thread outlives the call, and the
    tqdm.tqdm.monitor_interval = 0  # engine's next pool would start from a fork server instead of forking

    def mesa_ensemble():
        res = mesa.batch_run(
            ReferenceModel,
            parameters={"scenario": [sc], "policy": [pol], "seed": seeds, "days": [days], "params": [params]},
            number_processes=a.workers,
            iterations=1,
            data_collection_period=-1,
            max_steps=days,
            display_progress=False,
        )
        assert len(res) == a.ensemble

    e1, m1, eb, me = _new(), _new(), _new(), _new()
    ee = {b: _new() for b in ENSEMBLE_BACKENDS}
    for _ in range(a.repeats):  # alternating: both see the same load
        _timed(engine_single, e1)
        _timed(mesa_single, m1)
        _timed(engine_batch, eb)
    for b in ENSEMBLE_BACKENDS:
        engine_ensemble(b)  # a first call, untimed, as the single runs' warm-up
    per_side = max(1, a.repeats // (2 * a.mesa_repeats))
    turn = 0
    for _ in range(a.mesa_repeats):  # engine ensembles before and after each Mesa ensemble
        for side in range(2):
            if side:
                _timed(mesa_ensemble, me)
            for _ in range(per_side):
                order = ENSEMBLE_BACKENDS if turn % 2 == 0 else ENSEMBLE_BACKENDS[::-1]  # each first in turn
                turn += 1
                for b in order:
                    _timed(lambda: engine_ensemble(b), ee[b])

    ens = f"ensemble of {a.ensemble} × {days} days"
    method = "/".join(sorted(methods))
    rows = [
        ("single run, %d days" % days, "engine (warm, 1 process)", e1, m1),
        (ens, f"engine `run_ensemble` (thread backend, {a.workers} threads)", ee["thread"], me),
        (ens, f"engine `run_ensemble` (process backend, {a.workers} workers, {method})", ee["process"], me),
        (ens, "engine `simulate_batch` (all runs in 1 process)", eb, me),
    ]
    cpu = info.get("cpu") or platform.processor() or platform.machine()
    load0 = " / ".join(f"{x:.1f}" for x in info.get("load_average", ()))
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    md = [
        f"Machine: {os.cpu_count()} CPUs ({cpu}), load average (1/5/15 min) at the start {load0}, at the end {load}, "
        f"Python {platform.python_version()}, numba {info.get('numba', '?')}, Mesa {mesa.__version__}, "
        f"azalai {info.get('azalai', '?')} ({info.get('commit', 'no git')}). "
        f"Scenario `{a.scenario}`, policy `{a.policy}`. Medians over {a.repeats} repeats "
        f"({a.mesa_repeats} for the Mesa ensemble, `mesa.batch_run` with {a.workers} processes).",
        "",
        "| benchmark | azalai | azalai time | Mesa time | ratio | CPU-time ratio |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, how, te, tm in rows:
        md.append(f"| {name} | {how} | {_med(te, 'wall'):.3f} s | {_med(tm, 'wall'):.2f} s | "
                  f"{_med(tm, 'wall') / _med(te, 'wall'):.0f}× | {_med(tm, 'cpu') / _med(te, 'cpu'):.0f}× |")
    text = "\n".join(md) + "\n"
    print(text)
    if a.out:
        Path(a.out).write_text(text, encoding="utf-8")
    if a.json:
        import json

        info["load_average_end"] = os.getloadavg()
        rec = {"machine": info, "mesa": mesa.__version__, "days": days, "ensemble": a.ensemble, "workers": a.workers,
               "repeats": a.repeats, "mesa_repeats": a.mesa_repeats, "start_method": method,
               "rows": [{"benchmark": n, "azalai": h, "azalai_s": _med(te, "wall"), "mesa_s": _med(tm, "wall"),
                         "ratio": _med(tm, "wall") / _med(te, "wall"), "azalai_cpu_s": _med(te, "cpu"),
                         "mesa_cpu_s": _med(tm, "cpu"), "cpu_ratio": _med(tm, "cpu") / _med(te, "cpu"),
                         "azalai_all_s": te["wall"], "mesa_all_s": tm["wall"]}
                        for n, h, te, tm in rows]}
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps(rec, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
