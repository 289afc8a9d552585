"""Mechanism 3: violence — clashes, attacks on posts, assassinations, reprisals and kidnappings.

Seed: "violence that according to news reports and local sources can be traced to an array of
overlapping possibilities. These range from personal and political rivalries to drug trafficking to
the ongoing efforts by jihadist groups ... to attack security forces and other armed groups".

Every kind of event is a daily hazard computed from the state, and only actors present at a place
interact there (the interaction is sparse):

* clashes between hostile groups at a place, rising with the rents at stake there, with accord
  tension, and with a group's grievance after recent losses of rent near that place; an accord's
  restraint divides the hazard while it holds;
* jihadist attacks on state and international posts (armed assaults such as Nampala's, IEDs such as
  Tessalit's, shelling), which may trigger search-and-detain sweeps;
* assassinations, reprisals against civilians and kidnappings (:mod:`azalai.model.mechanisms.targeted`).

Fatalities are heavy-tailed (Pareto II draws, tail index ``fatality_alpha``) and scale with the
square root of the forces engaged.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from azalai.model.events import (
    CK_LOCAL_SUPPORT, CK_AGGRESSION, CK_CONTROL_SHIFT, CK_HOSTILITY, CK_LOCAL_STRENGTH, CK_RENT_STAKE, CK_RESTRAINT_BROKEN, CK_SEIZURE, CK_TENSION, EV_CLASH, EV_IED, EV_NSA_OVERTAKES, EV_GOV_REGAINS, EV_SHELLING, M_VIOLENCE, PAIR_CODE, emit, link,
)
from azalai.model.jit import compiled_only
from azalai.model.mechanisms.control import restrained
from azalai.model.mechanisms.presence import sort_head
from azalai.model.rng import (
    SITE_ATTACK, SITE_ATTACK_KIND, SITE_ATTACK_SIZE, SITE_CLASH, SITE_CLASH_SIZE, SITE_CLASH_WIN, SITE_SWEEP,
    STREAM_KEY, lomax, uniform,
)
from azalai.model.state import ACC, CHAIN
from azalai.model.world import KIND_INTERNATIONAL, KIND_JIHADIST, KIND_MILITIA, KIND_SIGNATORY, KIND_STATE, ROLE_NONE

_SIG_CLASH = ACC["signatory_clashes"]
_CLASHES = ACC["clashes"]
_ATTACKS = ACC["attacks"]
_FAT_CIV = ACC["fatalities_civilian"]
_FAT_BATTLES = ACC["fatalities_battles"]
_FAT_REMOTE = ACC["fatalities_remote"]
_FAT_VAC = ACC["fatalities_vac"]
_LOCAL_DEATHS = ACC["local_fighter_deaths"]
_CIV_POP = ACC["civilian_deaths_pop"]
_KIDNAP = ACC["kidnappings"]
_ASSASSIN = ACC["assassinations"]
_REPRISALS = ACC["reprisals"]


# The helpers called for every pair of actors at a place take arrays, not the World and State structs,
# and are compiled without reference counting (``_nrt=False``): each struct or array handed to a
# helper with branches otherwise costs an atomic increment and decrement of its reference count per call.


@njit(cache=True, _nrt=False)
def _near(adj_ptr, adj_nbr, v, u):
    if u < 0:
        return False
    if u == v:
        return True
    for j in range(adj_ptr[v], adj_ptr[v + 1]):
        if adj_nbr[j] == u:
            return True
    return False


@njit(cache=True, inline="always")
def kill_fighters(W, S, r, a, v, n):
    lost = min(float(n), S.fighters[r, a, v])
    S.fighters[r, a, v] -= lost
    if W.actor_kind[a] == KIND_SIGNATORY or W.actor_kind[a] == KIND_JIHADIST or W.actor_kind[a] == KIND_MILITIA:
        S.acc[r, _LOCAL_DEATHS] += lost
    return lost


@njit(cache=True, _nrt=False)
def _hostility_of(rel, pair_of, tension, tension_weight, r, a, b):
    h = -rel[r, a, b]
    pi = pair_of[a, b]
    if pi >= 0:
        h += tension_weight * tension[r, pi]
    return h


@njit(cache=True, inline="always")
def hostility(W, S, p, r, a, b):
    """Hostility of a pair: negative relation plus accord tension (signatory pairs)."""
    return _hostility_of(S.rel, W.pair_of, S.tension, p.tension_weight, r, a, b)


@njit(cache=True, inline="always")
def _clash_params(p):
    """The parameters :func:`_clash_rate` reads: handed over as a short tuple, since the whole parameter
    tuple would be copied at every call of a helper that is not inlined."""
    return p.stake_weight, p.rent_ref, p.force_ref, p.force_cap, p.clash_base, p.aggression_weight


@njit(cache=True, _nrt=False)
def _clash_rate(fighters, rent_ema, last_loss_place, aggr, adj_ptr, adj_nbr, cp, r, v, a, b, h, restraint):
    """Daily hazard of a clash between a and b at v, given their hostility h > 0 and the accord's restraint
    (``cp``: :func:`_clash_params`)."""
    stake_weight, rent_ref, force_ref, force_cap, clash_base, aggression_weight = cp
    fa = fighters[r, a, v]
    fb = fighters[r, b, v]
    stake = 1.0 + stake_weight * rent_ema[r, v] / rent_ref
    force = np.sqrt(min(fa, fb) / force_ref)
    if force > force_cap:
        force = force_cap
    ag = 0.0
    if _near(adj_ptr, adj_nbr, v, last_loss_place[r, a]):
        ag += aggr[r, a]
    if _near(adj_ptr, adj_nbr, v, last_loss_place[r, b]):
        ag += aggr[r, b]
    return clash_base * h * stake * force * restraint * (1.0 + aggression_weight * ag)


@njit(cache=True)
def clash_hazard(W, S, p, lev, r, day, v, a, b):
    """Daily hazard of a clash between a and b at v (0 when they are not hostile)."""
    h = hostility(W, S, p, r, a, b)
    if h <= 0.0:
        return 0.0
    restraint = p.accord_restraint if restrained(W, S, lev, r, day, a, b) else 1.0
    return _clash_rate(S.fighters, S.place_rent_ema, S.last_loss_place, S.aggr, W.adj_ptr, W.adj_nbr, _clash_params(p), r,
                       v, a, b, h, restraint)


@compiled_only(nrt=False)
def clashes(W, S, p, lev, r, day, ptr, idx):
    """Clashes between hostile non-state groups (and the state) present at the same place.

    ``ptr``/``idx``: who is present where (:func:`azalai.model.mechanisms.presence.actor_lists`, a superset)."""
    A, P = W.fighters0.shape
    seed = S.seed[r]
    # The arrays the scan over pairs reads, looked up once (the same arrays: writes below go to them too).
    kind = W.actor_kind
    fighters = S.fighters
    rel = S.rel
    pair_of = W.pair_of
    tension = S.tension
    rent_ema = S.place_rent_ema
    last_loss_place = S.last_loss_place
    aggr = S.aggr
    adj_ptr = W.adj_ptr
    adj_nbr = W.adj_nbr
    cp = _clash_params(p)
    for v in range(P):
        if W.place_ext[v] == 1:
            continue
        for ia in range(ptr[v], ptr[v + 1]):
            a = idx[ia]
            ka = kind[a]
            if ka == KIND_INTERNATIONAL or fighters[r, a, v] < p.min_presence:
                continue
            for ib in range(ia + 1, ptr[v + 1]):
                b = idx[ib]
                kb = kind[b]
                if kb == KIND_INTERNATIONAL or fighters[r, b, v] < p.min_presence:
                    continue
                # State-versus-jihadist violence is the attacks and operations mechanisms' business.
                if (ka == KIND_STATE and kb == KIND_JIHADIST) or (kb == KIND_STATE and ka == KIND_JIHADIST):
                    continue
                # clash_hazard, from the arrays looked up above
                h = _hostility_of(rel, pair_of, tension, p.tension_weight, r, a, b)
                if h <= 0.0:
                    continue
                restraint = p.accord_restraint if restrained(W, S, lev, r, day, a, b) else 1.0
                lam = _clash_rate(fighters, rent_ema, last_loss_place, aggr, adj_ptr, adj_nbr, cp, r, v, a, b, h, restraint)
                if lam <= 0.0 or uniform(seed, day, SITE_CLASH, v * STREAM_KEY + a, b) >= lam:
                    continue
                fa = S.fighters[r, a, v]
                fb = S.fighters[r, b, v]
                scale = p.fatality_scale * np.sqrt((fa + fb) / (2.0 * p.force_ref))
                fat = int(scale * lomax(p.fatality_alpha, seed, day, SITE_CLASH_SIZE, v * STREAM_KEY + a, b))
                la = int(round(fat * fb / (fa + fb)))
                lb = fat - la
                # Only people who were there can die: report what was actually lost.
                fat = int(round(kill_fighters(W, S, r, a, v, la) + kill_fighters(W, S, r, b, v, lb)))
                S.acc[r, _FAT_BATTLES] += fat
                S.acc[r, _CLASHES] += 1.0
                if ka == KIND_SIGNATORY and kb == KIND_SIGNATORY:
                    S.acc[r, _SIG_CLASH] += 1.0
                pi = W.pair_of[a, b]
                if pi >= 0:
                    S.incidents_week[r, pi] += 1.0
                # The side more aggrieved (recent losses near here) is recorded as the initiator.
                first, second = a, b
                if _near(adj_ptr, adj_nbr, v, S.last_loss_place[r, b]) and S.aggr[r, b] > S.aggr[r, a]:
                    first, second = b, a
                ev = emit(S, r, day, EV_CLASH, first, second, v, fat, 0, M_VIOLENCE)
                slot = 0
                ls = S.last_loss_place[r, first]
                if _near(adj_ptr, adj_nbr, v, ls) and S.aggr[r, first] > p.aggression_cause_min and day - S.last_loss_day[r, first] <= p.loss_memory_days:
                    link(S, r, ev, slot, CK_SEIZURE, ls, S.last_loss_value[r, first])
                    slot += 1
                    link(S, r, ev, slot, CK_AGGRESSION, first, S.aggr[r, first])
                    slot += 1
                if pi >= 0:
                    link(S, r, ev, slot, CK_TENSION, first * PAIR_CODE + second, S.tension[r, pi])
                    slot += 1
                    if S.broken[r, pi] == 1 and slot < CHAIN:
                        link(S, r, ev, slot, CK_RESTRAINT_BROKEN, first * PAIR_CODE + second, S.broken_weeks[r, pi])
                        slot += 1
                else:
                    link(S, r, ev, slot, CK_HOSTILITY, first * PAIR_CODE + second, -S.rel[r, a, b])
                    slot += 1
                if slot < CHAIN:
                    link(S, r, ev, slot, CK_RENT_STAKE, v, S.place_rent_ema[r, v])
                # A decisive win can take the place.
                prot = S.protector[r, v]
                if prot == a or prot == b:
                    other = b if prot == a else a
                    u = uniform(seed, day, SITE_CLASH_WIN, v * STREAM_KEY + a, b)
                    so = S.fighters[r, other, v] * (1.0 + p.support_weight * S.loc_support[r, other, v])
                    sp = S.fighters[r, prot, v] * (1.0 + p.support_weight * S.loc_support[r, prot, v])
                    if so * (1.0 - p.battle_luck + 2.0 * p.battle_luck * u) > (1.0 + p.control_hysteresis) * sp:
                        S.protector[r, v] = other
                        et = EV_GOV_REGAINS if W.actor_kind[other] == KIND_STATE else EV_NSA_OVERTAKES
                        ev2 = emit(S, r, day, et, other, prot, v, 0, 0, M_VIOLENCE)
                        link(S, r, ev2, 0, CK_CONTROL_SHIFT, v, so / sp if sp > 0.0 else so)


@njit(cache=True, inline="always")
def attack_ints(W):
    """The length of the integer buffer :func:`attacks` works in (the day loop makes it once)."""
    P = W.place_ext.shape[0]
    return P + P + P + P


@compiled_only(nrt=False)
def attacks(W, S, p, lev, r, day, fptr, fidx, gptr, gidx, buf):
    """Jihadist attacks, IEDs and shelling on state and international posts; sweeps may follow.

    ``fptr``/``fidx``: per place, the actors present; ``gptr``/``gidx``: per actor, the places where it
    has fighters (:func:`azalai.model.mechanisms.presence.actor_lists`, supersets: fighters only fall
    during the day, and presence is tested again); ``buf``: the work lists (:func:`attack_ints` long,
    each written before it is read)."""
    A, P = W.fighters0.shape
    seed = S.seed[r]
    # The arrays the scan reads, looked up once (the same arrays: writes below go to them too).
    fighters = S.fighters
    adj_ptr = W.adj_ptr
    adj_nbr = W.adj_nbr
    role = W.actor_role
    kind = W.actor_kind
    rel = S.rel
    loc_support = S.loc_support
    # The internal places where a force is posted now, in ascending order: fighters only fall below,
    # so no other place can hold a post later in the loop (each is tested again when visited).
    ext = W.place_ext
    posts = buf[:P]
    is_post = buf[P:P + P]
    seen = buf[P + P:P + P + P]  # the last group that listed the place
    near = buf[P + P + P:]
    npost = 0
    for v in range(P):
        if ext[v] == 1:
            continue
        for i_f in range(fptr[v], fptr[v + 1]):
            f = fidx[i_f]
            if role[f] != ROLE_NONE and fighters[r, f, v] >= p.min_presence:
                posts[npost] = v
                npost += 1
                break
    for v in range(P):
        is_post[v] = 0
        seen[v] = -1
    for i_v in range(npost):
        is_post[posts[i_v]] = 1
    for j in range(A):
        if kind[j] != KIND_JIHADIST:
            continue
        # The posts within the group's reach, in ascending order. A post where the group has no
        # fighters, nor next to it (routes run both ways), has no reach, under the presence floor
        # (positive); fighters only fall in this loop, so testing the reach when the post's turn
        # comes visits the posts a list of those within reach, made first, would hold. The list:
        # the posts where the group has fighters or next to them (its row read once), in ascending
        # order; every other post would add exact zeros to a reach of zero.
        fj = fighters[r, j]
        nnear = 0
        for i_u in range(gptr[j], gptr[j + 1]):
            u = gidx[i_u]
            if fj[u] == 0.0:
                continue
            if is_post[u] == 1 and seen[u] != j:
                seen[u] = j
                near[nnear] = u
                nnear += 1
            for q in range(adj_ptr[u], adj_ptr[u + 1]):
                w = adj_nbr[q]
                if is_post[w] == 1 and seen[w] != j:
                    seen[w] = j
                    near[nnear] = w
                    nnear += 1
        sort_head(near, nnear)
        for i_v in range(nnear):
            v = near[i_v]
            reach = fighters[r, j, v]
            for q in range(adj_ptr[v], adj_ptr[v + 1]):
                reach += p.attack_reach * fighters[r, j, adj_nbr[q]]
            if reach < p.min_presence:
                continue
            posted = False  # a force present here (the list also holds other actors)
            for i_f in range(fptr[v], fptr[v + 1]):
                f = fidx[i_f]
                if role[f] != ROLE_NONE and fighters[r, f, v] >= p.min_presence:
                    posted = True
                    break
            if not posted:
                continue
            for i_f in range(fptr[v], fptr[v + 1]):
                f = fidx[i_f]
                if role[f] == ROLE_NONE or fighters[r, f, v] < p.min_presence:
                    continue
                h = -rel[r, j, f]
                if h <= 0.0:
                    continue
                lam = p.attack_base * h * min(np.sqrt(reach / p.force_ref), p.force_cap) * (
                    1.0 + p.support_weight * loc_support[r, j, v]
                )
                if uniform(seed, day, SITE_ATTACK, v * STREAM_KEY + j, f) >= lam:
                    continue
                u = uniform(seed, day, SITE_ATTACK_KIND, v * STREAM_KEY + j, f)
                x = lomax(p.fatality_alpha, seed, day, SITE_ATTACK_SIZE, v * STREAM_KEY + j, f)
                if u < p.ied_share:
                    et = EV_IED
                    fat = int(p.ied_fatality_scale * p.fatality_scale * x)
                    lf = fat
                    lj = 0
                elif u < p.ied_share + p.shelling_share:
                    et = EV_SHELLING
                    fat = int(p.shelling_fatality_scale * p.fatality_scale * x)
                    lf = fat
                    lj = 0
                else:
                    et = EV_CLASH
                    scale = p.fatality_scale * np.sqrt((reach + min(S.fighters[r, f, v], p.defender_ratio * reach)) / (2.0 * p.force_ref))
                    fat = int(scale * x)
                    lj = int(fat * p.attacker_loss_share)
                    lf = fat - lj
                lf = kill_fighters(W, S, r, f, v, lf)
                lj = kill_fighters(W, S, r, j, v, lj)
                fat = int(round(lf + lj))
                if et == EV_CLASH:
                    S.acc[r, _FAT_BATTLES] += fat
                else:
                    S.acc[r, _FAT_REMOTE] += fat
                S.acc[r, _ATTACKS] += 1.0
                ev = emit(S, r, day, et, j, f, v, fat, 0, M_VIOLENCE)
                link(S, r, ev, 0, CK_LOCAL_STRENGTH, j, reach)
                link(S, r, ev, 1, CK_LOCAL_SUPPORT, j, S.loc_support[r, j, v])
                link(S, r, ev, 2, CK_HOSTILITY, j * PAIR_CODE + f, h)
                # Search-and-detain sweep after an attack on a post.
                if S.sweep_due[r, v] < 0 and uniform(seed, day, SITE_SWEEP, v, f) < lev.sweeps[day]:
                    S.sweep_due[r, v] = day + 1
                    S.sweep_force[r, v] = f
                    S.sweep_cause[r, v] = ev
