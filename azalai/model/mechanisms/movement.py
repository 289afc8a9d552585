"""Mechanism 9: movement — armed actors take their fighters where the places are worth most to them.

Seed: "This fueled competition among different Tuareg and Arab factions for access to lucrative
routes, government resources and the territory necessary to ensure that trade could continue
uninterrupted." And: "the Malian government, whose reimplantation in Mali's central and northern
regions has been halting at best."

Each week every armed actor values each place it may deploy to (docs/ODD.md §7.9):

* the rents at stake there (routes), the supporters it has there (its recruitment pool and the
  people it protects; for the state and international forces, the people there where armed enemies
  threaten them), the enemies
  present (targets) and allies present, its declared aims, and a force's own bases;
* discounted by insecurity — the hostile strength there against the actor's whole strength;
* raised by what it must defend (a place it protects is worth more);
* less the cost of distance along the route network from its nearest post;
* for a clandestine (jihadist) group, divided by 1 + its own fighters there over ``cell_size``: its
  cells live hidden among the villages, and massing them in one place is worth less (seed: "smaller-scale
  assassinations and clashes in central and northern Mali" — the hit-and-run of small cells).

Its target deployment concentrates its strength on the places of highest net value (smaller targets
than ``min_group`` are dropped); each week it closes a share of the gap (``move_rate``; for
international forces ``force_move_rate``; for the state the redeployment lever). Fighters leave,
travel along the routes (``travel_km_per_day``; they are nowhere while in transit) and arrive weeks
later. A group arriving where it was absent has entered the place ("Headquarters or base
established"); a group whose last fighters leave has left it ("Change to group/activity"); control
and clashes there are the control and violence mechanisms' business. Forces (the state, and the
international forces) move toward the size their force-size levers set, replacing losses.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from azalai.model.events import (
    CK_BETTER_PLACE, CK_ENEMIES_PRESENT, CK_LOCAL_STRENGTH, CK_MOVED_FROM, CK_PLACE_VALUE, CK_RENT_STAKE, EV_BASE,
    EV_GROUP_CHANGE, M_MOVEMENT, NOBODY, emit, link,
)
from azalai.model.jit import compiled_only
from azalai.model.mechanisms.buffers import carve
from azalai.model.mechanisms.marks import carve_marks, mark_words, marked, sort_marked
from azalai.model.mechanisms.placesets import mark_place, places_into, row_places
from azalai.model.mechanisms.presence import KEEP_NONZERO, SHORT_LIST, row_kept, sort_head
from azalai.model.mechanisms.valuation import (
    backers, hostile_allied, largest_term, people_and_supporters, place_values, protected_by, related, rent_reach, rent_terms,
)
from azalai.model.state import ACC, CHAIN, DAYS_PER_WEEK, WEEKS_PER_YEAR
from azalai.model.world import KIND_INTERNATIONAL, KIND_JIHADIST, KIND_STATE, ROLE_BARKHANE, ROLE_MINUSMA, ROLE_STATE

_LAST_LINK = CHAIN - 1  # the last link of a cause chain
# The rows of the two work buffers of :func:`_move` (rows of places; the integer rows one slot longer, for
# the slot past a full list of candidates, see _add_place), and their numbers of rows.
_VAL, _HOSTILE, _TGT, _OUT, _DMIN, _BKA, _HOS_AT, _ALLY_AT, MOVE_FLOAT_ROWS = range(9)
_POSTS, _POS, _SEEN, _TL, _UN, _BIDX, _BSEEN, _TOUCHED, _CAND, _VALUED, MOVE_INT_ROWS = range(11)
_ENTERED = ACC["places_entered"]
_LEFT = ACC["places_left"]
_REINFORCED = ACC["force_reinforced"]
_WITHDRAWN = ACC["force_withdrawn"]


@njit(cache=True, inline="always")
def add_to_ring(tr, legs, due, bits, a, v, slot, x):
    """Fighters of actor a set out for v, arriving in the week of ``slot``; ``tr``, ``legs`` and ``due``
    are a's rows of ``S.transit[r]``, ``S.transit_n[r]`` and ``S.transit_due[r]``, ``bits`` is
    ``S.transit_bits[r]`` (arrays, not the State struct, so that the loop over places costs no reference
    counting). ``legs[v]`` counts the slots of the ring of v that are not zero, so that a scan can skip a
    place nobody is travelling to (its slots add exact zeros); ``due[slot]`` the places whose slot is not
    zero, so that the arrivals of a week visit only the actors somebody of theirs arrives for, until the
    last of them; a's set of places on the road (mechanisms/placesets.py) gets v, so that they read a's
    places without a scan of every place."""
    y = tr[v, slot]
    z = y + x
    tr[v, slot] = z
    if y == 0.0 and z != 0.0:
        legs[v] += 1
        due[slot] += 1
        mark_place(bits, a, v)


@njit(cache=True, inline="always")
def _add_place(cand, n, seen, a, v):
    """Append v to ``cand[:n]`` unless it is already listed for actor a (``seen``); returns the new length.
    (Without a branch: the slot past the list is written either way.)"""
    cand[n] = v
    n += seen[v] != a
    seen[v] = a
    return n


@compiled_only(nrt=False)
def arrivals(W, S, p, r, day, week, at):
    """Fighters whose journey ends this week arrive; a group arriving where it was absent enters it.
    ``at``: room for a list of places."""
    A = W.fighters0.shape[0]
    TW = S.transit.shape[-1]
    slot = week % TW
    on_road = S.transit_n[r]
    for a in range(A):
        due = S.transit_due[r, a]
        left = due[slot]  # the places whose slot is not zero: none are left after the last of them
        if left == 0:
            continue
        tr = S.transit[r, a]  # looked up once per actor (the same array)
        legs = on_road[a]
        # The places somebody is on the road to (elsewhere the ring holds only zeros), ascending, from a's
        # set of them (placesets.row_places), listed before any arrive; visited until the last of those
        # whose slot is not zero.
        n = row_places(on_road, S.transit_bits[r], a, at, 0)
        for i in range(n):
            if left == 0:
                break
            v = at[i]
            x = tr[v, slot]
            if x == 0.0:
                continue
            left -= 1
            if x < 0.0:
                continue
            tr[v, slot] = 0.0
            legs[v] -= 1
            due[slot] -= 1
            was = S.fighters[r, a, v]
            now = was + x
            S.fighters[r, a, v] = now
            mark_place(S.fighter_bits[r], a, v)
            if was < p.min_presence and now >= p.min_presence and W.place_ext[v] == 0:
                other = S.protector[r, v]
                S.acc[r, _ENTERED] += 1.0
                ev = emit(S, r, day, EV_BASE, a, other if other != a else NOBODY, v, 0, 0, M_MOVEMENT)
                link(S, r, ev, 0, CK_PLACE_VALUE, v, S.mv_value[r, a, v])
                if S.mv_term[r, a, v] > 0:
                    link(S, r, ev, 1, S.mv_term[r, a, v], v if S.mv_term[r, a, v] == CK_RENT_STAKE else a,
                         S.mv_termval[r, a, v])
                u = S.mv_from[r, a, v]
                if u >= 0:
                    link(S, r, ev, 2, CK_MOVED_FROM, u, W.dist_km[u, v])
                link(S, r, ev, _LAST_LINK, CK_LOCAL_STRENGTH, a, now)


@compiled_only(nrt=False)
def resize_force(W, S, p, lev, r, day, a, buf, places):
    """A force moves toward the size its lever sets: losses replaced, reinforcements, draw-downs.
    ``buf``: rows of room for lists of places (the first two are written); ``places``: marks over the
    places, none set (:func:`marks.marks`)."""
    TW = S.transit.shape[-1]
    role = W.actor_role[a]
    m = 1.0
    if role == ROLE_STATE:
        m = lev.fama_troops[day]
    elif role == ROLE_BARKHANE:
        m = lev.barkhane_troops[day]
    elif role == ROLE_MINUSMA:
        m = lev.minusma_troops[day]
    # a's rows, looked up once (the same arrays, the same operations).
    fa = S.fighters[r, a]
    f0 = W.fighters0[a]
    fbase = W.force_base[a]
    tra = S.transit[r, a]
    legs = S.transit_n[r, a]
    # The places where the force has fighters at the start, now or on the road, ascending: those of its
    # row of the starting deployment (a block at a time), of its set of places (placesets.row_places) and
    # of its set of places on the road, marked and read back in order (:func:`marks.marked`). Every loop
    # below visits only these. Elsewhere every term of the sums is a zero, which leaves a sum started at
    # 0.0 (never -0.0) unchanged, and the force's fighters are +0.0 and stay so (0.0 + gap * 0.0 / x,
    # 0.0 + gap * f0 / x with f0 a zero and 0.0 - cut * 0.0 / x are +0.0; no mechanism writes a -0.0 of
    # fighters: they are added and taken away, and a sum or difference is -0.0 only where a term is):
    # the same sums and fighters, bit for bit.
    mask, words = places
    at, lst = buf[0], buf[1]
    for i in range(row_kept(W.fighters0, a, 0.0, KEEP_NONZERO, lst, 0)):
        mask[lst[i]] = 1
    for i in range(row_places(S.fighters[r], S.fighter_bits[r], a, lst, 0)):
        mask[lst[i]] = 1
    for i in range(row_places(S.transit_n[r], S.transit_bits[r], a, lst, 0)):
        mask[lst[i]] = 1
    n = marked(mask, words, at, 0)
    for i in range(n):
        mask[at[i]] = 0
    target = 0.0
    cur = 0.0
    at_bases = 0.0
    here = 0.0
    for i in range(n):
        v = at[i]
        target += f0[v]
        f = fa[v]
        cur += f
        here += f
        if fbase[v] == 1:
            at_bases += f
        if legs[v] != 0:  # otherwise every slot is zero: the same sum
            for t in range(TW):
                cur += tra[v, t]
    target *= m
    gap = p.force_rotation * (target - cur)
    if gap > 0.0:
        S.acc[r, _REINFORCED] += gap
        # Reinforcements arrive where the force already is: at its bases if it holds any.
        if at_bases > 0.0:
            for i in range(n):
                v = at[i]
                if fbase[v] == 1:
                    fa[v] += gap * fa[v] / at_bases  # zero where it was zero: no new place
        elif here > 0.0:
            for i in range(n):
                v = at[i]
                fa[v] += gap * fa[v] / here  # zero where it was zero: no new place
        else:
            tot0 = 0.0
            for i in range(n):
                tot0 += f0[at[i]]
            if tot0 > 0.0:
                for i in range(n):
                    v = at[i]
                    fa[v] += gap * f0[v] / tot0
                    mark_place(S.fighter_bits[r], a, v)
    elif gap < 0.0 and here > 0.0:
        cut = min(-gap, here)
        S.acc[r, _WITHDRAWN] += cut
        for i in range(n):
            v = at[i]
            fa[v] -= cut * fa[v] / here
            if fa[v] < 0.0:
                fa[v] = 0.0


@compiled_only
def reallocate(W, S, p, lev, r, day, week):
    """Weekly: arrivals, force sizes, then every actor moves part of the way to its target deployment."""
    n_int, n_float = move_buffers(W, S)
    _reallocate(W, S, p, lev, r, day, week, np.empty(n_int, dtype=np.int64), np.empty(n_float))


@compiled_only(nrt=False)
def move_buffers(W, S):
    """The room :func:`_reallocate` carves its work arrays from, integers and floats, in its order: the
    rows of :func:`_move`, the marks, and the lists (room for the longest each can be: the places where
    each actor has fighters, A * P; its related actors, A * A; the places where each community lives,
    C * P; each actor's supporters, C * A; the places protected, P; the rent's places, its far places
    and their heads, P each; the places each post's rent reaches, P * P); and the rows of :func:`_move`,
    the people at each place and the rent terms."""
    A, P = W.fighters0.shape
    C = S.pop.shape[1]
    n_int = (MOVE_INT_ROWS * (P + 1) + mark_words(P) + (A + 1) + A * P + (A + 1) + A * A + (C + 1) + C * P
             + (A + 1) + C * A + (A + 1) + P + P + P + P + (P + 1) + P * P)
    return n_int, (MOVE_FLOAT_ROWS + 2) * P


@compiled_only(nrt=False)
def _reallocate(W, S, p, lev, r, day, week, ibuf, fbuf):
    """:func:`reallocate` in the buffers ``ibuf`` and ``fbuf`` (sizes from :func:`move_buffers`), carved
    into the rows of :func:`_move`, the marks over the places and the week's lists. Each list is written
    in full before it is read, and the float rows and the marks are zero-filled here, as the arrays they
    replace were made zero: the same values, so the same results bit for bit. Without reference
    counting."""
    A, P = W.fighters0.shape
    C = S.pop.shape[1]
    irows, o = carve(ibuf, 0, MOVE_INT_ROWS * (P + 1))
    rows = irows.reshape((MOVE_INT_ROWS, P + 1))  # (see _move; a row lends arrivals and resize_force a list)
    mask, words, o = carve_marks(ibuf, o, P)  # the marks over the places (marks.marks), none set
    places = (mask, words)
    arrivals(W, S, p, r, day, week, rows[_CAND])
    if week == 0:
        return  # the first week's rents are not known yet: groups hold their starting posts
    for a in range(A):
        if W.actor_role[a] != 0:
            resize_force(W, S, p, lev, r, day, a, rows[_CAND:], places)
    # Who is where, and who lives where: fighters only leave places below, so the lists built now
    # hold everyone present later in the week (presence is tested again where it matters); an
    # actor's own list holds every place where it has fighters.
    pptr, o = carve(ibuf, o, A + 1)
    pidx, o = carve(ibuf, o, A * P)
    places_into(S.fighters[r], S.fighter_bits[r], pptr, pidx)
    rptr, o = carve(ibuf, o, A + 1)
    ridx, o = carve(ibuf, o, A * A)
    related(W, S, r, rptr, ridx)
    lptr, o = carve(ibuf, o, C + 1)
    lidx, o = carve(ibuf, o, C * P)
    cptr, o = carve(ibuf, o, A + 1)
    cidx, o = carve(ibuf, o, C * A)
    frows, of = carve(fbuf, 0, MOVE_FLOAT_ROWS * P)
    ppl, of = carve(fbuf, of, P)
    people_and_supporters(S, r, ppl, lptr, lidx, cptr, cidx)
    dptr, o = carve(ibuf, o, A + 1)
    didx, o = carve(ibuf, o, P)
    protected_by(S, r, A, dptr, didx)
    xr, of = carve(fbuf, of, P)
    rent_pl, o = carve(ibuf, o, P)
    npl = rent_terms(p, S, r, xr, rent_pl)
    far, o = carve(ibuf, o, P)
    head, o = carve(ibuf, o, P)
    qptr, o = carve(ibuf, o, P + 1)
    qidx, o = carve(ibuf, o, P * P)
    rent_reach(W, p, xr, rent_pl, npl, far, head, qptr, qidx)  # per post, the places its rent reaches
    # The work rows of :func:`_move`: its float rows zero on entry; it sets the places' marks to -1,
    # and every other integer row is written before it is read.
    for i in range(frows.shape[0]):
        frows[i] = 0.0
    _move(W, S, p, lev, r, day, week, pptr, pidx, rptr, ridx, ppl, lptr, lidx, cptr, cidx, dptr, didx, qptr, qidx,
          frows.reshape((MOVE_FLOAT_ROWS, P)), rows, places)


@compiled_only(nrt=False)
def _move(W, S, p, lev, r, day, week, pptr, pidx, rptr, ridx, ppl, lptr, lidx, cptr, cidx, dptr, didx, qptr, qidx,
          fbuf, ibuf, places):
    """Every actor moves part of the way to its target deployment (:func:`reallocate`, which makes the
    lists: ``pptr``/``pidx`` per actor, the places where it has fighters; ``rptr``/``ridx``, its related
    actors; ``ppl`` and the lists of :func:`people_and_supporters`; ``dptr``/``didx``, the places each
    actor protects; ``qptr``/``qidx``, per post, the places its rent reaches; ``places``, marks over the
    places, none set, :func:`marks.marks`). Without reference counting:
    the loop over actors reads a dozen of the State's fields per actor."""
    A, P = W.fighters0.shape
    TW = S.transit.shape[-1]
    val, hostile, tgt, out = fbuf[_VAL], fbuf[_HOSTILE], fbuf[_TGT], fbuf[_OUT]
    # The places an actor may send fighters to (tgt > 0), and those joined with its posts, in ascending
    # order: the loops below visit only these (elsewhere tgt, fighters and out are zero, so they add
    # nothing), in the order of a scan of all places; ``out`` is zero outside the last actor's union.
    # ``val``, ``hostile``, ``tgt`` and ``dmin`` are written, and read, only at an actor's candidate
    # places (below), which hold its targets and its posts.
    dmin, hos_at, ally_at = fbuf[_DMIN], fbuf[_HOS_AT], fbuf[_ALLY_AT]
    posts, pos, seen, tl, un = ibuf[_POSTS], ibuf[_POS], ibuf[_SEEN], ibuf[_TL], ibuf[_UN]
    cand, touched = ibuf[_CAND], ibuf[_TOUCHED]
    # The actor being moved: the people at each place weighted by their support for it (``bka``, zero
    # elsewhere than at the ``nb`` places listed in ``bidx``, cleared before the next actor's).
    bka, bidx, bseen = fbuf[_BKA], ibuf[_BIDX], ibuf[_BSEEN]
    valued = ibuf[_VALUED]  # ``valued[v] == a``: v is one of a's aims or bases
    mask, words = places
    for v in range(P):
        seen[v] = -1
        bseen[v] = -1
        valued[v] = -1
    nun = 0
    nb = 0
    week_km = p.travel_km_per_day * DAYS_PER_WEEK
    wslot = week % TW
    dist = W.dist_km
    pop = S.pop[r]
    support = S.support[r]
    gn = S.valued_n[r]
    gat = S.valued_at[r]
    fi = S.fighters[r]
    for a in range(A):
        k = W.actor_kind[a]
        rate = p.move_rate
        if k == KIND_INTERNATIONAL:
            rate = p.force_move_rate
        elif k == KIND_STATE:
            rate = lev.state_redeployment[day] / WEEKS_PER_YEAR
        if rate <= 0.0:
            continue
        # Its fighters summed over its places in ascending order (the entries of its row that are not
        # zero: row_total's sum bit for bit). Only an actor's own turn moves its fighters, so its
        # list, built before the first turn, holds the places where it has fighters now.
        strength = 0.0
        for i in range(pptr[a], pptr[a + 1]):
            strength += fi[a, pidx[i]]
        if strength < p.min_presence:
            continue
        nt = hostile_allied(W, S, p, r, a, rptr, ridx, pptr, pidx, hos_at, ally_at, touched)
        for i in range(nb):
            bka[bidx[i]] = 0.0
        nb = backers(pop, support, a, lptr, lidx, cptr, cidx, bka, bseen, bidx)
        # The candidates: every place where a term of the value other than the rent may not be zero
        # (posts, related actors present, backers, aims, bases, protected places), and the places
        # whose rent term pays for the distance from a post (elsewhere the net value is not positive).
        nc = 0
        for i in range(pptr[a], pptr[a + 1]):
            u = pidx[i]
            nc = _add_place(cand, nc, seen, a, u)
            if k != KIND_INTERNATIONAL:  # (an international force's value has no rent term)
                for j in range(qptr[u], qptr[u + 1]):
                    nc = _add_place(cand, nc, seen, a, qidx[j])
        for i in range(nt):
            nc = _add_place(cand, nc, seen, a, touched[i])
        for i in range(nb):
            nc = _add_place(cand, nc, seen, a, bidx[i])
        for i in range(gn[a]):
            v = gat[a, i]
            nc = _add_place(cand, nc, seen, a, v)
            valued[v] = a
        for i in range(dptr[a], dptr[a + 1]):
            nc = _add_place(cand, nc, seen, a, didx[i])
        place_values(W, S, p, r, a, strength, cand, nc, val, hostile, ppl, bka, hos_at, ally_at, valued)
        for i in range(nt):
            hos_at[touched[i]] = 0.0
            ally_at[touched[i]] = 0.0
        # A clandestine group's cells disperse: massing more of its men in one place is worth less.
        clandestine = k == KIND_JIHADIST
        # Net value: less the distance from the nearest post; concentrated by value_power.
        # a's rows, looked up once (the same arrays): the loops over places below index arrays, not
        # the State struct, whose every field lookup would cost a reference count.
        fa = S.fighters[r, a]
        # Its posts, ascending: the places of its list where it has fighters (every place where it has
        # fighters is listed, and is one of the candidates).
        npost = 0
        for i in range(pptr[a], pptr[a + 1]):
            v = pidx[i]
            posts[npost] = v
            npost += fa[v] > 0.0
        # The places of positive value (only these can be targets), and their distance from the nearest
        # post, a post at a time (the same minimum). The candidates are in no particular order: the
        # targets are sorted below, before anything is summed over them.
        npos = 0
        for i in range(nc):
            v = cand[i]
            tgt[v] = 0.0
            if val[v] > 0.0:
                pos[npos] = v
                npos += 1
                dmin[v] = np.inf
        for i in range(npost):
            row = dist[posts[i]]
            for j in range(npos):
                v = pos[j]
                x = row[v]
                d0 = dmin[v]
                dmin[v] = x if x < d0 else d0
        ntl = 0
        for j in range(npos):
            v = pos[j]
            d = dmin[v]
            e = val[v]
            if clandestine:
                e /= 1.0 + fa[v] / p.cell_size
            e -= p.move_cost_km * d
            if e > 0.0:
                tgt[v] = e ** p.value_power
                tl[ntl] = v
                ntl += 1
        # The targets in ascending order, as a scan of every place visits them (a long list by its marks
        # over the places, read back in order: no comparison sort).
        if ntl > SHORT_LIST:
            sort_marked(tl, ntl, mask, words)
        else:
            sort_head(tl, ntl)
        wsum = 0.0
        for i in range(ntl):
            wsum += tgt[tl[i]]
        # Drop targets below the smallest worthwhile detachment, until none is left below it.
        while wsum > 0.0:
            drop = False
            nsum = 0.0
            for i in range(ntl):
                v = tl[i]
                if tgt[v] > 0.0 and strength * tgt[v] / wsum < p.min_group:
                    tgt[v] = 0.0
                    drop = True
                else:
                    nsum += tgt[v]
            wsum = nsum
            if not drop:
                break
        if wsum <= 0.0:
            continue
        deficit = 0.0
        sent = 0.0
        best = -1
        bv = -1.0
        for i in range(nun):
            out[un[i]] = 0.0
        nun = 0
        i = 0
        j = 0
        while i < ntl or j < npost:  # the targets and the posts merged, in ascending order
            if j >= npost or (i < ntl and tl[i] < posts[j]):
                v = tl[i]
                i += 1
            else:
                v = posts[j]
                if i < ntl and tl[i] == v:
                    i += 1
                j += 1
            un[nun] = v
            nun += 1
        for iu in range(nun):
            v = un[iu]
            tgt[v] = strength * tgt[v] / wsum
            f = fa[v]
            out[v] = 0.0
            if tgt[v] > f:
                deficit += tgt[v] - f
                if val[v] > bv:
                    bv = val[v]
                    best = v
            elif f > tgt[v]:
                out[v] = rate * (f - tgt[v])
                if tgt[v] <= 0.0 and f - out[v] < p.min_group:
                    out[v] = f
                sent += out[v]
        if deficit <= 0.0 or sent <= 0.0:
            continue
        mvv = S.mv_value[r, a]
        mvt = S.mv_term[r, a]
        mvtv = S.mv_termval[r, a]
        mvf = S.mv_from[r, a]
        tra = S.transit[r, a]
        legs = S.transit_n[r, a]
        due = S.transit_due[r, a]
        tbits = S.transit_bits[r]
        for i in range(ntl):
            v = tl[i]
            if tgt[v] > fa[v]:
                mvv[v] = val[v]
                t, tv = largest_term(W, S, p, r, a, v, hostile[v], ppl[v], bka[v])
                mvt[v] = t
                mvtv[v] = tv
                mvf[v] = -1
        for iu in range(npost):
            u = posts[iu]
            if out[u] <= 0.0:
                continue
            was = fa[u]
            fa[u] = was - out[u]
            if fa[u] < 0.0:
                fa[u] = 0.0
            for iv in range(ntl):
                v = tl[iv]
                need = tgt[v] - fa[v]
                if v == u or need <= 0.0:
                    continue
                x = out[u] * need / deficit
                tw = int(np.ceil(dist[u, v] / week_km))
                if tw < 1:
                    tw = 1
                if tw > TW - 1:
                    tw = TW - 1
                slot = wslot + tw  # (week + tw) % TW, as 0 <= wslot, tw < TW
                if slot >= TW:
                    slot -= TW
                add_to_ring(tra, legs, due, tbits, a, v, slot, x)
                mf = mvf[v]
                if mf < 0 or out[u] > out[mf]:
                    mvf[v] = u
            if was >= p.min_presence and fa[u] < p.min_presence and W.place_ext[u] == 0:
                S.acc[r, _LEFT] += 1.0
                ev = emit(S, r, day, EV_GROUP_CHANGE, a, NOBODY, u, 0, 0, M_MOVEMENT)
                link(S, r, ev, 0, CK_PLACE_VALUE, u, val[u])
                if best >= 0:
                    link(S, r, ev, 1, CK_BETTER_PLACE, best, bv)
                if hostile[u] > 0.0:
                    link(S, r, ev, 2, CK_ENEMIES_PRESENT, u, hostile[u])
                link(S, r, ev, _LAST_LINK, CK_LOCAL_STRENGTH, a, was)
