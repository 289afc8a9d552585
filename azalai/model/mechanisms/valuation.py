"""Mechanism 9 (continued): what each place is worth to an armed actor (docs/ODD.md §7.9).

Seed: "This fueled competition among different Tuareg and Arab factions for access to lucrative
routes, government resources and the territory necessary to ensure that trade could continue
uninterrupted."

The value of a place to an actor: the rents at stake there, its supporters (or, for the state and
international forces, the people threatened by armed enemies), the enemies and allies present, its
declared aims and a force's own bases; discounted by insecurity, raised by what it must defend. The
deployment that follows from these values is in :mod:`azalai.model.mechanisms.movement`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from azalai.model.events import CK_AIM, CK_ENEMIES_PRESENT, CK_POOL, CK_RENT_STAKE
from azalai.model.jit import compiled_only
from azalai.model.mechanisms.placesets import places_into
from azalai.model.mechanisms.presence import SCAN_BLOCK, back_to_starts, starts_from_counts
from azalai.model.mechanisms.violence import hostility
from azalai.model.world import KIND_INTERNATIONAL, KIND_STATE


@njit(cache=True, inline="always")
def _relates(rel, pair_of, a, b):
    """Whether a has a relation with b or shares an accord pair with it."""
    return rel[a, b] != 0.0 or pair_of[a, b] >= 0


@compiled_only(nrt=False)
def related(W, S, r, ptr, idx):
    """Per actor, the other actors it has a relation with or shares an accord pair with, in ascending
    order (CSR), written into ``ptr`` (room for A + 1) and ``idx`` (room for A * A): only those can add
    hostile or allied strength to its places. Each row is tested ``SCAN_BLOCK`` actors at a time, single
    actors only in a block where one is related (most are not)."""
    A = S.rel.shape[1]
    rel = S.rel[r]
    pair_of = W.pair_of
    ptr[0] = 0
    full = A - A % SCAN_BLOCK
    i = 0
    for a in range(A):
        for b0 in range(0, full, SCAN_BLOCK):
            hit = False
            for k in range(SCAN_BLOCK):
                hit |= (rel[a, b0 + k] != 0.0) | (pair_of[a, b0 + k] >= 0)
            if not hit:
                continue
            for b in range(b0, b0 + SCAN_BLOCK):
                if b != a and _relates(rel, pair_of, a, b):
                    idx[i] = b
                    i += 1
        for b in range(full, A):
            if b != a and _relates(rel, pair_of, a, b):
                idx[i] = b
                i += 1
        ptr[a + 1] = i


@njit(cache=True, inline="always")
def _terms(p, k, force_like, rent, people, backers, hos, aim):
    """The rent, pool, enemy and aim terms of a place's value (see :func:`place_values`)."""
    x_rent = 0.0
    if k != KIND_INTERNATIONAL:
        x_rent = p.value_rent * rent / p.rent_ref
    if hos != 0.0:
        if force_like:
            # People to protect, where armed enemies threaten them.
            x_pool = p.value_pool * np.sqrt(people / p.pool_ref) * min(1.0, hos / p.force_ref)
        else:
            x_pool = p.value_pool * backers / p.pool_ref
        x_enemy = p.value_enemy * np.sqrt(hos / p.force_ref)
    else:
        x_pool = p.value_pool * 0.0 if force_like else p.value_pool * backers / p.pool_ref
        x_enemy = p.value_enemy * 0.0
    return x_rent, x_pool, x_enemy, p.value_aim * aim


@compiled_only(nrt=False)
def largest_term(W, S, p, r, a, v, hos, people, backers):
    """The largest term of the value of place v to actor a, for the cause chain of an entry: its cause
    kind (0 if no term is positive) and the quantity behind it (the rent, the hostile strength, or
    the term). ``hos``: the hostile strength there (``hostile[v]`` of :func:`place_values`); ``people``,
    ``backers``: the people living there and those weighted by their support for a."""
    k = W.actor_kind[a]
    force_like = k == KIND_STATE or k == KIND_INTERNATIONAL
    x_rent, x_pool, x_enemy, x_aim = _terms(p, k, force_like, S.place_rent_ema[r, v], people, backers, hos,
                                            W.aim_w[a, v])
    t = CK_RENT_STAKE
    tv = x_rent
    if x_pool > tv:
        t = CK_POOL
        tv = x_pool
    if x_enemy > tv:
        t = CK_ENEMIES_PRESENT
        tv = x_enemy
    if x_aim > tv:
        t = CK_AIM
        tv = x_aim
    if not tv > 0.0:
        return 0, 0.0
    if t == CK_RENT_STAKE:
        return t, S.place_rent_ema[r, v]
    if t == CK_ENEMIES_PRESENT:
        return t, hos
    return t, tv


@compiled_only(nrt=False)
def people_and_supporters(S, r, ppl, lptr, lidx, cptr, cidx):
    """People living at each place (``ppl[v]``, room for P), and the lists :func:`backers` reads: per
    community, the places where it lives (``lptr``/``lidx``, ascending; room for C + 1 and C * P), and
    per actor, the communities that support it (``cptr``/``cidx``, ascending; room for A + 1 and C * A)."""
    pop = S.pop[r]
    support = S.support[r]
    C, P = pop.shape
    A = support.shape[1]
    for v in range(P):
        ppl[v] = 0.0
    places_into(pop, S.pop_bits[r], lptr, lidx)  # per community, the places where it lives
    for c in range(C):
        for i in range(lptr[c], lptr[c + 1]):
            ppl[lidx[i]] += pop[c, lidx[i]]
    # Per actor, the communities that support it (an entry that is not zero), ascending: the lists of
    # presence.by_column(support, 0.0, KEEP_NONZERO), entry for entry, read column by column.
    cptr[0] = 0
    i = 0
    for a in range(A):
        for c in range(C):
            if support[c, a] != 0.0:
                cidx[i] = c
                i += 1
        cptr[a + 1] = i


@compiled_only(nrt=False)
def backers(pop, support, a, lptr, lidx, cptr, cidx, row, seen, blist):
    """The people at each place weighted by their support for actor a, added into ``row`` (zero on entry):
    the sums of :func:`azalai.model.mechanisms.control._add_support` bit for bit (each takes its terms
    community by community, in ascending order, over the communities that live there and support a; the
    other terms are exact zeros). The places where ``row`` is not zero are listed, unsorted, in ``blist``
    (``seen[v] == a`` marks them; ``seen`` holds no a on entry); returns their number. ``pop``,
    ``support``: one replicate's communities x places and communities x actors; the lists: those of
    :func:`people_and_supporters`."""
    n = 0
    for j in range(cptr[a], cptr[a + 1]):
        c = cidx[j]
        s = support[c, a]
        for i in range(lptr[c], lptr[c + 1]):
            v = lidx[i]
            row[v] += pop[c, v] * s
            if seen[v] != a:
                seen[v] = a
                blist[n] = v
                n += 1
    return n


@compiled_only(nrt=False)
def protected_by(S, r, A, ptr, idx):
    """Per actor, the places it protects (CSR, ascending), written into ``ptr`` (room for A + 1) and
    ``idx`` (room for P): each place counted for its protector, the counts summed into the starts of
    the lists, and the places written in ascending order at their protector's next slot (so each list is
    ascending)."""
    prot = S.protector[r]
    P = prot.shape[0]
    for a in range(A + 1):
        ptr[a] = 0
    for v in range(P):
        if prot[v] >= 0:
            ptr[prot[v] + 1] += 1
    starts_from_counts(ptr, A)
    for v in range(P):
        if prot[v] >= 0:
            a = prot[v]
            idx[ptr[a]] = v
            ptr[a] += 1
    back_to_starts(ptr, A)


@compiled_only(nrt=False)
def rent_terms(p, S, r, xr, pl):
    """The rent term of each place's value (as :func:`_terms` computes it for an actor that is not an
    international force), written into ``xr``, and the places where it is positive, ascending, into
    ``pl`` (room for P each); returns their number."""
    rent = S.place_rent_ema[r]
    P = rent.shape[0]
    n = 0
    for v in range(P):
        x = p.value_rent * rent[v] / p.rent_ref
        xr[v] = x
        if x > 0.0:
            pl[n] = v
            n += 1
    return n


@njit(cache=True, inline="always")
def _pays(row, cost, x, v, u):
    """Whether the rent term x of v pays for the distance from u (``row``: the distances from v), u not v."""
    return u != v and cost * row[u] < x


@compiled_only(nrt=False)
def rent_reach(W, p, xr, rent_pl, npl, far, head, ptr, idx):
    """Per place u, the other places v whose rent term pays for the distance from u:
    ``move_cost_km * dist_km[u, v] < xr[v]``, which is the test ``xr[v] - move_cost_km * d > 0`` of a
    move's net value (CSR over u, each list ascending), written into ``ptr`` (room for P + 1) and
    ``idx`` (room for P * P); ``rent_pl[:npl]``: the places whose rent term is positive, ascending
    (:func:`rent_terms`); ``far``, ``head``: room for P each.

    A place is visited only if the test passes for its nearest neighbour on the route network: the
    distances come from shortest paths over the routes (``world.route_distances``), each a sum of
    route lengths that is at least the distance to the path's first neighbour, so no other place is
    nearer (with a cost per km that is not positive every place is visited).

    With a positive cost per km, ``cost * d`` does not decrease as d grows (a product by a positive
    float is monotone), so the places that pass for v are the head of v's others sorted by distance
    (``W.dist_order``): they are read from the nearest until the first that fails, instead of every
    place. The distances are symmetric bit for bit, ``dist_km[v, u] == dist_km[u, v]``
    (world.route_distances: each step of Floyd-Warshall adds the same two terms for (u, v) as for
    (v, u), and a sum of two floats does not depend on their order), so row v is read.

    The pairs are found twice, v by v in ascending order: the first pass counts each u's (and keeps the
    length of v's head), the second writes v at u's next slot. So each u's list is ascending, the list a
    regrouping of the pairs listed v by v gives, without a list of the pairs."""
    P = W.place_ext.shape[0]
    dist = W.dist_km
    order = W.dist_order
    adj_ptr = W.adj_ptr
    adj_nbr = W.adj_nbr
    cost = p.move_cost_km
    nf = 0
    for j in range(npl):
        v = rent_pl[j]
        if cost > 0.0:
            m = np.inf
            for e in range(adj_ptr[v], adj_ptr[v + 1]):
                d = dist[v, adj_nbr[e]]
                if d < m:
                    m = d
            if not cost * m < xr[v]:
                continue
        far[nf] = v
        nf += 1
    for u in range(P + 1):
        ptr[u] = 0
    for j in range(nf):
        v = far[j]
        x = xr[v]
        row = dist[v]
        if cost > 0.0:
            near = order[v]
            h = P
            for k in range(P):
                u = near[k]
                if not cost * row[u] < x:
                    h = k
                    break
                if u != v:
                    ptr[u + 1] += 1
            head[j] = h
        else:
            for u in range(P):
                if _pays(row, cost, x, v, u):
                    ptr[u + 1] += 1
    starts_from_counts(ptr, P)
    for j in range(nf):
        v = far[j]
        x = xr[v]
        row = dist[v]
        if cost > 0.0:
            near = order[v]
            for k in range(head[j]):  # every place of the head passes the test
                u = near[k]
                if u != v:
                    idx[ptr[u]] = v
                    ptr[u] += 1
        else:
            for u in range(P):
                if _pays(row, cost, x, v, u):
                    idx[ptr[u]] = v
                    ptr[u] += 1
    back_to_starts(ptr, P)


@compiled_only(nrt=False)
def hostile_allied(W, S, p, r, a, rptr, ridx, pptr, pidx, hos_at, ally_at, touched):
    """Add into ``hos_at`` and ``ally_at`` the hostile and allied strength at each place where a related
    actor is present, actor by actor over the related actors (in ascending order, as a scan of the
    actors present at the place would add them); the places touched are listed in ``touched``.
    Returns their number. ``rptr/ridx``: the actors a is related to (:func:`related`); ``pptr/pidx``:
    the places where each actor has fighters (a superset: presence is tested again)."""
    nt = 0
    fi = S.fighters[r]  # looked up once (the same array): no reference counting in the loop below
    for i in range(rptr[a], rptr[a + 1]):
        b = ridx[i]
        h = hostility(W, S, p, r, a, b)
        rab = S.rel[r, a, b]
        if not (h > 0.0 or rab > 0.0):
            continue
        for j in range(pptr[b], pptr[b + 1]):
            v = pidx[j]
            fb = fi[b, v]
            if fb < p.min_presence:
                continue
            if hos_at[v] == 0.0 and ally_at[v] == 0.0:
                touched[nt] = v
                nt += 1
            if h > 0.0:
                hos_at[v] += h * fb
            else:
                ally_at[v] += rab * fb
    return nt


@compiled_only(nrt=False)
def place_values(W, S, p, r, a, strength, cand, nc, val, hostile, ppl, bka, hos_at, ally_at, valued):
    """Value of the places ``cand[:nc]`` to actor a (0 outside its area) and the hostile strength there
    (the largest term of a value, for the places where fighters are sent: :func:`largest_term`).

    ``ppl[v]``: the people living at v, ``bka[v]``: the people there weighted by their support for a
    (:func:`people_and_supporters`, :func:`backers`); ``hos_at``, ``ally_at``: the hostile and allied strength at each
    place (:func:`hostile_allied`); ``valued[v] == a`` marks a's aims and bases (``S.valued_at``: elsewhere
    its aim weight and its base flag are zero, and are not read). At a place where no hostile actor is present the terms that scale
    with it are the exact values the formula gives for zero (``sqrt(0)`` is 0, and the threat divisor
    is 1).

    Elsewhere than at a's posts, the places where related actors are present, its backers, its aims,
    its bases and the places it protects, every term but the rent is an exact zero, so a place's value
    is its rent term (:func:`rent_terms`): the movement lists only the places where that term pays
    for the distance from a post (:func:`rent_reach`)."""
    k = W.actor_kind[a]
    force_like = k == KIND_STATE or k == KIND_INTERNATIONAL
    # The rows the scan reads, looked up once (the same arrays, the same operations).
    area = W.area[a]
    aim = W.aim_w[a]
    fbase = W.force_base[a]
    rent = S.place_rent_ema[r]
    prot = S.protector[r]
    for i in range(nc):
        v = cand[i]
        val[v] = 0.0
        hostile[v] = 0.0
        if area[v] == 0:
            continue
        hos = hos_at[v]
        ally = ally_at[v]
        aim_v = 0.0
        base_v = 0
        if valued[v] == a:
            aim_v = aim[v]
            base_v = fbase[v]
        x_rent, x_pool, x_enemy, x_aim = _terms(p, k, force_like, rent[v], ppl[v], bka[v], hos, aim_v)
        x_ally = p.value_ally * (np.sqrt(ally / p.force_ref) if ally != 0.0 else 0.0)
        x = x_rent + x_pool + x_enemy + x_ally + x_aim + p.value_base * base_v
        if hos != 0.0:
            x /= 1.0 + p.threat_weight * hos / (strength + p.force_ref)
        if prot[v] == a:
            x *= 1.0 + p.defend_premium
        val[v] = x
        hostile[v] = hos
