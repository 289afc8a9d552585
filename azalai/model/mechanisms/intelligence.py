"""Mechanism 4: intelligence and targeting — tips that can be true or false, vetting, and acting on them.

Seed: "If French and international forces seek to target the political economy of war in Mali in a
more focused manner, they will run the risk of falling prey to faulty intelligence, being
instrumentalized to further local rivalries, or pushing local communities further toward armed
groups." And: "In 2013, French forces targeted suspected MUJAO fighters near the border city of In
Khalil, only to later suspect that they had been misled by MNLA sources who instead sought to settle
scores linked to business rivalries between Arab and Idnan Tuareg traders in the town."

Every day each force receives tips from informants in the communities of its area, in proportion to
their cooperation with it. A tip names an actor at a place. Two things are recorded apart: whether the
accused is *within the mandate* (a legitimate target for the force's mission focus: jihadists under
counter-terrorism, whoever lives off trafficking under counter-trafficking; a tip outside it is
counted in ``tips_false``), and whether the accusation is *untrue* (the accused's men did not do
what they are denounced for: the expected share ``1 - involvement``, counted in ``tips_untrue`` and
recorded per tip in ``tip_untrue``). The informant may
instead name a rival of its own patron group: the chance rises with the rivalry, with what the
informant would gain (the rival's rents nearby, the status of a subordinate community), with past
manipulations that worked, and with how credible the accusation is under the current focus
(overlap with jihadists, or trafficking income). Vetting checks some tips and exposes most false
ones, at the price of fewer operations and of targets moving away. Every tip is recorded.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from azalai.model.jit import compiled_only
from azalai.model.mechanisms.buffers import carve
from azalai.model.mechanisms.operations import execute_operation, force_tempo
from azalai.model.mechanisms.presence import SCAN_BLOCK, SHORT_LIST, block_nonzero, sort_head
from azalai.model.mechanisms.trafficking import force_focus
from azalai.model.rng import (
    SITE_OP_ESCAPE, SITE_TIP_CATCH, SITE_TIP_COUNT, SITE_TIP_LIE, SITE_TIP_SOURCE, SITE_TIP_TARGET, SITE_TIP_VET,
    choice_weighted, poisson, uniform,
)
from azalai.model.state import ACC
from azalai.model.world import KIND_INTERNATIONAL, KIND_JIHADIST, KIND_MILITIA, KIND_SIGNATORY, KIND_STATE

TIP_KEY = 16  # tip i of force f is keyed f * TIP_KEY + i (above max_tips_per_day's range)
# A force's lists (its area's places, the communities with people there, the actors present there)
# are put in ascending order by a scan of the marks between their smallest and largest item, a block of
# ``SCAN_BLOCK`` marks at a time, unless they are short (an insertion sort, presence.sort_head) and hold
# less than 1 / SCAN_PER_ENTRY of that span (a scan costs about that many times less per item than a sort
# per entry). A force's area lies in one part of the map, whose places, communities and actors tend to be
# numbered together: the span is often much shorter than the world.
SCAN_PER_ENTRY = 8


@njit(cache=True, inline="always")
def _ascending(lst, n, mark):
    """Put ``lst[:n]``, the items whose ``mark`` is not zero, in ascending order: by a scan of ``mark``
    from the smallest to the largest of them when they are many (:data:`SCAN_PER_ENTRY`) or more than a
    short list, blocks of marks that are all zero passed over, by an insertion sort otherwise (no call
    into numpy's sort). The same list either way."""
    if n == 0:
        return
    lo = lst[0]
    hi = lst[0]
    for i in range(1, n):
        x = lst[i]
        if x < lo:
            lo = x
        elif x > hi:
            hi = x
    if n <= SHORT_LIST and n * SCAN_PER_ENTRY <= hi - lo:
        sort_head(lst, n)
        return
    n = 0
    i = lo
    while i <= hi:
        if i + SCAN_BLOCK <= mark.shape[0] and not block_nonzero(mark, i):
            i += SCAN_BLOCK  # no item among these marks (none beyond hi either: hi is the largest)
            continue
        for j in range(i, min(i + SCAN_BLOCK, hi + 1)):
            if mark[j] != 0:
                lst[n] = j
                n += 1
        i += SCAN_BLOCK


_TIPS = ACC["tips"]
_TIPS_FALSE = ACC["tips_false"]
_TIPS_ACTED = ACC["tips_acted"]
_FALSE_ACTED = ACC["false_tips_acted"]
_TIPS_DROPPED = ACC["tips_dropped"]
_UNTRUE = ACC["tips_untrue"]
_UNTRUE_ACTED = ACC["untrue_tips_acted"]


# These take arrays, not the World and State structs, and are compiled without reference counting
# (``_nrt=False``): called per candidate actor, each struct handed to a helper with branches would
# otherwise cost an atomic increment and decrement of its reference count per call.


@njit(cache=True, _nrt=False)
def _traffic(rent_ema, r, a, rmax):
    """How much a lives off trafficking, relative to the actor with the largest trafficking income."""
    if rmax <= 0.0:
        return 0.0
    return min(1.0, rent_ema[r, a] / rmax)


@njit(cache=True, _nrt=False)
def legitimacy(kind, rent_ema, r, a, focus, rmax):
    """How legitimate a target actor a is for a force with this mission focus."""
    jihad = 1.0 if kind[a] == KIND_JIHADIST else 0.0
    return (1.0 - focus) * jihad + focus * _traffic(rent_ema, r, a, rmax)


@njit(cache=True, _nrt=False)
def involvement(jihad_overlap, rent_ema, r, a, focus, rmax):
    """How far actor a really does what a force with this focus hunts: jihadist ties or trafficking income.

    A denunciation of a names it as such; it is untrue for the share ``1 - involvement`` of a's men
    (who did not do it), whatever the force's mandate says about a."""
    return (1.0 - focus) * jihad_overlap[a] + focus * _traffic(rent_ema, r, a, rmax)


@njit(cache=True, _nrt=False)
def plausibility(jihad_overlap, rent_ema, floor, r, b, focus, rmax):
    """How credible an accusation against b is under the focus: jihadist ties or trafficking income
    (never below ``floor``, the plausibility floor)."""
    x = (1.0 - focus) * jihad_overlap[b] + focus * _traffic(rent_ema, r, b, rmax)
    return floor + (1.0 - floor) * x


@njit(cache=True, inline="always")
def _people_of(pop, lptr, lidx, c):
    """Community c's people, summed over the places where it lives (``lidx[lptr[c]:lptr[c + 1]]``, ascending)."""
    tot = 0.0
    for i in range(lptr[c], lptr[c + 1]):
        tot += pop[c, lidx[i]]
    return tot


# The day loop makes the tips' buffers once per call (numba inlines these helpers into it).


@njit(cache=True, inline="always")
def tip_floats(W):
    """The length of the float buffer :func:`tips_and_operations` works in."""
    A, P = W.fighters0.shape
    C = W.pop0.shape[0]
    return P + C + C + C + A + A + A * P


@njit(cache=True, inline="always")
def tip_ints(W):
    """The length of the integer buffer :func:`tips_and_operations` works in."""
    A, P = W.fighters0.shape
    C = W.pop0.shape[0]
    return P + C + C + C + A + A + A + A + A + A * P + A * P + A * P


@njit(cache=True, inline="always")
def related_bases(W, base, crel):
    """``crel[c, a]``: whether a base community of actor a (``base``, :func:`trafficking.base_lists`) has a
    relation (not zero) with community c: the world's, listed once for the day loop. Where it has none, the
    communal part of c's rivalry with a is an exact zero."""
    C = W.comm_rel.shape[0]
    A = W.base_w.shape[0]
    for c in range(C):
        for a in range(A):
            x = False
            for i in range(base[a], base[a + 1]):
                x |= W.comm_rel[c, base[i]] != 0.0
            crel[c, a] = x


@compiled_only(nrt=False)
def tips_and_operations(W, S, p, lev, r, day, aptr, aidx, gptr, gidx, lptr, lidx, pptr, pidx, fbuf, ibuf, base, crel,
                        fresh):
    """Tips reach each force; some are false; vetted ones may be caught; the rest become operations.

    ``aptr``/``aidx``: per place, the actors present (a superset of who is present now); ``gptr``/``gidx``:
    per actor, the places where it has fighters (a superset too);
    ``lptr``/``lidx``: per community, the places where it has people; ``pptr``/``pidx``: per place, the
    communities with people there (supersets too: see :mod:`azalai.model.mechanisms.presence`).
    ``fbuf``/``ibuf``: the day's buffers (:func:`tip_floats` and :func:`tip_ints` long, their contents
    not read before they are written, except the informants' patrons and each force's last area, below);
    ``base``: each actor's
    base communities (:func:`azalai.model.mechanisms.trafficking.base_lists`); ``crel``: per community and
    actor, whether a base community of the actor has a relation with it (:func:`related_bases`).
    ``fresh``: the weekly processes have run since the last call (or this is the call's first day for the
    replicate): each community's patron is looked up again on first use, and kept in ``ibuf`` until then
    (support only changes in the weekly processes); each force's area, kept in ``ibuf`` with the posts it
    was built from and used again while the posts are the same, is built again.

    What a force visits is read from these lists: its posts, its area (the posts and their neighbours),
    the communities with people in the area and the actors present there, each listed in ascending order,
    so that the work of a force grows with its area rather than with the world. Every sum and every
    draw visits the same terms in the same order as a scan of every place, community and actor would
    (the terms left out are exact zeros)."""
    A, P = W.fighters0.shape
    C = W.pop0.shape[0]
    seed = S.seed[r]
    # One replicate's rows and the world's arrays, looked up once (the same arrays).
    fi, pop, coop, support, rel = S.fighters[r], S.pop[r], S.coop[r], S.support[r], S.rel[r]
    prot, prent = S.protector[r], S.place_rent_ema[r]
    kind, role, ext, adj_ptr, adj_nbr = W.actor_kind, W.actor_role, W.place_ext, W.adj_ptr, W.adj_nbr
    base_w, comm_rel = W.base_w, W.comm_rel
    rent_ema, jihad_overlap, comm_sub = S.rent_ema, W.jihad_overlap, W.comm_sub
    acc, ops_budget = S.acc[r], S.ops_budget[r]
    rmax = 0.0
    for a in range(A):
        if kind[a] != KIND_INTERNATIONAL and rent_ema[r, a] > rmax:
            rmax = rent_ema[r, a]
    # The day's buffers, carved from the two the day loop hands over (every buffer is written before it
    # is read: ``area``, ``incand``, ``cmark`` and ``patron`` just below, the others as entries
    # are added to the lists they belong to).
    # Sparse bookkeeping (the sums below skip only terms that are exact zeros, in the same order):
    # the force's area places in ascending order (``alist``), the communities with people there (``tl``,
    # their pool of informants in ``cpool``), community totals (summed again after an operation changed populations), the candidate
    # actors present in the area (``clist``), and compact target candidates (at most one per entry of
    # the actors' lists), and each community's patron on first use (support only changes in the weekly
    # processes). No array variable is reassigned in the loops.
    # What the tips of one force share until an operation changes who is where: each rival's place of
    # most fighters in the area and its sum of rents there (-2: computed again on first use), and the
    # true-tip candidates (m < 0 when not built). The same values, computed once instead of once per tip.
    o = 0
    area, o = carve(fbuf, o, P)
    cpool, o = carve(fbuf, o, C)
    ctot, o = carve(fbuf, o, C)
    inside, o = carve(fbuf, o, C)
    rmost, o = carve(fbuf, o, A)
    rrent, o = carve(fbuf, o, A)
    cand = fbuf[o:]  # only its first m entries are written and read
    o = 0
    alist, o = carve(ibuf, o, P)
    tl, o = carve(ibuf, o, C)
    cmark, o = carve(ibuf, o, C)  # 1: listed in ``tl`` for the force at hand
    patron, o = carve(ibuf, o, C)  # -2: not looked up yet today
    incand, o = carve(ibuf, o, A)  # 1: a candidate of the force at hand
    clist, o = carve(ibuf, o, A)
    rwhere, o = carve(ibuf, o, A)
    # Each force's area as last built (kept from day to day while the day loop's buffers live): its posts,
    # in the order its list of places gives them (``keep_n``: how many; -1: none kept), and the area's
    # places in ascending order (``keep_na``: how many). The area depends only on the posts (the places
    # and their neighbours are the world's), so a force whose posts are the same has the same area.
    keep_n, o = carve(ibuf, o, A)
    keep_na, o = carve(ibuf, o, A)
    keep_posts, o = carve(ibuf, o, A * P)
    keep_area, o = carve(ibuf, o, A * P)
    cand_k = ibuf[o:]
    for v in range(P):
        area[v] = 0.0
    for c in range(C):
        cmark[c] = 0
    if fresh:
        for c in range(C):
            patron[c] = -2
        for a in range(A):
            keep_n[a] = -1
    for a in range(A):
        incand[a] = 0
    na = 0
    ncand = 0
    ctot_ok = False
    m = -1
    nw = p.area_neighbour_weight
    for f in range(A):
        if role[f] == 0:
            continue
        # The force's area: its posts (the internal places where it is present, found in its list of
        # places) and their neighbours, listed in ascending order. The previous force's area and
        # candidates are cleared first.
        for i in range(na):
            area[alist[i]] = 0.0
        for i in range(ncand):
            incand[clist[i]] = 0
        na = 0
        ncand = 0
        kp = keep_posts[f * P:(f + 1) * P]
        ka = keep_area[f * P:(f + 1) * P]
        npost = 0
        same = True
        for ig in range(gptr[f], gptr[f + 1]):
            v = gidx[ig]
            if ext[v] != 0 or not fi[f, v] >= p.min_presence:
                continue
            if same and (npost >= keep_n[f] or kp[npost] != v):
                same = False
            kp[npost] = v
            npost += 1
        same = same and npost == keep_n[f]
        keep_n[f] = npost
        if same:
            # The area kept: its places, each at the neighbours' weight, the posts at one (as built below).
            na = keep_na[f]
            for i in range(na):
                alist[i] = ka[i]
                area[ka[i]] = nw
            for i in range(npost):
                area[kp[i]] = 1.0
        else:
            for i in range(npost):
                v = kp[i]
                if area[v] == 0.0:
                    alist[na] = v
                    na += 1
                area[v] = 1.0
                if nw <= 0.0:
                    continue  # neighbours of no weight are outside the area
                for q in range(adj_ptr[v], adj_ptr[v + 1]):
                    u = adj_nbr[q]
                    if ext[u] == 0 and area[u] == 0.0:
                        area[u] = nw
                        alist[na] = u
                        na += 1
            _ascending(alist, na, area)
            keep_na[f] = na
            for i in range(na):
                ka[i] = alist[i]
        if na == 0:
            continue
        m = -1
        tempo = force_tempo(W, p, lev, day, f)
        vet = lev.vetting[day]
        ops_budget[f] = min(p.ops_budget_cap, ops_budget[f] + p.ops_per_day * tempo * (1.0 - p.vetting_cost * vet))
        if not ctot_ok:
            for c in range(C):
                ctot[c] = _people_of(pop, lptr, lidx, c)
            ctot_ok = True
        # The communities with people in the area, in ascending order, and their pool of informants
        # (every other community's pool is zero).
        nt = 0
        for i in range(na):
            v = alist[i]
            for j in range(pptr[v], pptr[v + 1]):
                c = pidx[j]
                if cmark[c] == 0:
                    cmark[c] = 1
                    tl[nt] = c
                    nt += 1
                    inside[c] = 0.0
                inside[c] += pop[c, v] * area[v]
        _ascending(tl, nt, cmark)
        lam = 0.0
        for k in range(nt):
            c = tl[k]
            cmark[c] = 0
            tot = ctot[c]
            cpool[k] = 0.0
            if tot > 0.0:
                cpool[k] = coop[c, f] * inside[c] / tot
            lam += cpool[k]
        lam *= p.tip_rate * tempo
        n = poisson(lam, seed, day, SITE_TIP_COUNT, f, 0)
        if n > p.max_tips_per_day:
            n = int(p.max_tips_per_day)
        if n == 0:
            continue  # no tip today: the candidates below are not needed
        # Actors present somewhere in the area (fighters only fall during the day's operations), with
        # each one's place of most fighters there (the first in ascending order on ties) and the rents
        # of the area's places it protects, summed in ascending order of place.
        for i in range(na):
            v = alist[i]
            for ia in range(aptr[v], aptr[v + 1]):
                a = aidx[ia]
                x = fi[a, v]
                if x >= p.min_presence:
                    if incand[a] == 0:
                        incand[a] = 1
                        clist[ncand] = a
                        ncand += 1
                        rwhere[a] = -1
                        rmost[a] = 0.0
                        rrent[a] = 0.0
                    if x > rmost[a]:
                        rmost[a] = x
                        rwhere[a] = v
        _ascending(clist, ncand, incand)
        for i in range(na):
            a = prot[alist[i]]
            if a >= 0:
                rrent[a] = 0.0
        for i in range(na):
            v = alist[i]
            a = prot[v]
            if a >= 0:
                rrent[a] += prent[v] / p.rent_ref
        focus = force_focus(W, p, lev, day, f)
        for i in range(n):
            tip_key = f * TIP_KEY + i
            k = choice_weighted(cpool, nt, uniform(seed, day, SITE_TIP_SOURCE, tip_key, 0))
            if k < 0:
                continue
            c = tl[k]
            # The informant's patron: the armed group its community supports most.
            if patron[c] == -2:
                g = -1
                gs = 0.0
                for a in range(A):
                    ka = kind[a]
                    if (ka == KIND_SIGNATORY or ka == KIND_JIHADIST or ka == KIND_MILITIA or ka == KIND_STATE) and support[c, a] > gs:
                        gs = support[c, a]
                        g = a
                patron[c] = g
            g = patron[c]
            # The most attractive rival to denounce, present in the area.
            b = -1
            best_score = 0.0
            b_riv = 0.0
            b_gain = 0.0
            b_place = -1
            for ic in range(ncand):
                a = clist[ic]
                k = kind[a]
                if a == g or k == KIND_INTERNATIONAL or k == KIND_STATE or a == f:
                    continue
                if g >= 0 and rel[g, a] >= 0.0 and kind[a] == KIND_JIHADIST:
                    continue
                # The rivalry first: most actors present are no rival of the informant's, and are passed
                # over without their place. Without a relation between the community and a's base
                # communities, their term adds an exact zero.
                riv = 0.0
                if g >= 0:
                    riv += max(0.0, -rel[g, a])
                if crel[c, a]:
                    comm = 0.0
                    for i2 in range(base[a], base[a + 1]):  # a's base communities
                        c2 = base[i2]
                        comm -= base_w[a, c2] * comm_rel[c, c2]
                    riv += max(0.0, comm)
                if riv <= 0.0:
                    continue
                if rwhere[a] == -2:
                    where = -1
                    most = 0.0
                    for ig in range(gptr[a], gptr[a + 1]):  # a's places, ascending (as the area's are)
                        v = gidx[ig]
                        if area[v] > 0.0 and fi[a, v] >= p.min_presence and fi[a, v] > most:
                            most = fi[a, v]
                            where = v
                    rwhere[a] = where
                    gain = 0.0
                    for i in range(na):
                        v = alist[i]
                        if area[v] > 0.0 and prot[v] == a:
                            gain += prent[v] / p.rent_ref
                    rrent[a] = gain
                where = rwhere[a]
                if where < 0:
                    continue
                gain = min(1.0, rrent[a]) + p.status_gain * comm_sub[c]
                score = riv + gain
                if score > best_score:
                    best_score = score
                    b = a
                    b_riv = riv
                    b_gain = gain
                    b_place = where
            is_false = False
            untrue = 0.0
            target = -1
            tplace = -1
            if b >= 0:
                logit = p.lie_base + p.lie_rivalry * b_riv + p.lie_gain * b_gain + p.lie_learning * S.manip[r, c]
                p_lie = plausibility(jihad_overlap, rent_ema, p.plausibility_floor, r, b, focus, rmax) / (1.0 + np.exp(-logit))
                if uniform(seed, day, SITE_TIP_LIE, tip_key, 0) < p_lie:
                    is_false = legitimacy(kind, rent_ema, r, b, focus, rmax) < p.legitimacy_threshold
                    target = b
                    tplace = b_place
                    untrue = 1.0 - involvement(jihad_overlap, rent_ema, r, b, focus, rmax)
            if target < 0:
                # A true tip: a legitimate target present in the area.
                if m < 0:
                    m = 0
                    for ic in range(ncand):
                        a = clist[ic]
                        if kind[a] == KIND_INTERNATIONAL or kind[a] == KIND_STATE:
                            continue
                        leg = legitimacy(kind, rent_ema, r, a, focus, rmax)
                        if not leg >= p.legitimacy_threshold:
                            continue
                        # a's places in the area, ascending: from a's own list of places (which holds every
                        # place where it has fighters), not from a scan of the whole area.
                        for ig in range(gptr[a], gptr[a + 1]):
                            v = gidx[ig]
                            if area[v] > 0.0 and fi[a, v] >= p.min_presence:
                                cand[m] = leg * fi[a, v] * area[v]
                                cand_k[m] = a * P + v
                                m += 1
                k = choice_weighted(cand, m, uniform(seed, day, SITE_TIP_TARGET, tip_key, 0))
                if k < 0:
                    continue
                k = cand_k[k]
                target = k // P
                tplace = k % P
            # Record the tip.
            t = S.tip_n[r]
            if t >= S.tip_day.shape[1]:
                acc[_TIPS_DROPPED] += 1.0
                continue
            S.tip_n[r] = t + 1
            acc[_TIPS] += 1.0
            if is_false:
                acc[_TIPS_FALSE] += 1.0
            acc[_UNTRUE] += untrue
            S.tips_recent[r, c] += 1.0
            vetted = uniform(seed, day, SITE_TIP_VET, tip_key, 0) < vet
            caught = vetted and is_false and uniform(seed, day, SITE_TIP_CATCH, tip_key, 0) < p.vetting_accuracy
            acted = False
            ev = -1
            if not caught and ops_budget[f] >= 1.0:
                escaped = vetted and (not is_false) and uniform(seed, day, SITE_OP_ESCAPE, tip_key, 0) < p.vetting_escape
                ops_budget[f] -= 1.0
                if not escaped and fi[target, tplace] > 0.0:
                    acted = True
                    ev = execute_operation(W, S, p, lev, r, day, f, target, tplace, not is_false, c, g, t, b_riv, aptr, aidx,
                                           pptr, pidx)
                    # Only the people at the place struck fell: those communities' totals are summed again.
                    for j in range(pptr[tplace], pptr[tplace + 1]):
                        ctot[pidx[j]] = _people_of(pop, lptr, lidx, pidx[j])
                    for ic in range(ncand):
                        rwhere[clist[ic]] = -2
                    m = -1
            S.tip_day[r, t] = day
            S.tip_force[r, t] = f
            S.tip_comm[r, t] = c
            S.tip_informant[r, t] = g
            S.tip_accused[r, t] = target
            S.tip_place[r, t] = tplace
            S.tip_true[r, t] = 0 if is_false else 1
            S.tip_untrue[r, t] = untrue
            S.tip_vetted[r, t] = 1 if vetted else 0
            S.tip_caught[r, t] = 1 if caught else 0
            S.tip_acted[r, t] = 1 if acted else 0
            S.tip_event[r, t] = ev
            if acted:
                acc[_TIPS_ACTED] += 1.0
                if is_false:
                    acc[_FALSE_ACTED] += 1.0
                acc[_UNTRUE_ACTED] += untrue
