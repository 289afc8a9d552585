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
  against, jihadists included;
* cooperation with each force (the supply of its informants) falls with grievance toward it;
* armed groups recruit from their supporters, faster where grievance against their enemies runs
  high and when they can pay; they pay upkeep, raise levies, and lose deserters when broke.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from azalai.model.state import ACC, DAYS_PER_WEEK, SRC_BUDGET, SRC_LEVY
from azalai.model.world import (
    ASP_AUTONOMY, ASP_INDEPENDENCE, ASP_RELIGIOUS_ORDER, ASP_REPRESENTATION, ASP_SECURITY, ASP_STATUS,
    KIND_INTERNATIONAL, KIND_JIHADIST, KIND_SIGNATORY, KIND_STATE, ROLE_NONE, ZONES,
)

_RECRUITS = ACC["recruits"]
_JRECRUITS = ACC["jihadist_recruits"]
_DESERTIONS = ACC["desertions"]
_NORTH = ZONES["north"]


@njit(cache=True, inline="always")
def promised_share(W, a):
    """Signatory a's promised share of the interim posts, normalised over the signatories as the posts are."""
    tot = 0.0
    for x in range(W.sig.shape[0]):
        if W.sig[x] == 1:
            tot += W.promised[x]
    return W.promised[a] / tot if tot > 0.0 else 0.0


@njit(cache=True, inline="always")
def north_share(W, c):
    """Share of community c's people living in the north, where the interim authorities govern."""
    tot = 0.0
    north = 0.0
    for v in range(W.pop0.shape[1]):
        tot += W.pop0[c, v]
        if W.place_zone[v] == _NORTH:
            north += W.pop0[c, v]
    return north / tot if tot > 0.0 else 0.0


@njit(cache=True, inline="always")
def political_aspiration(W, p, c):
    """Weight of community c's strongest political aspiration (independence weighs 1)."""
    x = 0.0
    if W.comm_asp[c, ASP_INDEPENDENCE] > 0.0:
        x = 1.0
    if W.comm_asp[c, ASP_AUTONOMY] > 0.0:
        x = max(x, p.aspiration_autonomy)
    if W.comm_asp[c, ASP_REPRESENTATION] > 0.0:
        x = max(x, p.aspiration_representation)
    if W.comm_asp[c, ASP_STATUS] > 0.0:
        x = max(x, p.aspiration_status)
    if W.comm_asp[c, ASP_SECURITY] > 0.0:
        x = max(x, p.aspiration_security)
    if W.comm_asp[c, ASP_RELIGIOUS_ORDER] > 0.0:
        x = max(x, p.aspiration_religious_order)
    return x


@njit(cache=True, inline="always")
def community_unmet(W, S, p, lev, r, day, c):
    """Unmet political demands of community c (0..~2): representation, status, independence."""
    A = W.actor_kind.shape[0]
    # Representation: the patrons' posts against their (normalised) promises, averaged with the weights
    # of the community's patrons. A community without a signatory patron takes part in the interim
    # authorities only where they govern: the fairness lever sets the representation of that share.
    rep = 0.0
    wsum = 0.0
    for a in range(A):
        if W.sig[a] == 1 and W.base_w[a, c] > 0.0:
            fair = promised_share(W, a) if W.promised[a] > 0.0 else p.min_fair_share
            rep += W.base_w[a, c] * min(1.0, S.post_share[r, a] / fair)
            wsum += W.base_w[a, c]
    if wsum > 0.0:
        rep = rep / wsum
    else:
        rep = 1.0 - north_share(W, c) * (1.0 - lev.interim_fairness[day])
    return (political_aspiration(W, p, c) * (1.0 - rep) * (1.0 + p.status_weight * W.comm_sub[c])
            + p.independence_demand * W.comm_indep[c])


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


@njit(cache=True)
def update_communities(W, S, p, lev, aid, r, day, week):
    A, P = W.fighters0.shape
    C = W.pop0.shape[0]
    s = W.state_actor
    # Livelihood from trafficking, and its reference level after warm-up.
    for c in range(C):
        if week <= 1:
            S.livelihood_ema[r, c] = S.livelihood_ref[r, c]
        else:
            S.livelihood_ema[r, c] += p.livelihood_smoothing * (S.livelihood_week[r, c] - S.livelihood_ema[r, c])
    # Grievance.
    for c in range(C):
        reg_aid = 0.0
        for g in range(W.comm_region_w.shape[1]):
            reg_aid += W.comm_region_w[c, g] * aid[day, g]
        state_present = 0.0
        tot = 0.0
        for v in range(P):
            tot += S.pop[r, c, v]
            if s >= 0 and S.fighters[r, s, v] >= p.min_presence:
                state_present += S.pop[r, c, v]
        absent = 1.0
        if tot > 0.0:
            absent = 1.0 - state_present / tot
        ref = S.livelihood_ref[r, c] + 1.0
        for a in range(A):
            g0 = S.grievance[r, c, a] * p.grievance_decay + S.harm_week[r, c, a]
            loss = S.interdict_loss_week[r, c, a]
            if loss > 0.0:
                g0 += p.livelihood_grievance * W.comm_dep[c] * min(p.livelihood_loss_cap, loss / ref)
            if a == s:
                g0 += p.exclusion_grievance * community_unmet(W, S, p, lev, r, day, c)
                g0 += p.state_absence_grievance * absent
                g0 -= p.aid_relief * reg_aid
            elif W.actor_kind[a] == KIND_INTERNATIONAL:
                g0 -= p.aid_relief_international * p.aid_relief * reg_aid
            if g0 < 0.0:
                g0 = 0.0
            if g0 > p.grievance_cap:
                g0 = p.grievance_cap
            S.grievance[r, c, a] = g0
            S.harm_week[r, c, a] = 0.0
            S.interdict_loss_week[r, c, a] = 0.0
    # Support. Protection of each community by each actor, from one pass over the places (the same
    # sums, in the same order, as ``protection``).
    ctot = np.zeros(C)
    cprot = np.zeros((C, A))
    for c in range(C):
        t = 0.0
        for v in range(P):
            t += S.pop[r, c, v]
            g = S.protector[r, v]
            if g >= 0:
                cprot[c, g] += S.pop[r, c, v]
        ctot[c] = t
    if week == 0:
        for c in range(C):
            for a in range(A):
                S.prot_ref[r, c, a] = _protection_of(W, ctot, cprot, c, a)
    # Each actor's enemies (negative relations), in ascending order.
    en_ptr = np.zeros(A + 1, dtype=np.int64)
    for a in range(A):
        n = 0
        for f in range(A):
            if W.rel0[a, f] < 0.0:
                n += 1
        en_ptr[a + 1] = en_ptr[a] + n
    en_idx = np.empty(en_ptr[A], dtype=np.int64)
    for a in range(A):
        i = en_ptr[a]
        for f in range(A):
            if W.rel0[a, f] < 0.0:
                en_idx[i] = f
                i += 1
    target = np.zeros(A)
    for c in range(C):
        s0tot = 0.0
        for a in range(A):
            s0tot += max(W.support0[c, a], p.support_floor)
        none0 = max(p.unaligned_floor, 1.0 - s0tot)
        denom = none0
        for a in range(A):
            x = p.support_protection * (_protection_of(W, ctot, cprot, c, a) - S.prot_ref[r, c, a])
            x -= p.support_grievance * S.grievance[r, c, a]
            opp = 0.0
            for i in range(en_ptr[a], en_ptr[a + 1]):
                f = en_idx[i]
                opp += S.grievance[r, c, f] * (-W.rel0[a, f])
            x += p.support_opposition * opp
            if x > p.support_logit_cap:
                x = p.support_logit_cap
            target[a] = max(W.support0[c, a], p.support_floor) * np.exp(x)
            denom += target[a]
        for a in range(A):
            S.support[r, c, a] += p.support_rate * (target[a] / denom - S.support[r, c, a])
    # Support each community gives to each actor's enemies (read daily by reprisals).
    for a in range(A):
        for c in range(C):
            es = 0.0
            for i in range(en_ptr[a], en_ptr[a + 1]):
                b = en_idx[i]
                es += S.support[r, c, b] * (-W.rel0[a, b])
            S.enemy_support[r, a, c] = es
    # Cooperation with each force.
    for c in range(C):
        for f in range(A):
            if W.actor_role[f] == ROLE_NONE:
                continue
            tgt = min(1.0, p.cooperation_base + S.support[r, c, f]) * np.exp(-p.cooperation_sensitivity * S.grievance[r, c, f])
            if week == 0:
                S.coop[r, c, f] = tgt
            else:
                S.coop[r, c, f] += p.cooperation_rate * (tgt - S.coop[r, c, f])
    # Purses: levy, state budget, upkeep, desertion; then recruitment. Community totals are those of
    # ``ctot`` until a desertion returns people home (then they are summed again).
    for a in range(A):
        k = W.actor_kind[a]
        if k == KIND_INTERNATIONAL:
            continue
        levy = 0.0
        for c in range(C):
            levy += p.levy_rate * S.support[r, c, a] * ctot[c]
        S.cash[r, a] += levy
        S.income[r, a, SRC_LEVY] += levy
        if k == KIND_STATE:
            S.cash[r, a] += p.state_budget
            S.income[r, a, SRC_BUDGET] += p.state_budget
        total_f = 0.0
        for v in range(P):
            total_f += S.fighters[r, a, v]
        S.cash[r, a] -= p.upkeep * DAYS_PER_WEEK * total_f
        if S.cash[r, a] < 0.0:
            S.cash[r, a] = 0.0
            if k == KIND_SIGNATORY or k == KIND_JIHADIST:
                moved = False
                for v in range(P):
                    d = S.fighters[r, a, v] * p.desertion_rate
                    if d <= 0.0:
                        continue
                    S.fighters[r, a, v] -= d
                    S.acc[r, _DESERTIONS] += d
                    _return_home(W, S, p, r, a, v, d)
                    moved = True
                if moved:
                    for c in range(C):
                        t = 0.0
                        for v in range(P):
                            t += S.pop[r, c, v]
                        ctot[c] = t
    # Recruitment. Per community, the places where it lives (nonzero population: the only terms of its
    # sums that are not exact zeros; recruitment never makes a zero population nonzero).
    pl_ptr = np.zeros(C + 1, dtype=np.int64)
    for c in range(C):
        n = 0
        for v in range(P):
            if S.pop[r, c, v] != 0.0:
                n += 1
        pl_ptr[c + 1] = pl_ptr[c] + n
    pl_idx = np.empty(pl_ptr[C], dtype=np.int64)
    for c in range(C):
        i = pl_ptr[c]
        for v in range(P):
            if S.pop[r, c, v] != 0.0:
                pl_idx[i] = v
                i += 1
    pres = np.empty(P, dtype=np.int64)
    for a in range(A):
        k = W.actor_kind[a]
        if not (k == KIND_SIGNATORY or k == KIND_JIHADIST):
            continue
        pay = 1.0 if S.cash[r, a] > 0.0 else p.unpaid_recruitment
        # Places where a is present (ascending; recruits only add fighters, so the list only grows),
        # its largest post, and its total strength (summed again when it changed).
        npres = 0
        big = -1
        most = 0.0
        for v in range(P):
            fv = S.fighters[r, a, v]
            if fv >= p.min_presence:
                pres[npres] = v
                npres += 1
            if fv > most:
                most = fv
                big = v
        own = 0.0
        own_ok = False
        for c in range(C):
            if S.support[r, c, a] <= 0.0:
                continue
            push = 0.0
            for i in range(en_ptr[a], en_ptr[a + 1]):
                f = en_idx[i]
                push += S.grievance[r, c, f] * (-W.rel0[a, f])
            tot = ctot[c]
            if tot <= 0.0:
                continue
            n = p.recruit_rate * S.support[r, c, a] * tot * (1.0 + p.grievance_push * min(push, p.grievance_push_cap)) * pay
            if n <= 0.0:
                continue
            # Recruits join where the group is present among their community, else its largest post.
            dest = -1
            dw = 0.0
            for i in range(npres):
                v = pres[i]
                wgt = S.pop[r, c, v] * 1.0
                if wgt > dw:
                    dw = wgt
                    dest = v
            if dest < 0:
                dest = big
            if dest < 0:
                continue
            # Organisational capacity bounds how fast a group can absorb recruits.
            lim = p.community_recruit_cap * tot
            if n < lim:
                lim = n
            if lim > p.max_growth * p.force_ref:
                if not own_ok:
                    own = 0.0
                    for v in range(P):
                        own += S.fighters[r, a, v]
                    own_ok = True
                n = min(n, p.max_growth * max(own, p.force_ref), p.community_recruit_cap * tot)
            else:
                n = min(n, p.community_recruit_cap * tot)
            for i in range(pl_ptr[c], pl_ptr[c + 1]):
                v = pl_idx[i]
                S.pop[r, c, v] -= n * S.pop[r, c, v] / tot
            t = 0.0
            for i in range(pl_ptr[c], pl_ptr[c + 1]):
                t += S.pop[r, c, pl_idx[i]]
            ctot[c] = t
            was = S.fighters[r, a, dest]
            S.fighters[r, a, dest] += n
            now = S.fighters[r, a, dest]
            own_ok = False
            if was < p.min_presence and now >= p.min_presence:
                j = npres
                while j > 0 and pres[j - 1] > dest:
                    pres[j] = pres[j - 1]
                    j -= 1
                pres[j] = dest
                npres += 1
            if now > most or (now == most and dest < big):
                most = now
                big = dest
            S.acc[r, _RECRUITS] += n
            if k == KIND_JIHADIST:
                S.acc[r, _JRECRUITS] += n


@njit(cache=True, inline="always")
def _protection_of(W, ctot, cprot, c, a):
    x = 0.0
    if ctot[c] > 0.0:
        x = cprot[c, a] / ctot[c]
    return x + W.base_w[a, c] * W.comm_dep[c]


@njit(cache=True, inline="always")
def _return_home(W, S, p, r, a, v, n):
    """Fighters who leave a group rejoin a community at v (its base community if one lives there).

    Returns the community they joined."""
    C = W.pop0.shape[0]
    best = -1
    bw = -1.0
    for c in range(C):
        wgt = S.pop[r, c, v] * (1.0 + p.home_bias * W.base_w[a, c])
        if wgt > bw:
            bw = wgt
            best = c
    if best >= 0:
        S.pop[r, best, v] += n
    return best
