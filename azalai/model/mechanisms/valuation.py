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
from azalai.model.mechanisms.violence import hostility
from azalai.model.world import KIND_INTERNATIONAL, KIND_STATE


@compiled_only
def related(W, S, r):
    """Per actor, the other actors it has a relation with or shares an accord pair with, in ascending
    order (CSR): only those can add hostile or allied strength to its places."""
    A = S.rel.shape[1]
    rel = S.rel[r]
    pair_of = W.pair_of
    ptr = np.zeros(A + 1, dtype=np.int64)
    idx = np.empty(A * A, dtype=np.int64)  # one pass: rows are filled in order (the tail is not read)
    i = 0
    for a in range(A):
        for b in range(A):
            if b != a and (rel[a, b] != 0.0 or pair_of[a, b] >= 0):
                idx[i] = b
                i += 1
        ptr[a + 1] = i
    return ptr, idx


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


@compiled_only
def largest_term(W, S, p, r, a, v, hos, ppl, bk):
    """The largest term of the value of place v to actor a, for the cause chain of an entry: its cause
    kind (0 if no term is positive) and the quantity behind it (the rent, the hostile strength, or
    the term). ``hos``: the hostile strength there (``hostile[v]`` of :func:`place_values`)."""
    k = W.actor_kind[a]
    force_like = k == KIND_STATE or k == KIND_INTERNATIONAL
    x_rent, x_pool, x_enemy, x_aim = _terms(p, k, force_like, S.place_rent_ema[r, v], ppl[v], bk[a, v], hos,
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


@compiled_only
def place_values(W, S, p, r, a, strength, val, hostile, rptr, ridx, pptr, pidx, ppl, bk, hos_at, ally_at, touched):
    """Value of every place to actor a (0 outside its area) and the hostile strength there (the largest
    term of a value, for the places where fighters are sent: :func:`largest_term`).

    ``rptr/ridx``: the actors a is related to (:func:`related`); ``pptr/pidx``: the places where each
    actor is present (a superset: presence is tested again); ``ppl[v]``: the people living at v,
    ``bk[a, v]``: the people there weighted by their support for a
    (:func:`azalai.model.mechanisms.control.people_and_support`). ``hos_at``, ``ally_at`` (zero on entry and
    on return) and ``touched`` are work arrays.

    The hostile and allied strength at each place are summed actor by actor over the related actors
    (in ascending order, as a scan of the actors present at the place would add them); at a place where
    no hostile actor is present the terms that scale with it are the exact values the formula gives
    for zero (``sqrt(0)`` is 0, and the threat divisor is 1)."""
    P = W.place_ext.shape[0]
    k = W.actor_kind[a]
    force_like = k == KIND_STATE or k == KIND_INTERNATIONAL
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
    # The rows the scan reads, looked up once (the same arrays, the same operations).
    area = W.area[a]
    aim = W.aim_w[a]
    fbase = W.force_base[a]
    bka = bk[a]
    rent = S.place_rent_ema[r]
    prot = S.protector[r]
    for v in range(P):
        val[v] = 0.0
        hostile[v] = 0.0
        if area[v] == 0:
            continue
        hos = hos_at[v]
        ally = ally_at[v]
        x_rent, x_pool, x_enemy, x_aim = _terms(p, k, force_like, rent[v], ppl[v], bka[v], hos, aim[v])
        x_ally = p.value_ally * (np.sqrt(ally / p.force_ref) if ally != 0.0 else 0.0)
        x = x_rent + x_pool + x_enemy + x_ally + x_aim + p.value_base * fbase[v]
        if hos != 0.0:
            x /= 1.0 + p.threat_weight * hos / (strength + p.force_ref)
        if prot[v] == a:
            x *= 1.0 + p.defend_premium
        val[v] = x
        hostile[v] = hos
    for i in range(nt):
        hos_at[touched[i]] = 0.0
        ally_at[touched[i]] = 0.0
