"""Mechanism 5: operations — strikes and raids on tips, search-and-detain sweeps, detention and release.

Seed: "in April 2016, after an IED attack killed three French soldiers near Tessalit, authorities
detained a number of local Tuareg men who were swiftly released after protests from the MNLA and
CMA. Even if some or all of these men were involved in the attack, the searches and offensive
operations reportedly caused fear and consternation among some Tuareg populations".

An operation acts on a tip: it strikes or raids the accused at the named place, causing attrition
(heavy-tailed, scaled by the fighters there) and, unless mitigated, some civilian harm. Dual-hatted
membership means a strike on one group also hits members of the groups that overlap it. When the
tip named someone outside the mandate the accused's communities hold it against the force,
may protest, and the informant's side gains (the accused loses fighters and maybe the place),
which reinforces the manipulation. An operation is counted as misdirected when it hit people who
were not its intended target: the accused outside the mandate, civilians, or dual-hatted members of
a non-jihadist group. Convoy interdiction lives in the trafficking mechanism.

After an attack on a post, a sweep detains people of the communities living there (more with a
higher tempo); detainees are released after the policy's delay; detentions feed grievance and
protests.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from azalai.model.events import (
    CIVILIANS, CK_ATTACK, CK_CIVILIAN_HARM, CK_DETENTIONS, CK_DUAL_HATTED, CK_FALSE_TIP, CK_MISDIRECTED, CK_MISSION_FOCUS, CK_SWEEP, CK_TIP, EV_AIRSTRIKE, EV_ARRESTS, EV_CLASH, EV_PROTEST, M_OPERATIONS, PROTESTERS, emit, link,
)
from azalai.model.jit import compiled_only
from azalai.model.mechanisms.placesets import mark_place
from azalai.model.mechanisms.presence import people_floor
from azalai.model.rng import (
    SITE_CIV_SIZE, SITE_OP_CIV, SITE_OP_KIND, SITE_OP_PROTEST, SITE_OP_SIZE, SITE_SWEEP_PROTEST, SITE_SWEEP_SIZE,
    SITE_TIP_DISCOVER, choice_weighted, lomax, poisson, uniform,
)
from azalai.model.state import ACC, RING
from azalai.model.world import KIND_JIHADIST, KIND_MILITIA, KIND_SIGNATORY, ROLE_BARKHANE, ROLE_MINUSMA

_MISDIRECTED = ACC["misdirected_ops"]
_DETENTIONS = ACC["detentions"]
_PROTESTS = ACC["protests"]
_FAT_CIV = ACC["fatalities_civilian"]
_CIV_POP = ACC["civilian_deaths_pop"]
_LOCAL_DEATHS = ACC["local_fighter_deaths"]
_FAT_BATTLES = ACC["fatalities_battles"]
_FAT_REMOTE = ACC["fatalities_remote"]
_SWEEPS = ACC["sweeps"]
_OPS = ACC["operations"]


@njit(cache=True, inline="always")
def force_tempo(W, p, lev, day, f):
    """Relative operations tempo of force f under the policy."""
    role = W.actor_role[f]
    if role == ROLE_BARKHANE:
        return lev.barkhane_tempo[day]
    if role == ROLE_MINUSMA:
        return p.minusma_tempo_base + p.minusma_tempo_posture * lev.minusma_posture[day]
    return p.other_force_tempo


@compiled_only(nrt=False)
def execute_operation(W, S, p, lev, r, day, f, a, v, is_true, informant, patron, tip_id, rivalry, aptr, aidx, pptr, pidx):
    """A strike or raid by force f on actor a at place v, acting on a tip. Returns the event index.

    ``aptr``/``aidx``: per place, the actors present; ``pptr``/``pidx``: per place, the communities with
    people there (supersets, in ascending order: :mod:`azalai.model.mechanisms.presence`). The members
    hit and the civilians are looked for among them: everyone else adds exact zeros."""
    C = W.pop0.shape[0]
    seed = S.seed[r]
    # The arrays read in the loops, looked up once (the same arrays: writes go to them too).
    fighters, pop, harm_week, harm_place, acc = S.fighters[r], S.pop[r], S.harm_week[r], S.harm_place[r], S.acc[r]
    insec_bits = S.insec_bits[r]
    overlap, kind, base_w = W.overlap, W.actor_kind, W.base_w
    acc[_OPS] += 1.0
    ft = fighters[a, v]
    x = lomax(p.fatality_alpha, seed, day, SITE_OP_SIZE, tip_id, 0)
    fat = int(p.op_fatality_scale * np.sqrt(max(ft, 1.0) / p.force_ref) * x)
    lost = min(float(fat), ft)
    fighters[a, v] -= lost
    killed = lost
    if kind[a] == KIND_SIGNATORY or kind[a] == KIND_JIHADIST or kind[a] == KIND_MILITIA:
        acc[_LOCAL_DEATHS] += lost
    # Dual-hatted members of other groups present are hit as well.
    dual = -1
    dual_share = 0.0
    ally_hit = False
    for ib in range(aptr[v], aptr[v + 1]):
        b = aidx[ib]
        if b == a or overlap[b, a] <= 0.0 or fighters[b, v] < p.min_presence:
            continue
        hit = float(round(fat * overlap[b, a] * fighters[b, v] / (fighters[b, v] + ft + 1.0)))
        hit = min(hit, fighters[b, v])
        fighters[b, v] -= hit
        acc[_LOCAL_DEATHS] += hit
        killed += hit
        if hit > 0.0 and kind[b] != KIND_JIHADIST:
            ally_hit = True
        if overlap[b, a] > dual_share:
            dual_share = overlap[b, a]
            dual = b
        for c in range(C):
            if base_w[b, c] > 0.0:
                harm_week[c, f] += p.dual_hatted_grievance * p.misdirected_grievance * base_w[b, c] * dual_share
    # Civilian harm unless mitigated.
    civ = 0.0
    if uniform(seed, day, SITE_OP_CIV, tip_id, 0) < p.civilian_harm * (1.0 - lev.harm_mitigation[day]):
        n = 1 + int(p.op_civilian_size * lomax(p.fatality_alpha, seed, day, SITE_CIV_SIZE, tip_id, 0))
        tot = 0.0
        for ic in range(pptr[v], pptr[v + 1]):
            tot += pop[pidx[ic], v]
        if tot > 0.0:
            civ = min(float(n), tot)
            for ic in range(pptr[v], pptr[v + 1]):
                c = pidx[ic]
                k = civ * pop[c, v] / tot
                pop[c, v] -= k
                harm_week[c, f] += p.harm_grievance * k * p.op_harm_weight
                harm_place[c, v] += p.harm_grievance * k
                mark_place(insec_bits, c, v)
            acc[_CIV_POP] += civ
            acc[_FAT_CIV] += civ
    fat_total = int(round(killed + civ))
    etype = EV_CLASH
    if W.actor_role[f] == ROLE_BARKHANE and uniform(seed, day, SITE_OP_KIND, tip_id, 0) < p.airstrike_share:
        etype = EV_AIRSTRIKE
        acc[_FAT_REMOTE] += fat_total
    else:
        acc[_FAT_BATTLES] += fat_total
    ev = emit(S, r, day, etype, f, a, v, fat_total, 0, M_OPERATIONS)
    link(S, r, ev, 0, CK_TIP, tip_id, 1.0 if is_true else 0.0)
    slot = 1
    if not is_true:
        link(S, r, ev, slot, CK_FALSE_TIP, informant, rivalry)
        slot += 1
    focus = 0.0
    if W.actor_role[f] == ROLE_BARKHANE:
        focus = lev.barkhane_focus[day]
    link(S, r, ev, slot, CK_MISSION_FOCUS, f, focus)
    slot += 1
    if dual >= 0:
        link(S, r, ev, slot, CK_DUAL_HATTED, dual, dual_share)
    elif civ > 0.0:
        link(S, r, ev, slot, CK_CIVILIAN_HARM, v, civ)
    # Misdirected: the operation hit people who were not its intended target (the accused outside the
    # mandate, civilians, or dual-hatted members of a non-jihadist group).
    if (not is_true) or civ > 0.0 or ally_hit:
        acc[_MISDIRECTED] += 1.0
    if not is_true:
        for c in range(C):
            if base_w[a, c] > 0.0:
                harm_week[c, f] += p.misdirected_grievance * base_w[a, c]
        # The manipulation worked: the informant's community learns that it pays.
        if informant >= 0:
            S.manip[r, informant] += 1.0
        if uniform(seed, day, SITE_OP_PROTEST, tip_id, 0) < p.protest_rate:
            acc[_PROTESTS] += 1.0
            pe = emit(S, r, day, EV_PROTEST, PROTESTERS, f, v, 0, 0, M_OPERATIONS)
            link(S, r, pe, 0, CK_MISDIRECTED, a, 1.0)
            link(S, r, pe, 1, CK_TIP, tip_id, 0.0)
        # Sometimes the accused learns who named them.
        if patron >= 0 and uniform(seed, day, SITE_TIP_DISCOVER, tip_id, 0) < p.denunciation_discovery:
            pi = W.pair_of[patron, a]
            if pi >= 0:
                S.incidents_week[r, pi] += 1.0
    return ev


@compiled_only(nrt=False)
def sweeps(W, S, p, lev, r, day):
    """Search-and-detain sweeps scheduled after attacks."""
    P = W.place_ext.shape[0]
    due = S.sweep_due[r]
    for v in range(P):
        if due[v] == day:
            # Most days no sweep is due: the sweeps, which allocate, are a call of their own.
            _sweep(W, S, p, lev, r, day)
            return


@compiled_only
def _sweep(W, S, p, lev, r, day):
    """The sweeps due today (:func:`sweeps`)."""
    P = W.place_ext.shape[0]
    C = W.pop0.shape[0]
    A = W.actor_kind.shape[0]
    seed = S.seed[r]
    weights = np.zeros(C)
    for v in range(P):
        if S.sweep_due[r, v] != day:
            continue
        f = S.sweep_force[r, v]
        cause = S.sweep_cause[r, v]
        S.sweep_due[r, v] = -1
        if f < 0:
            continue
        S.acc[r, _SWEEPS] += 1.0
        lam = p.sweep_detentions * force_tempo(W, p, lev, day, f)
        n = poisson(lam, seed, day, SITE_SWEEP_SIZE, v, 0)
        if n <= 0:
            continue
        for c in range(C):
            weights[c] = S.pop[r, c, v]
        most = -1
        mostn = 0
        counts = np.zeros(C)
        for i in range(n):
            c = choice_weighted(weights, C, uniform(seed, day, SITE_SWEEP_SIZE, v, i + 1))
            if c < 0 or S.pop[r, c, v] < 1.0:
                continue
            S.pop[r, c, v] -= 1.0
            S.detained[r, c] += 1.0
            delay = int(lev.release_delay_days[day])
            if delay >= RING:
                delay = RING - 1
            if delay < 1:
                delay = 1
            S.release[r, (day + delay) % RING, c] += 1.0
            S.harm_week[r, c, f] += p.detention_grievance
            S.acc[r, _DETENTIONS] += 1.0
            counts[c] += 1.0
            if counts[c] > mostn:
                mostn = int(counts[c])
                most = c
        tot = 0.0
        for c in range(C):
            tot += counts[c]
        if tot <= 0.0:
            continue
        # Some of those detained were fighters of the attacking side: small true attrition.
        for j in range(A):
            if W.actor_kind[j] == KIND_JIHADIST and S.fighters[r, j, v] > 0.0:
                caught = min(S.fighters[r, j, v], p.sweep_fighter_share * tot)
                S.fighters[r, j, v] -= caught
                S.acc[r, _LOCAL_DEATHS] += caught  # removed from the population pool (held)
        ev = emit(S, r, day, EV_ARRESTS, f, CIVILIANS, v, 0, 0, M_OPERATIONS)
        link(S, r, ev, 0, CK_ATTACK, cause, float(S.ev_fat[r, cause]) if cause >= 0 else 0.0)
        link(S, r, ev, 1, CK_SWEEP, v, tot)
        link(S, r, ev, 2, CK_DETENTIONS, most, tot)
        if uniform(seed, day, SITE_SWEEP_PROTEST, v, 0) < p.protest_rate * min(1.0, tot / p.sweep_protest_detentions):
            S.acc[r, _PROTESTS] += 1.0
            pe = emit(S, r, day, EV_PROTEST, PROTESTERS, f, v, 0, 0, M_OPERATIONS)
            link(S, r, pe, 0, CK_SWEEP, v, tot)
            link(S, r, pe, 1, CK_DETENTIONS, most, tot)


@compiled_only(nrt=False)
def releases(W, S, p, r, day):
    """Detainees whose delay has run out go home (to their community's largest place).

    Returns whether a population under the floor of the communities' per-place lists rose (the lists
    must then be built again, :mod:`azalai.model.mechanisms.presence`)."""
    C, P = W.pop0.shape
    slot = day % RING
    floor = people_floor(p)
    rose = False
    for c in range(C):
        n = S.release[r, slot, c]
        if n <= 0.0:
            continue
        S.release[r, slot, c] = 0.0
        S.detained[r, c] -= n
        best = 0
        bp = -1.0
        for v in range(P):
            if S.pop[r, c, v] > bp:
                bp = S.pop[r, c, v]
                best = v
        before = S.pop[r, c, best]
        S.pop[r, c, best] += n
        mark_place(S.pop_bits[r], c, best)
        if before < floor or before == 0.0:
            rose = True
    return rose
