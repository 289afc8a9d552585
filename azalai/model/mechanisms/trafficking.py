"""Mechanism 1: trafficking flows, route choice, rents and their share to communities.

Seed: "the proceeds from trafficking as with other business endeavors are often distributed through
family and community networks. Additionally, these networks seek to protect not just their businesses
but their communities from attack".

Each week, traffickers of every commodity choose, from each entry node, the least expected-cost path
to an exit (route choice: :mod:`azalai.model.mechanisms.routes`). Each day convoys leave on those paths.
At every place a convoy either is seized (by an interdicting force, or by a hostile armed group that
protects the place) or pays a rent to the place's protector; part of every rent goes to the
protector's base communities, part leaks out (declared). A delivered convoy earns its owning network
a margin. Re-routing around interdiction (the "balloon effect") emerges from the risk term.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from azalai.model.events import (
    CK_MISSION_FOCUS, CK_PREDATION, CK_RENT_LOSS, CK_SEIZURE, EV_SEIZURE, M_TRAFFICKING, emit, link,
)
from azalai.model.jit import compiled_only
from azalai.model.rng import (
    SITE_CONVOY_COUNT, SITE_CONVOY_ENTRY, SITE_PREDATION, SITE_SEIZE, STREAM_KEY, poisson, uniform,
)
from azalai.model.state import ACC, DAYS_PER_WEEK, SRC_COLLUSION, SRC_MARGIN, SRC_RENT
from azalai.model.world import (
    KIND_INTERNATIONAL, KIND_JIHADIST, KIND_MILITIA, KIND_SIGNATORY, KIND_STATE, ROLE_BARKHANE, ROLE_MINUSMA, ROLE_NONE, ROLE_STATE,
    TERRAIN_DESERT, TERRAIN_LATERITE, TERRAIN_PAVED, TERRAIN_RIVER,
)

_RENT_PAID = ACC["rent_paid"]
_RENT_RECV = ACC["rent_received"]
_RENT_LEAK = ACC["rent_leaked"]
_TRANSIT = ACC["transit_value"]
_SEIZED = ACC["seized_value"]
_SEIZURES = ACC["seizures"]
_PREDATIONS = ACC["predations"]
_CONVOYS = ACC["convoys"]
_ENTERED = ACC["value_entered"]
_STATE_SEIZ = ACC["state_seizures"]
_INTL_SEIZ = ACC["international_seizures"]
_LIVELIHOOD_LOST = ACC["livelihood_lost"]
_RENT_COMM = ACC["rent_to_communities"]


# The helpers called at every place a convoy crosses take arrays, not the World and State structs, and
# are compiled without reference counting (``_nrt=False``): each struct or array handed to a helper with
# branches otherwise costs an atomic increment and decrement of its reference count per call.


@njit(cache=True, _nrt=False)
def _rent_rate(place_ext, protector, kind, rent_rate, r, v):
    if place_ext[v] == 1:
        return 0.0
    g = protector[r, v]
    if g < 0 or kind[g] == KIND_INTERNATIONAL:
        return 0.0
    return rent_rate


@njit(cache=True, inline="always")
def node_rent_rate(W, S, p, r, v):
    """Rent a convoy pays at place v, as a share of its value."""
    return _rent_rate(W.place_ext, S.protector, W.actor_kind, p.rent_rate, r, v)


@njit(cache=True, inline="always")
def terrain_factor(p, code):
    """Transport cost per km of a terrain, relative to a track."""
    if code == TERRAIN_PAVED:
        return p.terrain_paved
    if code == TERRAIN_LATERITE:
        return p.terrain_laterite
    if code == TERRAIN_RIVER:
        return p.terrain_river
    if code == TERRAIN_DESERT:
        return p.terrain_desert
    return 1.0


@njit(cache=True, inline="always")
def force_focus(W, p, lev, day, f):
    """How far force f is oriented to trafficking (0 = counter-terrorism only, 1 = counter-trafficking)."""
    role = W.actor_role[f]
    if role == ROLE_BARKHANE:
        return lev.barkhane_focus[day]
    if role == ROLE_MINUSMA:
        return p.minusma_toc_focus * lev.minusma_toc_units[day]
    return 0.0


@njit(cache=True, _nrt=False)
def seizure_hazard(roles, forces, aptr, aidx, fighters, rel, oc_unit, min_presence, q_state, ally_threshold, q_max, r, v, owner,
                   q_barkhane, q_minusma, toc_units, collusion):
    """Chance that forces seize a convoy at place v, and the force most likely to do it.

    The parameters it reads are passed one by one (``q_state``: ``interdiction_state``; ``q_max``:
    ``max_interdiction``): the whole parameter tuple would be copied at every call. The day's levers
    enter as ``q_barkhane`` (Barkhane's chance: ``interdiction_barkhane`` times its focus
    and tempo), ``q_minusma`` (``interdiction_minusma`` times MINUSMA's posture, before the place's
    organised-crime units), ``toc_units`` (MINUSMA's) and ``collusion`` (the state's). Only the actors
    with a role seize convoys: they are looked for in the shorter of ``forces`` (the actors with a role,
    :func:`list_forces`) and ``aidx[aptr[v]:aptr[v + 1]]`` (the actors present at v, a superset:
    :mod:`azalai.model.mechanisms.presence`), both in ascending order, so either visits the same forces
    in the same order."""
    q_none = 1.0
    best = -1
    best_q = 0.0
    lst, i0, i1 = aidx, aptr[v], aptr[v + 1]
    if forces.shape[0] < i1 - i0:
        lst, i0, i1 = forces, 0, forces.shape[0]
    for ia in range(i0, i1):
        f = lst[ia]
        role = roles[f]
        if role == ROLE_NONE or fighters[r, f, v] < min_presence:
            continue
        q = 0.0
        if role == ROLE_BARKHANE:
            q = q_barkhane
        elif role == ROLE_MINUSMA:
            q = q_minusma * oc_unit[v] * toc_units
        elif role == ROLE_STATE:
            q = q_state
            if owner >= 0 and rel[r, f, owner] > ally_threshold:
                q *= 1.0 - collusion
        if q > 0.0:
            q = min(q, q_max)
            q_none *= 1.0 - q
            if q > best_q:
                best_q = q
                best = f
    return 1.0 - q_none, best


@njit(cache=True, inline="always")
def count_forces(roles):
    """The number of actors with a role (the state and the international forces)."""
    n = 0
    for f in range(roles.shape[0]):
        if roles[f] != ROLE_NONE:
            n += 1
    return n


@njit(cache=True, inline="always")
def list_forces(roles, forces):
    """The actors with a role, in ascending order, written into ``forces`` (:func:`count_forces` long):
    the only ones that interdict convoys, and those whose informants assassins look for."""
    n = 0
    for f in range(roles.shape[0]):
        if roles[f] != ROLE_NONE:
            forces[n] = f
            n += 1


@njit(cache=True, _nrt=False)
def edge_between(adj_ptr, adj_nbr, adj_edge, u, v):
    for j in range(adj_ptr[u], adj_ptr[u + 1]):
        if adj_nbr[j] == v:
            return adj_edge[j]
    return -1


@njit(cache=True, _nrt=False)
def _pay_rent(kind, base_w, bidx, b0, b1, state_actor, protector, rel, cash, income, rent_week, livelihood_week,
              place_rent_week, acc, rp, r, v, value, rate, collusion):
    """Convoy pays the protector of v (at ``rate``, its node rent rate, when positive); community share
    and declared leakage split off. ``collusion``: the state's collusion lever today. ``rp``: the
    parameters it reads (``leakage_rate``, ``community_share``, ``ally_threshold``, ``collusion_cut``),
    not the whole parameter tuple, which would be copied at every call. ``bidx[b0:b1]``: the protector's
    base communities (its non-zero ``base_w``, ascending, :func:`base_lists`); the other terms of the
    sums over communities are exact zeros."""
    leakage_rate, community_share, ally_threshold, collusion_cut = rp
    g = protector[r, v]
    rent = rate * value
    if kind[g] == KIND_STATE:
        # State checkpoints: the state "looked the other way or actively profited".
        rent *= collusion
        if rent <= 0.0:
            return
    leak = leakage_rate * rent
    comm = community_share * rent
    bsum = 0.0
    for i in range(b0, b1):
        bsum += base_w[g, bidx[i]]
    if bsum <= 0.0:
        comm = 0.0  # a protector with no base community keeps the whole rent
    to_g = rent - leak - comm
    s = state_actor
    if s >= 0 and g != s and rel[r, s, g] > ally_threshold:
        cut = collusion_cut * collusion * to_g
        to_g -= cut
        cash[r, s] += cut
        income[r, s, SRC_COLLUSION] += cut
    cash[r, g] += to_g
    income[r, g, SRC_RENT] += to_g
    rent_week[r, g] += to_g
    for i in range(b0, b1):
        c = bidx[i]
        if base_w[g, c] > 0.0:
            livelihood_week[r, c] += comm * base_w[g, c]
            acc[r, _RENT_COMM] += comm * base_w[g, c]
    place_rent_week[r, v] += rent
    acc[r, _RENT_PAID] += rent
    acc[r, _RENT_RECV] += rent - leak
    acc[r, _RENT_LEAK] += leak


@njit(cache=True, inline="always")
def base_list_size(W):
    """The length of :func:`base_lists`'s array: an offset per actor and one more, and every base community."""
    A = W.base_w.shape[0]
    n = A + 1
    for a in range(A):
        for c in range(W.base_w.shape[1]):
            if W.base_w[a, c] != 0.0:
                n += 1
    return n


@njit(cache=True, inline="always")
def base_lists(W, base):
    """Each actor's base communities (non-zero ``base_w``, ascending) in ``base[base[a]:base[a + 1]]``: the
    world's, listed once for the day loop instead of by a scan of every community each day."""
    A, C = W.base_w.shape
    n = A + 1
    for a in range(A):
        base[a] = n
        for c in range(C):
            if W.base_w[a, c] != 0.0:
                base[n] = c
                n += 1
    base[A] = n


@njit(cache=True, inline="always")
def _seize(W, S, p, lev, r, day, v, seizer, owner, value, by_force, remaining, hazard):
    """A convoy is seized at v: log it, cut the owner's income, teach traffickers the risk."""
    S.acc[r, _SEIZED] += value
    S.acc[r, _SEIZURES] += 1.0
    if by_force:
        if W.actor_kind[seizer] == KIND_STATE:
            S.acc[r, _STATE_SEIZ] += 1.0
        else:
            S.acc[r, _INTL_SEIZ] += 1.0
    else:
        S.acc[r, _PREDATIONS] += 1.0
    S.seized_place_week[r, v] += value
    S.risk[r, v] += p.risk_learning * (1.0 - S.risk[r, v])
    ev = emit(S, r, day, EV_SEIZURE, seizer, owner, v, 0, 0, M_TRAFFICKING)
    if by_force:
        from_focus = 0.0
        if W.actor_role[seizer] == ROLE_BARKHANE:
            from_focus = lev.barkhane_focus[day]
        elif W.actor_role[seizer] == ROLE_MINUSMA:
            from_focus = lev.minusma_toc_units[day]
        link(S, r, ev, 0, CK_MISSION_FOCUS, seizer, from_focus)
    else:
        link(S, r, ev, 0, CK_PREDATION, seizer, hazard)
    link(S, r, ev, 1, CK_SEIZURE, v, value)
    if owner >= 0:
        # What the owner's network would have earned downstream is lost.
        lost = value * (p.owner_margin + p.rent_rate * remaining)
        S.aggr[r, owner] += min(p.aggression_cap, value / p.convoy_value)
        S.last_loss_place[r, owner] = v
        S.last_loss_day[r, owner] = day
        S.last_loss_value[r, owner] += value
        S.last_loss_by[r, owner] = seizer
        if S.rent_ref[r, owner] > 0.0:
            link(S, r, ev, 2, CK_RENT_LOSS, owner, lost / (S.rent_ref[r, owner] + lost))
        C = W.base_w.shape[1]
        for c in range(C):
            if W.base_w[owner, c] > 0.0:
                share = lost * p.community_share * W.base_w[owner, c]
                S.interdict_loss_week[r, c, seizer] += share
                S.acc[r, _LIVELIHOOD_LOST] += share
        if not by_force:
            # The seizer takes the cargo.
            S.cash[r, seizer] += value * p.owner_margin
            S.income[r, seizer, SRC_MARGIN] += value * p.owner_margin
            pi = W.pair_of[seizer, owner]
            if pi >= 0:
                S.incidents_week[r, pi] += 1.0
    return ev


@compiled_only(nrt=False)
def move_convoys(W, S, p, lev, r, day, aptr, aidx, forces, base):
    """Daily convoys: rents at every place crossed, seizures, predation and delivery. ``aptr``/``aidx``:
    per place, the actors present (:mod:`azalai.model.mechanisms.presence`), and ``forces``, the actors
    with a role (:func:`list_forces`): the forces that may seize a convoy at a place are looked for in
    the shorter of the two. ``base``: each actor's base communities (:func:`base_lists`); the sums over
    communities visit only them (every other term is an exact zero)."""
    K = W.k_value_day.shape[0]
    seed = S.seed[r]
    # The arrays read at every place crossed, looked up once (the same arrays: writes go to them too),
    # and the day's levers.
    kind = W.actor_kind
    place_ext = W.place_ext
    adj_ptr = W.adj_ptr
    adj_nbr = W.adj_nbr
    adj_edge = W.adj_edge
    base_w = W.base_w
    pair_of = W.pair_of
    path_nodes = S.path_nodes
    flow_week = S.flow_week
    protector = S.protector
    fighters = S.fighters
    rel = S.rel
    tension = S.tension
    broken = S.broken
    aggr = S.aggr
    roles = W.actor_role
    oc_unit = W.oc_unit
    cash = S.cash
    income = S.income
    rent_week = S.rent_week
    livelihood_week = S.livelihood_week
    place_rent_week = S.place_rent_week
    acc = S.acc
    q_barkhane = p.interdiction_barkhane * lev.barkhane_focus[day] * lev.barkhane_tempo[day]
    q_minusma = p.interdiction_minusma * lev.minusma_posture[day]
    toc_units = lev.minusma_toc_units[day]
    collusion = lev.state_collusion[day]
    respected = lev.business_respected[day]
    rp = (p.leakage_rate, p.community_share, p.ally_threshold, p.collusion_cut)
    for k in range(K):
        lam = W.k_value_day[k] / p.convoy_value
        n = poisson(lam, seed, day, SITE_CONVOY_COUNT, k, 0)
        ne = W.k_entry_ptr[k + 1] - W.k_entry_ptr[k]
        for i in range(n):
            slot = int(uniform(seed, day, SITE_CONVOY_ENTRY, k, i) * ne)
            if slot >= ne:
                slot = ne - 1
            L = S.path_len[r, k, slot]
            if L < 2:
                continue
            owner = S.path_owner[r, k, slot]
            value = p.convoy_value
            acc[r, _CONVOYS] += 1.0
            acc[r, _ENTERED] += value
            seized = False
            for j in range(1, L):
                v = path_nodes[r, k, slot, j]
                u_prev = path_nodes[r, k, slot, j - 1]
                e = edge_between(adj_ptr, adj_nbr, adj_edge, u_prev, v)
                if e >= 0:
                    flow_week[r, e] += value
                if place_ext[v] == 1:
                    continue
                q, force = seizure_hazard(roles, forces, aptr, aidx, fighters, rel, oc_unit, p.min_presence, p.interdiction_state, p.ally_threshold,
                                          p.max_interdiction, r, v, owner, q_barkhane, q_minusma, toc_units, collusion)
                if q > 0.0 and uniform(seed, day, SITE_SEIZE, k * STREAM_KEY + i, j) < q:
                    _seize(W, S, p, lev, r, day, v, force, owner, value, True, L - 1 - j, q)
                    seized = True
                    break
                g = protector[r, v]
                if owner >= 0 and g >= 0 and g != owner and (
                    kind[g] == KIND_SIGNATORY or kind[g] == KIND_JIHADIST or kind[g] == KIND_MILITIA
                ):
                    hostility = -rel[r, g, owner]
                    pi = pair_of[g, owner]
                    if pi >= 0:
                        hostility += p.tension_weight * tension[r, pi]
                    if hostility > 0.0:
                        restraint = 1.0
                        if pi >= 0 and broken[r, pi] == 0:
                            restraint = p.accord_restraint + (1.0 - p.accord_restraint) * (1.0 - respected)
                        h = p.predation_rate * hostility * restraint * (1.0 + aggr[r, g])
                        if uniform(seed, day, SITE_PREDATION, k * STREAM_KEY + i, j) < h:
                            _seize(W, S, p, lev, r, day, v, g, owner, value, False, L - 1 - j, h)
                            seized = True
                            break
                rate = _rent_rate(place_ext, protector, kind, p.rent_rate, r, v)
                if rate > 0.0:
                    g = protector[r, v]
                    _pay_rent(kind, base_w, base, base[g], base[g + 1], W.state_actor, protector, rel, cash,
                              income, rent_week, livelihood_week, place_rent_week, acc, rp, r, v, value, rate, collusion)
            if not seized:
                acc[r, _TRANSIT] += value
                if owner >= 0:
                    m = p.owner_margin * value
                    comm = p.community_share * m
                    cash[r, owner] += m - comm
                    income[r, owner, SRC_MARGIN] += m - comm
                    rent_week[r, owner] += m - comm
                    for ib in range(base[owner], base[owner + 1]):
                        c = base[ib]
                        if base_w[owner, c] > 0.0:
                            livelihood_week[r, c] += comm * base_w[owner, c]


@compiled_only(nrt=False)
def set_entitlements(W, S, p, r):
    """What each group and community expects from trafficking on the status-quo routes.

    Called once, on the routes chosen on the first day (before any seizure has taught traffickers
    anything): a group's entitlement is the weekly rent (and owner's margin) those routes give it;
    this is the balance of rents the accords were struck on. Communities' references are their shares.
    """
    K = W.k_value_day.shape[0]
    A = W.actor_kind.shape[0]
    C = W.base_w.shape[1]
    for a in range(A):
        S.rent_ref[r, a] = 0.0
    for c in range(C):
        S.livelihood_ref[r, c] = 0.0
    keep = 1.0 - p.leakage_rate - p.community_share
    for k in range(K):
        ne = W.k_entry_ptr[k + 1] - W.k_entry_ptr[k]
        if ne <= 0:
            continue
        weekly_value = DAYS_PER_WEEK * W.k_value_day[k] / ne
        for slot in range(ne):
            L = S.path_len[r, k, slot]
            if L < 2:
                continue
            for j in range(1, L):
                v = S.path_nodes[r, k, slot, j]
                rate = node_rent_rate(W, S, p, r, v)
                g = S.protector[r, v]
                if rate <= 0.0 or W.actor_kind[g] == KIND_STATE:
                    continue
                rent = rate * weekly_value
                S.rent_ref[r, g] += keep * rent
                for c in range(C):
                    S.livelihood_ref[r, c] += p.community_share * rent * W.base_w[g, c]
            owner = S.path_owner[r, k, slot]
            if owner >= 0:
                m = p.owner_margin * weekly_value
                S.rent_ref[r, owner] += (1.0 - p.community_share) * m
                for c in range(C):
                    S.livelihood_ref[r, c] += p.community_share * m * W.base_w[owner, c]
