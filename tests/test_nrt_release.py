"""Every array the compiled engine allocates during a run is released by the end of the run.

A function compiled without reference counting (``compiled_only(nrt=False)``) never releases an array
a callee returns to it, so each call leaks it. numba's runtime counts its allocations and releases
when ``NUMBA_NRT_STATS`` is set before it is imported, hence the run in a fresh process (the compiled
engine comes from the cache: the counts are kept by the runtime, not by the compiled code).
"""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
from numba.core.runtime import rtsys
from azalai.model.engine import prepare, simulate_batch
from azalai.scenario.loader import load_scenario
from azalai.scenario.synth import synth_scenario
for scenario in (load_scenario("mali-2016"), synth_scenario(load_scenario("mali-2016"), 2)):
    prep = prepare(scenario, "baseline-2016", days=28)
    simulate_batch(prep, [0])
    a = rtsys.get_allocation_stats()
    simulate_batch(prep, [1])
    b = rtsys.get_allocation_stats()
    print((b.alloc - a.alloc) - (b.free - a.free), (b.mi_alloc - a.mi_alloc) - (b.mi_free - a.mi_free))
"""


def test_a_run_releases_every_array_it_allocates():
    env = dict(os.environ, NUMBA_NRT_STATS="1")
    res = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=900, env=env)
    assert res.returncode == 0, res.stderr[-2000:]
    lines = res.stdout.split("\n")
    counts = [line.split() for line in lines if line.strip()]
    assert counts == [["0", "0"], ["0", "0"]], res.stdout
