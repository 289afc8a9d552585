"""Two versions of the engine side by side, in one invocation: start-up and per-run cost.

    .venv/bin/python benchmarks/bench_versions.py --base main~3 [--rounds 3] [--cold]

The base revision is exported with ``git archive`` into a temporary directory and each version runs
in its own fresh processes (``PYTHONPATH`` pointing at its sources, its own numba cache directory), in
alternation (base, this checkout, base, ...), so both see the same machine load:

* ``cold`` (``--cold``): ``azalai run --days 30`` with an empty numba cache (compilation included),
  wall and CPU seconds;
* ``start``: the same command with the cache warm (wall), and, inside one process, the first 730-day
  run minus the second (loading the compiled engine);
* ``warm_730``: median of ``--repeats`` warm 2-year runs of mali-2016 (``simulate_batch``, one seed);
* ``batch_50``: one ``simulate_batch`` of 50 seeds, per run;
* ``scale``: ms per simulated day at synthetic scale 1 and 10 (365-day runs), and their ratio: in each
  round's process the two scales alternate ``SCALE_ROUNDS`` times (10 runs at scale 1, 1 at scale 10
  each time), medians of wall and of CPU time (``process_time``, which the machine's other work moves
  less).

Each figure is the median over ``--rounds`` rounds. Results go to ``benchmarks/results/versions.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

# After the engine's load (startup.LOAD_PROBE_HEAD): warm runs, a batch, and the cost per day at two scales.
PROBE_TAIL = """
import statistics
from azalai.scenario.loader import load_scenario
from azalai.scenario.synth import synth_scenario
ts = []
for s in range(2, 2 + REPEATS):
    a = time.perf_counter(); simulate_batch(prep, [s]); ts.append(time.perf_counter() - a)
out["warm_730"] = statistics.median(ts)
a = time.perf_counter(); simulate_batch(prep, list(range(50))); out["batch_50_per_run"] = (time.perf_counter() - a) / 50
base = load_scenario("mali-2016")
preps = {k: prepare(synth_scenario(base, k), "baseline-2016", days=365) for k in (1, 10)}
for p in preps.values():
    simulate_batch(p, [0])
ts, cs, seed = {1: [], 10: []}, {1: [], 10: []}, 3
for _ in range(SCALE_ROUNDS):  # the two scales alternate, so both see the same load
    for k in (1, 10):
        a, c = time.perf_counter(), time.process_time()
        for _ in range(SCALE_RUNS[k]):
            simulate_batch(preps[k], [seed]); seed += 1
        ts[k].append((time.perf_counter() - a) / SCALE_RUNS[k]); cs[k].append((time.process_time() - c) / SCALE_RUNS[k])
for k in (1, 10):
    out[f"scale_{k}_ms_per_day"] = 1000 * statistics.median(ts[k]) / 365
    out[f"scale_{k}_cpu_ms_per_day"] = 1000 * statistics.median(cs[k]) / 365
out["scale_ratio"] = out["scale_10_ms_per_day"] / out["scale_1_ms_per_day"]
out["scale_ratio_cpu"] = out["scale_10_cpu_ms_per_day"] / out["scale_1_cpu_ms_per_day"]
print(json.dumps(out))
"""
SCALE_ROUNDS = 5  # alternations of the two scales in each round's process
SCALE_RUNS = {1: 10, 10: 1}  # 365-day runs per alternation: about the same time at each scale


def export(rev: str, dest: Path) -> Path:
    """The sources of ``rev`` (git archive) under ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    tar = dest / "src.tar"
    with tar.open("wb") as fh:
        subprocess.run(["git", "archive", rev], cwd=ROOT, stdout=fh, check=True)
    with tarfile.open(tar) as t:
        t.extractall(dest / "src", filter="data")
    return dest / "src"


def main(argv=None) -> None:
    from bench_engine import machine, version
    from startup import LOAD_PROBE_HEAD, cli_run, env_for, probe

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="git revision to compare with (e.g. main~3 or a commit)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--cold", action="store_true", help="also time a first run with an empty numba cache")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "versions.json")
    a = ap.parse_args(argv)

    info = machine()
    base_commit = subprocess.run(["git", "rev-parse", "--short", a.base], cwd=ROOT, capture_output=True, text=True,
                                 check=True).stdout.strip()
    res: dict = {"machine": info, "base": base_commit, "this": version().get("commit", ""), "rounds": []}
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        versions = {"base": export(a.base, t / "base"), "this": ROOT}
        caches = {k: t / f"cache-{k}" for k in versions}
        for k in versions:
            caches[k].mkdir()
            (t / f"work-{k}").mkdir()
        if a.cold:
            res["cold"] = {k: cli_run(versions[k], caches[k], t / f"work-{k}") for k in versions}
            print("cold:", json.dumps(res["cold"]), flush=True)
        for k in versions:  # every entry point compiled into the private caches before the rounds
            subprocess.run([sys.executable, "-m", "azalai.model.warmup"], cwd=t / f"work-{k}", check=True,
                           env=env_for(versions[k], caches[k]), capture_output=True)
        for i in range(a.rounds):
            rnd = {}
            for k in versions:
                code = LOAD_PROBE_HEAD + PROBE_TAIL.replace("REPEATS", str(a.repeats)).replace(
                    "SCALE_ROUNDS", str(SCALE_ROUNDS)).replace("SCALE_RUNS", repr(SCALE_RUNS))
                rnd[k] = {"start": cli_run(versions[k], caches[k], t / f"work-{k}")["wall"],
                          **probe(code, versions[k], caches[k], t / f"work-{k}"),
                          "load_average": os.getloadavg()[0]}
            res["rounds"].append(rnd)
            print(f"round {i + 1}:", json.dumps(rnd), flush=True)
    res["machine"]["load_average_end"] = os.getloadavg()
    keys = [k for k in res["rounds"][0]["base"] if k != "load_average"]
    res["median"] = {v: {k: statistics.median(r[v][k] for r in res["rounds"]) for k in keys} for v in ("base", "this")}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(res, indent=2))
    print(f"\nbase {base_commit} vs this checkout {res['this']}; load average {info.get('load_average')} -> "
          f"{res['machine']['load_average_end']}; medians of {a.rounds} rounds\n")
    print("| measurement | base | this | base / this |\n|---|---:|---:|---:|")
    if "cold" in res:
        for m in ("wall", "cpu"):
            b, n = res["cold"]["base"][m], res["cold"]["this"][m]
            print(f"| first `azalai run --days 30`, empty cache ({m} s) | {b:.1f} | {n:.1f} | {b / n:.2f} |")
    for k in keys:
        b, n = res["median"]["base"][k], res["median"]["this"][k]
        print(f"| {k} | {b:.4g} | {n:.4g} | {b / n:.2f} |")


if __name__ == "__main__":
    main()
