"""What the compiled engine asks of numba's runtime: allocations and reference counts.

    .venv/bin/python benchmarks/runtime_counts.py [--weeks 40] [--refs] [--out FILE]

Two costs that no line of the model shows: every array a compiled function makes (``np.empty``,
``np.zeros``, ``.copy()``) is a call into numba's runtime (``NRT_MemInfo_alloc_aligned``, ``malloc``, and
``free`` when it dies), and every array a function compiled *with* reference counting reads from a struct,
hands to an inlined helper or slices is an atomic increment and decrement (``NRT_incref`` /
``NRT_decref``). Both are counted here on a warm replicate of ``mali-2016`` under ``baseline-2016``:

* **allocations**, from numba's own statistics (``NUMBA_NRT_STATS=1``, set for a child process): per
  simulated week for each weekly mechanism, called one by one in the day loop's order on the state the
  loop left, and per day for the whole loop (a day with the weekly processes, and one without);
* **reference counts** (``--refs``, needs ``gdb``): a breakpoint on the runtime's ``NRT_incref`` and
  ``NRT_decref`` in the loaded machine code counts the calls of one 730-day run by the compiled function
  they return to (the functions named as in :mod:`profile_perf`). It takes about a minute.

The counts do not depend on the machine or its load: they are the measure to compare before and after an
engine change (with ``check_identical.py`` for the results), where timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent

ALLOC_CHILD = r'''
import json, sys
import numpy as np
from numba.core.runtime import rtsys
import azalai
from azalai.model.engine import prepare, simulate_batch, state_struct
from azalai.model.jit import python_entry
from azalai.model.kernel import init_batch, step_days
from azalai.model.mechanisms.accords import update_accords
from azalai.model.mechanisms.communities import update_communities
from azalai.model.mechanisms.control import update_control
from azalai.model.mechanisms.groups import update_groups
from azalai.model.mechanisms.land import land_disputes
from azalai.model.mechanisms.movement import reallocate
from azalai.model.mechanisms.routes import choose_routes
from azalai.model.state import alloc_state

weeks = int(sys.argv[1])
prep = prepare(azalai.load_scenario("mali-2016"), "baseline-2016", days=7 * (weeks + 1))
simulate_batch(prep, [0])
p, aid = prep.params, prep.aid
allocs = lambda: rtsys.get_allocation_stats().alloc


def fresh():
    S = alloc_state(prep.world, np.asarray([1], dtype=np.int64), prep.days, False)
    Sr = state_struct(S)
    init_batch(prep.world_struct(), Sr)
    return Sr


Wr, Lr = prep.world_struct(), prep.levers_struct()
# The day loop, a day at a time: a call's own work arrays are counted once, from an empty call.
Sr = fresh()
a0 = allocs()
step_days(Wr, Sr, p, Lr, aid, 0, 0)
per_call = allocs() - a0
week_days, other_days = [], []
for d in range(7 * weeks):
    a0 = allocs()
    step_days(Wr, Sr, p, Lr, aid, d, d + 1)
    (week_days if d % 7 == 0 else other_days).append(allocs() - a0 - per_call)
# The weekly mechanisms one by one, in the loop's order, on the state the loop left at each week's start.
mechs = [("reallocate", reallocate, False), ("update_accords", update_accords, False),
         ("land_disputes", land_disputes, False), ("update_groups", update_groups, False),
         ("update_communities", update_communities, True), ("update_control", update_control, False),
         ("choose_routes", choose_routes, False)]
calls = [(name, python_entry(f), with_aid) for name, f, with_aid in mechs]


def args_of(Sr, with_aid, day, wk):
    return (Wr, Sr, p, Lr, aid, 0, day, wk) if with_aid else (Wr, Sr, p, Lr, 0, day, wk)


Sr = fresh()
for name, f, with_aid in calls:  # each entry called once first, on a state thrown away (loading its code)
    f(*args_of(Sr, with_aid, 7, 1))
Sr = fresh()
counts = {name: 0 for name, _, _ in calls}
for wk in range(1, weeks):
    step_days(Wr, Sr, p, Lr, aid, (wk - 1) * 7, wk * 7)
    day = wk * 7
    for name, f, with_aid in calls:
        a0 = allocs()
        f(*args_of(Sr, with_aid, day, wk))
        counts[name] += allocs() - a0
print(json.dumps({"per_week": {k: v / (weeks - 1) for k, v in counts.items()},
                  "loop_day_with_weekly": sum(week_days) / len(week_days),
                  "loop_day_without": sum(other_days) / len(other_days)}))
'''

REFS_CHILD = r'''
import json, os, signal, sys
import jitmap

jitmap.capture()  # before the engine is imported
import azalai
from azalai.model.engine import prepare, simulate_batch

out_dir = sys.argv[1]
prep = prepare(azalai.load_scenario("mali-2016"), "baseline-2016", days=730)
simulate_batch(prep, [0])
with open(os.path.join(out_dir, "map.json"), "w") as fh:
    json.dump(jitmap.functions(), fh)
os.kill(os.getpid(), signal.SIGTRAP)  # gdb sets its breakpoints here
simulate_batch(prep, [1])
'''

GDB_SCRIPT = r'''
import gdb, json, collections, os
out_dir = os.environ["AZALAI_REFS_DIR"]
gdb.execute("set pagination off")
gdb.execute("handle SIGTRAP stop nopass")
gdb.execute("run")
where = json.load(open(os.path.join(out_dir, "map.json")))
counts = collections.Counter()


class Count(gdb.Breakpoint):
    def stop(self):
        counts[int(gdb.parse_and_eval("*(unsigned long*)$rsp"))] += 1  # the return address
        return False


seen = set()
for addr, size, sym in where:
    if sym in ("NRT_incref", "NRT_decref") and addr not in seen:
        seen.add(addr)
        Count(f"*{addr:#x}", internal=True)
gdb.execute("continue")
json.dump(list(counts.items()), open(os.path.join(out_dir, "counts.json"), "w"))
'''


def allocations(weeks: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), NUMBA_NUM_THREADS="1", NUMBA_NRT_STATS="1")
    with tempfile.TemporaryDirectory() as tmp:
        child = Path(tmp) / "allocs.py"
        child.write_text(ALLOC_CHILD)
        out = subprocess.run([sys.executable, str(child), str(weeks)], env=env, capture_output=True, text=True,
                             check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def reference_counts() -> dict[str, int]:
    import bisect

    from jitmap import short

    with tempfile.TemporaryDirectory() as tmp:
        child, script = Path(tmp) / "refs.py", Path(tmp) / "gdb_refs.py"
        child.write_text(REFS_CHILD)
        script.write_text(GDB_SCRIPT)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(HERE)]), NUMBA_NUM_THREADS="1",
                   AZALAI_REFS_DIR=tmp)
        subprocess.run(["gdb", "-q", "-batch", "-x", str(script), "--args", sys.executable, str(child), tmp],
                       env=env, capture_output=True, text=True, check=True)
        where = sorted(tuple(x) for x in json.load(open(Path(tmp) / "map.json")))
        counts = json.load(open(Path(tmp) / "counts.json"))
    starts = [w[0] for w in where]
    per: dict[str, int] = {}
    for ret, n in counts:
        i = bisect.bisect_right(starts, ret) - 1
        name = short(where[i][2]) if i >= 0 and ret < where[i][0] + where[i][1] else "(outside the engine)"
        per[name] = per.get(name, 0) + n
    return dict(sorted(per.items(), key=lambda kv: -kv[1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weeks", type=int, default=40, help="simulated weeks for the allocation counts")
    ap.add_argument("--refs", action="store_true", help="also count reference counts per function (needs gdb)")
    ap.add_argument("--top", type=int, default=20, help="rows of the reference-count table")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "runtime_counts.json")
    a = ap.parse_args()
    sys.path.insert(0, str(HERE))
    from bench_engine import machine

    rec: dict = {"machine": machine(), "allocations": allocations(a.weeks)}
    al = rec["allocations"]
    print("| weekly mechanism | allocations per week |\n|---|---:|")
    for name, n in al["per_week"].items():
        print(f"| `{name}` | {n:.1f} |")
    print(f"| all (the day loop, a day with the weekly processes) | {al['loop_day_with_weekly']:.1f} |")
    print(f"| the day loop, another day | {al['loop_day_without']:.2f} |")
    if a.refs:
        if shutil.which("gdb") is None or shutil.which("nm") is None:
            sys.exit("--refs needs gdb and nm (Debian: gdb, binutils)")
        refs = reference_counts()
        rec["reference_counts_per_run"] = refs
        print(f"\nReference counts in one 730-day run: {sum(refs.values()):,}\n")
        print("| compiled function | NRT_incref + NRT_decref calls |\n|---|---:|")
        for name, n in list(refs.items())[: a.top]:
            print(f"| `{name}` | {n:,} |")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(rec, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
