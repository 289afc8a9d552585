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
* assassinations of suspected informants, in communities that cooperate with the forces;
* reprisals against civilians of hostile communities, including abuses by state forces;
* kidnappings for ransom.

Fatalities are heavy-tailed (Pareto II draws, tail index ``fatality_alpha``) and scale with the
square root of the forces engaged.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from azalai.model.events import (
    CIVILIANS, CK_LOCAL_SUPPORT, CK_AGGRESSION, CK_COMMUNAL_HOSTILITY, CK_CONTROL_SHIFT, CK_COOPERATION, CK_HOSTILITY, CK_INFORMANT_ACTIVITY, CK_LOCAL_STRENGTH, CK_RANSOM, CK_RENT_STAKE, CK_RESTRAINT_BROKEN, CK_SEIZURE, CK_SUPPORT, CK_TENSION, EV_ABDUCTION, EV_CLASH, EV_IED, EV_NSA_OVERTAKES, EV_GOV_REGAINS, EV_SHELLING, EV_VAC_ATTACK,
    M_VIOLENCE, PAIR_CODE, emit, link,
)
from azalai.model.mechanisms.control import restrained
from azalai.model.rng import (
    SITE_ASSASSIN, SITE_ATTACK, SITE_ATTACK_KIND, SITE_ATTACK_SIZE, SITE_CLASH, SITE_CLASH_SIZE, SITE_CLASH_WIN,
    SITE_ASSASSIN_SIZE, SITE_KIDNAP, SITE_REPRISAL, SITE_REPRISAL_SIZE, SITE_SWEEP, STREAM_KEY, lomax, uniform,
)
from azalai.model.state import ACC, CHAIN, SRC_RANSOM
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


@njit(cache=True, inline="always")
def _near(W, v, u):
    if u < 0:
        return False
    if u == v:
        return True
    for j in range(W.adj_ptr[v], W.adj_ptr[v + 1]):
        if W.adj_nbr[j] == u:
            return True
    return False


@njit(cache=True, inline="always")
def _kill_fighters(W, S, r, a, v, n):
    lost = min(float(n), S.fighters[r, a, v])
    S.fighters[r, a, v] -= lost
    if W.actor_kind[a] == KIND_SIGNATORY or W.actor_kind[a] == KIND_JIHADIST or W.actor_kind[a] == KIND_MILITIA:
        S.acc[r, _LOCAL_DEATHS] += lost
    return lost


@njit(cache=True, inline="always")
def _kill_civilians(W, S, p, r, v, n, by):
    """Remove n civilians at v (from communities by their share there); grievance against ``by``."""
    C = W.pop0.shape[0]
    tot = 0.0
    for c in range(C):
        tot += S.pop[r, c, v]
    if tot <= 0.0:
        return 0.0
    killed = min(float(n), tot)
    for c in range(C):
        share = S.pop[r, c, v] / tot
        k = killed * share
        S.pop[r, c, v] -= k
        if by >= 0:
            S.harm_week[r, c, by] += p.harm_grievance * k
    S.acc[r, _CIV_POP] += killed
    S.acc[r, _FAT_CIV] += killed
    return killed


@njit(cache=True)
def fill_lists(M, minv, ptr, idx):
    """Per place, the rows of M (rows x places) with at least ``minv`` there, in ascending row order,
    written into ``ptr`` (over places) and ``idx`` (rows), a CSR list built in place."""
    n = M.shape[0]
    P = M.shape[1]
    for v in range(P + 1):
        ptr[v] = 0
    for a in range(n):
        for v in range(P):
            if M[a, v] >= minv:
                ptr[v + 1] += 1
    for v in range(P):
        ptr[v + 1] += ptr[v]
    for a in range(n):
        for v in range(P):
            if M[a, v] >= minv:
                idx[ptr[v]] = a
                ptr[v] += 1
    for v in range(P, 0, -1):  # each ptr[v] now holds the end of place v: shift back to the starts
        ptr[v] = ptr[v - 1]
    ptr[0] = 0


@njit(cache=True)
def _lists_by_place(M, minv, sel):
    """Per place, the selected rows of M (rows x places) with at least ``minv`` there, in ascending row
    order (CSR: ``ptr`` over places, ``idx`` of rows)."""
    n = M.shape[0]
    P = M.shape[1]
    ptr = np.zeros(P + 1, dtype=np.int64)
    for a in range(n):
        if not sel[a]:
            continue
        for v in range(P):
            if M[a, v] >= minv:
                ptr[v + 1] += 1
    for v in range(P):
        ptr[v + 1] += ptr[v]
    idx = np.empty(ptr[P], dtype=np.int64)
    cur = ptr[:P].copy()
    for a in range(n):
        if not sel[a]:
            continue
        for v in range(P):
            if M[a, v] >= minv:
                idx[cur[v]] = a
                cur[v] += 1
    return ptr, idx


@njit(cache=True)
def present_lists(S, p, r, aptr, aidx, cptr, cidx):
    """Who is where, once a day before the violence: per place, the actors with at least
    ``min_presence`` fighters there (``aptr``/``aidx``) and the communities with at least the smaller
    of the assassination and reprisal population floors (``cptr``/``cidx``), in ascending order.

    Fighters and people only fall during the day's violence, tips and operations, so these lists
    hold everyone present at any later moment of the day (a superset): each mechanism tests presence,
    its own population floor and the kind of actor it concerns again, and so visits exactly whom a
    list built at its own start would have given, in the same order.
    """
    fill_lists(S.fighters[r], p.min_presence, aptr, aidx)
    fill_lists(S.pop[r], min(p.assassination_min_pop, p.reprisal_min_pop), cptr, cidx)


@njit(cache=True, inline="always")
def hostility(W, S, p, r, a, b):
    """Hostility of a pair: negative relation plus accord tension (signatory pairs)."""
    h = -S.rel[r, a, b]
    pi = W.pair_of[a, b]
    if pi >= 0:
        h += p.tension_weight * S.tension[r, pi]
    return h


@njit(cache=True, inline="always")
def clash_hazard(W, S, p, lev, r, day, v, a, b):
    """Daily hazard of a clash between a and b at v (0 when they are not hostile)."""
    h = hostility(W, S, p, r, a, b)
    if h <= 0.0:
        return 0.0
    fa = S.fighters[r, a, v]
    fb = S.fighters[r, b, v]
    stake = 1.0 + p.stake_weight * S.place_rent_ema[r, v] / p.rent_ref
    force = np.sqrt(min(fa, fb) / p.force_ref)
    if force > p.force_cap:
        force = p.force_cap
    restraint = 1.0
    if restrained(W, S, lev, r, day, a, b):
        restraint = p.accord_restraint
    ag = 0.0
    if _near(W, v, S.last_loss_place[r, a]):
        ag += S.aggr[r, a]
    if _near(W, v, S.last_loss_place[r, b]):
        ag += S.aggr[r, b]
    return p.clash_base * h * stake * force * restraint * (1.0 + p.aggression_weight * ag)


@njit(cache=True)
def clashes(W, S, p, lev, r, day, ptr, idx):
    """Clashes between hostile non-state groups (and the state) present at the same place.

    ``ptr``/``idx``: who is present where (:func:`present_lists`)."""
    A, P = W.fighters0.shape
    seed = S.seed[r]
    for v in range(P):
        if W.place_ext[v] == 1:
            continue
        for ia in range(ptr[v], ptr[v + 1]):
            a = idx[ia]
            ka = W.actor_kind[a]
            if ka == KIND_INTERNATIONAL or S.fighters[r, a, v] < p.min_presence:
                continue
            for ib in range(ia + 1, ptr[v + 1]):
                b = idx[ib]
                kb = W.actor_kind[b]
                if kb == KIND_INTERNATIONAL or S.fighters[r, b, v] < p.min_presence:
                    continue
                # State-versus-jihadist violence is the attacks and operations mechanisms' business.
                if (ka == KIND_STATE and kb == KIND_JIHADIST) or (kb == KIND_STATE and ka == KIND_JIHADIST):
                    continue
                lam = clash_hazard(W, S, p, lev, r, day, v, a, b)
                if lam <= 0.0 or uniform(seed, day, SITE_CLASH, v * STREAM_KEY + a, b) >= lam:
                    continue
                fa = S.fighters[r, a, v]
                fb = S.fighters[r, b, v]
                scale = p.fatality_scale * np.sqrt((fa + fb) / (2.0 * p.force_ref))
                fat = int(scale * lomax(p.fatality_alpha, seed, day, SITE_CLASH_SIZE, v * STREAM_KEY + a, b))
                la = int(round(fat * fb / (fa + fb)))
                lb = fat - la
                # Only people who were there can die: report what was actually lost.
                fat = int(round(_kill_fighters(W, S, r, a, v, la) + _kill_fighters(W, S, r, b, v, lb)))
                S.acc[r, _FAT_BATTLES] += fat
                S.acc[r, _CLASHES] += 1.0
                if ka == KIND_SIGNATORY and kb == KIND_SIGNATORY:
                    S.acc[r, _SIG_CLASH] += 1.0
                pi = W.pair_of[a, b]
                if pi >= 0:
                    S.incidents_week[r, pi] += 1.0
                # The side more aggrieved (recent losses near here) is recorded as the initiator.
                first, second = a, b
                if _near(W, v, S.last_loss_place[r, b]) and S.aggr[r, b] > S.aggr[r, a]:
                    first, second = b, a
                ev = emit(S, r, day, EV_CLASH, first, second, v, fat, 0, M_VIOLENCE)
                slot = 0
                ls = S.last_loss_place[r, first]
                if _near(W, v, ls) and S.aggr[r, first] > p.aggression_cause_min and day - S.last_loss_day[r, first] <= p.loss_memory_days:
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


@njit(cache=True)
def attacks(W, S, p, lev, r, day, fptr, fidx):
    """Jihadist attacks, IEDs and shelling on state and international posts; sweeps may follow."""
    A, P = W.fighters0.shape
    seed = S.seed[r]
    for j in range(A):
        if W.actor_kind[j] != KIND_JIHADIST:
            continue
        for v in range(P):
            if W.place_ext[v] == 1:
                continue
            posted = False  # a force present here (the list also holds other actors)
            for i_f in range(fptr[v], fptr[v + 1]):
                f = fidx[i_f]
                if W.actor_role[f] != ROLE_NONE and S.fighters[r, f, v] >= p.min_presence:
                    posted = True
                    break
            if not posted:
                continue
            reach = S.fighters[r, j, v]
            for q in range(W.adj_ptr[v], W.adj_ptr[v + 1]):
                reach += p.attack_reach * S.fighters[r, j, W.adj_nbr[q]]
            if reach < p.min_presence:
                continue
            for i_f in range(fptr[v], fptr[v + 1]):
                f = fidx[i_f]
                if W.actor_role[f] == ROLE_NONE or S.fighters[r, f, v] < p.min_presence:
                    continue
                h = -S.rel[r, j, f]
                if h <= 0.0:
                    continue
                lam = p.attack_base * h * min(np.sqrt(reach / p.force_ref), p.force_cap) * (
                    1.0 + p.support_weight * S.loc_support[r, j, v]
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
                lf = _kill_fighters(W, S, r, f, v, lf)
                lj = _kill_fighters(W, S, r, j, v, lj)
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


@njit(cache=True)
def assassinations(W, S, p, lev, r, day, ptr, idx, cptr, cidx):
    """Jihadists kill suspected informants in communities that cooperate with the forces."""
    A, P = W.fighters0.shape
    C = W.pop0.shape[0]
    seed = S.seed[r]
    nforce = 0
    for a in range(A):
        if W.actor_role[a] != ROLE_NONE:
            nforce += 1
    forces = np.empty(nforce, dtype=np.int64)
    nforce = 0
    for a in range(A):
        if W.actor_role[a] != ROLE_NONE:
            forces[nforce] = a
            nforce += 1
    for v in range(P):
        if W.place_ext[v] == 1:
            continue
        for ij in range(ptr[v], ptr[v + 1]):
            j = idx[ij]
            if W.actor_kind[j] != KIND_JIHADIST or S.fighters[r, j, v] < p.min_presence:
                continue
            for ic in range(cptr[v], cptr[v + 1]):
                c = cidx[ic]
                if S.pop[r, c, v] < p.assassination_min_pop:
                    continue
                coop = 0.0
                for i_f in range(nforce):
                    f = forces[i_f]
                    if W.actor_role[f] != ROLE_NONE and S.rel[r, j, f] < 0.0:
                        coop += S.coop[r, c, f]
                if coop <= 0.0:
                    continue
                lam = p.assassination_rate * coop * (1.0 + S.tips_recent[r, c]) * min(1.0, S.fighters[r, j, v] / p.force_ref)
                if uniform(seed, day, SITE_ASSASSIN, v * STREAM_KEY + j, c) >= lam:
                    continue
                fat = 1 + int(p.assassination_size * lomax(p.fatality_alpha, seed, day, SITE_ASSASSIN_SIZE, v * STREAM_KEY + j, c))
                if S.pop[r, c, v] < fat:
                    continue
                S.pop[r, c, v] -= fat
                killed = float(fat)
                S.acc[r, _CIV_POP] += killed
                S.acc[r, _FAT_CIV] += killed
                S.acc[r, _FAT_VAC] += killed
                S.acc[r, _ASSASSIN] += 1.0
                S.harm_week[r, c, j] += p.harm_grievance * killed
                # Fear: cooperation with the forces drops in the community.
                for i_f in range(nforce):
                    f = forces[i_f]
                    if W.actor_role[f] != ROLE_NONE:
                        S.coop[r, c, f] *= 1.0 - p.assassination_fear
                ev = emit(S, r, day, EV_VAC_ATTACK, j, CIVILIANS, v, int(killed), 1, M_VIOLENCE)
                link(S, r, ev, 0, CK_COOPERATION, c * PAIR_CODE + j, coop)
                link(S, r, ev, 1, CK_INFORMANT_ACTIVITY, c, S.tips_recent[r, c])
                link(S, r, ev, 2, CK_LOCAL_STRENGTH, j, S.fighters[r, j, v])


@njit(cache=True)
def reprisals(W, S, p, lev, r, day, ptr, idx, cptr, cidx):
    """Armed groups (and state forces) attack civilians of communities they see as hostile."""
    A, P = W.fighters0.shape
    C = W.pop0.shape[0]
    seed = S.seed[r]
    for v in range(P):
        if W.place_ext[v] == 1:
            continue
        for ia in range(ptr[v], ptr[v + 1]):
            a = idx[ia]
            ka = W.actor_kind[a]
            if ka == KIND_INTERNATIONAL or S.fighters[r, a, v] < p.min_presence:
                continue
            for ic in range(cptr[v], cptr[v + 1]):
                c = cidx[ic]
                if S.pop[r, c, v] < p.reprisal_min_pop:
                    continue
                if W.base_w[a, c] > 0.0:
                    continue
                communal = W.communal[a, c]
                enemy_support = S.enemy_support[r, a, c]
                hostile = communal + enemy_support
                if hostile <= p.reprisal_hostility_min:
                    continue
                lam = p.reprisal_rate * hostile * min(1.0, S.fighters[r, a, v] / p.force_ref)
                if ka == KIND_STATE:
                    lam *= p.state_abuse
                if uniform(seed, day, SITE_REPRISAL, v * STREAM_KEY + a, c) >= lam:
                    continue
                fat = 1 + int(p.reprisal_fatality_scale * p.fatality_scale * lomax(p.fatality_alpha, seed, day, SITE_REPRISAL_SIZE, v * STREAM_KEY + a, c))
                killed = min(float(fat), S.pop[r, c, v])
                S.pop[r, c, v] -= killed
                S.acc[r, _CIV_POP] += killed
                S.acc[r, _FAT_CIV] += killed
                S.acc[r, _FAT_VAC] += killed
                S.acc[r, _REPRISALS] += 1.0
                S.harm_week[r, c, a] += p.harm_grievance * killed
                ev = emit(S, r, day, EV_VAC_ATTACK, a, CIVILIANS, v, int(killed), 1, M_VIOLENCE)
                link(S, r, ev, 0, CK_COMMUNAL_HOSTILITY, c * PAIR_CODE + a, max(0.0, communal))
                link(S, r, ev, 1, CK_SUPPORT, c * PAIR_CODE + a, enemy_support)
                link(S, r, ev, 2, CK_LOCAL_STRENGTH, a, S.fighters[r, a, v])


@njit(cache=True)
def kidnappings(W, S, p, lev, r, day):
    """Kidnappings for ransom by jihadist groups."""
    A, P = W.fighters0.shape
    seed = S.seed[r]
    for j in range(A):
        if W.actor_kind[j] != KIND_JIHADIST:
            continue
        tot = 0.0
        where = -1
        most = 0.0
        for v in range(P):
            tot += S.fighters[r, j, v]
            if S.fighters[r, j, v] > most and W.place_ext[v] == 0:
                most = S.fighters[r, j, v]
                where = v
        if where < 0:
            continue
        lam = p.kidnap_rate * min(1.0, tot / p.force_ref)
        if uniform(seed, day, SITE_KIDNAP, j, 0) >= lam:
            continue
        S.cash[r, j] += p.ransom_value
        S.income[r, j, SRC_RANSOM] += p.ransom_value
        S.acc[r, _KIDNAP] += 1.0
        ev = emit(S, r, day, EV_ABDUCTION, j, CIVILIANS, where, 0, 1, M_VIOLENCE)
        link(S, r, ev, 0, CK_RANSOM, j, p.ransom_value)
        link(S, r, ev, 1, CK_LOCAL_STRENGTH, j, most)
