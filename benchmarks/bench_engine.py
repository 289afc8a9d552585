"""Engine benchmarks: one run, cost vs horizon, cost per step vs synthetic scale.

    .venv/bin/python benchmarks/bench_engine.py                 # all, ~2-4 minutes on 2 cores
    .venv/bin/python benchmarks/bench_engine.py --repeats 7 --jit   # also time a full compilation

* ``load``: time of the first 730-day run in a fresh process (imports, loading the compiled engine from
  numba's disk cache, the run), measured in a subprocess;
* ``jit`` (``--jit``): the same in a subprocess whose numba cache directory is empty (a full compilation;
  the shared cache is not touched);
* ``warm``: one 2-year run of mali-2016 under the baseline policy, median of ``--repeats`` warm runs;
* ``days``: warm median for 180/365/730/1460 days;
* ``scale``: cost per simulated day (one replicate) of synthetic scenarios 1, 2, 5, 10 times the size of
  mali-2016 (``azalai scenario synth``), and its ratio to scale 1.

Results are printed as Markdown and written to ``benchmarks/results/engine.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent


def version() -> dict:
    """The model's version: the package version and, in a git checkout, the commit (``+`` if modified)."""
    from azalai import __version__

    out = {"azalai": __version__}
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, cwd=ROOT, check=True).stdout.strip()
        out["commit"] = commit + ("+" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        pass
    return out


def machine() -> dict:
    """The machine, its load average when called, and the versions measured."""
    info = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}
    info.update(version())
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        info["load_average"] = os.getloadavg()
    except OSError:
        pass
    try:
        import numba

        info["numba"] = numba.__version__
    except ImportError:
        pass
    return info


def timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


FIRST_RUN = """
import time; t0 = time.perf_counter()
from azalai.model.engine import prepare, simulate_batch
prep = prepare("mali-2016", "baseline-2016", days=730)
t1 = time.perf_counter(); simulate_batch(prep, [0]); t2 = time.perf_counter()
simulate_batch(prep, [1]); t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def first_run(cache_dir: str | None = None) -> dict:
    env = dict(os.environ)
    if cache_dir:
        env["NUMBA_CACHE_DIR"] = cache_dir
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", FIRST_RUN], capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    imp, first, second = map(float, r.stdout.split())
    return {"process_wall": wall, "import_prepare": imp, "first_run": first, "second_run": second,
            "load_or_compile": first - second}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--jit", action="store_true", help="also time a full compilation in an empty cache")
    ap.add_argument("--scales", default="1,2,5,10")
    ap.add_argument("--scale-days", type=int, default=365)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "engine.json")
    a = ap.parse_args()

    from azalai.model.engine import prepare, simulate_batch
    from azalai.scenario.loader import load_scenario
    from azalai.scenario.synth import synth_scenario

    res: dict = {"machine": machine(), "repeats": a.repeats}
    res["load"] = first_run()
    if a.jit:
        with tempfile.TemporaryDirectory() as d:
            res["jit"] = first_run(d)

    prep = prepare("mali-2016", "baseline-2016", days=730)
    simulate_batch(prep, [0])  # load the engine in this process
    warm = timed(lambda: simulate_batch(prep, [1]), a.repeats)
    res["warm_730"] = {"median": statistics.median(warm), "runs": warm}

    res["days"] = {}
    for d in (180, 365, 730, 1460):
        p = prepare("mali-2016", "baseline-2016", days=d)
        ts = timed(lambda p=p: simulate_batch(p, [2]), a.repeats)
        res["days"][d] = {"median": statistics.median(ts), "per_day_ms": 1000 * statistics.median(ts) / d}

    base = load_scenario("mali-2016")
    res["scale"] = {}
    for k in [int(x) for x in a.scales.split(",")]:
        sc = synth_scenario(base, k)
        p = prepare(sc, "baseline-2016", days=a.scale_days)
        simulate_batch(p, [0])  # same compiled types: no recompilation, but warm the caches
        ts = timed(lambda p=p: simulate_batch(p, [3]), max(3, a.repeats // 2 + 1))
        dims = {"places": len(p.index.places), "actors": len(p.index.actors), "communities": len(p.index.communities),
                "routes": len(p.index.routes)}
        res["scale"][k] = {"median": statistics.median(ts), "per_step_ms": 1000 * statistics.median(ts) / a.scale_days,
                           **dims}
    s1 = res["scale"].get(1, {}).get("per_step_ms")
    for k, v in res["scale"].items():
        v["ratio_to_1"] = v["per_step_ms"] / s1 if s1 else None
    res["machine"]["load_average_end"] = os.getloadavg()

    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(res, indent=2, default=str))
    print(f"machine: {res['machine']}")
    ld = res["load"]
    print(f"fresh process: import+prepare {ld['import_prepare']:.2f} s, first 730-day run {ld['first_run']:.2f} s "
          f"(of which cache load ~{ld['load_or_compile']:.2f} s)")
    if "jit" in res:
        print(f"full compilation (empty cache): first run {res['jit']['first_run']:.1f} s")
    print(f"\nwarm 2-year run: median {res['warm_730']['median']:.3f} s over {a.repeats}")
    print("\n| days | median (s) | ms per day |\n|---|---|---|")
    for d, v in res["days"].items():
        print(f"| {d} | {v['median']:.3f} | {v['per_day_ms']:.3f} |")
    print("\n| synth scale | places | actors | communities | routes | ms per step | x scale 1 |\n|---|---|---|---|---|---|---|")
    for k, v in res["scale"].items():
        print(f"| {k} | {v['places']} | {v['actors']} | {v['communities']} | {v['routes']} | {v['per_step_ms']:.3f} | "
              f"{v['ratio_to_1']:.2f} |")


if __name__ == "__main__":
    main()
