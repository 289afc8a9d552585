"""A first run with an empty numba cache: seeded from the installed build, and compiled serially and in
parallel, alternating; and a warm start.

    .venv/bin/python benchmarks/bench_cold.py [--rounds 3]

Each round times ``azalai run --days 30`` in a fresh process with a fresh, empty ``NUMBA_CACHE_DIR``:
once as installed (the cache seeded from the engine compiled at installation in ``azalai/model/__pycache__``;
run ``python -m azalai.model.warmup`` first), then with seeding off, once compiling serially (``AZALAI_COMPILE_WORKERS=1``) and once in parallel (the default: one process
per CPU), in alternation so both see the same machine load; then the same command with the cache the
parallel run left (warm), and, in one process, the first 730-day run minus the second (loading the
compiled engine). Wall seconds, and CPU seconds of the command and its worker processes. Medians go to
``benchmarks/results/cold_start.json`` with the machine, the load and the version.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

def main(argv=None) -> None:
    from bench_engine import machine
    from startup import LOAD_PROBE, cli_run, probe

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "cold_start.json")
    a = ap.parse_args(argv)
    info = machine()
    rounds = []
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        for i in range(a.rounds):
            rnd = {}
            cache, work = t / f"cache-installed-{i}", t / f"work-installed-{i}"
            cache.mkdir()
            work.mkdir()
            rnd["installed"] = cli_run(ROOT, cache, work, seed=True)
            for mode, workers in (("serial", 1), ("parallel", None)):
                cache, work = t / f"cache-{mode}-{i}", t / f"work-{mode}-{i}"
                cache.mkdir()
                work.mkdir()
                rnd[mode] = cli_run(ROOT, cache, work, workers)
            rnd["warm"] = cli_run(ROOT, cache, work)
            rnd["warm"].update(probe(LOAD_PROBE, ROOT, cache, work))
            rounds.append(rnd)
            print(f"round {i + 1}:", json.dumps(rnd), flush=True)
    info["load_average_end"] = os.getloadavg()
    med = {mode: {k: statistics.median(r[mode][k] for r in rounds) for k in rounds[0][mode]} for mode in rounds[0]}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps({"machine": info, "rounds": rounds, "median": med}, indent=2))
    s, p, w, i = med["serial"], med["parallel"], med["warm"], med["installed"]
    print(f"\nmedians of {a.rounds} rounds; load average {info.get('load_average')} -> {info['load_average_end']}")
    print(f"empty cache, seeded from the installed build: {i['wall']:.1f} s wall, {i['cpu']:.1f} s CPU")
    print(f"empty cache, serial:   {s['wall']:.1f} s wall, {s['cpu']:.1f} s CPU")
    print(f"empty cache, parallel: {p['wall']:.1f} s wall, {p['cpu']:.1f} s CPU  (serial / parallel {s['wall'] / p['wall']:.2f})")
    print(f"warm: run {w['wall']:.2f} s, imports and prepare {w['import_prepare']:.2f} s, loading the engine {w['load']:.2f} s")


if __name__ == "__main__":
    main()
