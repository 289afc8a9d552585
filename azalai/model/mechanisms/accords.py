"""Mechanism 7: accords and politics — tension between signatories, restraint, mediation, DDR and posts.

Seed: "However, they also rest on a fragile balance of power that encompasses positions in the
planned-for but controversial interim authorities, the integration of combatants into Mali's armed
services, and participation in the UN's Disarmament, Demobilization and Reintegration (DDR)
programme, as well as the protection of trade and business networks."

Each week, for each pair of signatories, a tension index fades and grows with:

* rents lost against entitlement (each signatory's rent income against its level when the accords'
  balance was struck, i.e. after the warm-up weeks);
* shifts in the pair's balance of fighters;
* incidents between them (clashes, seizures of each other's convoys, discovered denunciations);
* unmet political demands (interim posts short of what was promised, the status ambitions of
  formerly subordinate groups, the wish for independence).

Past a threshold the accord's restraint fails for the pair (clash hazards lose the restraint
factor); mediation can restore it once tension has fallen. Restraint broken for long enough counts as
the accord failing. Interim posts are shared between a promised, population-fair share and a
power-based one, by the fairness lever. DDR moves fighters of signatories whose restraint holds back
into their communities, against payments.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from azalai.model.jit import compiled_only
from azalai.model.mechanisms.buffers import carve
from azalai.model.mechanisms.communities import political_aspiration, promised_share
from azalai.model.mechanisms.placesets import count_places, places_into, row_places
from azalai.model.mechanisms.presence import by_column_into, next_nonzero, row_total
from azalai.model.mechanisms.purses import go_home
from azalai.model.events import PAIR_CODE, CK_HOSTILITY, CK_MEDIATION, CK_RENT_LOSS, CK_TENSION, CK_UNMET_DEMANDS, EV_AGREEMENT, EV_OTHER, M_ACCORDS, emit, link
from azalai.model.rng import SITE_MEDIATION, uniform
from azalai.model.state import ACC, SRC_DDR, WEEKS_PER_YEAR

_FAIL_DAY = ACC["accord_failure_day"]
_DEMOB = ACC["demobilised"]
_BREAKS = ACC["accord_breaks"]
_MEDIATIONS = ACC["mediations"]


@njit(cache=True, inline="always")
def _shared_place(W, S, p, r, a, b):
    """A place where both a and b are present (else a's largest post)."""
    P = W.place_ext.shape[0]
    best = -1
    bw = 0.0
    fallback = 0
    fw = -1.0
    for v in range(P):
        fa = S.fighters[r, a, v]
        fb = S.fighters[r, b, v]
        if fa > fw:
            fw = fa
            fallback = v
        m = min(fa, fb)
        if m > bw:
            bw = m
            best = v
    return best if best >= 0 else fallback


@compiled_only(nrt=False)
def update_posts(W, S, lev, r, day, own, at):
    """Interim authorities: posts by promise (fair) and by power, weighted by the fairness lever.
    Writes into ``own`` each signatory's fighters (:func:`presence.row_total`; -1 for the other actors),
    summed in the same pass as the running sum over all the signatories, and returns the signatories'
    promises summed in ascending order (the normaliser of a promised share, ``communities.promised_share``).
    ``at``: room for a list of places."""
    A = W.actor_kind.shape[0]
    fi = S.fighters[r]  # looked up once (the same array): no reference counting in the loops below
    sig = W.sig
    promised = W.promised
    share = S.post_share[r]
    for a in range(A):
        own[a] = -1.0
    tot_f = 0.0
    tot_p = 0.0
    fbits = S.fighter_bits[r]
    for a in range(A):
        if sig[a] == 1:
            # Its fighters over its places (placesets.row_places), ascending: row_total's sum (every place,
            # exact zeros skipped) bit for bit, the same terms added to one running sum over the signatories.
            t = 0.0
            for i in range(row_places(fi, fbits, a, at, 0)):
                x = fi[a, at[i]]
                t += x
                tot_f += x
            own[a] = t
            tot_p += promised[a]
    fair_w = lev.interim_fairness[day]
    for a in range(A):
        if sig[a] != 1:
            share[a] = 0.0
            continue
        fa = own[a]
        power = fa / tot_f if tot_f > 0.0 else 0.0
        fair = promised[a] / tot_p if tot_p > 0.0 else power
        share[a] = fair_w * fair + (1.0 - fair_w) * power
    return tot_p


@njit(cache=True, inline="always")
def actor_unmet(W, S, p, lev, r, day, a, ptot):
    """Unmet demands of signatory a: posts short of promise, weighted by its communities' aspirations.
    ``ptot``: the signatories' promises summed in ascending order (:func:`update_posts`)."""
    C = W.pop0.shape[0]
    asp = 0.0
    sub = 0.0
    indep = 0.0
    bw = W.base_w[a]  # looked up once (the same row): no reference counting in the scan
    # Its communities, ascending (a community it is not based on adds exact zeros, which leave the sums
    # unchanged; blocks of such communities are passed over at once, :func:`presence.next_nonzero`).
    c = next_nonzero(bw, 0)
    while c < C:
        w = bw[c]
        asp += w * political_aspiration(W, p, c)
        sub += w * W.comm_sub[c]
        indep += w * W.comm_indep[c]
        c = next_nonzero(bw, c + 1)
    fair = promised_share(W.promised[a], ptot)  # normalised like post_share
    short = 0.0
    if fair > 0.0:
        short = max(0.0, 1.0 - S.post_share[r, a] / fair)
    return asp * short * (1.0 + p.status_weight * sub) + p.independence_demand * indep


@compiled_only
def update_accords(W, S, p, lev, r, day, week):
    A = W.actor_kind.shape[0]
    P = W.fighters0.shape[1]
    C = W.pop0.shape[0]
    # The work arrays of :func:`update_posts` and :func:`_accords`, carved from three allocations made
    # here: they run without reference counting. Per place, the communities with people there (where
    # DDR sends fighters home) are listed only while DDR goes on: room for them, from the places each
    # community's set holds (mechanisms/placesets.py).
    ddr = lev.ddr_pace[day] / WEEKS_PER_YEAR > 0.0
    n = count_places(S.pop_bits[r]) if ddr else 0
    fbuf = np.empty(A + A + A)  # own, strength, unmet_of
    ibuf = np.empty(P + (P + 1) + (C + 1) + n + n + P, dtype=np.int64)  # at, nptr, lptr, lidx, nidx, room
    bbuf = np.empty(A + A, dtype=np.bool_)  # known, holds
    _update_accords(W, S, p, lev, r, day, week, ddr, fbuf, ibuf, bbuf)


@compiled_only(nrt=False)
def _update_accords(W, S, p, lev, r, day, week, ddr, fbuf, ibuf, bbuf):
    """:func:`update_accords`: :func:`update_posts`, then :func:`_accords` with its rows carved from
    ``fbuf``, ``ibuf`` and ``bbuf`` and filled as they were when allocated (zeros, ``holds`` ones)."""
    A = W.actor_kind.shape[0]
    P = W.fighters0.shape[1]
    C = W.pop0.shape[0]
    own = fbuf[:A]
    strength = fbuf[A:2 * A]
    unmet_of = fbuf[2 * A:]
    known = bbuf[:A]
    holds = bbuf[A:2 * A]  # no broken pair
    for a in range(A):
        strength[a] = 0.0
        unmet_of[a] = 0.0
        known[a] = False
        holds[a] = True
    at = ibuf[:P]
    ptot = update_posts(W, S, lev, r, day, own, at)
    nptr = ibuf[P:2 * P + 1]
    for v in range(P + 1):
        nptr[v] = 0
    o = 2 * P + 1
    nidx = ibuf[o:o]
    if ddr:
        # Per place, the communities with people there, ascending: the places where each lives
        # (placesets.places_by_row) regrouped per place (presence.by_column_into).
        lptr, o = carve(ibuf, o, C + 1)
        m = (ibuf.shape[0] - o - P) // 2  # room for each of the two lists
        lidx, o = carve(ibuf, o, m)
        n = places_into(S.pop[r], S.pop_bits[r], lptr, lidx)
        nidx = ibuf[o:o + n]
        by_column_into(lptr, lidx, P, nptr, nidx, ibuf[ibuf.shape[0] - P:])
    _accords(W, S, p, lev, r, day, week, own, ptot, strength, unmet_of, known, holds, at, nptr, nidx)


@compiled_only(nrt=False)
def _accords(W, S, p, lev, r, day, week, own, ptot, strength, unmet_of, known, holds, at, nptr, nidx):
    """The accords' week (:func:`update_accords`): rent entitlements, tension, breaks and mediation per
    pair, DDR. ``own``: each signatory's fighters and ``ptot`` their promises' sum (:func:`update_posts`);
    the other rows start at zero, ``holds`` at one; ``at``: room for a list of places; ``nptr``/``nidx``: per
    place, the communities with people there (when DDR goes on, :func:`update_accords`). Without reference
    counting: the loops over pairs and communities read the State's and the World's fields at every step."""
    A, P = W.fighters0.shape
    NP = W.pair_a.shape[0]
    seed = S.seed[r]
    # Rent entitlement is the level when the balance was struck (after warm-up).
    for a in range(A):
        if week <= 1:
            S.rent_ema[r, a] = S.rent_ref[r, a] if S.rent_ref[r, a] > 0.0 else S.rent_week[r, a]
        else:
            S.rent_ema[r, a] += p.entitlement_smoothing * (S.rent_week[r, a] - S.rent_ema[r, a])
    # Each signatory's strength and unmet demands, once (neither changes while the pairs are updated).
    for n in range(NP):
        for x in (W.pair_a[n], W.pair_b[n]):
            if not known[x]:
                known[x] = True
                strength[x] = own[x] if own[x] >= 0.0 else row_total(S.fighters, r, x)  # fighters unchanged since
                unmet_of[x] = actor_unmet(W, S, p, lev, r, day, x, ptot)
    for n in range(NP):
        a = W.pair_a[n]
        b = W.pair_b[n]
        short = 0.0
        if week > 1:
            for x in (a, b):
                if S.rent_ref[r, x] > 0.0:
                    # Shortfalls within the usual week-to-week spread are tolerated.
                    short += max(0.0, 1.0 - S.rent_ema[r, x] / S.rent_ref[r, x] - p.rent_tolerance)
        fa = strength[a]
        fb = strength[b]
        shift = 0.0
        if fa + fb > 0.0:
            bal = fa / (fa + fb)
            if S.balance_prev[r, n] >= 0.0:
                shift = abs(bal - S.balance_prev[r, n])
            S.balance_prev[r, n] = bal
        unmet = (unmet_of[a] + unmet_of[b]) / 2
        inc = S.incidents_week[r, n]
        S.incidents_week[r, n] = 0.0
        tau = (
            S.tension[r, n] * p.tension_decay
            + p.tension_rent * short
            + p.tension_balance * shift
            + p.tension_incident * inc
            + p.tension_political * unmet
        )
        S.tension[r, n] = tau
        if S.broken[r, n] == 0:
            if tau > p.tension_threshold:
                S.broken[r, n] = 1
                S.broken_weeks[r, n] = 0
                S.acc[r, _BREAKS] += 1.0
                v = _shared_place(W, S, p, r, a, b)
                ev = emit(S, r, day, EV_OTHER, a, b, v, 0, 0, M_ACCORDS)
                link(S, r, ev, 0, CK_TENSION, a * PAIR_CODE + b, tau)
                slot = 1
                if short > 0.0:
                    link(S, r, ev, slot, CK_RENT_LOSS, a if S.rent_ref[r, a] > 0 and S.rent_ema[r, a] < S.rent_ref[r, a] else b, short)
                    slot += 1
                if inc > 0.0:
                    link(S, r, ev, slot, CK_HOSTILITY, a * PAIR_CODE + b, inc)
                    slot += 1
                link(S, r, ev, slot, CK_UNMET_DEMANDS, a, unmet)
        else:
            S.broken_weeks[r, n] += 1
            if S.broken_weeks[r, n] >= p.failure_weeks and S.acc[r, _FAIL_DAY] < 0.0:
                S.acc[r, _FAIL_DAY] = day
                S.fail_flag[r] = 1
            chance = p.mediation_rate
            if tau < p.mediation_threshold * p.tension_threshold and uniform(seed, week, SITE_MEDIATION, n, 0) < chance:
                S.broken[r, n] = 0
                S.broken_weeks[r, n] = 0
                S.acc[r, _MEDIATIONS] += 1.0
                v = _shared_place(W, S, p, r, a, b)
                ev = emit(S, r, day, EV_AGREEMENT, a, b, v, 0, 0, M_ACCORDS)
                link(S, r, ev, 0, CK_MEDIATION, a * PAIR_CODE + b, tau)
    # DDR for signatories whose restraint holds with everyone.
    pace = lev.ddr_pace[day] / WEEKS_PER_YEAR
    if pace > 0.0:
        for n in range(NP):
            if S.broken[r, n] == 1:
                holds[W.pair_a[n]] = False
                holds[W.pair_b[n]] = False
        # The arrays the loop reads, looked up once (the same arrays, the same operations).
        fi = S.fighters[r]
        pop = S.pop[r]
        base_w = W.base_w
        livelihood = S.livelihood_week[r]
        bits = S.pop_bits[r]
        fbits = S.fighter_bits[r]
        for a in range(A):
            if W.ddr_ok[a] != 1 or not holds[a]:
                continue
            fa = fi[a]
            # Its places with fighters, ascending (elsewhere none leave, 0.0 * pace), listed before any leave.
            for i in range(row_places(fi, fbits, a, at, 0)):
                v = at[i]
                d = fa[v] * pace
                if d <= 0.0:
                    continue
                fa[v] -= d
                S.acc[r, _DEMOB] += d
                pay = d * p.ddr_payment
                S.cash[r, a] += p.ddr_group_share * pay
                S.income[r, a, SRC_DDR] += p.ddr_group_share * pay
                home = go_home(base_w, pop, p.home_bias, a, v, d, nptr, nidx, bits)
                livelihood[home] += (1.0 - p.ddr_group_share) * pay
