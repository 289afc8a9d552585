"""The compiled day loop: every replicate of a batch, every day, every mechanism.

Order within a day: on the first day of each week the slow processes run (movement of fighters,
accords, land disputes, militias and alliances, communities, control, route choice, time-series snapshot); then
daily: convoys, clashes,
attacks, assassinations, reprisals, kidnappings, tips and operations, sweeps, releases.
Replicates are independent and draw from counter-based streams keyed by their own seed, so a
replicate's results do not depend on the batch it runs in.
"""

from __future__ import annotations

from types import FunctionType

import numpy as np
from numba import njit

from azalai.model.jit import compiled_only
from azalai.model.mechanisms.accords import update_accords
from azalai.model.mechanisms.communities import update_communities
from azalai.model.mechanisms.control import local_support, update_control
from azalai.model.mechanisms.groups import update_groups
from azalai.model.mechanisms.placesets import set_all
from azalai.model.mechanisms.intelligence import related_bases, tip_floats, tip_ints, tips_and_operations
from azalai.model.mechanisms.land import land_disputes
from azalai.model.mechanisms.operations import releases, sweeps
from azalai.model.mechanisms.movement import reallocate
from azalai.model.mechanisms.routes import choose_routes
from azalai.model.mechanisms.trafficking import base_list_size, base_lists, count_forces, list_forces, move_convoys, set_entitlements
from azalai.model.mechanisms.presence import actor_lists, people_lists
from azalai.model.mechanisms.targeted import assassinations, kidnappings, reprisals
from azalai.model.mechanisms.violence import attack_ints, attacks, clashes
from azalai.model.state import ACC, DAYS_PER_WEEK, TS_FALSE_ACTED, TS_TIPS, TS_TIPS_ACTED, TS_TIPS_FALSE
from azalai.model.world import KIND_JIHADIST, KIND_MILITIA, KIND_SIGNATORY


def _inlined(mechanism):
    """``mechanism`` inlined where the day loop calls it: a call copies the parameter tuple (187 values)
    onto the stack, every day. It is compiled on its own (in parallel with the other callees when the
    cache is empty) and LLVM inlines it into the loop (``compiled_only(inline=True)``), so the loop's own
    compilation does not type and lower it again. A copy of the function under its own name, so that its
    cache entries are not the compiled mechanism's, which stays for tests and
    ``benchmarks/profile_mechanisms.py``."""
    fn = mechanism.py_func
    copy = FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__qualname__ = f"{fn.__qualname__}_inlined"
    return compiled_only(copy, inline=True, nrt=mechanism.targetoptions.get("_nrt", True))


# The daily mechanisms, inlined into the loop (each call would copy the parameter tuple; inlining the
# three larger ones, convoys, clashes and tips, made a run about 2.5% cheaper and the compilation from
# nothing about 2% longer, docs/performance.md).
_attacks = _inlined(attacks)
_assassinations = _inlined(assassinations)
_reprisals = _inlined(reprisals)
_kidnappings = _inlined(kidnappings)
_sweeps = _inlined(sweeps)
_releases = _inlined(releases)
_move_convoys = _inlined(move_convoys)
_clashes = _inlined(clashes)
_tips_and_operations = _inlined(tips_and_operations)

_POP_START = ACC["population_start"]
_TIPS = ACC["tips"]
_TIPS_FALSE = ACC["tips_false"]
_TIPS_ACTED = ACC["tips_acted"]
_FALSE_ACTED = ACC["false_tips_acted"]
_MISDIRECTED = ACC["misdirected_ops"]
_FAT = ACC["fatalities"]


@compiled_only(nrt=False)
def record_week(W, S, r, w):
    A, P = W.fighters0.shape
    C = W.pop0.shape[0]
    if w >= S.ts_fighters.shape[1]:
        return
    TW = S.transit.shape[-1]
    for a in range(A):
        t = 0.0
        for v in range(P):
            t += S.fighters[r, a, v]
            if S.transit_n[r, a, v] != 0:  # otherwise every slot is zero: the same sum
                for k in range(TW):
                    t += S.transit[r, a, v, k]  # fighters on the road are the actor's too
        S.ts_fighters[r, w, a] = t
        S.ts_cash[r, w, a] = S.cash[r, a]
        for k in range(S.income.shape[2]):
            S.ts_income[r, w, a, k] = S.income[r, a, k]
    for v in range(P):
        S.ts_protector[r, w, v] = S.protector[r, v]
        S.ts_seized[r, w, v] = S.seized_place_week[r, v]
        S.ts_risk[r, w, v] = S.risk[r, v]
    for c in range(C):
        S.ts_livelihood[r, w, c] = S.livelihood_ema[r, c]
        for a in range(A):
            S.ts_support[r, w, c, a] = S.support[r, c, a]
            S.ts_grievance[r, w, c, a] = S.grievance[r, c, a]
            S.ts_coop[r, w, c, a] = S.coop[r, c, a]
    for e in range(S.flow_week.shape[1]):
        S.ts_flow[r, w, e] = S.flow_week[r, e]
    for n in range(S.tension.shape[1]):
        S.ts_tension[r, w, n] = S.tension[r, n]
        S.ts_broken[r, w, n] = S.broken[r, n]
    S.ts_tips[r, w, TS_TIPS] = S.acc[r, _TIPS]
    S.ts_tips[r, w, TS_TIPS_FALSE] = S.acc[r, _TIPS_FALSE]
    S.ts_tips[r, w, TS_TIPS_ACTED] = S.acc[r, _TIPS_ACTED]
    S.ts_tips[r, w, TS_FALSE_ACTED] = S.acc[r, _FALSE_ACTED]
    S.ts_misdirected[r, w] = S.acc[r, _MISDIRECTED]
    S.ts_fatalities[r, w] = S.acc[r, _FAT]


@compiled_only(nrt=False)  # called once a week: compiled on its own, in parallel with the other callees
def weekly(W, S, p, lev, aid, r, day, week):
    P = W.place_ext.shape[0]
    A = W.actor_kind.shape[0]
    # Weekly flows and rents roll into their moving averages before the slow processes read them.
    for v in range(P):
        if week <= 1:
            S.place_rent_ema[r, v] = S.place_rent_week[r, v]
        else:
            S.place_rent_ema[r, v] += p.rent_smoothing * (S.place_rent_week[r, v] - S.place_rent_ema[r, v])
    if week == 0:
        # First assign protectors, so that communities' protection reference is the status quo.
        update_control(W, S, p, lev, r, day, week)
    reallocate(W, S, p, lev, r, day, week)
    update_accords(W, S, p, lev, r, day, week)
    land_disputes(W, S, p, lev, r, day, week)
    update_groups(W, S, p, lev, r, day, week)
    update_communities(W, S, p, lev, aid, r, day, week)
    if week > 0:
        update_control(W, S, p, lev, r, day, week)
    for v in range(P):
        S.risk[r, v] *= p.risk_decay
    choose_routes(W, S, p, lev, r, day, week)
    if week == 0:
        set_entitlements(W, S, p, r)
    for a in range(A):
        S.aggr[r, a] *= p.aggression_decay
        S.last_loss_value[r, a] *= p.aggression_decay
    C = W.pop0.shape[0]
    for c in range(C):
        S.manip[r, c] *= p.manipulation_decay
        S.tips_recent[r, c] *= p.tips_memory_decay
    record_week(W, S, r, week)
    for v in range(P):
        S.place_rent_week[r, v] = 0.0
        S.seized_place_week[r, v] = 0.0
    for a in range(A):
        S.rent_week[r, a] = 0.0
    for e in range(S.flow_week.shape[1]):
        S.flow_week[r, e] = 0.0
    for c in range(C):
        S.livelihood_week[r, c] = 0.0


@njit(cache=True, nogil=True)
def init_batch(W, S):
    """Population baseline and local support before the first day."""
    R = S.seed.shape[0]
    P = W.place_ext.shape[0]
    A = W.actor_kind.shape[0]
    C = W.pop0.shape[0]
    for r in range(R):
        # Population accounting baseline: civilians plus local armed groups' fighters.
        tot = 0.0
        for c in range(C):
            for v in range(P):
                tot += S.pop[r, c, v]
        for a in range(A):
            if W.actor_kind[a] == KIND_SIGNATORY or W.actor_kind[a] == KIND_JIHADIST or W.actor_kind[a] == KIND_MILITIA:
                for v in range(P):
                    tot += S.fighters[r, a, v]
        S.acc[r, _POP_START] = tot
        local_support(W, S, r)


@njit(cache=True, nogil=True)
def step_days(W, S, p, lev, aid, d0, d1):
    """Step every replicate of S from day d0 up to (not including) day d1.

    Replicates are independent (each writes only its own slice of every state array and draws from
    its own counter-based stream). They are stepped one after the other: threads over the batch axis
    were measured slower than one thread here, because every access to a shared array updates its
    reference count atomically. Parallelism comes from running several batches at once instead: the
    entry points release the interpreter lock (``nogil``), so the ``thread`` backend steps one batch
    per thread (azalai/experiment/executors/threaded.py), and the ``process`` backend one per worker
    process (see docs/performance.md).
    """
    R = S.seed.shape[0]
    A, P = W.fighters0.shape
    C = W.pop0.shape[0]
    # Who is where, shared by the day's violence, tips and operations, and built again only when
    # fighters or people may have arrived (mechanisms/presence.py): the actors' lists after the weekly
    # processes, the communities' lists also after a release raised a small population.
    aptr = np.zeros(P + 1, dtype=np.int64)
    aidx = np.empty(A * P, dtype=np.int64)
    gptr = np.zeros(A + 1, dtype=np.int64)
    gidx = np.empty(A * P, dtype=np.int64)
    cptr = np.zeros(P + 1, dtype=np.int64)
    cidx = np.empty(C * P, dtype=np.int64)
    lptr = np.zeros(C + 1, dtype=np.int64)
    lidx = np.empty(C * P, dtype=np.int64)
    nptr = np.zeros(P + 1, dtype=np.int64)
    nidx = np.empty(C * P, dtype=np.int64)
    forces = np.empty(count_forces(W.actor_role), dtype=np.int64)  # the actors with a role (informants, seizures)
    list_forces(W.actor_role, forces)
    # The tips' working buffers (mechanisms/intelligence.py) and each actor's base communities (read by the
    # convoys and the tips, mechanisms/trafficking.py), made once.
    tip_f = np.empty(tip_floats(W), dtype=np.float64)
    tip_i = np.empty(tip_ints(W), dtype=np.int64)
    base = np.empty(base_list_size(W), dtype=np.int64)
    base_lists(W, base)
    crel = np.empty((C, A), dtype=np.bool_)  # communities x actors with related base communities (the tips')
    related_bases(W, base, crel)
    att_i = np.empty(attack_ints(W), dtype=np.int64)  # the attacks' work lists
    for r in range(R):
        # Where each community lives and each actor has fighters or fighters on the road, from the arrays as
        # they are (a caller may have changed them since the last call); kept up to date from here as
        # people and fighters arrive (mechanisms/placesets.py).
        set_all(S, r)
        fighters_moved = True
        people_moved = True
        support_moved = True  # the tips look up the informants' patrons again
        for day in range(d0, d1):
            if day % DAYS_PER_WEEK == 0:
                weekly(W, S, p, lev, aid, r, day, day // DAYS_PER_WEEK)
                fighters_moved = True
                people_moved = True
                support_moved = True
            if fighters_moved:
                actor_lists(S, p, r, aptr, aidx, gptr, gidx)
                fighters_moved = False
            if people_moved:
                people_lists(S, p, r, cptr, cidx, lptr, lidx, nptr, nidx)
                people_moved = False
            _move_convoys(W, S, p, lev, r, day, aptr, aidx, forces, base)
            _clashes(W, S, p, lev, r, day, aptr, aidx)
            _attacks(W, S, p, lev, r, day, aptr, aidx, gptr, gidx, att_i)
            _assassinations(W, S, p, lev, r, day, aptr, aidx, cptr, cidx, forces)
            _reprisals(W, S, p, lev, r, day, aptr, aidx, cptr, cidx)
            _kidnappings(W, S, p, lev, r, day, gptr, gidx)
            _tips_and_operations(W, S, p, lev, r, day, aptr, aidx, gptr, gidx, lptr, lidx, nptr, nidx, tip_f, tip_i, base,
                                crel, support_moved)
            support_moved = False
            _sweeps(W, S, p, lev, r, day)
            if _releases(W, S, p, r, day):
                people_moved = True


@njit(cache=True, nogil=True)
def finish_batch(W, S, days):
    R = S.seed.shape[0]
    for r in range(R):
        record_week(W, S, r, -(-days // DAYS_PER_WEEK))


def run_batch(W, S, p, lev, aid, days):
    """Step every replicate of S through ``days`` days.

    A plain Python function over the three compiled entry points: compiling it too would make numba
    optimise and generate the machine code of the whole engine once more (a caller's compiled library
    contains all its callees'), and compile ``step_days`` a second time for a literal first day.
    """
    init_batch(W, S)
    step_days(W, S, p, lev, aid, 0, days)
    finish_batch(W, S, days)
