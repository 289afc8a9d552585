"""Time the numba engine against the Mesa reference implementation, in one process, same machine.

1. A single run (default 730 days, the scenario's horizon): the warm engine (compiled code loaded
   from numba's cache; the timing includes ``prepare`` — world arrays and lever matrix — and the
   outcome scalars) against one ``ReferenceModel(...).run().outcomes()``. Median over ``--repeats``.
2. An ensemble of ``--ensemble`` runs (default 100): Mesa through ``mesa.batch_run`` with
   ``--workers`` processes (default 2); the engine through ``simulate_batch`` in one process, and
   through ``azalai.experiment.ensemble.run_ensemble(..., backend="process", workers=2)``.

Both read the same scenario, policy and parameter values. Run ``python -m azalai.model.warmup``
first so that the engine timings do not include compilation.

    .venv/bin/python benchmarks/vs_mesa.py                 # full benchmark (a few minutes)
    .venv/bin/python benchmarks/vs_mesa.py --ensemble 20 --repeats 3 --mesa-repeats 1
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path


def _median_time(fn, repeats):
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), ts


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

    t_eng1, _ = _median_time(engine_single, a.repeats)
    t_mesa1, _ = _median_time(mesa_single, a.repeats)

    def engine_batch():
        simulate_batch(prepare(sc, pol, days=days, params=params), seeds)

    t_eng_batch, _ = _median_time(engine_batch, a.repeats)

    t_eng_pool = None
    try:
        from azalai.experiment.ensemble import run_ensemble

        def engine_pool():
            run_ensemble(sc, pol, n=a.ensemble, days=days, backend="process", workers=a.workers)

        engine_pool()  # start-up of the workers' compiled code is not what we measure twice
        t_eng_pool, _ = _median_time(engine_pool, max(1, a.repeats // 2))
    except ImportError:
        pass

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

    t_mesa_ens, _ = _median_time(mesa_ensemble, a.mesa_repeats)

    rows = [
        ("single run, %d days" % days, "engine (warm, 1 process)", t_eng1, t_mesa1),
        (f"ensemble of {a.ensemble} × {days} days", "engine `simulate_batch` (1 process)", t_eng_batch, t_mesa_ens),
    ]
    if t_eng_pool is not None:
        rows.append((f"ensemble of {a.ensemble} × {days} days",
                     f"engine `run_ensemble` (process, {a.workers} workers)", t_eng_pool, t_mesa_ens))
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
        "| benchmark | azalai | azalai time | Mesa time | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    for name, how, te, tm in rows:
        md.append(f"| {name} | {how} | {te:.3f} s | {tm:.2f} s | {tm / te:.0f}× |")
    text = "\n".join(md) + "\n"
    print(text)
    if a.out:
        Path(a.out).write_text(text, encoding="utf-8")
    if a.json:
        import json

        info["load_average_end"] = os.getloadavg()
        rec = {"machine": info, "mesa": mesa.__version__, "days": days, "ensemble": a.ensemble, "workers": a.workers,
               "repeats": a.repeats, "mesa_repeats": a.mesa_repeats,
               "rows": [{"benchmark": n, "azalai": h, "azalai_s": te, "mesa_s": tm, "ratio": tm / te}
                        for n, h, te, tm in rows]}
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps(rec, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
