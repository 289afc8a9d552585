"""Mechanism 2: control and influence — who protects each place.

Seed: "This fueled competition among different Tuareg and Arab factions for access to lucrative
routes, government resources and the territory necessary to ensure that trade could continue
uninterrupted."

Each week the local balance of fighters, weighted by the support of the people living there, decides
who protects a place. An incumbent keeps it until a challenger is clearly stronger; a place the
accords' business provisions give to the incumbent takes a larger margin to take, in proportion to
how well those provisions are respected. Control changes hands by deal (a non-violent transfer
between parties whose accord restraint holds) or by force (a battle in which the challenger
overtakes the place).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from azalai.model.events import CK_CONTROL_SHIFT, CK_LOCAL_SUPPORT, CK_LOCAL_STRENGTH, EV_GOV_REGAINS, EV_NSA_OVERTAKES, EV_TRANSFER, M_CONTROL, emit, link
from azalai.model.jit import compiled_only
from azalai.model.mechanisms.buffers import carve
from azalai.model.mechanisms.placesets import places_into
from azalai.model.mechanisms.presence import KEEP_NONZERO, actor_lists, by_column_into, rows_into
from azalai.model.rng import SITE_CONTROL, lomax
from azalai.model.state import ACC
from azalai.model.world import KIND_INTERNATIONAL, KIND_STATE

_FAT_BATTLES = ACC["fatalities_battles"]
_LOCAL_DEATHS = ACC["local_fighter_deaths"]


@compiled_only(nrt=False)
def _add_support(pop, bits, support, ppl, sums, lptr, lidx, sptr, sidx):
    """Add to ``ppl[v]`` the people living at each place and to ``sums[a, v]`` those people weighted by
    their support for each actor (``pop``, ``support``: one replicate's communities x places and
    communities x actors; ``bits``: the places where each community may live, ``S.pop_bits[r]``).
    Writes the lists read: per community, the places where it lives (``lptr``/``lidx``: room for C + 1
    and C * P entries, :func:`placesets.places_by_row`'s, written by :func:`placesets.places_into`) and the
    actors it supports (``sptr``/``sidx``: C + 1 and C * A, :func:`presence.by_row`'s (not zero), written by
    :func:`presence.rows_into`), ascending.

    Only the communities living at a place and the actors they support contribute (the other terms
    are exact zeros, which leave a sum unchanged): a community at a time, in ascending order, so each
    sum takes its terms in the order of a scan of the communities; the few non-zero terms are added
    in place."""
    places_into(pop, bits, lptr, lidx)  # per community, the places where it lives
    sptr[0] = 0
    rows_into(support, 0.0, KEEP_NONZERO, sptr, sidx)  # per community, the actors it supports
    for c in range(pop.shape[0]):
        sup = support[c]
        for i in range(lptr[c], lptr[c + 1]):
            v = lidx[i]
            x = pop[c, v]
            ppl[v] += x
            for j in range(sptr[c], sptr[c + 1]):
                a = sidx[j]
                sums[a, v] += x * sup[a]


@njit(cache=True, inline="always")
def _support_ints(A, C, P):
    """Integers of the work buffer of :func:`_local_support`, in the order it carves them: the lists of
    :func:`_add_support`, per place the communities living there, a row over the actors and one over the
    places."""
    return (C + 1) + C * P + (C + 1) + C * A + (P + 1) + C * P + A + P


@njit(cache=True, inline="always")
def _control_ints(A, C, P):
    """Integers of the work buffer of :func:`update_control`: :func:`_local_support`'s, then (in the same
    room) the actors' lists of :func:`presence.actor_lists` (P + 1 and A * P, A + 1 and A * P)."""
    return max(_support_ints(A, C, P), (P + 1) + A * P + (A + 1) + A * P)


@compiled_only
def local_support(W, S, r):
    """Population-weighted support of each actor at each place (stored in ``loc_support``): the sums
    :func:`_add_support` adds into it, then divided by the people there; a zero sum is a zero
    share without the division (0.0 / ppl is 0.0).

    A sum is not zero only where a community that supports the actor lives: place by place, the actors
    supported by the communities living there are visited (each once: ``seen[a] == v`` marks those
    already divided at v), instead of every actor at every place; the others stay exactly zero."""
    A, P = W.fighters0.shape
    _local_support(W, S, r, np.empty(P), np.empty(_support_ints(A, W.pop0.shape[0], P), dtype=np.int64))


@compiled_only(nrt=False)
def _local_support(W, S, r, ppl, ibuf):
    """The shares of :func:`local_support`, written into ``S.loc_support[r]``; ``ppl``: room for the people
    at each place, zeroed here (as np.zeros made it); ``ibuf``: room for :func:`_support_ints` integers,
    carved into the lists below, each written before it is read."""
    A, P = W.fighters0.shape
    C = W.pop0.shape[0]
    loc = S.loc_support[r]
    for a in range(A):
        for v in range(P):
            loc[a, v] = 0.0
    for v in range(P):
        ppl[v] = 0.0
    o = 0
    lptr, o = carve(ibuf, o, C + 1)
    lidx, o = carve(ibuf, o, C * P)
    sptr, o = carve(ibuf, o, C + 1)
    sidx, o = carve(ibuf, o, C * A)
    nptr, o = carve(ibuf, o, P + 1)
    nidx, o = carve(ibuf, o, C * P)
    seen, o = carve(ibuf, o, A)
    cur = ibuf[o:o + P]
    _add_support(S.pop[r], S.pop_bits[r], S.support[r], ppl, loc, lptr, lidx, sptr, sidx)
    # Per place, the communities living there, ascending: the places where each lives regrouped per place
    # (:func:`presence.by_column_into`).
    by_column_into(lptr, lidx, P, nptr, nidx, cur)
    for a in range(A):
        seen[a] = -1
    for v in range(P):
        for i in range(nptr[v], nptr[v + 1]):
            c = nidx[i]
            for j in range(sptr[c], sptr[c + 1]):
                a = sidx[j]
                if seen[a] == v:
                    continue
                seen[a] = v
                x = loc[a, v]
                if x != 0.0:
                    loc[a, v] = x / ppl[v] if ppl[v] > 0.0 else 0.0


@njit(cache=True, inline="always")
def restrained(W, S, lev, r, day, a, b):
    """Whether an accord's restraint currently binds a and b (both parties, pair not broken)."""
    pa = W.sig[a] == 1 or W.actor_kind[a] == KIND_STATE
    pb = W.sig[b] == 1 or W.actor_kind[b] == KIND_STATE
    if not (pa and pb):
        return False
    pi = W.pair_of[a, b]
    if pi >= 0:
        return S.broken[r, pi] == 0
    return True


@compiled_only
def update_control(W, S, p, lev, r, day, week):
    """Weekly: the strongest locally supported actor protects each place."""
    A, P = W.fighters0.shape
    # One float and one integer buffer serve local support and the update, one after the other.
    ppl = np.empty(P)
    ibuf = np.empty(_control_ints(A, W.pop0.shape[0], P), dtype=np.int64)
    _local_support(W, S, r, ppl, ibuf)
    _control(W, S, p, lev, r, day, week, ibuf)


@compiled_only(nrt=False)
def _control(W, S, p, lev, r, day, week, ibuf):
    """Who protects each place (:func:`update_control`, after local support), written into
    ``S.protector[r]``; ``ibuf``: room for the lists of :func:`presence.actor_lists` (P + 1 and A * P,
    A + 1 and A * P integers), written there before they are read."""
    A, P = W.fighters0.shape
    seed = S.seed[r]
    # The arrays the loops below read, looked up once (the same arrays, the same operations).
    fi = S.fighters[r]
    loc = S.loc_support[r]
    kind = W.actor_kind
    prot = S.protector[r]
    ext = W.place_ext
    # Per place, the actors present (in ascending order); fighters fall below only at the place decided.
    # :func:`presence.actor_lists`, from the places where each actor has fighters (gptr/gidx).
    o = 0
    aptr, o = carve(ibuf, o, P + 1)
    aidx, o = carve(ibuf, o, A * P)
    gptr, o = carve(ibuf, o, A + 1)
    gidx = ibuf[o:o + A * P]
    actor_lists(S, p, r, aptr, aidx, gptr, gidx)
    for v in range(P):
        if ext[v] == 1:
            continue
        best = -1
        bs = 0.0
        for i in range(aptr[v], aptr[v + 1]):
            a = aidx[i]
            if kind[a] == KIND_INTERNATIONAL or fi[a, v] < p.min_presence:
                continue
            st = fi[a, v] * (1.0 + p.support_weight * loc[a, v])
            if st > bs:
                bs = st
                best = a
        cur = prot[v]
        if best < 0:
            if cur >= 0 and fi[cur, v] < p.min_presence:
                prot[v] = -1
            continue
        if cur < 0 or fi[cur, v] < p.min_presence:
            if cur >= 0 and week > 0:
                ev = emit(S, r, day, EV_TRANSFER, best, cur, v, 0, 0, M_CONTROL)
                link(S, r, ev, 0, CK_CONTROL_SHIFT, v, 0.0)
                link(S, r, ev, 1, CK_LOCAL_STRENGTH, best, fi[best, v])
            prot[v] = best
            continue
        if best == cur:
            continue
        cs = fi[cur, v] * (1.0 + p.support_weight * loc[cur, v])
        margin = (1.0 + p.control_hysteresis) * (1.0 + p.deal_weight * lev.business_respected[day] * W.entitled[cur, v])
        if bs <= margin * cs:
            continue
        ratio = bs / cs if cs > 0.0 else bs
        if restrained(W, S, lev, r, day, best, cur) or S.rel[r, best, cur] >= 0.0:
            ev = emit(S, r, day, EV_TRANSFER, best, cur, v, 0, 0, M_CONTROL)
        else:
            scale = p.fatality_scale * np.sqrt((fi[best, v] + fi[cur, v]) / (2.0 * p.force_ref))
            fat = int(scale * lomax(p.fatality_alpha, seed, day, SITE_CONTROL, v, 0))
            lost = min(float(fat), fi[cur, v])
            fi[cur, v] -= lost
            fat = int(round(lost))
            if W.actor_kind[cur] != KIND_STATE:
                S.acc[r, _LOCAL_DEATHS] += lost
            S.acc[r, _FAT_BATTLES] += fat
            etype = EV_GOV_REGAINS if W.actor_kind[best] == KIND_STATE else EV_NSA_OVERTAKES
            ev = emit(S, r, day, etype, best, cur, v, fat, 0, M_CONTROL)
            pi = W.pair_of[best, cur]
            if pi >= 0:
                S.incidents_week[r, pi] += 1.0
        link(S, r, ev, 0, CK_CONTROL_SHIFT, v, ratio)
        link(S, r, ev, 1, CK_LOCAL_STRENGTH, best, fi[best, v])
        link(S, r, ev, 2, CK_LOCAL_SUPPORT, best, loc[best, v])
        prot[v] = best
