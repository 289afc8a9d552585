"""Farmer-herder disputes in the Mesa reference (docs/ODD.md §7.11), written from the description."""

from __future__ import annotations

import math

from azalai.reference.agents import CIVILIANS, KIND_JIHADIST, KIND_MILITIA, KIND_SIGNATORY

COMPETING = ({"herding", "farming"}, {"herding", "fishing"})


def read_land(model, sc):
    model.livelihood = [c.livelihood.value for c in sc.communities]
    model.pressure_by_doy = [0.0] * 365
    for se in sc.seasons:
        d0, d1 = se.days[0] - 1, min(se.days[1], 365) - 1
        days = range(d0, d1 + 1) if d0 <= d1 else list(range(d0, 365)) + list(range(0, d1 + 1))
        for d in days:
            if d < 365:
                model.pressure_by_doy[d] = max(model.pressure_by_doy[d], se.pressure)
    model.doy0 = min(sc.calendar.start.timetuple().tm_yday, 365) - 1


def _armed_side(model, c, v):
    groups = [g for g in model.actors if g.kind in (KIND_SIGNATORY, KIND_JIHADIST, KIND_MILITIA) and g.active
              and g.base_w[c.idx] > 0.0 and g.present(v)]
    return max(groups, key=lambda g: g.fighters[v], default=None)


def _escalate(model, g, victims, v):
    p = model.p
    fat = 1.0 + math.floor(p.communal_fatality_scale * model.lomax(p.fatality_alpha))
    killed = min(fat, victims.pop[v])
    if killed <= 0.0:
        return
    victims.pop[v] -= killed
    for k in ("civilian_deaths_pop", "fatalities_civilian", "fatalities_vac"):
        model.count(k, killed)
    model.count("communal_attacks")
    victims.harm_week[g.idx] += p.harm_grievance * killed
    victims.harm_place[v] += p.harm_grievance * killed
    model.emit("communal", g.idx, CIVILIANS, v, int(killed))


def _skirmish(model, g, other, v):
    """g fights the other side's armed group after a dispute: a battle, losses shared as in a clash."""
    p = model.p
    fat = 1.0 + math.floor(p.communal_fatality_scale * model.lomax(p.fatality_alpha))
    fg, fo = g.fighters[v], other.fighters[v]
    lg = round(fat * fo / (fg + fo))
    killed = int(round(g.lose_fighters(v, lg) + other.lose_fighters(v, fat - lg)))
    model.count("fatalities_battles", killed)
    model.count("clashes")
    pair = model.pair_of.get((g.idx, other.idx))
    if pair is not None:
        pair.incidents += 1.0
    model.emit("land-battle", g.idx, other.idx, v, killed)


def _revenge(model, g, victims, v):
    """On the other side's armed group if one hostile to g is there (with dispute_battle_share), else its civilians."""
    other = _armed_side(model, victims, v)
    if other is not None and g.rel[other.idx] < 0.0 and model.random.random() < model.p.dispute_battle_share:
        _skirmish(model, g, other, v)
    else:
        _escalate(model, g, victims, v)


def state_reach(model, v):
    """Share of the people at v the state's post can police (its men over policing_ratio per person, at most 1)."""
    s, p = model.state, model.p
    if s is None or not s.present(v):
        return 0.0
    people = sum(c.pop[v] for c in model.communities)
    return 1.0 if people <= 0.0 else min(1.0, s.fighters[v] / (p.policing_ratio * people))


def land_disputes(model):
    p = model.p
    pressure = model.pressure_by_doy[(model.doy0 + model.day) % 365]
    if pressure <= 0.0:
        return
    for v in range(model.P):
        if model.places[v].ext or sum(c.pop[v] for c in model.communities) > p.dispute_max_pop:
            continue
        reach = state_reach(model, v)
        for h in model.communities:
            if model.livelihood[h.idx] != "herding" or h.pop[v] < p.dispute_min_pop:
                continue
            for f in model.communities:
                if {model.livelihood[h.idx], model.livelihood[f.idx]} not in COMPETING or f.pop[v] < p.dispute_min_pop:
                    continue
                hostility = max(0.0, -h.rel[f.idx])
                if model.random.random() >= p.dispute_rate * pressure * (1.0 + hostility):
                    continue
                model.count("land_disputes")
                h.insecurity[v] += p.dispute_insecurity
                f.insecurity[v] += p.dispute_insecurity
                if reach > 0.0 and model.random.random() < reach:
                    continue  # the state arbitrates
                h.cgriev[f.idx] += p.dispute_grievance  # unsettled: each side aggrieved at the other
                f.cgriev[h.idx] += p.dispute_grievance
                for side, other in ((h, f), (f, h)):
                    g = _armed_side(model, side, v)
                    if g is not None and model.random.random() < p.escalation_rate:
                        _revenge(model, g, other, v)
