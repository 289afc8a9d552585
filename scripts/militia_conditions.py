"""How often each dormant militia's conditions to form are met, week by week, and what blocks them.

    .venv/bin/python scripts/militia_conditions.py --params azalai/model/calibrated.yaml -n 50 [--days 366]
        [--set dispute_rate=0.2] [--scenario FILE]

Steps seeds 1..n (baseline policy) one week at a time and, after each weekly step, reads the state the
militia check of docs/ODD.md §7.10 reads: the community's largest grievance against one actor, and at
each internal place where at least ``dispute_min_pop`` of its people live its insecurity, and the same
less the share the state's post can police (nil under a protector based on the community). For each
dormant militia it counts the militia-weeks in which the grievance condition holds, the insecurity
condition holds, both hold, and the insecurity condition holds before the state's reach and the
protectors are taken into account but not after; the actor most often the worst offender; and in how
many runs the militia formed. Ends with the land disputes and communal attacks per run (accumulators).

The grievance is read after the weekly community update, one step after the check saw it, so the counts
describe the conditions, not the check's exact decisions; the runs themselves are unchanged (stepping a
run in chunks gives identical results, see azalai.model.engine.run_prepared).
"""

from __future__ import annotations

import collections

import numpy as np
from region_decomposition import run_arguments, run_params  # scripts/ is on the path when run as a script

COLUMNS = ["grievance_met", "insecurity_met", "both_met", "blocked_by_reach_or_protector"]


def state_reach(W, S, p, r, v) -> float:
    """The share of the people at v the state's post can police (docs/ODD.md §7.10)."""
    f = S.fighters[r, W.state_actor, v]
    if W.state_actor < 0 or f < p.min_presence:
        return 0.0
    people = S.pop[r, :, v].sum()
    return 1.0 if people <= 0.0 else min(1.0, f / (p.policing_ratio * people))


def conditions(W, S, p, r, m) -> tuple[int | str, float, float, float]:
    """Worst offender (-1: none; a rival community as "community:<index>"), its grievance, and the largest
    exposed and raw insecurity of militia m's community."""
    c = W.militia_comm[m]
    g = S.grievance[r, c].copy()
    g[m] = 0.0
    worst = int(np.argmax(g)) if g.max() > 0.0 else -1  # as the check: no grievance, no offender
    cg = S.cgriev[r, c]
    if cg.max() > (g[worst] if worst >= 0 else 0.0):  # a rival community (the state shelters from it)
        return f"community:{int(np.argmax(cg))}", float(cg.max()), *_insecurity(W, S, p, r, c, -1)
    return worst, float(g[worst]) if worst >= 0 else 0.0, *_insecurity(W, S, p, r, c, worst)


def _insecurity(W, S, p, r, c, worst) -> tuple[float, float]:
    """Largest insecurity of community c, exposed (less the state's reach and protectors) and raw."""
    exposed = raw = 0.0
    for v in range(W.place_ext.shape[0]):
        if W.place_ext[v] == 1 or S.pop[r, c, v] < p.dispute_min_pop:
            continue
        ins = S.insecurity[r, c, v]
        raw = max(raw, ins)
        prot = S.protector[r, v]
        if prot >= 0 and W.base_w[prot, c] > 0.0:
            continue
        reach = 0.0 if worst == W.state_actor else state_reach(W, S, p, r, v)
        exposed = max(exposed, ins * (1.0 - reach))
    return exposed, raw


def main() -> None:
    a = run_arguments(__doc__).parse_args()
    from azalai.model.engine import prepare, state_struct
    from azalai.model.kernel import finish_batch, init_batch, step_days
    from azalai.model.state import ACC, alloc_state
    from azalai.model.warmup import ensure_compiled

    prep = prepare(a.scenario, None, a.days, run_params(a))
    ensure_compiled(prep)
    W, idx, p = prep.world, prep.index, prep.params
    S = alloc_state(W, np.arange(1, a.n + 1, dtype=np.int64), a.days, False)
    Wr, Lr, Sr = prep.world_struct(), prep.levers_struct(), state_struct(S)
    init_batch(Wr, Sr)
    slots = [m for m in range(len(idx.actors)) if W.militia_comm[m] >= 0]
    count = {m: collections.Counter() for m in slots}
    offender = {m: collections.Counter() for m in slots}
    for d0 in range(0, a.days, 7):
        step_days(Wr, Sr, p, Lr, prep.aid, d0, d0 + 1)  # the weekly processes of day d0, then day d0
        for r in range(a.n):
            for m in slots:
                if S.active[r, m] == 1:
                    continue
                worst, gw, exposed, raw = conditions(W, S, p, r, m)
                g_ok, i_ok = gw >= p.militia_grievance, exposed >= p.militia_insecurity
                if isinstance(worst, str):  # a rival community
                    name = idx.communities[int(worst.split(":")[1])]
                else:
                    name = idx.actors[worst] if worst >= 0 else "(no grievance)"
                offender[m][name] += 1
                count[m].update({"dormant_weeks": 1, "grievance_met": g_ok, "insecurity_met": i_ok,
                                 "both_met": g_ok and i_ok,
                                 "blocked_by_reach_or_protector": raw >= p.militia_insecurity and not i_ok})
        step_days(Wr, Sr, p, Lr, prep.aid, d0 + 1, min(a.days, d0 + 7))
    finish_batch(Wr, Sr, a.days)
    print(f"{a.n} runs of {a.days} days; militia_grievance {p.militia_grievance:g}, "
          f"militia_insecurity {p.militia_insecurity:g}")
    print(f"{'militia':22s} {'formed':>7s} {'dormant weeks':>13s} " + " ".join(f"{k:>14s}" for k in COLUMNS))
    for m in slots:
        formed = int(S.active[:, m].sum())
        row = " ".join(f"{count[m][k]:14d}" for k in COLUMNS)
        print(f"{idx.actors[m]:22s} {formed:7d} {count[m]['dormant_weeks']:13d} {row}")
        print(f"{'':22s} worst offender: {offender[m].most_common(3)}")
    for k in ("land_disputes", "communal_attacks", "militias_formed", "clashes"):
        print(f"{k} per run: {S.acc[:, ACC[k]].mean():.1f}")


if __name__ == "__main__":
    main()
