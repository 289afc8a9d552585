"""Mechanism 6, continued: the armed groups' purses, turnover and recruitment.

Seed: "these networks seek to protect not just their businesses but their communities from attack,
while also trying to perpetuate their political, economic, and social positions." A group's
strength rests on what it earns: rents, trafficking margins, ransoms, levies on its supporters.

Each week, for every actor with a purse (all but international forces):

* income has already accrued to cash (rents and margins daily, levies and the state's budget here);
* upkeep is taken from cash; when cash cannot cover it, the unpaid share of the week's upkeep is the
  group's **arrears**;
* cash above the group's war chest (its starting cash) is spent, a share each week: weapons, vehicles,
  patronage (it leaves the modelled economy and is counted as ``spending``), so cash binds — a group
  whose income falls below its upkeep drains its chest and then cannot pay;
* armed groups lose fighters: a small **attrition** every week (wounds, illness, men going home),
  and, in proportion to their arrears, **desertion** (fighters go home) and **defection** (fighters
  join another armed group present at the same place that is not hostile and can pay);
* recruitment: the supporters of each community the group meets (it has fighters where the community
  has people) join at a rate raised by grievance against the group's enemies, bounded by a share of
  the community, and the group's total intake in a week is capped at
  ``max_growth`` of its strength (about +50% in two years at most). Each recruit costs
  ``recruit_cost`` from cash; a group that cannot pay draws only the committed
  (``unpaid_recruitment``).
"""

from __future__ import annotations

from numba import njit

from azalai.model.jit import compiled_only
from azalai.model.mechanisms.placesets import mark_place
from azalai.model.state import ACC, DAYS_PER_WEEK, SRC_BUDGET, SRC_LEVY
from azalai.model.world import KIND_INTERNATIONAL, KIND_JIHADIST, KIND_MILITIA, KIND_SIGNATORY, KIND_STATE

_RECRUITS = ACC["recruits"]
_JRECRUITS = ACC["jihadist_recruits"]
_DESERTIONS = ACC["desertions"]
_DEFECTIONS = ACC["defections"]
_ATTRITION = ACC["attrition"]
_SPENDING = ACC["spending"]


@njit(cache=True, inline="always")
def is_armed_kind(k):
    """Whether an actor of kind k is a local armed group (it recruits from and returns fighters to
    communities)."""
    return k == KIND_SIGNATORY or k == KIND_JIHADIST or k == KIND_MILITIA


# The purses, turnover and recruitment take arrays (one replicate's rows), not the World and State
# structs, and are compiled without reference counting (``nrt=False``): the structs handed to the
# helpers inlined in their loops, and each field looked up there, would otherwise cost an atomic
# increment and decrement of a reference count. ``kind``: ``W.actor_kind``; ``fi``, ``tr``, ``pop``,
# ``cash``, ``acc``, ``income``, ``rel``, ``support``: ``S.fighters[r]``, ``S.transit[r]``, ``S.pop[r]``,
# ``S.cash[r]``, ``S.acc[r]``, ``S.income[r]``, ``S.rel[r]``, ``S.support[r]``.


@njit(cache=True, inline="always")
def _defection_target(kind, rel, cash, fi, min_presence, a, v, aptr, aidx):
    """The armed group unpaid fighters of a at v would join: present there, not hostile to a, able to
    pay; the strongest such group (-1 if none). ``aidx[aptr[v]:aptr[v + 1]]`` lists, ascending, every
    actor present at v."""
    best = -1
    bf = 0.0
    for i in range(aptr[v], aptr[v + 1]):
        b = aidx[i]
        if b == a or not is_armed_kind(kind[b]) or rel[a, b] < 0.0 or cash[b] <= 0.0:
            continue
        fb = fi[b, v]
        if fb >= min_presence and fb > bf:
            bf = fb
            best = b
    return best


@njit(cache=True, inline="always")
def go_home(base_w, pop, home_bias, a, v, n, nptr, nidx, bits):
    """Fighters who leave a group (n of a's fighters at v) rejoin the civilians of v: the community with the
    most people there weighted by ``1 + home_bias * base_w[a, c]`` (its base community if one lives there;
    the first on ties, the first community where nobody lives). ``pop``: one replicate's communities x
    places; ``bits``: its ``S.pop_bits[r]``, marked where they go.

    The communities are read from the list of those with people at v when the lists were made
    (``nidx[nptr[v]:nptr[v + 1]]``, ascending), which is a scan of every community bit for bit: people
    are never negative and the home bias not either, so the others, who weigh zero against the listed ones,
    cannot be chosen, and the listed stay listed (people only join them here); where nobody lived the
    scan picks the first community, as here (people who joined it since weigh zero against it). Returns
    the community (-1 if there are none)."""
    if pop.shape[0] == 0:
        return -1
    best = 0
    bw = -1.0
    for i in range(nptr[v], nptr[v + 1]):
        c = nidx[i]
        wgt = pop[c, v] * (1.0 + home_bias * base_w[a, c])
        if wgt > bw:
            bw = wgt
            best = c
    pop[best, v] += n
    mark_place(bits, best, v)
    return best


@compiled_only(nrt=False)
def pay_purses(kind, cash0, base_w, fi, tr, pop, cash, acc, income, rel, p, ctot, levy, aptr, aidx, nptr,
               nidx, lptr, lidx, fptr, fidx, tptr, tidx, bits, fbits):
    """Levies, the state's budget, upkeep, spending, and the losses of groups that cannot pay.

    ``ctot`` holds each community's total population; it is updated when fighters go home. ``levy``
    holds each actor's levy on its supporters this week. ``aidx[aptr[v]:aptr[v + 1]]`` lists (at least)
    the actors present at v and ``nidx[nptr[v]:nptr[v + 1]]`` the communities with people there, in
    ascending order: fighters and people only fall here, except where they are given to someone
    already listed (or, where nobody lives, to the first community, :func:`go_home`).
    ``lidx[lptr[c]:lptr[c + 1]]`` lists, ascending, the places where community c has people (not zero):
    the totals are summed again over them (the other places add exact zeros), over every place if
    people went home where nobody lived. ``fidx[fptr[a]:fptr[a + 1]]`` lists, ascending, the places where
    a has fighters (not zero): fighters are only taken from them, and given to groups present there;
    ``tidx[tptr[a]:tptr[a + 1]]`` those with fighters on the road to them (where ``S.transit_n[r]``, the
    non-zero slots of each actor's ring of fighters in transit to each place, is not zero: elsewhere
    every slot of the ring is zero, movement.add_to_ring). ``bits``: the places where each community may live
    (``S.pop_bits[r]``), marked where fighters go home; ``fbits``: the places where each actor may have
    fighters (``S.fighter_bits[r]``), marked where defectors join. Returns whether people went home where nobody
    lived (otherwise the places where each community has people are the same as before)."""
    A, P = fi.shape
    C = pop.shape[0]
    TW = tr.shape[-1]
    moved = False
    fresh = False
    for a in range(A):
        k = kind[a]
        if k == KIND_INTERNATIONAL:
            continue
        cash[a] += levy[a]
        income[a, SRC_LEVY] += levy[a]
        if k == KIND_STATE:
            cash[a] += p.state_budget
            income[a, SRC_BUDGET] += p.state_budget
        # Over the places where a has fighters or fighters on the road (the others add exact zeros: the
        # same sum, see presence.row_total), in ascending order, at each its fighters and then the road.
        total_f = 0.0
        i, i1 = fptr[a], fptr[a + 1]
        j, j1 = tptr[a], tptr[a + 1]
        while i < i1 or j < j1:
            v = fidx[i] if i < i1 else P
            if j < j1 and tidx[j] < v:
                v = tidx[j]
            if i < i1 and fidx[i] == v:
                x = fi[a, v]
                if x != 0.0:
                    total_f += x
                i += 1
            if j < j1 and tidx[j] == v:
                for wk in range(TW):
                    y = tr[a, v, wk]  # fighters on the road are paid too
                    if y != 0.0:
                        total_f += y
                j += 1
        due = p.upkeep * DAYS_PER_WEEK * total_f
        arrears = 0.0
        if due > 0.0:
            if cash[a] >= due:
                cash[a] -= due
            else:
                arrears = 1.0 - cash[a] / due
                cash[a] = 0.0
        chest = cash0[a]
        if cash[a] > chest:
            spend = p.spending_rate * (cash[a] - chest)
            cash[a] -= spend
            acc[_SPENDING] += spend
        if not is_armed_kind(k):
            continue
        leave = p.attrition_rate + p.desertion_rate * arrears
        defect = p.defection_rate * arrears
        for i in range(fptr[a], fptr[a + 1]):
            v = fidx[i]
            fv = fi[a, v]
            if fv <= 0.0:
                continue
            gone = leave * fv
            if gone > 0.0:
                fi[a, v] -= gone
                acc[_ATTRITION] += p.attrition_rate * fv
                acc[_DESERTIONS] += gone - p.attrition_rate * fv
                if nptr[v] == nptr[v + 1]:
                    fresh = True  # people now live where nobody did
                go_home(base_w, pop, p.home_bias, a, v, gone, nptr, nidx, bits)
                moved = True
            if defect > 0.0:
                b = _defection_target(kind, rel, cash, fi, p.min_presence, a, v, aptr, aidx)
                if b >= 0:
                    d = defect * fv
                    fi[a, v] -= d
                    fi[b, v] += d
                    mark_place(fbits, b, v)
                    acc[_DEFECTIONS] += d
    if moved:
        for c in range(C):
            t = 0.0
            if fresh:
                for v in range(P):
                    t += pop[c, v]
            else:
                for i in range(lptr[c], lptr[c + 1]):
                    t += pop[c, lidx[i]]
            ctot[c] = t
    return fresh


@compiled_only(nrt=False)
def recruit(kind, support, fi, pop, cash, acc, p, ctot, pair_c, pair_push, rptr, ridx, lptr, lidx, fptr, fidx, want,
            fbits):
    """Weekly recruitment of every armed group from the supporters it meets (``ridx[rptr[a]:rptr[a + 1]]``:
    the recruiting pairs of a, the communities ``pair_c`` of which, ascending, have people where a is
    present and support for a; ``pair_push``: grievance of the pair's community against a's enemies,
    weighted by hostility). ``lidx[lptr[c]:lptr[c + 1]]``: the
    places where community c has people, ascending (:func:`presence.by_row` of ``pop``, not zero):
    recruitment only lowers populations that are not zero, so the list holds every place the loops
    below can change or pick (they visit the same places in the same order as a scan of all places
    would). ``fidx[fptr[a]:fptr[a + 1]]``: the places where a may have fighters, ascending (a superset
    of those where it has: recruits join a group only where it has fighters). ``fbits``: the places where
    each actor may have fighters (``S.fighter_bits[r]``), marked where recruits join. ``want``: scratch,
    one entry per community."""
    A, P = fi.shape
    for a in range(A):
        if not is_armed_kind(kind[a]) or rptr[a] == rptr[a + 1]:
            continue
        # What each community would give, bounded by a share of the community.
        total = 0.0
        for i in range(rptr[a], rptr[a + 1]):
            c = pair_c[ridx[i]]
            want[c] = 0.0
            s = support[c, a]
            tot = ctot[c]
            if s <= 0.0 or tot <= 0.0:
                continue
            n = p.recruit_rate * s * tot * (1.0 + p.grievance_push * min(pair_push[ridx[i]], p.grievance_push_cap))
            want[c] = min(n, p.community_recruit_cap * tot)
            total += want[c]
        if total <= 0.0:
            continue
        # The group absorbs at most max_growth of its strength (force_ref for small groups) a week,
        # and pays recruit_cost for each; past what it can pay, only the committed join.
        own = 0.0
        big = -1
        most = 0.0
        for i in range(fptr[a], fptr[a + 1]):
            v = fidx[i]
            x = fi[a, v]
            if x == 0.0:
                continue  # adds nothing and is not the largest post (see presence.row_total)
            own += x
            if x > most:
                most = fi[a, v]
                big = v
        if big < 0:
            continue
        scale = min(1.0, p.max_growth * max(own, p.force_ref) / total)
        intake = scale * total
        if intake <= 0.0:
            continue
        paid = intake
        if p.recruit_cost > 0.0:
            paid = min(intake, cash[a] / p.recruit_cost)
        taken = paid + p.unpaid_recruitment * (intake - paid)
        cash[a] -= paid * p.recruit_cost
        scale *= taken / intake
        for i in range(rptr[a], rptr[a + 1]):
            c = pair_c[ridx[i]]
            n = scale * want[c]
            if n <= 0.0:
                continue
            # Recruits join where the group is present among their community, else its largest post.
            dest = -1
            dw = 0.0
            for i in range(lptr[c], lptr[c + 1]):
                v = lidx[i]
                if fi[a, v] >= p.min_presence and pop[c, v] > dw:
                    dw = pop[c, v]
                    dest = v
            if dest < 0:
                dest = big
            tot = ctot[c]
            t = 0.0
            for i in range(lptr[c], lptr[c + 1]):
                v = lidx[i]
                if pop[c, v] != 0.0:
                    pop[c, v] -= n * pop[c, v] / tot
                    t += pop[c, v]
            ctot[c] = t
            fi[a, dest] += n
            mark_place(fbits, a, dest)
            acc[_RECRUITS] += n
            if kind[a] == KIND_JIHADIST:
                acc[_JRECRUITS] += n
