"""Mechanism 6: communities — grievance, support, cooperation, recruitment, and the groups' purses.

Seed: "If French and international forces seek to target the political economy of war in Mali in a
more focused manner, they will run the risk of ... pushing local communities further toward armed
groups." And: "these networks seek to protect not just their businesses but their communities from
attack, while also trying to perpetuate their political, economic, and social positions."

Each week:

* grievance of each community against each actor fades, and grows with the harm that actor did
  (killings, detentions, misdirected operations), with trafficking livelihood lost to a force's
  seizures (weighted by the community's dependence on trafficking), and, against the state, with
  unmet political demands and the state's absence; aid reduces it;
* support moves toward a target that rewards protection of the community's people and business and
  punishes grievance — and that rewards the enemies of whoever the community holds a grievance
  against, jihadists included. It does so only where the community meets the actor (the actor has
  fighters, or is the protector, where the community has people; the state meets everyone), from a
  prior of at least ``support_floor``; elsewhere support returns toward the scenario's declared
  level, and an undeclared support that has faded below ``support_negligible`` is gone. Only the
  pairs that meet, hold support or are declared are visited, so the cost grows with them rather
  than with communities x actors;
* cooperation with each force (the supply of its informants) falls with grievance toward it;
* then the purses, turnover and recruitment of the armed groups (``mechanisms/purses.py``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from azalai.model.jit import compiled_only
from azalai.model.mechanisms.buffers import carve
from azalai.model.mechanisms.placesets import count_places, places_into
from azalai.model.mechanisms.meetings import met_actors
from azalai.model.mechanisms.presence import (
    KEEP_BELOW, KEEP_NONZERO, actor_lists, by_column_into, next_nonzero, rows_into, sort_head,
)
from azalai.model.mechanisms.purses import is_armed_kind, pay_purses, recruit
from azalai.model.world import (
    ASP_AUTONOMY, ASP_INDEPENDENCE, ASP_RELIGIOUS_ORDER, ASP_REPRESENTATION, ASP_SECURITY, ASP_STATUS,
    KIND_INTERNATIONAL, ROLE_NONE, ZONES,
)

_NORTH = ZONES["north"]

# The sizes of :func:`_communities`' work buffers (see :func:`_n_floats` and :func:`_n_ints`).
_FLAGS_PER_ACTOR = 3  # meet, armed, held
_FLOAT_ROWS_PER_ACTOR = 5  # cprot, target, anchor, push, levy
_INT_ROWS_PER_ACTOR = 5  # sigs, lst, mil_c, midx, forces
_ACTOR_LISTS = 6  # lists with a pointer per actor
_COMMUNITY_LISTS = 5  # lists with a pointer per community
_PAIR_LISTS = 6  # lists of community-actor pairs


# The community-level helpers take arrays, not the World and State structs: called per community and
# per actor, each struct handed to them, or each field looked up in a loop, would otherwise cost an
# atomic increment and decrement of a reference count; the one called from the loop over communities
# is compiled without reference counting (``nrt=False``).


@njit(cache=True, inline="always")
def _promised_total(sig, promised):
    """The signatories' promises summed in ascending order (the normaliser of a promised share)."""
    tot = 0.0
    for x in range(sig.shape[0]):
        if sig[x] == 1:
            tot += promised[x]
    return tot


@njit(cache=True, inline="always")
def promised_share(promise, tot):
    """A signatory's promised share of the interim posts, ``promise`` over the signatories' promises ``tot``
    (:func:`_promised_total`; 0 if none), normalised over the signatories as the posts are."""
    return promise / tot if tot > 0.0 else 0.0


@njit(cache=True, inline="always")
def _north_share(pop0, zone, c):
    """Share of community c's people living in the north, where the interim authorities govern. The
    sums skip exact zeros (the same sums, bit for bit), looking at single places only in a block of
    ``SCAN_BLOCK`` where somebody of c lives."""
    tot = 0.0
    north = 0.0
    row = pop0[c]
    P = row.shape[0]
    v = next_nonzero(row, 0)
    while v < P:
        tot += row[v]
        if zone[v] == _NORTH:
            north += row[v]
        v = next_nonzero(row, v + 1)
    return north / tot if tot > 0.0 else 0.0


@njit(cache=True, inline="always")
def _aspiration(comm_asp, p, c):
    x = 0.0
    if comm_asp[c, ASP_INDEPENDENCE] > 0.0:
        x = 1.0
    if comm_asp[c, ASP_AUTONOMY] > 0.0:
        x = max(x, p.aspiration_autonomy)
    if comm_asp[c, ASP_REPRESENTATION] > 0.0:
        x = max(x, p.aspiration_representation)
    if comm_asp[c, ASP_STATUS] > 0.0:
        x = max(x, p.aspiration_status)
    if comm_asp[c, ASP_SECURITY] > 0.0:
        x = max(x, p.aspiration_security)
    if comm_asp[c, ASP_RELIGIOUS_ORDER] > 0.0:
        x = max(x, p.aspiration_religious_order)
    return x


@njit(cache=True, inline="always")
def political_aspiration(W, p, c):
    """Weight of community c's strongest political aspiration (independence weighs 1)."""
    return _aspiration(W.comm_asp, p, c)


@compiled_only(nrt=False)
def _community_unmet(comm, post_share, p, fairness, c):
    """Unmet political demands of community c (0..~2): representation, status, independence.
    ``comm``: (the signatories and their promises' sum, :func:`_signatories`, W.base_w, W.promised, W.pop0,
    W.place_zone, W.comm_asp, W.comm_sub, W.comm_indep); ``post_share``: ``S.post_share[r]``; ``fairness``:
    the interim-fairness lever today."""
    sigs, ptot, base_w, promised, pop0, zone, comm_asp, comm_sub, comm_indep = comm
    # Representation: the patrons' posts against their (normalised) promises, averaged with the weights
    # of the community's patrons. A community without a signatory patron takes part in the interim
    # authorities only where they govern: the fairness lever sets the representation of that share.
    rep = 0.0
    wsum = 0.0
    for i in range(sigs.shape[0]):  # the signatories, ascending
        a = sigs[i]
        if base_w[a, c] > 0.0:
            fair = promised_share(promised[a], ptot) if promised[a] > 0.0 else p.min_fair_share  # normaliser summed once
            rep += base_w[a, c] * min(1.0, post_share[a] / fair)
            wsum += base_w[a, c]
    if wsum > 0.0:
        rep = rep / wsum
    else:
        rep = 1.0 - _north_share(pop0, zone, c) * (1.0 - fairness)
    return (_aspiration(comm_asp, p, c) * (1.0 - rep) * (1.0 + p.status_weight * comm_sub[c])
            + p.independence_demand * comm_indep[c])


@njit(cache=True, inline="always")
def protection(W, S, r, c, a):
    """Share of community c's people living in places protected by a, plus a's share of c's livelihood."""
    P = W.place_ext.shape[0]
    tot = 0.0
    prot = 0.0
    for v in range(P):
        tot += S.pop[r, c, v]
        if S.protector[r, v] == a:
            prot += S.pop[r, c, v]
    x = 0.0
    if tot > 0.0:
        x = prot / tot
    return x + W.base_w[a, c] * W.comm_dep[c]


@compiled_only
def update_communities(W, S, p, lev, aid, r, day, week):
    """The communities' week (see the module's docstring): livelihood, grievance, support, cooperation,
    then the purses and recruitment. The work rows of :func:`_communities` are allocated here, three
    buffers in all (it runs without reference counting), their sizes read by :func:`_sizes` (which
    reads the structs without reference counting too)."""
    C, A, P, npop, nfi, naidx, ntr = _sizes(W, S, p, r)
    fbuf = np.empty(_n_floats(C, A))
    ibuf = np.empty(_n_ints(C, A, P, npop, nfi, naidx, ntr), dtype=np.int64)
    bbuf = np.empty(_FLAGS_PER_ACTOR * A, dtype=np.bool_)
    _communities(W, S, p, lev, aid, r, day, week, npop, nfi, naidx, ntr, fbuf, ibuf, bbuf)


@compiled_only(nrt=False)
def _communities(W, S, p, lev, aid, r, day, week, npop, nfi, naidx, ntr, fbuf, ibuf, bbuf):
    """The communities' week (:func:`update_communities`), its work rows carved from ``fbuf`` (floats,
    :func:`_n_floats`), ``ibuf`` (ints, :func:`_n_ints`) and ``bbuf`` (3 flags per actor); ``npop``, ``nfi``,
    ``ntr``: how many places the communities' sets, the fighters' and the road's hold, ``naidx`` room for the
    actors present per place (:func:`_sizes`). Fills the State's livelihood, grievance, support,
    enemy support, protection reference and cooperation rows, then pays the purses and recruits. Without
    reference counting: the loops over communities and actors read the State's and the World's rows at
    every step. The rows the old form took from np.zeros are zero-filled here, the others are written
    before they are read, as there."""
    A, P = W.fighters0.shape
    C = W.pop0.shape[0]
    s = W.state_actor
    # The arrays the loops below read, looked up once (the same arrays, the same operations).
    pop = S.pop[r]
    fi = S.fighters[r]
    griev = S.grievance[r]
    harm = S.harm_week[r]
    lost = S.interdict_loss_week[r]
    sup = S.support[r]
    rel = S.rel[r]
    kind = W.actor_kind
    base_w = W.base_w
    dep = W.comm_dep
    mc = W.militia_comm
    act = S.active[r]
    s0 = W.support0
    protector = S.protector[r]
    lema = S.livelihood_ema[r]
    lref = S.livelihood_ref[r]
    lweek = S.livelihood_week[r]
    region_w = W.comm_region_w
    # The work rows.
    o = 0
    ctot, o = carve(fbuf, o, C)
    cprot, o = carve(fbuf, o, A)
    target, o = carve(fbuf, o, A)
    anchor, o = carve(fbuf, o, A)
    push, o = carve(fbuf, o, A)
    levy, o = carve(fbuf, o, A)  # each actor's levy on its supporters (ascending communities, as pay_purses sums it)
    want, o = carve(fbuf, o, C)  # recruitment's scratch
    for i in range(o):
        fbuf[i] = 0.0
    pair_push, o = carve(fbuf, o, C * A)
    for i in range(bbuf.shape[0]):
        bbuf[i] = False
    meet = bbuf[0:A]
    armed = bbuf[A:2 * A]
    held = bbuf[2 * A:]
    o = 0
    sigs, o = carve(ibuf, o, A)
    lst, o = carve(ibuf, o, A)
    mil_c, o = carve(ibuf, o, A)
    midx, o = carve(ibuf, o, A)
    forces, o = carve(ibuf, o, A)
    en_ptr, o = carve(ibuf, o, A + 1)
    rv_ptr, o = carve(ibuf, o, A + 1)
    fptr, o = carve(ibuf, o, A + 1)
    tptr, o = carve(ibuf, o, A + 1)
    rptr, o = carve(ibuf, o, A + 1)
    mil_ptr, o = carve(ibuf, o, A + 1)
    lptr, o = carve(ibuf, o, C + 1)
    gptr, o = carve(ibuf, o, C + 1)
    sptr, o = carve(ibuf, o, C + 1)
    dptr, o = carve(ibuf, o, C + 1)
    mptr, o = carve(ibuf, o, C + 1)
    aptr, o = carve(ibuf, o, P + 1)
    nptr, o = carve(ibuf, o, P + 1)
    en_idx, o = carve(ibuf, o, A * A)
    rv_idx, o = carve(ibuf, o, A * A)
    gidx, o = carve(ibuf, o, C * A)
    pair_c, o = carve(ibuf, o, C * A)  # the armed groups' recruiting pairs, by community
    pair_a, o = carve(ibuf, o, C * A)
    sidx, o = carve(ibuf, o, C * A)
    didx, o = carve(ibuf, o, C * A)
    ridx, o = carve(ibuf, o, C * A)
    pair_ptr, o = carve(ibuf, o, C * A + 1)
    cur, o = carve(ibuf, o, max(P, A, C))
    # The places where each community has people, before and (read by recruitment) after the purses: the
    # purses add people, to a community already listed at the place or, where nobody lived, to the
    # first community, so the second list is at most one place per place longer than the first.
    lidx, o = carve(ibuf, o, npop + P)
    nidx, o = carve(ibuf, o, npop)
    fidx, o = carve(ibuf, o, nfi)
    aidx, o = carve(ibuf, o, naidx)
    tidx, o = carve(ibuf, o, ntr)
    nsig, ptot = _signatories(W.sig, W.promised, sigs)
    comm = (sigs[:nsig], ptot, base_w, W.promised, W.pop0, W.place_zone, W.comm_asp, W.comm_sub, W.comm_indep)
    post_share = S.post_share[r]
    fairness = lev.interim_fairness[day]
    # Livelihood from trafficking, and its reference level after warm-up.
    for c in range(C):
        if week <= 1:
            lema[c] = lref[c]
        else:
            lema[c] += p.livelihood_smoothing * (lweek[c] - lema[c])
    # Per community, the places where it has people (ascending): sums over them that skip exact zeros
    # are the sums over all places bit for bit. Nothing below changes populations before the purses.
    places_into(pop, S.pop_bits[r], lptr, lidx)
    # Grievance. A pair with no grievance, harm or loss this week, against an actor other than the state
    # or an international force, stays at exactly zero (0.0 * decay + 0.0, within the bounds): it is
    # left as it is. Per community, the actors it holds a grievance against afterwards (ascending) are
    # listed in ``gptr``/``gidx``.
    gptr[0] = 0
    ng = 0
    for c in range(C):
        reg_aid = 0.0
        for g in range(region_w.shape[1]):
            reg_aid += region_w[c, g] * aid[day, g]
        state_present = 0.0
        tot = 0.0
        for i in range(lptr[c], lptr[c + 1]):
            v = lidx[i]
            tot += pop[c, v]
            if s >= 0 and fi[s, v] >= p.min_presence:
                state_present += pop[c, v]
        absent = 1.0
        if tot > 0.0:
            absent = 1.0 - state_present / tot
        ref = lref[c] + 1.0
        for a in range(A):
            g0 = griev[c, a]
            h = harm[c, a]
            loss = lost[c, a]
            if g0 == 0.0 and h == 0.0 and loss == 0.0 and a != s and kind[a] != KIND_INTERNATIONAL:
                continue
            g0 = g0 * p.grievance_decay + h
            if loss > 0.0:
                g0 += p.livelihood_grievance * dep[c] * min(p.livelihood_loss_cap, loss / ref)
            if a == s:
                g0 += p.exclusion_grievance * _community_unmet(comm, post_share, p, fairness, c)
                g0 += p.state_absence_grievance * absent
                g0 -= p.aid_relief * reg_aid
            elif kind[a] == KIND_INTERNATIONAL:
                g0 -= p.aid_relief_international * p.aid_relief * reg_aid
            if g0 < 0.0:
                g0 = 0.0
            if g0 > p.grievance_cap:
                g0 = p.grievance_cap
            griev[c, a] = g0
            harm[c, a] = 0.0
            lost[c, a] = 0.0
            if g0 != 0.0:
                gidx[ng] = a
                ng += 1
        gptr[c + 1] = ng
    # Support. Protection of each community by each actor: per community, from one pass over the places
    # where it lives (the same sums, in the same order, as ``protection``), into ``cprot`` (zero outside
    # the community being updated).
    prot_ref = S.prot_ref[r]
    # Each actor's enemies (negative relations), and the actors hostile to each, ascending.
    en_ptr[0] = 0
    rows_into(rel, 0.0, KEEP_BELOW, en_ptr, en_idx)
    by_column_into(en_ptr, en_idx, A, rv_ptr, rv_idx, cur)
    # Who meets whom: per place, the actors present, from the places where each actor has fighters
    # (also read by the purses and recruitment: fighters are only taken from those places, or given
    # to a group where it has some).
    actor_lists(S, p, r, aptr, aidx, fptr, fidx)
    # Recruitment's push (below) is the same sum as the opposition term here, and nothing in between
    # changes grievances or relations: it is kept, per recruiting pair, instead of being summed again.
    npair = 0
    for a in range(A):
        armed[a] = is_armed_kind(kind[a])
    es = S.enemy_support[r]
    for a in range(es.shape[0]):
        for c in range(es.shape[1]):
            es[a, c] = 0.0
    # The candidates for support where a community and an actor do not meet: the actors it supports (row
    # c of ``sup`` is only written after it is read), those the scenario gives its support, and its own
    # militias (``mptr``/``midx``, per community). Another community's militia that c does not meet is
    # anchored to the scenario's support (none if not formed): it holds c's support only if listed already.
    sptr[0] = 0
    rows_into(sup, 0.0, KEEP_NONZERO, sptr, sidx)
    dptr[0] = 0
    rows_into(s0, 0.0, KEEP_NONZERO, dptr, didx)
    # Per actor, its community if it is a militia (none otherwise), regrouped per community.
    nmil = 0
    mil_ptr[0] = 0
    for a in range(A):
        if mc[a] >= 0:
            mil_c[nmil] = mc[a]
            nmil += 1
        mil_ptr[a + 1] = nmil
    by_column_into(mil_ptr, mil_c, C, mptr, midx, cur)
    for c in range(C):
        t = 0.0
        for i in range(lptr[c], lptr[c + 1]):
            v = lidx[i]
            t += pop[c, v]
            g = protector[v]
            if g >= 0:
                cprot[g] += pop[c, v]
        ctot[c] = t
        if week == 0:
            for a in range(A):
                prot_ref[c, a] = _protection_of(base_w[a, c], dep[c], t, cprot[a])
        n = met_actors(protector, c, s, lptr, lidx, aptr, aidx, meet, lst)
        # Elsewhere, the pairs that still hold support or that the scenario declares: among the actors
        # c supports, those the scenario gives c's support, and c's militias.
        m = n
        n = _held_elsewhere(sidx, sptr[c], sptr[c + 1], c, sup, mc, act, s0, p, meet, held, lst, n)
        n = _held_elsewhere(didx, dptr[c], dptr[c + 1], c, sup, mc, act, s0, p, meet, held, lst, n)
        n = _held_elsewhere(midx, mptr[c], mptr[c + 1], c, sup, mc, act, s0, p, meet, held, lst, n)
        for i in range(m, n):
            held[lst[i]] = False
        sort_head(lst, n)
        s0tot = 0.0
        for i in range(n):
            a = lst[i]
            anchor[a] = _support_anchor(mc[a], act[a], s0[c, a], p, c, meet[a])
            s0tot += anchor[a]
        denom = max(p.unaligned_floor, 1.0 - s0tot)
        for i in range(n):
            a = lst[i]
            if not meet[a]:
                target[a] = anchor[a]  # where they do not meet, support returns to the declared level
                denom += target[a]
                continue
            x = p.support_protection * (_protection_of(base_w[a, c], dep[c], ctot[c], cprot[a]) - prot_ref[c, a])
            x -= p.support_grievance * griev[c, a]
            # Grievance against a's enemies (negative relations), weighted by hostility: the enemies c holds
            # no grievance against add exact zeros to a sum of non-negative terms, and are skipped.
            opp = 0.0
            for k in range(gptr[c], gptr[c + 1]):
                f = gidx[k]
                if rel[a, f] < 0.0:
                    opp += griev[c, f] * (-rel[a, f])
            push[a] = opp
            x += p.support_opposition * opp
            if x > p.support_logit_cap:
                x = p.support_logit_cap
            # exp(0) is exactly 1: pairs with no protection, grievance or enemies in common skip the call.
            target[a] = anchor[a] * (np.exp(x) if x != 0.0 else 1.0)
            denom += target[a]
        for i in range(n):
            a = lst[i]
            y = sup[c, a] + p.support_rate * (target[a] / denom - sup[c, a])
            if not meet[a] and anchor[a] == 0.0 and y < p.support_negligible:
                y = 0.0  # support faded away from the group's reach is gone
            sup[c, a] = y
            levy[a] += p.levy_rate * y * ctot[c]
            if meet[a] and y > 0.0 and armed[a]:
                pair_c[npair] = c
                pair_a[npair] = a
                pair_push[npair] = push[a]
                npair += 1
        # Support community c gives to each actor's enemies (read daily by reprisals): the sums over the
        # enemies b of a, in ascending order, of c's support for b weighted by a's hostility to b.
        for i in range(n):
            b = lst[i]
            if sup[c, b] == 0.0:
                continue
            for k in range(rv_ptr[b], rv_ptr[b + 1]):
                a = rv_idx[k]
                es[a, c] += sup[c, b] * (-rel[a, b])
        for i in range(n):
            meet[lst[i]] = False
        for i in range(lptr[c], lptr[c + 1]):
            g = protector[lidx[i]]
            if g >= 0:
                cprot[g] = 0.0
    # Cooperation with each force.
    role = W.actor_role
    coop = S.coop[r]
    nf = 0
    for f in range(A):
        if role[f] != ROLE_NONE:
            forces[nf] = f
            nf += 1
    for c in range(C):
        for i in range(nf):
            f = forces[i]
            g = griev[c, f]
            # exp(-0.0) is exactly 1: a force the community holds no grievance against skips the call.
            tgt = min(1.0, p.cooperation_base + sup[c, f]) * (np.exp(-p.cooperation_sensitivity * g) if g != 0.0 else 1.0)
            if week == 0:
                coop[c, f] = tgt
            else:
                coop[c, f] += p.cooperation_rate * (tgt - coop[c, f])
    # Purses, turnover and recruitment (mechanisms/purses.py). Recruitment is pushed by grievance
    # against the group's enemies, weighted by how hostile they are.
    # Per place, the communities with people there (ascending), for the fighters who go home.
    by_column_into(lptr, lidx, P, nptr, nidx, cur)
    cash = S.cash[r]
    acc = S.acc[r]
    # per actor, the places with fighters on the road to them (their sets, mechanisms/placesets.py)
    places_into(S.transit_n[r], S.transit_bits[r], tptr, tidx)
    fresh = pay_purses(kind, W.cash0, base_w, fi, S.transit[r], pop, cash, acc, S.income[r], rel, p, ctot, levy,
                       aptr, aidx, nptr, nidx, lptr, lidx, fptr, fidx, tptr, tidx, S.pop_bits[r],
                       S.fighter_bits[r])
    # Per actor, its recruiting pairs: the pairs listed one per row, regrouped per actor.
    for i in range(npair + 1):
        pair_ptr[i] = i
    by_column_into(pair_ptr[:npair + 1], pair_a, A, rptr, ridx, cur)
    # Per community, the places where it has people after the purses: fighters went home where people
    # live, unless they went where nobody did.
    if fresh:
        places_into(pop, S.pop_bits[r], lptr, lidx)
    recruit(kind, sup, fi, pop, cash, acc, p, ctot, pair_c, pair_push, rptr, ridx, lptr, lidx, fptr, fidx, want,
            S.fighter_bits[r])


@compiled_only(nrt=False)
def _sizes(W, S, p, r):
    """The sizes :func:`update_communities` makes its work rows from: communities, actors, places, how many
    places the sets of the communities and of the actors' fighters hold (``S.pop_bits[r]``,
    ``S.fighter_bits[r]``: the lists read from them get room for every place they hold), room for the actors
    present per place (with no floor, places without fighters are listed too), and how many places the
    sets of fighters on the road hold (``S.transit_bits[r]``)."""
    A, P = W.fighters0.shape
    C = W.pop0.shape[0]
    nfi = count_places(S.fighter_bits[r])
    naidx = nfi if p.min_presence > 0.0 else A * P
    return C, A, P, count_places(S.pop_bits[r]), nfi, naidx, count_places(S.transit_bits[r])


@njit(cache=True, inline="always")
def _n_floats(C, A):
    """Entries of :func:`_communities`' float buffer, in the order it carves them: a row per community, five
    per actor, a row per community, one entry per community-actor pair."""
    return 2 * C + _FLOAT_ROWS_PER_ACTOR * A + C * A


@njit(cache=True, inline="always")
def _n_ints(C, A, P, npop, nfi, naidx, ntr):
    """Entries of :func:`_communities`' int buffer, in the order it carves them: five rows of one entry per
    actor; the pointers of six lists over actors, five over communities and two over places; each actor's
    enemies and the actors hostile to each (at most A x A each); six lists of community-actor pairs (at most
    C x A each) and the pointers of the recruiting pairs listed one per row (C x A + 1); a cursor per column
    regrouped (places, actors or communities); the places of the communities, before and after the purses
    (``npop + P``) and per place (``npop``); the places of the fighters (``nfi``), the actors present per
    place (``naidx``), the places of the road (``ntr``)."""
    return (_INT_ROWS_PER_ACTOR * A + _ACTOR_LISTS * (A + 1) + _COMMUNITY_LISTS * (C + 1) + 2 * (P + 1) + 2 * A * A
            + _PAIR_LISTS * C * A + C * A + 1
            + max(P, A, C) + 2 * npop + P + nfi + naidx + ntr)


@compiled_only(nrt=False)
def _signatories(sig, promised, sigs):
    """The signatories, ascending, into ``sigs`` (their number returned), and their promises' sum
    (:func:`_promised_total`)."""
    n = 0
    for a in range(sig.shape[0]):
        if sig[a] == 1:
            sigs[n] = a
            n += 1
    return n, _promised_total(sig, promised)


@compiled_only(nrt=False)  # called per community: no reference counting of the arrays it takes
def _held_elsewhere(cand, k0, k1, c, sup, mc, act, s0, p, meet, held, lst, n):
    """Append to ``lst[:n]`` the candidates ``cand[k0:k1]`` that community c does not meet and that still
    hold its support or are declared (a non-zero anchor), each once (``held``); returns the new length."""
    for k in range(k0, k1):
        a = cand[k]
        if meet[a] or held[a]:
            continue
        if sup[c, a] != 0.0 or _support_anchor(mc[a], act[a], s0[c, a], p, c, False) > 0.0:
            held[a] = True
            lst[n] = a
            n += 1
    return n


@njit(cache=True, inline="always")
def _support_anchor(militia_comm, active, support0, p, c, met):
    """The support level community c's support for an actor is anchored to: the scenario's (where they
    meet, at least the latent sympathy ``support_floor``); none for a militia not formed; for a formed
    militia, its own community's backing. (The actor's ``W.militia_comm`` and ``S.active[r]`` entries,
    and ``W.support0[c]``'s: scalars, since arrays handed to an inlined helper in a loop would have
    their reference counts raised and lowered at every call.)"""
    if militia_comm >= 0:
        if active == 0:
            return 0.0
        if militia_comm == c:
            return p.militia_support
    if met:
        return max(support0, p.support_floor)
    return support0


@njit(cache=True, inline="always")
def _protection_of(base_w, comm_dep, ctot, cprot):
    """Share of a community's people (``ctot``) protected by an actor (``cprot``), plus the actor's
    share of its livelihood (``base_w * comm_dep``); scalars, as for :func:`_support_anchor`."""
    x = 0.0
    if ctot > 0.0:
        x = cprot / ctot
    return x + base_w * comm_dep
