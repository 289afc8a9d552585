"""Where a day goes: time each mechanism of the day loop separately, at several synthetic scales.

    .venv/bin/python benchmarks/profile_mechanisms.py [--scales 1,2,5,10] [--days 28] [--out FILE]

Each mechanism is a compiled function of its own (loaded from numba's cache, as when the day loop calls
it), called from Python through a small compiled entry (``azalai.model.jit.python_entry``); the script steps a replicate through a warm-up period with the real loop, then calls every
mechanism in the loop's order for ``--days`` days, timing each call from Python (CPU time of the
process, which a shared machine's load disturbs less than the wall clock). Call overhead (a few
microseconds) is included, so mechanisms that cost less than that at scale 1 read as that overhead.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from numba.core.dispatcher import Dispatcher


def profile(scale: int, days: int, warm: int = 28) -> dict[str, float]:
    from azalai.model import kernel
    from azalai.model.engine import prepare, state_struct
    from azalai.model.jit import python_entry
    from azalai.model.state import alloc_state
    from azalai.scenario.loader import load_scenario
    from azalai.scenario.synth import synth_scenario

    # the entry points as they are; the mechanisms (compiled-only) through compiled Python entries
    K = SimpleNamespace(**{n: f if n in ("init_batch", "step_days") else python_entry(f)
                           for n, f in vars(kernel).items() if isinstance(f, Dispatcher)})
    sc = synth_scenario(load_scenario("mali-2016"), scale)
    prep = prepare(sc, "baseline-2016", days=warm + days + 7)
    # Compiled code takes the StructRefs; the numpy bookkeeping below works on the shared arrays (S).
    W, p, lev, aid = prep.world_struct(), prep.params, prep.levers_struct(), prep.aid
    S = alloc_state(prep.world, np.asarray([1], dtype=np.int64), prep.days, False)
    Sr = state_struct(S)
    K.init_batch(W, Sr)
    K.step_days(W, Sr, p, lev, aid, 0, warm)
    A, P = prep.world.fighters0.shape
    C = prep.world.pop0.shape[0]
    aptr, aidx = np.zeros(P + 1, dtype=np.int64), np.empty(A * P, dtype=np.int64)
    gptr, gidx = np.zeros(A + 1, dtype=np.int64), np.empty(A * P, dtype=np.int64)
    cptr, cidx = np.zeros(P + 1, dtype=np.int64), np.empty(C * P, dtype=np.int64)
    lptr, lidx = np.zeros(C + 1, dtype=np.int64), np.empty(C * P, dtype=np.int64)
    nptr, nidx = np.zeros(P + 1, dtype=np.int64), np.empty(C * P, dtype=np.int64)
    lists = (aptr, aidx, cptr, cidx)
    people = (cptr, cidx, lptr, lidx, nptr, nidx)
    roles = np.asarray(prep.world.actor_role)
    forces = np.flatnonzero(roles != 0).astype(np.int64)  # kernel.list_forces: the actors with a role
    # As kernel.step_days makes them (these helpers are inlined there: run here as Python on the world's arrays).
    world = prep.world
    tip_f = np.empty(kernel.tip_floats.py_func(world))
    tip_i = np.empty(kernel.tip_ints.py_func(world), dtype=np.int64)
    base = np.empty(kernel.base_list_size.py_func(world), dtype=np.int64)
    kernel.base_lists.py_func(world, base)
    att_i = np.empty(kernel.attack_ints.py_func(world), dtype=np.int64)
    crel = np.empty((C, A), dtype=np.bool_)  # communities x actors with related base communities
    kernel.related_bases(W, base, crel)  # inlined where step_days calls it: called here directly
    fresh = np.ones(1, dtype=np.bool_)  # the tips' "support moved" flag: true on the day after the weekly processes
    daily = [("presence lists", None, ()), ("move_convoys", K.move_convoys, lists[:2] + (forces, base)), ("clashes", K.clashes, lists[:2]),
             ("attacks", K.attacks, lists[:2] + (gptr, gidx, att_i)), ("assassinations", K.assassinations, lists + (forces,)),
             ("reprisals", K.reprisals, lists), ("kidnappings", K.kidnappings, (gptr, gidx)),
             ("tips_and_operations", K.tips_and_operations, (aptr, aidx, gptr, gidx, lptr, lidx, nptr, nidx, tip_f, tip_i, base, crel, fresh)),
             ("sweeps", K.sweeps, ())]
    t: dict[str, float] = defaultdict(float)
    fighters_moved = people_moved = True  # as in kernel.step_days: lists built again only when needed
    for day in range(warm, warm + days):
        if day % 7 == 0:
            fighters_moved = people_moved = True
            fresh[0] = True
            week = day // 7
            # the weekly slow processes, in the order of kernel.weekly (its bookkeeping done in numpy)
            S.place_rent_ema[0] += p.rent_smoothing * (S.place_rent_week[0] - S.place_rent_ema[0])
            for name, fn, args in (("w: reallocate", K.reallocate, (W, Sr, p, lev, 0, day, week)),
                                   ("w: update_accords", K.update_accords, (W, Sr, p, lev, 0, day, week)),
                                   ("w: land_disputes", K.land_disputes, (W, Sr, p, lev, 0, day, week)),
                                   ("w: update_groups", K.update_groups, (W, Sr, p, lev, 0, day, week)),
                                   ("w: update_communities", K.update_communities, (W, Sr, p, lev, aid, 0, day, week)),
                                   ("w: update_control", K.update_control, (W, Sr, p, lev, 0, day, week)),
                                   ("w: choose_routes", K.choose_routes, (W, Sr, p, lev, 0, day, week))):
                if name == "w: choose_routes":
                    S.risk[0] *= p.risk_decay
                t0 = time.process_time()
                fn(*args)
                t[name] += time.process_time() - t0
            S.aggr[0] *= p.aggression_decay
            S.last_loss_value[0] *= p.aggression_decay
            S.manip[0] *= p.manipulation_decay
            S.tips_recent[0] *= p.tips_memory_decay
            for arr in (S.place_rent_week, S.seized_place_week, S.rent_week, S.flow_week, S.livelihood_week):
                arr[0] = 0.0
        for name, fn, extra in daily:
            t0 = time.process_time()
            if fn is None:
                if fighters_moved:
                    K.actor_lists(Sr, p, 0, aptr, aidx, gptr, gidx)
                if people_moved:
                    K.people_lists(Sr, p, 0, *people)
                fighters_moved = people_moved = False
            elif fn is K.tips_and_operations:
                fn(W, Sr, p, lev, 0, day, *extra[:-1], bool(fresh[0]))
                fresh[0] = False
            else:
                fn(W, Sr, p, lev, 0, day, *extra)
            t[name] += time.process_time() - t0
        t0 = time.process_time()
        people_moved = K.releases(W, Sr, p, 0, day) or people_moved
        t["releases"] += time.process_time() - t0
    return {k: 1000 * v / days for k, v in t.items()}  # ms per day


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="1,2,5,10")
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "profile.json",
                    help="where the JSON result goes (the machine, the load and ms per day per mechanism and scale)")
    a = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_engine import machine

    info = machine()
    scales = [int(x) for x in a.scales.split(",")]
    profile(scales[0], 7)  # load every mechanism from the cache before timing
    rows = {s: profile(s, a.days) for s in scales}
    info["load_average_end"] = __import__("os").getloadavg()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps({"machine": info, "days": a.days, "scales": scales,
                                 "ms_per_day": {str(s): rows[s] for s in scales}}, indent=2))
    names = list(rows[scales[0]])
    print("| mechanism | " + " | ".join(f"x{s} ms/day" for s in scales) + " |")
    print("|---|" + "---|" * len(scales))
    for n in names:
        print(f"| {n} | " + " | ".join(f"{rows[s][n]:.3f}" for s in scales) + " |")
    print("| total | " + " | ".join(f"{sum(rows[s].values()):.3f}" for s in scales) + " |")


if __name__ == "__main__":
    main()
