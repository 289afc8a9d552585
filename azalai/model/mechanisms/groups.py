"""Mechanism 10: groups that form and ally — self-defence militias, and relations that evolve.

Seed: "these networks seek to protect not just their businesses but their communities from attack,
while also trying to perpetuate their political, economic, and social positions." And: "This fueled
competition among different Tuareg and Arab factions for access to lucrative routes, government
resources and the territory necessary to ensure that trade could continue uninterrupted."

Each week (docs/ODD.md §7.10):

* the battles of the past week are remembered between each pair of actors: fighting each other
  lowers their history, fighting the same enemy at the same place raises it; history fades;
* each community's insecurity at each place fades and grows with the harm done to its people there
  (killings by anyone), set against its people there;
* each community's grievance against each rival community (one it is hostile to) fades with the other
  grievances and grows with disputes over land the state did not arbitrate (§7.11) and with the harm
  done to its people by armed groups based on the rival community: ``communal_blame`` of the grievance
  raised against the group, weighted by the group's share of that community;
* a community the scenario declares able to arm forms its self-defence militia when its grievance
  against an attacker or a rival community passes its threshold and, at a place where enough of its people live, its local
  insecurity — discounted by the share of the people there the state's post can police, and nil under
  a protector of its own — passes its threshold. The dormant actor slot becomes
  active: fighters raised at that place, support from it, hostility toward those it holds a
  grievance against and toward the armed groups of the rival community it holds one against (its
  other relations come from its community's);
* relations move toward a target: the scenario's relation, plus shared enemies (both hostile to an
  actor that is strong), plus past cooperation less past violence, plus — between actors on good
  terms — shared rents less diverging rents. An alliance is made when the relation rises past
  ``alliance_threshold`` and broken when it falls below it by ``alliance_hysteresis``.

Nothing is dated: militias and alliances form and break from the state of the world alone.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from azalai.model.events import (
    CK_ATTACKS_ON_COMMUNITY, CK_COMMUNAL_GRIEVANCE, CK_COOP_HISTORY, CK_GRIEVANCE, CK_LOCAL_STRENGTH, CK_NO_PROTECTOR, CK_RELATION,
    CK_RENT_DIVERGENCE, CK_SHARED_ENEMY, CK_SHARED_RENT, EV_AGREEMENT, EV_GROUP_CHANGE, EV_OTHER, EV_TRANSFER,
    M_CONTROL, M_GROUPS, M_LAND, M_OPERATIONS, M_VIOLENCE, PAIR_CODE, emit, link,
)
from azalai.model.jit import compiled_only
from azalai.model.mechanisms.buffers import carve
from azalai.model.mechanisms.land import state_reach
from azalai.model.mechanisms.marks import carve_marks, mark_words, marked
from azalai.model.mechanisms.placesets import mark_place, row_places, row_places_either
from azalai.model.mechanisms.presence import KEEP_BELOW, row_total, rows_into
from azalai.model.mechanisms.purses import is_armed_kind
from azalai.model.state import ACC, CHAIN
from azalai.model.world import KIND_INTERNATIONAL

_LAST_LINK = CHAIN - 1  # the last link of a cause chain
_FORMED = ACC["militias_formed"]
_MADE = ACC["alliances_made"]
_BROKEN = ACC["alliances_broken"]
SHARED = 2  # a pair's flag in relations: an enemy in common (1: a non-zero entry)

# The work rows of the weekly steps below are carved from one float and one integer buffer, which the public
# functions make (the only allocations of the week's groups) and hand to workers compiled without
# reference counting.


@njit(cache=True, inline="always")
def _battle(S, r, e):
    """Violence between two actors: clashes, attacks, operations, places taken by force, battles after
    land disputes."""
    m = S.ev_mech[r, e]
    if not (m == M_VIOLENCE or m == M_CONTROL or m == M_OPERATIONS or m == M_LAND):
        return False
    return S.ev_type[r, e] != EV_TRANSFER and S.ev_a1[r, e] >= 0 and S.ev_a2[r, e] >= 0


@njit(cache=True, inline="always")
def _side_by_side(S, r, a, enemy, x, y):
    """If battle (x, y) pitted someone other than a against a's enemy, they fought side by side."""
    ally = -1
    if y == enemy and x != a:
        ally = x
    elif x == enemy and y != a:
        ally = y
    if ally >= 0:
        S.hist[r, a, ally] += 1.0
        S.hist[r, ally, a] += 1.0


@compiled_only(nrt=False)
def remember_battles(W, S, p, r):
    """Past violence and cooperation from the battles logged since the last week."""
    A = W.actor_kind.shape[0]
    hist = S.hist[r]
    for a in range(A):
        for b in range(A):
            x = hist[a, b]
            if x != 0.0:  # a zero stays zero
                hist[a, b] = x * p.history_decay
    n0 = S.ev_seen[r]
    n1 = S.ev_n[r]
    for e in range(n0, n1):
        if not _battle(S, r, e):
            continue
        a = S.ev_a1[r, e]
        b = S.ev_a2[r, e]
        S.hist[r, a, b] -= 1.0
        S.hist[r, b, a] -= 1.0
        # Another battle of the week at the same place against the same enemy: fought side by side.
        for f in range(n0, e):
            if not _battle(S, r, f) or S.ev_place[r, f] != S.ev_place[r, e]:
                continue
            x = S.ev_a1[r, f]
            y = S.ev_a2[r, f]
            _side_by_side(S, r, a, b, x, y)
            _side_by_side(S, r, b, a, x, y)
    S.ev_seen[r] = n1


@compiled_only
def communal_grievances(W, S, p, r):
    """Grievance of each community against each rival community: it fades, and grows with the harm done
    this week to its people by the rival's armed groups (disputes add to it in §7.11).

    Seed: "This is not to say that whole communities can be associated with these trades, as is sometimes
    described in Malian and international outlets." The model's communities do associate them: a community
    blames its rival for the rival's armed men."""
    A = W.actor_kind.shape[0]
    C = W.pop0.shape[0]
    _grievances(W, S, p, r, np.empty(_grievance_ints(A, C), dtype=np.int64))


@njit(cache=True, inline="always")
def _grievance_ints(A, C):
    """Integers of the work buffer of :func:`_grievances`: three rows of marks (the armed groups, those
    that harmed a community, its rivals) and the lists of the last two."""
    return mark_words(A) + mark_words(A) + mark_words(C) + A + C


@compiled_only(nrt=False)
def _grievances(W, S, p, r, ibuf):
    """The grievances of :func:`communal_grievances`, updated in ``S.cgriev[r]``; ``ibuf``: room for
    :func:`_grievance_ints` integers, whose marks are zeroed here (as :func:`marks.marks` made them) and whose
    lists are written before they are read. Without reference counting: the loop over communities hands
    its rows to the inlined :func:`marked` for every community."""
    A = W.actor_kind.shape[0]
    C = W.pop0.shape[0]
    cg = S.cgriev[r]
    harm = S.harm_week[r]
    kind = W.actor_kind
    base_w = W.base_w
    comm_rel = W.comm_rel
    # Per community, the armed groups that harmed its people this week (ascending): the only terms of
    # the blame. A pair with no grievance and no blame stays at exactly zero and is left as it is. Both
    # are marked in one pass over the row (:func:`marked`).
    armed, _, o = carve_marks(ibuf, 0, A)  # 0/1 per actor, as the booleans they were
    for g in range(A):
        armed[g] = is_armed_kind(kind[g])
    gmask, gwords, o = carve_marks(ibuf, o, A)
    dmask, dwords, o = carve_marks(ibuf, o, C)
    harmed, o = carve(ibuf, o, A)
    rivals, o = carve(ibuf, o, C)
    for c in range(C):
        harm_c = harm[c]
        cg_c = cg[c]
        rel_c = comm_rel[c]
        for g in range(A):
            gmask[g] = (harm_c[g] > 0.0) & armed[g]
        nh = marked(gmask, gwords, harmed, 0)
        if nh > 0:
            for d in range(C):
                dmask[d] = (cg_c[d] != 0.0) | ((rel_c[d] < 0.0) & (d != c))
        else:
            for d in range(C):
                dmask[d] = cg_c[d] != 0.0
        for i in range(marked(dmask, dwords, rivals, 0)):
            d = rivals[i]
            x = cg_c[d]
            blamed = nh > 0 and d != c and rel_c[d] < 0.0
            x *= p.grievance_decay
            if blamed:
                for j in range(nh):
                    g = harmed[j]
                    if base_w[g, d] > 0.0:
                        x += p.communal_blame * harm[c, g] * base_w[g, d]
            cg_c[d] = min(x, p.grievance_cap)


@njit(cache=True, inline="always")
def _hostile_for(S, r, m, a, g, full):
    """A grievance g > 0 makes the relation of m and a at most -min(1, g / full)."""
    if g > 0.0:
        x = -min(1.0, g / full)
        if x < S.rel[r, m, a]:
            S.rel[r, m, a] = x
            S.rel[r, a, m] = x


@compiled_only(nrt=False)
def _form_militia(W, S, p, r, day, m, c, home, insec, worst, rival, gw, unprot):
    """Activate militia m of community c at ``home``: fighters, support, hostility toward its attackers
    and toward the armed groups of the rival communities it holds a grievance against."""
    A = W.actor_kind.shape[0]
    most = S.pop[r, c, home]
    n = min(p.militia_initial * most, most)
    S.pop[r, c, home] -= n
    S.fighters[r, m, home] += n
    mark_place(S.fighter_bits[r], m, home)
    S.active[r, m] = 1
    tot = 0.0
    for a in range(A):
        tot += S.support[r, c, a]
    if tot + p.militia_support > 1.0:
        k = (1.0 - p.militia_support) / tot
        for a in range(A):
            S.support[r, c, a] *= k
    S.support[r, c, m] = p.militia_support
    for a in range(A):
        if a == m:
            continue
        _hostile_for(S, r, m, a, S.grievance[r, c, a], p.militia_grievance)
        if not is_armed_kind(W.actor_kind[a]):
            continue
        for d in range(W.pop0.shape[0]):
            if d != c:
                _hostile_for(S, r, m, a, S.cgriev[r, c, d] * W.base_w[a, d], p.militia_grievance)
    S.acc[r, _FORMED] += 1.0
    ev = emit(S, r, day, EV_GROUP_CHANGE, m, worst, home, 0, 0, M_GROUPS)
    link(S, r, ev, 0, CK_ATTACKS_ON_COMMUNITY, c, insec)
    if rival >= 0:
        link(S, r, ev, 1, CK_COMMUNAL_GRIEVANCE, c * PAIR_CODE + rival, gw)
    else:
        link(S, r, ev, 1, CK_GRIEVANCE, c * PAIR_CODE + worst, gw)
    link(S, r, ev, 2, CK_NO_PROTECTOR, c, 1.0 - unprot)
    link(S, r, ev, _LAST_LINK, CK_LOCAL_STRENGTH, m, n)


@compiled_only
def local_insecurity(W, S, p, r):
    """Each community's insecurity at each place fades and grows with the harm done to its people there
    this week, set against its people there; the week's harm is then cleared."""
    _insecurity(W, S, p, r, np.empty(W.place_ext.shape[0], dtype=np.int64))


@compiled_only(nrt=False)
def _insecurity(W, S, p, r, at):
    """The insecurity of :func:`local_insecurity`, updated in ``S.insecurity[r]`` (and ``S.harm_place[r]``
    cleared); ``at``: room for a list of places, written before it is read."""
    C = W.pop0.shape[0]
    pop = S.pop[r]
    insecurity = S.insecurity[r]
    harm_place = S.harm_place[r]
    bits = S.insec_bits[r]
    # Per community, the places with insecurity or harm (most hold neither: a place with neither stays
    # zero, decay * 0.0 + 0.0), ascending, read from its set of such places (mechanisms/placesets.py).
    for c in range(C):
        ins_c = insecurity[c]
        harm_c = harm_place[c]
        for i in range(row_places_either(insecurity, harm_place, bits, c, at, 0)):
            v = at[i]
            ins = ins_c[v]
            h = harm_c[v]
            x = 0.0
            n = pop[c, v]
            if h > 0.0 and n > 0.0:
                x = h * p.pool_ref / n
            ins_c[v] = p.insecurity_decay * ins + x
            harm_c[v] = 0.0


@njit(cache=True, inline="always")
def _militia_ints(A, C, P):
    """Integers of the work buffer of :func:`_militias`: its two steps' (one after the other, in the same
    room)."""
    return max(P, _grievance_ints(A, C))


@compiled_only
def militias(W, S, p, r, day):
    """Local insecurity of each community at each place; a declared militia forms where its people are attacked.

    Seed: "these networks seek to protect not just their businesses but their communities from attack."
    A community arms where it is attacked: the harm done to its people at a place is set against its
    people there, not against its whole population (most of whom may live safely elsewhere)."""
    ni = _militia_ints(W.actor_kind.shape[0], W.pop0.shape[0], W.place_ext.shape[0])
    _militias(W, S, p, r, day, np.empty(ni, dtype=np.int64))


@compiled_only(nrt=False)
def _militias(W, S, p, r, day, ibuf):
    """The week's insecurity and communal grievances (:func:`_insecurity`, :func:`_grievances`, each in
    ``ibuf``, room for :func:`_militia_ints` integers), then the militias that form (:func:`militias`)."""
    A, P = W.fighters0.shape
    C = W.pop0.shape[0]
    _insecurity(W, S, p, r, ibuf)
    _grievances(W, S, p, r, ibuf)
    for m in range(A):
        c = W.militia_comm[m]
        if c < 0 or S.active[r, m] == 1:
            continue
        worst = -1
        gw = 0.0
        for a in range(A):
            if a != m and S.grievance[r, c, a] > gw:
                gw = S.grievance[r, c, a]
                worst = a
        # A grievance against a rival community counts as one against its strongest armed group here.
        rival = -1
        for d in range(C):
            if S.cgriev[r, c, d] > gw:
                gw = S.cgriev[r, c, d]
                rival = d
        if rival >= 0:
            worst = _strongest_of(W, S, r, rival)
        if gw < p.militia_grievance or (worst < 0 and rival < 0):
            continue
        # Home: where c's people are most insecure with neither a protector of their own nor the state's
        # reach (a state post shelters the share of the people there it can police, unless the state is
        # the one they hold their worst grievance against).
        home = -1
        insec = 0.0
        people = 0.0
        safe = 0.0
        for v in range(P):
            n = S.pop[r, c, v]
            if n == 0.0 or W.place_ext[v] == 1:
                continue
            people += n
            g = S.protector[r, v]
            if g >= 0 and W.base_w[g, c] > 0.0:
                safe += n
                continue
            reach = 0.0
            if worst != W.state_actor:
                reach = state_reach(W, S, p, r, v)  # the state shelters no one from its own abuses
            safe += n * reach
            if n < p.dispute_min_pop:
                continue
            x = S.insecurity[r, c, v] * (1.0 - reach)
            if x > insec:
                insec = x
                home = v
        if home < 0 or insec < p.militia_insecurity:
            continue
        unprot = 1.0 - safe / people
        _form_militia(W, S, p, r, day, m, c, home, insec, worst, rival, gw, unprot)


@compiled_only(nrt=False)
def _strongest_of(W, S, r, d):
    """The active armed group with the most fighters among those based on community d (-1 if none)."""
    A = W.actor_kind.shape[0]
    best = -1
    most = 0.0
    for g in range(A):
        if S.active[r, g] == 0 or W.base_w[g, d] <= 0.0 or not is_armed_kind(W.actor_kind[g]):
            continue
        n = row_total(S.fighters, r, g)
        if n > most:
            most = n
            best = g
    return best


@compiled_only(nrt=False)
def _meeting_place(W, S, r, a, b):
    """Where both are (most of the smaller side), else where a has most fighters."""
    P = W.place_ext.shape[0]
    best = -1
    bw = 0.0
    own = 0
    ow = -1.0
    for v in range(P):
        x = min(S.fighters[r, a, v], S.fighters[r, b, v])
        if x > bw:
            bw = x
            best = v
        if S.fighters[r, a, v] > ow:
            ow = S.fighters[r, a, v]
            own = v
    return best if best >= 0 else own


@compiled_only(nrt=False)
def _hostility(rel, active, kind, rows, cols, en_ptr, hptr, idx, h):
    """Last week's hostile relations, written into the rows given (``rows``/``cols``: room for A + 1 and
    A * A integers, ``en_ptr``/``hptr``: A + 1, ``idx``/``h``: 2 * A * A, every entry written before it is
    read): the hostile entries' columns, row by row (CSR, :func:`presence.by_row`'s lists below zero,
    written by :func:`presence.rows_into`); per actor a (CSR over rows), its active
    enemies x (``rel[a, x] < 0``, x not a) and its hostility ``-rel[a, x]`` to each; per actor x (CSR over
    columns), every actor y hostile to it (``rel[y, x] < 0``, ascending) that is active and not an
    international force (the partners :func:`relations` pairs), and ``-rel[y, x]``."""
    A = rel.shape[0]
    rows[0] = 0
    rows_into(rel, 0.0, KEEP_BELOW, rows, cols)
    for a in range(A + 1):  # zero, as np.zeros made them
        en_ptr[a] = 0
        hptr[a] = 0
    k = 0
    for a in range(A):
        partner = active[a] == 1 and kind[a] != KIND_INTERNATIONAL
        for i in range(rows[a], rows[a + 1]):
            x = cols[i]
            hptr[x + 1] += partner
            k += x != a and active[x] == 1
        en_ptr[a + 1] = k
    for x in range(A):
        hptr[x + 1] += hptr[x]
    K = k  # the enemies from idx[0], then the partners hostile to each from idx[K] (at most A * A of each)
    k = 0
    for a in range(A):
        partner = active[a] == 1 and kind[a] != KIND_INTERNATIONAL
        for i in range(rows[a], rows[a + 1]):
            x = cols[i]
            if x != a and active[x] == 1:
                idx[k] = x
                h[k] = -rel[a, x]
                k += 1
            if partner:
                j = K + hptr[x]  # hptr[x] counts up to the end of x's list, then is shifted back below
                idx[j] = a
                h[j] = -rel[a, x]
                hptr[x] += 1
    for x in range(A, 0, -1):
        hptr[x] = hptr[x - 1] + K
    hptr[0] = K


@njit(cache=True, inline="always")
def _relation_ints(A, P):
    """Integers of the work buffer of :func:`_relations`, in the order it carves them: :func:`_hostility`'s
    lists, a list of places, three rows over the actors and a row of marks."""
    return (A + 1) + A * A + (A + 1) + (A + 1) + A * A * 2 + P + A + A + A + mark_words(A)


@njit(cache=True, inline="always")
def _relation_floats(A):
    """Floats of the work buffer of :func:`_relations`, in the order it carves them: :func:`_hostility`'s
    hostilities and three rows over the actors."""
    return A * A * 2 + A + A + A


@compiled_only
def relations(W, S, p, r, day, week):
    """Relations move toward their target; alliances are made and broken."""
    A, P = W.fighters0.shape
    _relations(W, S, p, r, day, week, np.empty(_relation_floats(A)), np.empty(_relation_ints(A, P), dtype=np.int64))


@compiled_only(nrt=False)
def _relations(W, S, p, r, day, week, fbuf, ibuf):
    """The relations and alliances of :func:`relations`, updated in ``S.rel[r]`` and ``S.allied[r]``;
    ``fbuf``/``ibuf``: room for :func:`_relation_floats` floats and :func:`_relation_ints` integers,
    carved into the rows below, each filled here as np.zeros/np.full/.copy() made it or written before
    it is read. Without reference counting: the loop over pairs hands rows to the inlined helpers and
    reads the State's fields for every actor."""
    A = W.actor_kind.shape[0]
    # The arrays the loops below read, looked up once (the same arrays, the same operations).
    active = S.active[r]
    kind = W.actor_kind
    rel0 = W.rel0
    hist = S.hist[r]
    rent_ema = S.rent_ema[r]
    rel = S.rel[r]
    allied = S.allied[r]
    fi = S.fighters[r]
    fbits = S.fighter_bits[r]
    P = fi.shape[1]
    # The work rows, carved from the buffers in order: last week's hostilities (:func:`_hostility`), a list
    # of places, and the rows over the actors below.
    rows, o = carve(ibuf, 0, A + 1)
    cols, o = carve(ibuf, o, A * A)
    en_ptr, o = carve(ibuf, o, A + 1)
    hptr, o = carve(ibuf, o, A + 1)
    idx, o = carve(ibuf, o, A * A * 2)
    at, o = carve(ibuf, o, P)
    after, o = carve(ibuf, o, A)
    flagged, o = carve(ibuf, o, A)
    top_of, o = carve(ibuf, o, A)
    flag, words, o = carve_marks(ibuf, o, A)
    h, o = carve(fbuf, 0, A * A * 2)
    weight_of, o = carve(fbuf, o, A)
    se_of, o = carve(fbuf, o, A)
    tv_of, o = carve(fbuf, o, A)
    # Last week's hostilities, read from lists made before any pair moves: every pair moves from last
    # week's relations, and a pair's own relation is read before it is written (each pair once).
    _hostility(rel, active, kind, rows, cols, en_ptr, hptr, idx, h)
    for x in range(A):
        # Per actor x, where its list of hostile partners passes a (a rises: each list is walked once): only
        # the partners b > a of a pair are read.
        after[x] = hptr[x]
        # Each actor's weight as a shared enemy (its strength against force_ref, at most 1), worked out the
        # first time a shared enemy may need it (-1 until then).
        weight_of[x] = -1.0
        # Per partner b of a: the shared enemies' sum, its largest term and whose (zero, zero and -1 between
        # partners: the loop below sets them back after reading them).
        se_of[x] = 0.0
        tv_of[x] = 0.0
        top_of[x] = -1
    # A pair with no relation, target, history, alliance or enemy in common stays at +0.0 and not allied
    # (the update below gives exactly that: a zero target, 0.0 + rel_rate * 0.0, and 0.0 is below the
    # alliance threshold): it is written without the update. Only the pairs with a non-zero entry (a -0.0
    # relation included) or an enemy in common are visited, in the same (ascending) order.
    # Per partner b of a: CAND (a non-zero entry), SHARED (an enemy in common); read back as marks, a word
    # at a time (:func:`marks.marked`): the partners flagged, ascending.
    every = not p.alliance_threshold > 0.0  # a zero pair would reach an alliance: every pair is updated
    for a in range(A):
        if active[a] == 0 or kind[a] == KIND_INTERNATIONAL:
            continue
        rel_a = rel[a]
        rel0_a = rel0[a]
        hist_a = hist[a]
        allied_a = allied[a]
        for k in range(A - a - 1):  # every test made (no branches; counted from zero, the loop is vectorised)
            b = a + 1 + k
            flag[b] = (every | (rel_a[b] != 0.0) | (math.copysign(1.0, rel_a[b]) < 0.0) | (rel0_a[b] != 0.0)
                       | (hist_a[b] != 0.0) | (allied_a[b] != 0))
        # Shared enemies: both hostile to a third actor x, weighted by its strength, summed per partner b
        # over a's enemies in ascending order (as for each pair on its own).
        for i in range(en_ptr[a], en_ptr[a + 1]):
            x = idx[i]
            ha = h[i]
            j0 = after[x]
            while j0 < hptr[x + 1] and idx[j0] <= a:
                j0 += 1
            after[x] = j0
            if j0 == hptr[x + 1]:
                continue
            if weight_of[x] < 0.0:
                # Its strength: its fighters summed over its places (placesets.row_places), ascending, the
                # sum over every place with exact zeros skipped (presence.add_row's), bit for bit.
                strength = 0.0
                for j in range(row_places(fi, fbits, x, at, 0)):
                    strength += fi[x, at[j]]
                weight_of[x] = min(1.0, strength / p.force_ref)
            weight = weight_of[x]  # x's weight as a shared enemy
            for j in range(j0, hptr[x + 1]):
                b = idx[j]
                if b == x:
                    continue  # a's enemy itself: a pair with a non-zero relation, visited anyway
                flag[b] |= SHARED
                y = ha * h[j] * weight
                se_of[b] += y
                if y > tv_of[b]:
                    tv_of[b] = y
                    top_of[b] = x
        for i in range(marked(flag, words, flagged, 0)):
            b = flagged[i]
            se = se_of[b]
            top = top_of[b]
            shared = flag[b] & SHARED
            flag[b] = 0
            se_of[b] = 0.0
            tv_of[b] = 0.0
            top_of[b] = -1
            if active[b] == 0 or kind[b] == KIND_INTERNATIONAL:
                continue
            old = rel_a[b]
            if not (shared or old != 0.0 or rel0_a[b] != 0.0 or hist_a[b] != 0.0 or allied_a[b] != 0) and not every:
                # The relation is zero (and symmetric): only a -0.0 (from the scenario) is written over.
                if math.copysign(1.0, old) < 0.0:
                    rel[a, b] = 0.0
                    rel[b, a] = 0.0
                continue
            target = rel0[a, b] + p.rel_shared_enemy * se + p.rel_history * hist[a, b]
            # Between actors on good terms, rents shared hold them together and rents diverging strain them.
            ra = rent_ema[a]
            rb = rent_ema[b]
            rent = (min(ra, rb) - abs(ra - rb)) / (ra + rb + p.rent_ref)
            if old > 0.0:
                target += p.rel_rent * rent
            if target > 1.0:
                target = 1.0
            if target < -1.0:
                target = -1.0
            new = old + p.rel_rate * (target - old)
            rel[a, b] = new
            rel[b, a] = new
            was = allied[a, b]
            now = was
            if was == 0 and new >= p.alliance_threshold:
                now = 1
            elif was == 1 and new < p.alliance_threshold - p.alliance_hysteresis:
                now = 0
            if now == was:
                continue
            allied[a, b] = now
            allied[b, a] = now
            if week == 0:
                continue
            v = _meeting_place(W, S, r, a, b)
            if now == 1:
                S.acc[r, _MADE] += 1.0
                ev = emit(S, r, day, EV_AGREEMENT, a, b, v, 0, 0, M_GROUPS)
                slot = 0
                if top >= 0:
                    link(S, r, ev, slot, CK_SHARED_ENEMY, top, se)
                    slot += 1
                link(S, r, ev, slot, CK_SHARED_RENT, a * PAIR_CODE + b, rent)
                link(S, r, ev, slot + 1, CK_COOP_HISTORY, a * PAIR_CODE + b, hist[a, b])
                link(S, r, ev, slot + 2, CK_RELATION, a * PAIR_CODE + b, new)
            else:
                S.acc[r, _BROKEN] += 1.0
                ev = emit(S, r, day, EV_OTHER, a, b, v, 0, 0, M_GROUPS)
                link(S, r, ev, 0, CK_RENT_DIVERGENCE, a * PAIR_CODE + b, rent)
                link(S, r, ev, 1, CK_COOP_HISTORY, a * PAIR_CODE + b, hist[a, b])
                link(S, r, ev, 2, CK_SHARED_ENEMY, top, se)
                link(S, r, ev, _LAST_LINK, CK_RELATION, a * PAIR_CODE + b, new)


@compiled_only
def update_groups(W, S, p, lev, r, day, week):
    """The week's groups: battles remembered, insecurity, grievances and militias, then relations and
    alliances. One float and one integer buffer serve the steps, one after the other (each fills what it
    reads: see its worker)."""
    A, P = W.fighters0.shape
    fbuf = np.empty(_relation_floats(A))
    ibuf = np.empty(max(_militia_ints(A, W.pop0.shape[0], P), _relation_ints(A, P)), dtype=np.int64)
    remember_battles(W, S, p, r)
    _militias(W, S, p, r, day, ibuf)
    _relations(W, S, p, r, day, week, fbuf, ibuf)
