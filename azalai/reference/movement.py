"""Movement in the Mesa reference (docs/ODD.md §7.9): actors take fighters where places are worth most.

Written from the model description: each week every armed actor values the places it may deploy
to, aims for a deployment concentrated on the most valuable ones, closes part of the gap, and its
fighters travel along the routes (a journey of ``ceil(km / (7 * travel_km_per_day))`` weeks, at
least one) before they arrive. Forces move toward the size their levers set.
"""

from __future__ import annotations

import heapq
import math

from azalai.reference.agents import KIND_INTERNATIONAL, KIND_JIHADIST, KIND_STATE, ROLE_BARKHANE, ROLE_MINUSMA, ROLE_STATE

def travelling(model, a):
    """Fighters of actor a on the road."""
    return sum(n for (_, i, _, n) in model.journeys if i == a.idx)


SIZE_LEVER = {ROLE_STATE: "fama_troops", ROLE_BARKHANE: "barkhane_troops", ROLE_MINUSMA: "minusma_troops"}


def read_movement(model, sc):
    """Route distances, aims, areas of operations and bases from the scenario."""
    pid = {p.id: i for i, p in enumerate(sc.places)}
    aid = {a.name: a.idx for a in model.actors}
    P = model.P
    model.dist = [_dijkstra(model, s) for s in range(P)]
    model.journeys = []  # (arrival week, actor index, place index, fighters)
    for act in model.actors:
        act.aim = [0.0] * P
        act.base = [False] * P
        if act.kind == KIND_STATE:
            act.area = [not pl.ext for pl in model.places]
        else:
            act.area = [not pl.ext and pl.zone != 2 for pl in model.places]
    region_of = {p.id: p.region for p in sc.places}
    for aim in sc.aims:
        act = model.actors[aid[aim.actor]]
        for p in sc.places:
            if p.id in aim.places or region_of[p.id] in aim.regions:
                act.aim[pid[p.id]] = max(act.aim[pid[p.id]], aim.weight)
    for f in sc.international_forces:
        act = model.actors[aid[f.actor]]
        regions = set(f.area_of_operations) or {region_of[b] for b in f.bases}
        act.area = [not model.places[pid[p.id]].ext and region_of[p.id] in regions for p in sc.places]
        for b in f.bases:
            act.base[pid[b]] = True
            if not model.places[pid[b]].ext:
                act.area[pid[b]] = True
    model.fighters_start = {a.idx: sum(a.fighters) for a in model.actors}


def _dijkstra(model, s):
    dist = [math.inf] * model.P
    dist[s] = 0.0
    heap = [(0.0, s)]
    while heap:
        d, v = heapq.heappop(heap)
        if d > dist[v]:
            continue
        for u, e in model.adj[v]:
            nd = d + model.routes[e].length
            if nd < dist[u]:
                dist[u] = nd
                heapq.heappush(heap, (nd, u))
    return dist


def _value(model, a, v, strength):
    """Value of place v to actor a, and the hostile strength there."""
    p = model.p
    if not a.area[v]:
        return 0.0, 0.0
    force_like = a.kind in (KIND_STATE, KIND_INTERNATIONAL)
    rent = 0.0 if a.kind == KIND_INTERNATIONAL else p.value_rent * model.places[v].rent_ema / p.rent_ref
    hos = sum(model.hostility(a, b) * b.fighters[v] for b in model.actors
              if b is not a and b.present(v) and model.hostility(a, b) > 0.0)
    ally = sum(a.rel[b.idx] * b.fighters[v] for b in model.actors
               if b is not a and b.present(v) and model.hostility(a, b) <= 0.0 and a.rel[b.idx] > 0.0)
    if force_like:
        people = sum(c.pop[v] for c in model.communities)
        pool = p.value_pool * math.sqrt(people / p.pool_ref) * min(1.0, hos / p.force_ref)
    else:
        pool = p.value_pool * sum(c.pop[v] * c.support[a.idx] for c in model.communities) / p.pool_ref
    x = (rent + pool + p.value_enemy * math.sqrt(hos / p.force_ref) + p.value_ally * math.sqrt(ally / p.force_ref)
         + p.value_aim * a.aim[v] + (p.value_base if a.base[v] else 0.0))
    x /= 1.0 + p.threat_weight * hos / (strength + p.force_ref)
    if model.places[v].protector == a.idx:
        x *= 1.0 + p.defend_premium
    return x, hos


def _resize(model, a):
    p = model.p
    m = model.lev[SIZE_LEVER[a.role]] if a.role in SIZE_LEVER else 1.0
    here = sum(a.fighters)
    gap = p.force_rotation * (m * model.fighters_start[a.idx] - here - travelling(model, a))
    if gap > 0.0:
        at_bases = sum(a.fighters[v] for v in range(model.P) if a.base[v])
        if at_bases > 0.0:
            share = [a.fighters[v] / at_bases if a.base[v] else 0.0 for v in range(model.P)]
        elif here > 0.0:
            share = [f / here for f in a.fighters]
        else:
            share = [0.0] * model.P
        for v in range(model.P):
            a.fighters[v] += gap * share[v]
    elif gap < 0.0 and here > 0.0:
        cut = min(-gap, here)
        a.fighters = [max(0.0, f - cut * f / here) for f in a.fighters]


def reallocate(model):
    p, week = model.p, model.week
    for j in [j for j in model.journeys if j[0] == week]:
        model.journeys.remove(j)
        model.actors[j[1]].fighters[j[2]] += j[3]
    if week == 0:
        return
    week_km = 7.0 * p.travel_km_per_day
    for a in model.actors:
        if a.is_force:
            _resize(model, a)
    for a in model.actors:
        if a.kind == KIND_INTERNATIONAL:
            rate = p.force_move_rate
        elif a.kind == KIND_STATE:
            rate = model.lev["state_redeployment"] / 52.0
        else:
            rate = p.move_rate
        strength = sum(a.fighters)
        if rate <= 0.0 or strength < p.min_presence:
            continue
        posts = [u for u in range(model.P) if a.fighters[u] > 0.0]
        weight = [0.0] * model.P
        for v in range(model.P):
            val, _ = _value(model, a, v, strength)
            if val <= 0.0:
                continue
            if a.kind == KIND_JIHADIST:  # clandestine cells: massing in one place is worth less
                val /= 1.0 + a.fighters[v] / p.cell_size
            net = val - p.move_cost_km * min(model.dist[u][v] for u in posts)
            if net > 0.0:
                weight[v] = net ** p.value_power
        while sum(weight) > 0.0:
            tot = sum(weight)
            small = [v for v in range(model.P) if weight[v] > 0.0 and strength * weight[v] / tot < p.min_group]
            if not small:
                break
            for v in small:
                weight[v] = 0.0
        tot = sum(weight)
        if tot <= 0.0:
            continue
        target = [strength * w / tot for w in weight]
        need = [max(0.0, target[v] - a.fighters[v]) for v in range(model.P)]
        out = [0.0] * model.P
        for u in range(model.P):
            if a.fighters[u] > target[u]:
                out[u] = rate * (a.fighters[u] - target[u])
                if target[u] <= 0.0 and a.fighters[u] - out[u] < p.min_group:
                    out[u] = a.fighters[u]
        deficit = sum(need)
        if deficit <= 0.0 or sum(out) <= 0.0:
            continue
        for u in range(model.P):
            if out[u] <= 0.0:
                continue
            a.fighters[u] = max(0.0, a.fighters[u] - out[u])
            for v in range(model.P):
                if need[v] > 0.0 and v != u:
                    weeks = min(7, max(1, math.ceil(model.dist[u][v] / week_km)))
                    model.journeys.append((week + weeks, a.idx, v, out[u] * need[v] / deficit))
