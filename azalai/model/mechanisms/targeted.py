"""Mechanism 3 (continued): targeted violence — assassinations, reprisals and kidnappings.

Seed: "violence that according to news reports and local sources can be traced to an array of
overlapping possibilities. These range from personal and political rivalries to drug trafficking to
the ongoing efforts by jihadist groups ... to attack security forces and other armed groups".

* assassinations of suspected informants, in communities that cooperate with the forces;
* reprisals against civilians of hostile communities, including abuses by state forces;
* kidnappings for ransom.

Clashes and attacks on posts are in :mod:`azalai.model.mechanisms.violence`; who is present where in
:mod:`azalai.model.mechanisms.presence`.
"""

from __future__ import annotations

from azalai.model.events import (
    CIVILIANS, CK_COMMUNAL_HOSTILITY, CK_COOPERATION, CK_INFORMANT_ACTIVITY, CK_LOCAL_STRENGTH, CK_RANSOM, CK_SUPPORT, EV_ABDUCTION, EV_VAC_ATTACK, M_VIOLENCE, PAIR_CODE, emit, link,
)
from azalai.model.jit import compiled_only
from azalai.model.mechanisms.placesets import mark_place
from azalai.model.rng import (
    SITE_ASSASSIN, SITE_ASSASSIN_SIZE, SITE_KIDNAP, SITE_REPRISAL, SITE_REPRISAL_SIZE, STREAM_KEY, lomax,
    uniform,
)
from azalai.model.state import ACC, SRC_RANSOM
from azalai.model.world import KIND_INTERNATIONAL, KIND_JIHADIST, KIND_STATE

_FAT_CIV = ACC["fatalities_civilian"]
_FAT_VAC = ACC["fatalities_vac"]
_CIV_POP = ACC["civilian_deaths_pop"]
_KIDNAP = ACC["kidnappings"]
_ASSASSIN = ACC["assassinations"]
_REPRISALS = ACC["reprisals"]


@compiled_only(nrt=False)
def assassinations(W, S, p, lev, r, day, ptr, idx, cptr, cidx, forces):
    """Jihadists kill suspected informants in communities that cooperate with the forces. ``forces``: the
    actors with a role, in ascending order (:func:`azalai.model.mechanisms.trafficking.list_forces`)."""
    A, P = W.fighters0.shape
    C = W.pop0.shape[0]
    seed = S.seed[r]
    nforce = forces.shape[0]
    # The arrays the scan reads, looked up once (the same arrays: writes below go to them too).
    fighters = S.fighters
    pop = S.pop
    rel = S.rel
    coop_cf = S.coop
    kind = W.actor_kind
    ext = W.place_ext
    tips_recent = S.tips_recent
    for v in range(P):
        if ext[v] == 1:
            continue
        for ij in range(ptr[v], ptr[v + 1]):
            j = idx[ij]
            if kind[j] != KIND_JIHADIST or fighters[r, j, v] < p.min_presence:
                continue
            for ic in range(cptr[v], cptr[v + 1]):
                c = cidx[ic]
                if pop[r, c, v] < p.assassination_min_pop:
                    continue
                coop = 0.0
                for i_f in range(nforce):
                    f = forces[i_f]
                    if rel[r, j, f] < 0.0:
                        coop += coop_cf[r, c, f]
                if coop <= 0.0:
                    continue
                lam = p.assassination_rate * coop * (1.0 + tips_recent[r, c]) * min(1.0, fighters[r, j, v] / p.force_ref)
                if uniform(seed, day, SITE_ASSASSIN, v * STREAM_KEY + j, c) >= lam:
                    continue
                fat = 1 + int(p.assassination_size * lomax(p.fatality_alpha, seed, day, SITE_ASSASSIN_SIZE, v * STREAM_KEY + j, c))
                if S.pop[r, c, v] < fat:
                    continue
                S.pop[r, c, v] -= fat
                killed = float(fat)
                S.acc[r, _CIV_POP] += killed
                S.acc[r, _FAT_CIV] += killed
                S.acc[r, _FAT_VAC] += killed
                S.acc[r, _ASSASSIN] += 1.0
                S.harm_week[r, c, j] += p.harm_grievance * killed
                S.harm_place[r, c, v] += p.harm_grievance * killed
                mark_place(S.insec_bits[r], c, v)
                # Fear: cooperation with the forces drops in the community.
                for i_f in range(nforce):
                    coop_cf[r, c, forces[i_f]] *= 1.0 - p.assassination_fear
                ev = emit(S, r, day, EV_VAC_ATTACK, j, CIVILIANS, v, int(killed), 1, M_VIOLENCE)
                link(S, r, ev, 0, CK_COOPERATION, c * PAIR_CODE + j, coop)
                link(S, r, ev, 1, CK_INFORMANT_ACTIVITY, c, S.tips_recent[r, c])
                link(S, r, ev, 2, CK_LOCAL_STRENGTH, j, S.fighters[r, j, v])


@compiled_only(nrt=False)
def reprisals(W, S, p, lev, r, day, ptr, idx, cptr, cidx):
    """Armed groups (and state forces) attack civilians of communities they see as hostile."""
    A, P = W.fighters0.shape
    C = W.pop0.shape[0]
    seed = S.seed[r]
    # The arrays the scan reads, looked up once (the same arrays: writes below go to them too).
    fighters = S.fighters
    pop = S.pop
    enemy = S.enemy_support
    base_w = W.base_w
    communal_w = W.communal
    kind = W.actor_kind
    ext = W.place_ext
    for v in range(P):
        if ext[v] == 1:
            continue
        for ia in range(ptr[v], ptr[v + 1]):
            a = idx[ia]
            ka = kind[a]
            if ka == KIND_INTERNATIONAL or fighters[r, a, v] < p.min_presence:
                continue
            for ic in range(cptr[v], cptr[v + 1]):
                c = cidx[ic]
                if pop[r, c, v] < p.reprisal_min_pop:
                    continue
                if base_w[a, c] > 0.0:
                    continue
                communal = communal_w[a, c]
                enemy_support = enemy[r, a, c]
                hostile = communal + enemy_support
                if hostile <= p.reprisal_hostility_min:
                    continue
                lam = p.reprisal_rate * hostile * min(1.0, fighters[r, a, v] / p.force_ref)
                if ka == KIND_STATE:
                    lam *= p.state_abuse
                if uniform(seed, day, SITE_REPRISAL, v * STREAM_KEY + a, c) >= lam:
                    continue
                fat = 1 + int(p.reprisal_fatality_scale * p.fatality_scale * lomax(p.fatality_alpha, seed, day, SITE_REPRISAL_SIZE, v * STREAM_KEY + a, c))
                killed = min(float(fat), S.pop[r, c, v])
                S.pop[r, c, v] -= killed
                S.acc[r, _CIV_POP] += killed
                S.acc[r, _FAT_CIV] += killed
                S.acc[r, _FAT_VAC] += killed
                S.acc[r, _REPRISALS] += 1.0
                S.harm_week[r, c, a] += p.harm_grievance * killed
                S.harm_place[r, c, v] += p.harm_grievance * killed
                mark_place(S.insec_bits[r], c, v)
                ev = emit(S, r, day, EV_VAC_ATTACK, a, CIVILIANS, v, int(killed), 1, M_VIOLENCE)
                link(S, r, ev, 0, CK_COMMUNAL_HOSTILITY, c * PAIR_CODE + a, max(0.0, communal))
                link(S, r, ev, 1, CK_SUPPORT, c * PAIR_CODE + a, enemy_support)
                link(S, r, ev, 2, CK_LOCAL_STRENGTH, a, S.fighters[r, a, v])


@compiled_only(nrt=False)
def kidnappings(W, S, p, lev, r, day, gptr, gidx):
    """Kidnappings for ransom by jihadist groups. ``gptr``/``gidx``: per actor, the places where it has
    fighters (:func:`azalai.model.mechanisms.presence.actor_lists`, a superset: fighters only fall during
    the day, and each place is tested again)."""
    A, P = W.fighters0.shape
    seed = S.seed[r]
    fighters, kind, ext = S.fighters[r], W.actor_kind, W.place_ext  # looked up once (the same arrays)
    for j in range(A):
        if kind[j] != KIND_JIHADIST:
            continue
        tot = 0.0
        where = -1
        most = 0.0
        for i in range(gptr[j], gptr[j + 1]):
            v = gidx[i]
            x = fighters[j, v]
            if x != 0.0:  # the sum skips exact zeros (the same sum, without a chain of additions of zero)
                tot += x
                if x > most and ext[v] == 0:
                    most = x
                    where = v
        if where < 0:
            continue
        lam = p.kidnap_rate * min(1.0, tot / p.force_ref)
        if uniform(seed, day, SITE_KIDNAP, j, 0) >= lam:
            continue
        S.cash[r, j] += p.ransom_value
        S.income[r, j, SRC_RANSOM] += p.ransom_value
        S.acc[r, _KIDNAP] += 1.0
        ev = emit(S, r, day, EV_ABDUCTION, j, CIVILIANS, where, 0, 1, M_VIOLENCE)
        link(S, r, ev, 0, CK_RANSOM, j, p.ransom_value)
        link(S, r, ev, 1, CK_LOCAL_STRENGTH, j, most)
