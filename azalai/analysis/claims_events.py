"""Claim 2 as an event study inside runs: seizures, placebo seizures, and the other owners at the place.

For every seizure of a signatory-owned convoy (by anyone) with a full window on both sides, count
**clashes between groups** (neither side an international or state force) involving the owner at the
seizure place or a neighbouring place in the ``window`` days after and the ``window`` days before. Raids
and strikes by forces on the owner are counted apart (``es_force_raids``): they are operations on
tips, not fighting between groups.

* ``es_diff``: after minus before, averaged over the run's seizures (the naive event study);
* ``es_did``: the same minus the mean after-minus-before of the *other* signatories at the same places
  around the same date (difference in differences, which removes the local trend in fighting; other
  owners seized near the place on the same day are left out);
* ``es_placebo_did``: the same difference in differences at placebo seizures: for each real seizure,
  the same owner and place at a random day (from the run's seed). Its CI should cover zero. (Leaving
  out placebo days or control owners with a seizure in the weeks around the date is not neutral: it
  removes the aftermath of those seizures from the weeks after the date more than from the weeks
  before, and it selects on fighting that itself leads to seizures by rivals.)

The statistics are per run (a measure for :func:`azalai.experiment.worlds.run_paired`); their CIs are
over runs.
"""

from __future__ import annotations

import numpy as np

from azalai.defaults import DEFAULT_SCENARIO
from azalai.model.events import EV_AIRSTRIKE, EV_CLASH, EV_SEIZURE
from azalai.model.world import KIND_SIGNATORY

WINDOW = 42
SAME_DAYS = 0  # days either side of a date within which another owner counts as seized at the same time


def _near(W) -> list[np.ndarray]:
    P = len(W.adj_ptr) - 1
    return [np.unique(np.concatenate([[v], W.adj_nbr[W.adj_ptr[v]:W.adj_ptr[v + 1]]])) for v in range(P)]


def _counts(day, a1, a2, place, mask, actor, places, d0, window):
    m = mask & np.isin(place, places) & ((a1 == actor) | (a2 == actor))
    after = int((m & (day > d0) & (day <= d0 + window)).sum())
    before = int((m & (day < d0) & (day >= d0 - window)).sum())
    return after - before


def event_study_run(prep, S, r: int, window: int = WINDOW, placebo_seed: int = 0) -> dict[str, float]:
    """The event-study statistics of replicate r (see the module docstring)."""
    W = prep.world
    days = prep.days
    n = int(S.ev_n[r])
    day = S.ev_day[r, :n]
    typ = S.ev_type[r, :n]
    a1 = S.ev_a1[r, :n]
    a2 = S.ev_a2[r, :n]
    place = S.ev_place[r, :n]
    A = len(W.actor_kind)
    role = np.asarray(W.actor_role)
    kind = np.asarray(W.actor_kind)

    def is_force(x):
        ok = (x >= 0) & (x < A)
        out = np.zeros(len(x), dtype=bool)
        out[ok] = role[x[ok]] != 0
        return out

    grp = (typ == EV_CLASH) & (a1 >= 0) & (a2 >= 0) & ~is_force(a1) & ~is_force(a2)
    raid = ((typ == EV_CLASH) | (typ == EV_AIRSTRIKE)) & (is_force(a1) | is_force(a2))
    sig = [a for a in range(A) if kind[a] == KIND_SIGNATORY]
    own_ok = (a2 >= 0) & (a2 < A)
    seiz = np.zeros(n, dtype=bool)
    seiz[own_ok] = (typ[own_ok] == EV_SEIZURE) & (kind[a2[own_ok]] == KIND_SIGNATORY)
    near = _near(W)
    s_idx = np.flatnonzero(seiz & (day >= window) & (day + window < days))
    all_seiz_day, all_seiz_owner, all_seiz_place = day[seiz], a2[seiz], place[seiz]

    def seized_near(actor, places, d0):
        # Seized near the places on the same day. A wider exclusion is not neutral: it removes the
        # aftermath of the excluded seizures from the days after d0 more than from the days before,
        # and conditioning on later weeks selects on fighting that itself leads to seizures by rivals.
        m = (all_seiz_owner == actor) & np.isin(all_seiz_place, places)
        return bool((m & (np.abs(all_seiz_day - d0) <= SAME_DAYS)).any())

    def did(owner, places, d0):
        own = _counts(day, a1, a2, place, grp, owner, places, d0, window)
        ctrl = [_counts(day, a1, a2, place, grp, c, places, d0, window) for c in sig
                if c != owner and not seized_near(c, places, d0)]
        return own, own - (float(np.mean(ctrl)) if ctrl else 0.0)

    rng = np.random.default_rng([int(S.seed[r]), int(placebo_seed), 2])
    diffs, dids, raids, pdids = [], [], [], []
    for i in s_idx:
        owner, v, d0 = int(a2[i]), int(place[i]), int(day[i])
        places = near[v]
        own, dd = did(owner, places, d0)
        diffs.append(own)
        dids.append(dd)
        raids.append(_counts(day, a1, a2, place, raid, owner, places, d0, window))
        # Placebo: same owner and place, a random day (not conditioned on the owner's other seizures: any
        # such condition is asymmetric in time, see seized_near).
        pdids.append(did(owner, places, int(rng.integers(window, days - window)))[1])
    mean = lambda x: float(np.mean(x)) if x else 0.0  # noqa: E731
    return {"es_seizures": float(len(s_idx)), "es_diff": mean(diffs), "es_did": mean(dids),
            "es_force_raids": mean(raids), "es_placebo_did": mean(pdids), "es_placebos": float(len(pdids))}


def event_study_measure(prep, S, r: int) -> dict[str, float]:
    """:func:`event_study_run` with the default window, as a measure for ``run_paired``."""
    return event_study_run(prep, S, r)


def seizure_event_study(n: int = 40, seed: int = 0, days: int = 730, window: int = WINDOW,
                        policy: str = "counter-trafficking", off: tuple[str, ...] = ()) -> dict:
    """Claim 2 at the point world: per-run statistics over ``n`` seeds, with bootstrap CIs over runs."""
    from azalai.analysis.claims import bootstrap_ci
    from azalai.experiment.worlds import Arm, World, prepare_arm
    from azalai.model.engine import run_prepared
    from azalai.scenario.loader import resolve_scenario

    sc = resolve_scenario(DEFAULT_SCENARIO)
    prep = prepare_arm(sc, World(0), Arm(policy, {}, tuple(off)), days)
    S = run_prepared(prep, list(range(seed, seed + n)))
    per = [event_study_run(prep, S, r, window) for r in range(n)]
    out: dict = {"claim": 2, "policy": policy, "off": list(off), "n": n, "days": days, "window_days": window,
                 "seizures": int(sum(p["es_seizures"] for p in per))}
    for k in ("es_diff", "es_did", "es_force_raids", "es_placebo_did"):
        arr = np.array([p[k] for p in per if p["es_seizures"] > 0])
        lo, hi = bootstrap_ci(arr, seed=seed)
        out[k] = {"mean": float(arr.mean()) if len(arr) else 0.0, "ci_low": lo, "ci_high": hi}
    return out
