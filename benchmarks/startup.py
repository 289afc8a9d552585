"""Fresh processes for the start-up benchmarks (bench_cold.py, bench_versions.py): ``azalai run --days 30``
timed from outside, and a probe timing the engine's load inside a process.

Each process gets the sources on ``PYTHONPATH``, its own numba cache directory and one numba thread;
``workers`` sets ``AZALAI_COMPILE_WORKERS`` (unset: the default, one compiling process per CPU). An empty
cache directory is not seeded from the build installed with the sources (``AZALAI_SEED_CACHE=0``) unless
``seed`` is true, so that a cold run compiles.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

# The first 730-day run in a fresh process minus the second: loading the compiled engine. Leaves
# ``prep`` and ``out`` (the timings) defined for code appended to it; LOAD_PROBE prints ``out``.
LOAD_PROBE_HEAD = """
import json, time
t0 = time.perf_counter()
from azalai.model.engine import prepare, simulate_batch
prep = prepare("mali-2016", "baseline-2016", days=730)
t1 = time.perf_counter(); simulate_batch(prep, [0]); t2 = time.perf_counter(); simulate_batch(prep, [1])
t3 = time.perf_counter()
out = {"import_prepare": t1 - t0, "load": (t2 - t1) - (t3 - t2)}
"""
LOAD_PROBE = LOAD_PROBE_HEAD + "print(json.dumps(out))\n"


def env_for(src: Path, cache: Path, workers: int | None = None, seed: bool = False) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src), NUMBA_CACHE_DIR=str(cache), NUMBA_NUM_THREADS="1",
               AZALAI_SEED_CACHE="1" if seed else "0")
    env.pop("AZALAI_COMPILE_WORKERS", None)
    if workers is not None:
        env["AZALAI_COMPILE_WORKERS"] = str(workers)
    return env


def cli_run(src: Path, cache: Path, work: Path, workers: int | None = None, seed: bool = False) -> dict:
    """Wall and CPU seconds (its worker processes' included) of ``azalai run --days 30`` in a fresh
    process, and the load average at its start."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "azalai.cli.main", "run", "--days", "30", "--out", str(work / "out"),
                    "--store", str(work / "s.duckdb"), "--force", "--format", "json"],
                   cwd=work, env=env_for(src, cache, workers, seed), check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "load_average": load}


def probe(code: str, src: Path, cache: Path, work: Path) -> dict:
    """Run ``code`` in a fresh process; the JSON object on its last line of output."""
    r = subprocess.run([sys.executable, "-c", code], cwd=work, env=env_for(src, cache), check=True,
                       capture_output=True, text=True)
    return json.loads(r.stdout.strip().splitlines()[-1])
