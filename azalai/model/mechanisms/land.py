"""Mechanism 11: land, pasture and water — farmer-herder disputes that escalate when armed.

Seed: "these networks seek to protect not just their businesses but their communities from attack,
while also trying to perpetuate their political, economic, and social positions."

Each week (docs/ODD.md §7.11), at every rural place where herders live alongside farmers or fishers, a
dispute over fields, pasture or water breaks out with a weekly probability that follows the
seasonal calendar (the rains and planting on transhumance corridors, the harvest and the herds'
return to the Delta) and rises with the communities' hostility. A dispute raises both communities'
insecurity at that place (which can make a community arm itself, §7.10). The state arbitrates a
dispute with the chance that its post can police the place — its reach, the post's size against the
men ``policing_ratio`` says the people there need, at most 1 — so a post of fifty in a place of tens
of thousands stops few disputes. Seed: "the Malian government, whose reimplantation in Mali's central
and northern regions has been halting at best." Where it does not the dispute leaves each side aggrieved at
the other community (``dispute_grievance``, §7.10), and where an armed group based on one side is
present it may escalate: that group takes revenge on the other side. If the other side's own armed
group is present and hostile to it, they fight, with chance ``dispute_battle_share`` ("Battles /
Armed clash", as between identity militias); otherwise it attacks the other side's civilians
("Violence against civilians / Attack"), which raises their grievance against it and their
insecurity in turn.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from azalai.model.events import (
    CIVILIANS, CK_COMMUNAL_HOSTILITY, CK_HOSTILITY, CK_LAND_DISPUTE, CK_SEASON, CK_STATE_ABSENT, EV_CLASH,
    EV_VAC_ATTACK, M_LAND, PAIR_CODE, emit, link,
)
from azalai.model.jit import compiled_only
from azalai.model.mechanisms.buffers import carve
from azalai.model.mechanisms.placesets import count_places, mark_place, places_into
from azalai.model.mechanisms.presence import KEEP_NONZERO, by_column_into, count_nonzero, lists_by_place, rows_into
from azalai.model.mechanisms.purses import is_armed_kind
from azalai.model.mechanisms.violence import kill_fighters
from azalai.model.rng import (
    SITE_ARBITRATE, SITE_DISPUTE, SITE_DISPUTE_BATTLE, SITE_DISPUTE_BATTLE_SIZE, SITE_ESCALATE, SITE_ESCALATE_SIZE,
    lomax, uniform,
)
from azalai.model.state import ACC, CHAIN
from azalai.model.world import LIVE_HERDING

_LAST_LINK = CHAIN - 1  # the last link of a cause chain
_DISPUTES = ACC["land_disputes"]
_COMMUNAL = ACC["communal_attacks"]
_CIV_POP = ACC["civilian_deaths_pop"]
_FAT_CIV = ACC["fatalities_civilian"]
_FAT_VAC = ACC["fatalities_vac"]
_FAT_BATTLES = ACC["fatalities_battles"]
_CLASHES = ACC["clashes"]


@compiled_only(nrt=False)
def state_reach(W, S, p, r, v):
    """Share of the people at v the state's post can police: its men over ``policing_ratio`` per person, at most 1."""
    s = W.state_actor
    if s < 0:
        return 0.0
    if S.fighters[r, s, v] < p.min_presence:
        return 0.0
    people = 0.0
    for c in range(W.pop0.shape[0]):
        people += S.pop[r, c, v]
    return _reach_of(W, S, p, r, v, people)


@njit(cache=True, inline="always")
def _reach_of(W, S, p, r, v, people):
    """:func:`state_reach` where ``people`` live at v."""
    s = W.state_actor
    if s < 0:
        return 0.0
    f = S.fighters[r, s, v]
    if f < p.min_presence:
        return 0.0
    if people <= 0.0:
        return 1.0
    return min(1.0, f / (p.policing_ratio * people))


@compiled_only(nrt=False)
def _armed_side(W, S, p, r, c, v, bptr, bidx):
    """The largest armed group based on community c present at v (-1 if none), among the actors whose
    weight in c is not zero (``bidx[bptr[c]:bptr[c + 1]]``, ascending: the others are not based on c)."""
    best = -1
    most = 0.0
    for i in range(bptr[c], bptr[c + 1]):
        g = bidx[i]
        if not is_armed_kind(W.actor_kind[g]):
            continue
        if S.active[r, g] == 0 or W.base_w[g, c] <= 0.0:
            continue
        f = S.fighters[r, g, v]
        if f >= p.min_presence and f > most:
            most = f
            best = g
    return best


@compiled_only(nrt=False)
def _escalate(W, S, p, r, day, v, g, victims, herders, farmers, hostility, pressure, reach):
    """Group g attacks civilians of ``victims`` at v after a dispute."""
    seed = S.seed[r]
    x = lomax(p.fatality_alpha, seed, day, SITE_ESCALATE_SIZE, v * PAIR_CODE + g, victims)
    fat = 1.0 + np.floor(p.communal_fatality_scale * x)
    killed = min(fat, S.pop[r, victims, v])
    if killed <= 0.0:
        return
    S.pop[r, victims, v] -= killed
    S.acc[r, _CIV_POP] += killed
    S.acc[r, _FAT_CIV] += killed
    S.acc[r, _FAT_VAC] += killed
    S.acc[r, _COMMUNAL] += 1.0
    S.harm_week[r, victims, g] += p.harm_grievance * killed
    S.harm_place[r, victims, v] += p.harm_grievance * killed
    mark_place(S.insec_bits[r], victims, v)
    ev = emit(S, r, day, EV_VAC_ATTACK, g, CIVILIANS, v, int(killed), 1, M_LAND)
    link(S, r, ev, 0, CK_LAND_DISPUTE, herders * PAIR_CODE + farmers, hostility)
    link(S, r, ev, 1, CK_SEASON, v, pressure)
    link(S, r, ev, 2, CK_STATE_ABSENT, v, reach)
    link(S, r, ev, _LAST_LINK, CK_COMMUNAL_HOSTILITY, victims * PAIR_CODE + g, W.communal[g, victims])


@compiled_only(nrt=False)
def _skirmish(W, S, p, r, day, v, g, other, herders, farmers, hostility, pressure, reach):
    """Group g fights the other side's armed group at v after a dispute (ACLED "Battles / Armed clash")."""
    seed = S.seed[r]
    x = lomax(p.fatality_alpha, seed, day, SITE_DISPUTE_BATTLE_SIZE, v * PAIR_CODE + g, other)
    fat = 1.0 + np.floor(p.communal_fatality_scale * x)
    fg = S.fighters[r, g, v]
    fo = S.fighters[r, other, v]
    lg = np.round(fat * fo / (fg + fo))
    lost = kill_fighters(W, S, r, g, v, lg) + kill_fighters(W, S, r, other, v, fat - lg)
    killed = int(np.round(lost))
    S.acc[r, _FAT_BATTLES] += killed
    S.acc[r, _CLASHES] += 1.0
    pi = W.pair_of[g, other]
    if pi >= 0:
        S.incidents_week[r, pi] += 1.0
    ev = emit(S, r, day, EV_CLASH, g, other, v, killed, 0, M_LAND)
    link(S, r, ev, 0, CK_LAND_DISPUTE, herders * PAIR_CODE + farmers, hostility)
    link(S, r, ev, 1, CK_SEASON, v, pressure)
    link(S, r, ev, 2, CK_STATE_ABSENT, v, reach)
    link(S, r, ev, _LAST_LINK, CK_HOSTILITY, g * PAIR_CODE + other, -S.rel[r, g, other])


@compiled_only(nrt=False)
def _revenge(W, S, p, r, day, v, g, victims, herders, farmers, hostility, pressure, reach, bptr, bidx):
    """After a dispute, g takes revenge on the ``victims`` side: on its armed group if one hostile to g is
    present (a battle, with chance ``dispute_battle_share``), else on its civilians (``bptr``/``bidx``: the
    actors based on each community, :func:`_armed_side`)."""
    other = _armed_side(W, S, p, r, victims, v, bptr, bidx)
    if (other >= 0 and S.rel[r, g, other] < 0.0
            and uniform(S.seed[r], day, SITE_DISPUTE_BATTLE, v * PAIR_CODE + g, other) < p.dispute_battle_share):
        _skirmish(W, S, p, r, day, v, g, other, herders, farmers, hostility, pressure, reach)
    else:
        _escalate(W, S, p, r, day, v, g, victims, herders, farmers, hostility, pressure, reach)


@compiled_only
def land_disputes(W, S, p, lev, r, day, week):
    """Weekly farmer-herder disputes by the seasonal calendar; escalation where armed and unpoliced."""
    P = W.place_ext.shape[0]
    C = W.pop0.shape[0]
    A = W.actor_kind.shape[0]
    pressure = W.season[(W.doy0 + day) % W.season.shape[0]]
    if pressure <= 0.0:
        return
    # The lists below, carved from one allocation (room for every place the communities' sets hold,
    # and for every actor of every community) and filled by :func:`_dispute_lists` without reference
    # counting.
    n = count_places(S.pop_bits[r])
    nb = count_nonzero(W.base_w)
    # cptr, cidx, lptr, lidx, nptr, nidx, room, aptr, aidx, bptr, bidx, room
    ibuf = np.empty((P + 1) + n + (C + 1) + n + (P + 1) + n + P + (A + 1) + nb + (C + 1) + nb + C, dtype=np.int64)
    build_c = p.dispute_min_pop > 0.0
    if build_c:
        cptr = ibuf[:P + 1]
        cidx = ibuf[P + 1:P + 1 + n]
    else:
        cptr, cidx = lists_by_place(S.pop[r], p.dispute_min_pop, np.ones(C, dtype=np.bool_))
    _dispute_lists(W, S, p, r, day, pressure, n, nb, ibuf, build_c, cptr, cidx)


@compiled_only(nrt=False)
def _dispute_lists(W, S, p, r, day, pressure, n, nb, ibuf, build_c, cptr, cidx):
    """The lists of :func:`land_disputes`, written into ``ibuf`` after ``cptr``/``cidx`` (its first
    ``P + 1 + n`` entries when ``build_c``), then :func:`_disputes`."""
    P = W.place_ext.shape[0]
    C = W.pop0.shape[0]
    A = W.actor_kind.shape[0]
    pop = S.pop[r]
    o = P + 1 + n
    # Per place, the communities with people there (ascending). People only leave below, and only at
    # the place being visited, so at each place the list holds the same people as at the start: the
    # totals over it are the sums over all communities (the others add exact zeros). The places where
    # each lives (placesets.places_by_row) regrouped per place (presence.by_column_into).
    lptr, o = carve(ibuf, o, C + 1)
    lidx, o = carve(ibuf, o, n)
    m = places_into(pop, S.pop_bits[r], lptr, lidx)
    nptr, o = carve(ibuf, o, P + 1)
    nidx = ibuf[o:o + m]
    o += n
    by_column_into(lptr, lidx[:m], P, nptr, nidx, ibuf[o:o + P])
    o += P
    # Per place, the communities numerous enough there (a superset afterwards).
    if build_c:
        for v in range(P + 1):
            cptr[v] = 0
        k = 0
        for v in range(P):
            for i in range(nptr[v], nptr[v + 1]):
                c = nidx[i]
                if pop[c, v] >= p.dispute_min_pop:
                    cidx[k] = c
                    k += 1
            cptr[v + 1] = k
    # Per community, the actors whose weight in it is not zero (ascending): those an armed side is sought
    # among (presence.by_column of ``W.base_w``: its rows' lists regrouped per community).
    aptr, o = carve(ibuf, o, A + 1)
    aidx, o = carve(ibuf, o, nb)
    aptr[0] = 0
    rows_into(W.base_w, 0.0, KEEP_NONZERO, aptr, aidx)
    bptr, o = carve(ibuf, o, C + 1)
    bidx, o = carve(ibuf, o, nb)
    by_column_into(aptr, aidx, C, bptr, bidx, ibuf[o:o + C])
    _disputes(W, S, p, r, day, pressure, nptr, nidx, cptr, cidx, bptr, bidx)


@compiled_only(nrt=False)
def _disputes(W, S, p, r, day, pressure, nptr, nidx, cptr, cidx, bptr, bidx):
    """The week's disputes, place by place (:func:`land_disputes`, which lists per place the communities
    with people there, ``nptr``/``nidx``, and those numerous enough, ``cptr``/``cidx``, and per community
    the actors whose weight in it is not zero, ``bptr``/``bidx``). Without reference
    counting: the loops over pairs of communities read the State's and the World's fields at every step."""
    P = W.place_ext.shape[0]
    seed = S.seed[r]
    pop = S.pop[r]
    for v in range(P):
        if W.place_ext[v] == 1:
            continue
        if cptr[v + 1] <= cptr[v] + 1:
            continue  # competition needs two communities
        people = 0.0
        for i in range(nptr[v], nptr[v + 1]):
            people += pop[nidx[i], v]
        if people > p.dispute_max_pop:
            continue  # a city: no fields or pastures to fight over
        reach = _reach_of(W, S, p, r, v, people)
        for ih in range(cptr[v], cptr[v + 1]):
            h = cidx[ih]
            if W.comm_live[h] != LIVE_HERDING or S.pop[r, h, v] < p.dispute_min_pop:
                continue
            for i_f in range(cptr[v], cptr[v + 1]):
                f = cidx[i_f]
                if W.compete[h, f] == 0 or S.pop[r, f, v] < p.dispute_min_pop:
                    continue
                hostility = max(0.0, -W.comm_rel[h, f])
                lam = p.dispute_rate * pressure * (1.0 + hostility)
                if uniform(seed, day, SITE_DISPUTE, v * PAIR_CODE + h, f) >= lam:
                    continue
                S.acc[r, _DISPUTES] += 1.0
                S.insecurity[r, h, v] += p.dispute_insecurity
                S.insecurity[r, f, v] += p.dispute_insecurity
                mark_place(S.insec_bits[r], h, v)
                mark_place(S.insec_bits[r], f, v)
                if reach > 0.0 and uniform(seed, day, SITE_ARBITRATE, v * PAIR_CODE + h, f) < reach:
                    continue  # the state arbitrates
                # Unsettled, the dispute leaves each side aggrieved at the other community (§7.10).
                S.cgriev[r, h, f] += p.dispute_grievance
                S.cgriev[r, f, h] += p.dispute_grievance
                # Each side's armed group, if one is here, may take revenge on the other side.
                gh = _armed_side(W, S, p, r, h, v, bptr, bidx)
                if gh >= 0 and uniform(seed, day, SITE_ESCALATE, v * PAIR_CODE + gh, f) < p.escalation_rate:
                    _revenge(W, S, p, r, day, v, gh, f, h, f, hostility, pressure, reach, bptr, bidx)
                gf = _armed_side(W, S, p, r, f, v, bptr, bidx)
                if gf >= 0 and uniform(seed, day, SITE_ESCALATE, v * PAIR_CODE + gf, h) < p.escalation_rate:
                    _revenge(W, S, p, r, day, v, gf, h, h, f, hostility, pressure, reach, bptr, bidx)
