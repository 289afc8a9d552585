"""Build the engine's arrays from a scenario and a policy.

The scenario becomes a :class:`World` of static arrays (indices follow the scenario's list order);
the policy becomes a day-by-lever matrix. Nothing here is specific to Mali: roles (the state, the
force that Barkhane's levers steer, the one MINUSMA's levers steer) come from the scenario's data.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from dataclasses import dataclass, field

import numpy as np

from azalai.model.fields import WORLD_FIELDS, names
from azalai.policy.schema import LEVER_INDEX, LEVERS, Policy
from azalai.scenario.schema import ActorKind, Aspiration, Livelihood, PlaceKind, Scenario, SocialStatus, Terrain

KIND_STATE, KIND_SIGNATORY, KIND_JIHADIST, KIND_INTERNATIONAL, KIND_MILITIA = 0, 1, 2, 3, 4
LOCAL_KINDS = (KIND_SIGNATORY, KIND_JIHADIST, KIND_MILITIA)  # armed groups drawn from the population
ROLE_NONE, ROLE_STATE, ROLE_BARKHANE, ROLE_MINUSMA, ROLE_OTHER_FORCE = 0, 1, 2, 3, 4
ZONE_NORTH, ZONE_CENTRE, ZONE_SOUTH, ZONE_OUTSIDE = range(4)
ZONES = {"north": ZONE_NORTH, "centre": ZONE_CENTRE, "south": ZONE_SOUTH, "outside": ZONE_OUTSIDE}
LIVE_OTHER, LIVE_HERDING, LIVE_FARMING, LIVE_FISHING = 0, 1, 2, 3
YEAR_DAYS = 365  # the seasonal calendar ignores leap days

# Codes of the scenario's categorical fields; their weights are parameters read by the mechanisms.
TERRAIN_PAVED, TERRAIN_LATERITE, TERRAIN_RIVER, TERRAIN_TRACK, TERRAIN_DESERT = range(5)
TERRAIN_CODE = {
    Terrain.paved: TERRAIN_PAVED,
    Terrain.laterite: TERRAIN_LATERITE,
    Terrain.river: TERRAIN_RIVER,
    Terrain.track: TERRAIN_TRACK,
    Terrain.desert: TERRAIN_DESERT,
}
# Social status is an ordinal scale mapped linearly onto [0, 1]: dominant 0, intermediate 1/2, subordinate 1.
STATUS_RANK = {SocialStatus.dominant: 0, SocialStatus.intermediate: 1, SocialStatus.subordinate: 2}
STATUS_STEPS = 2
ASP_INDEPENDENCE, ASP_AUTONOMY, ASP_REPRESENTATION, ASP_STATUS, ASP_SECURITY, ASP_RELIGIOUS_ORDER = range(6)
ASPIRATION_CODE = {
    Aspiration.independence: ASP_INDEPENDENCE,
    Aspiration.autonomy: ASP_AUTONOMY,
    Aspiration.representation: ASP_REPRESENTATION,
    Aspiration.status: ASP_STATUS,
    Aspiration.security: ASP_SECURITY,
    Aspiration.religious_order: ASP_RELIGIOUS_ORDER,
}
DAYS_PER_MONTH = 1461 / 48  # 365.25 days a year over 12 months

# Field names, dtypes and axes are declared in azalai/model/fields.py.
World = namedtuple("World", names(WORLD_FIELDS))


@dataclass
class Index:
    """Names for the integer indices used in the arrays."""

    places: list[str]
    place_names: list[str]
    regions: list[str]
    region_admin1: list[str]
    routes: list[tuple[str, str]]
    communities: list[str]
    actors: list[str]
    actor_acled: list[str]
    actor_inter: list[int]
    actor_kind: list[str]
    commodities: list[str]
    pairs: list[tuple[str, str]]
    start: dt.date
    lat: list[float]
    lon: list[float]
    place_region_name: list[str]
    place_region_id: list[str]
    place_country: list[str] = field(default_factory=list)
    place_iso: list[int] = field(default_factory=list)
    acled_region: str = ""


def _iso(region, meta) -> int:
    """ISO 3166 numeric code of a region's country (0 when the scenario does not say)."""
    if region.country and region.country != meta.country:
        return int(region.iso or 0)
    return int(region.iso or meta.iso or 0)


def scenario_actors(sc: Scenario) -> list:
    """The scenario's actors, then one dormant actor per declared militia (fixed-size arrays)."""
    from azalai.scenario.schema import Actor

    dormant = [
        Actor(id=m.id, name=m.name, acled_name=m.acled_name, acled_type=m.acled_type, kind=ActorKind.militia,
              base_communities=[m.community], fighters={}, cash=0.0, aliases=m.aliases, source=m.source)
        for m in sc.militias
    ]
    return list(sc.actors) + dormant


def build_world(sc: Scenario) -> tuple[World, Index]:
    """Static arrays of a scenario."""
    from azalai.scenario.schema import ACLED_INTER_CODE

    actors = scenario_actors(sc)

    pid = {p.id: i for i, p in enumerate(sc.places)}
    rid = {r.id: i for i, r in enumerate(sc.regions)}
    cid = {c.id: i for i, c in enumerate(sc.communities)}
    aid = {a.id: i for i, a in enumerate(actors)}
    P, C, A, R_ = len(sc.places), len(sc.communities), len(actors), len(sc.regions)
    E, K = len(sc.routes), len(sc.commodities)

    place_region = np.array([rid[p.region] for p in sc.places], dtype=np.int64)
    place_zone = np.array([ZONES[sc.regions[rid[p.region]].zone] for p in sc.places], dtype=np.int64)
    place_ext = np.array([1 if p.kind == PlaceKind.external_node else 0 for p in sc.places], dtype=np.int64)
    place_lat = np.array([p.lat for p in sc.places])
    place_lon = np.array([p.lon for p in sc.places])

    route_a = np.array([pid[r.from_] for r in sc.routes], dtype=np.int64)
    route_b = np.array([pid[r.to] for r in sc.routes], dtype=np.int64)
    route_len = np.array([r.length_km for r in sc.routes])
    route_terrain = np.array([TERRAIN_CODE[r.terrain] for r in sc.routes], dtype=np.int64)
    nbrs: list[list[tuple[int, int]]] = [[] for _ in range(P)]
    for e in range(E):
        nbrs[route_a[e]].append((int(route_b[e]), e))
        nbrs[route_b[e]].append((int(route_a[e]), e))
    adj_ptr = np.zeros(P + 1, dtype=np.int64)
    for v in range(P):
        adj_ptr[v + 1] = adj_ptr[v] + len(nbrs[v])
    adj_nbr = np.array([u for v in range(P) for (u, _) in nbrs[v]], dtype=np.int64)
    adj_edge = np.array([e for v in range(P) for (_, e) in nbrs[v]], dtype=np.int64)

    pop0 = np.zeros((C, P))
    comm_dep = np.zeros(C)
    comm_sub = np.zeros(C)
    comm_asp = np.zeros((C, len(ASPIRATION_CODE)))
    comm_indep = np.zeros(C)
    for i, c in enumerate(sc.communities):
        for place, n in c.population.items():
            pop0[i, pid[place]] += n
        comm_dep[i] = c.trafficking_dependence.value
        comm_sub[i] = STATUS_RANK[c.social_status] / STATUS_STEPS
        for a in c.aspirations:
            comm_asp[i, ASPIRATION_CODE[a]] = 1.0
        comm_indep[i] = 1.0 if Aspiration.independence in c.aspirations else 0.0
    comm_rel = np.zeros((C, C))
    for r in sc.relations.communities:
        comm_rel[cid[r.a], cid[r.b]] = r.value
        comm_rel[cid[r.b], cid[r.a]] = r.value
    comm_region_w = np.zeros((C, R_))
    for i in range(C):
        tot = pop0[i].sum()
        if tot > 0:
            for v in range(P):
                comm_region_w[i, place_region[v]] += pop0[i, v] / tot

    kind_code = {
        ActorKind.state: KIND_STATE,
        ActorKind.signatory: KIND_SIGNATORY,
        ActorKind.jihadist: KIND_JIHADIST,
        ActorKind.international: KIND_INTERNATIONAL,
        ActorKind.militia: KIND_MILITIA,
    }
    actor_kind = np.array([kind_code[a.kind] for a in actors], dtype=np.int64)
    coals = sorted({a.coalition for a in actors if a.coalition})
    actor_coal = np.array([coals.index(a.coalition) if a.coalition else -1 for a in actors], dtype=np.int64)
    actor_role = np.zeros(A, dtype=np.int64)
    for i, a in enumerate(actors):
        if a.kind == ActorKind.state:
            actor_role[i] = ROLE_STATE
    for f in sc.international_forces:
        i = aid[f.actor]
        key = (f.actor + " " + f.mandate).lower()
        if "barkhane" in key or "counter-terror" in key or "counterterror" in key:
            actor_role[i] = ROLE_BARKHANE
        elif "minusma" in key or "peace" in key or "stabili" in key:
            actor_role[i] = ROLE_MINUSMA
        else:
            actor_role[i] = ROLE_OTHER_FORCE
    base_w = np.zeros((A, C))
    for i, a in enumerate(actors):
        for c in a.base_communities:
            base_w[i, cid[c]] = 1.0
        s = base_w[i].sum()
        if s > 0:
            base_w[i] /= s
    fighters0 = np.zeros((A, P))
    cash0 = np.zeros(A)
    for i, a in enumerate(actors):
        for place, n in a.fighters.items():
            fighters0[i, pid[place]] += n
        cash0[i] = a.cash.value
    rel0 = np.zeros((A, A))
    for r in sc.relations.actors:
        rel0[aid[r.a], aid[r.b]] = r.value
        rel0[aid[r.b], aid[r.a]] = r.value
    overlap = np.zeros((A, A))
    for m in sc.memberships:
        overlap[aid[m.actor], aid[m.also]] = m.share
    jihad_overlap = np.zeros(A)
    for i in range(A):
        if actor_kind[i] == KIND_JIHADIST:
            jihad_overlap[i] = 1.0
        else:
            jihad_overlap[i] = min(1.0, sum(overlap[i, j] for j in range(A) if actor_kind[j] == KIND_JIHADIST))
    # Communal hostility of each actor toward each community, through its base communities.
    communal = np.zeros((A, C))
    for i in range(A):
        for c in range(C):
            communal[i, c] = max(0.0, -float((base_w[i] * comm_rel[:, c]).sum()))
    support0 = np.zeros((C, A))
    for s in sc.relations.support:
        support0[cid[s.community], aid[s.actor]] = s.value

    force_base = np.zeros((A, P), dtype=np.int64)
    oc_unit = np.zeros(P)
    for f in sc.international_forces:
        for b in f.bases:
            force_base[aid[f.actor], pid[b]] = 1
        for b in f.organised_crime_units:
            oc_unit[pid[b]] = 1.0

    k_value_day = np.array([k.volume_per_month.value * k.value_per_unit.value / DAYS_PER_MONTH for k in sc.commodities])
    k_entry_ptr = np.zeros(K + 1, dtype=np.int64)
    entries: list[int] = []
    k_exit = np.zeros((max(K, 1), P), dtype=np.int64)
    for i, k in enumerate(sc.commodities):
        entries.extend(pid[x] for x in k.entry)
        k_entry_ptr[i + 1] = len(entries)
        for x in k.exit:
            k_exit[i, pid[x]] = 1
    k_entry = np.array(entries, dtype=np.int64)

    sig = np.zeros(A, dtype=np.int64)
    entitled = np.zeros((A, P))
    promised = np.zeros(A)
    ddr_ok = np.zeros(A, dtype=np.int64)
    pair_set: set[tuple[int, int]] = set()
    for acc in sc.accords:
        idx = [aid[s] for s in acc.signatories]
        for i in idx:
            if actor_kind[i] != KIND_STATE:
                sig[i] = 1
                if acc.provisions.ddr:
                    ddr_ok[i] = 1
        for x in range(len(idx)):
            for y in range(x + 1, len(idx)):
                # Every two parties, the state included, form a tension pair: the state's restraint
                # toward a signatory can break like any other.
                a, b = sorted((idx[x], idx[y]))
                pair_set.add((a, b))
        for actor, share in acc.provisions.interim_authorities.items():
            promised[aid[actor]] = max(promised[aid[actor]], share)
        for alloc in acc.provisions.business:
            for place in alloc.places:
                entitled[aid[alloc.actor], pid[place]] = 1.0
    pairs = sorted(pair_set)
    pair_a = np.array([p[0] for p in pairs], dtype=np.int64)
    pair_b = np.array([p[1] for p in pairs], dtype=np.int64)
    pair_of = -np.ones((A, A), dtype=np.int64)
    for n, (a, b) in enumerate(pairs):
        pair_of[a, b] = n
        pair_of[b, a] = n
    state_ids = [i for i in range(A) if actor_kind[i] == KIND_STATE]
    state_actor = state_ids[0] if state_ids else -1

    dist_km = route_distances(P, route_a, route_b, route_len)
    # Each place's others from the nearest to the farthest (ties in index order): what can be reached within
    # a distance is a head of its row (valuation.rent_reach).
    dist_order = np.ascontiguousarray(np.argsort(dist_km, axis=1, kind="stable").astype(np.int64))
    aim_w = np.zeros((A, P))
    for aim in sc.aims:
        i = aid[aim.actor]
        for place in aim.places:
            aim_w[i, pid[place]] = max(aim_w[i, pid[place]], aim.weight)
        for region in aim.regions:
            for v in range(P):
                if place_region[v] == rid[region]:
                    aim_w[i, v] = max(aim_w[i, v], aim.weight)
    # Where each actor may deploy: the state every internal place; armed groups every internal place
    # outside the state's southern heartland; an international force its area of operations.
    area = np.zeros((A, P), dtype=np.int64)
    for i in range(A):
        area[i] = 1 - place_ext
        if actor_kind[i] != KIND_STATE:
            area[i][place_zone == ZONES["south"]] = 0
    for f in sc.international_forces:
        i = aid[f.actor]
        regs = {rid[g] for g in f.area_of_operations} or {int(place_region[pid[b]]) for b in f.bases}
        area[i] = 0
        for v in range(P):
            if place_ext[v] == 0 and int(place_region[v]) in regs:
                area[i, v] = 1
        for b in f.bases:
            if place_ext[pid[b]] == 0:
                area[i, pid[b]] = 1

    militia_comm = -np.ones(A, dtype=np.int64)
    for m in sc.militias:
        militia_comm[aid[m.id]] = cid[m.community]
        # A militia's relations come from its community's hostilities toward other actors' communities.
        i = aid[m.id]
        for j in range(A):
            if j != i and base_w[j].sum() > 0:
                rel0[i, j] = rel0[j, i] = float(np.clip((base_w[j] * comm_rel[cid[m.community]]).sum(), -1.0, 1.0))

    # Livelihoods and the seasonal calendar of competition over land, pasture and water.
    live_code = {Livelihood.herding: LIVE_HERDING, Livelihood.farming: LIVE_FARMING, Livelihood.fishing: LIVE_FISHING,
                 Livelihood.trade: LIVE_OTHER, Livelihood.other: LIVE_OTHER}
    comm_live = np.array([live_code[c.livelihood] for c in sc.communities], dtype=np.int64)
    compete = np.zeros((C, C), dtype=np.int64)
    for i in range(C):
        for j in range(C):
            pair = {int(comm_live[i]), int(comm_live[j])}
            if pair == {LIVE_HERDING, LIVE_FARMING} or pair == {LIVE_HERDING, LIVE_FISHING}:
                compete[i, j] = 1
    season = np.zeros(YEAR_DAYS)
    for se in sc.seasons:
        d0, d1 = se.days[0] - 1, min(se.days[1], YEAR_DAYS) - 1
        days = range(d0, d1 + 1) if d0 <= d1 else list(range(d0, YEAR_DAYS)) + list(range(0, d1 + 1))
        for d in days:
            if d < YEAR_DAYS:
                season[d] = max(season[d], se.pressure)
    doy0 = np.int64(min(sc.calendar.start.timetuple().tm_yday, YEAR_DAYS) - 1)

    w = World(
        place_region, place_zone, place_ext, place_lat, place_lon,
        route_a, route_b, route_len, route_terrain,
        adj_ptr, adj_nbr, adj_edge,
        pop0, comm_dep, comm_sub, comm_asp, comm_indep, comm_rel, comm_region_w,
        actor_kind, actor_coal, actor_role, base_w, fighters0, cash0, rel0, overlap,
        support0, force_base, oc_unit,
        k_value_day, k_entry_ptr, k_entry, k_exit,
        sig, pair_a, pair_b, pair_of, entitled, promised, ddr_ok, np.int64(state_actor),
        jihad_overlap, communal,
        dist_km, dist_order, aim_w, area, militia_comm,
        comm_live, compete, season, doy0,
    )
    idx = Index(
        places=[p.id for p in sc.places],
        place_names=[p.name for p in sc.places],
        regions=[r.id for r in sc.regions],
        region_admin1=[r.acled_admin1 for r in sc.regions],
        routes=[(r.from_, r.to) for r in sc.routes],
        communities=[c.id for c in sc.communities],
        actors=[a.id for a in actors],
        actor_acled=[a.acled_name for a in actors],
        actor_inter=[ACLED_INTER_CODE[a.acled_type] for a in actors],
        actor_kind=[a.kind.value for a in actors],
        commodities=[k.id for k in sc.commodities],
        pairs=[(actors[a].id, actors[b].id) for a, b in pairs],
        start=sc.calendar.start,
        lat=[p.lat for p in sc.places],
        lon=[p.lon for p in sc.places],
        place_region_name=[sc.regions[rid[p.region]].acled_admin1 for p in sc.places],
        place_region_id=[p.region for p in sc.places],
        place_country=[sc.regions[rid[p.region]].country or sc.meta.country for p in sc.places],
        place_iso=[_iso(sc.regions[rid[p.region]], sc.meta) for p in sc.places],
        acled_region=sc.meta.acled_region,
    )
    return w, idx


def route_distances(P: int, route_a, route_b, route_len) -> np.ndarray:
    """Shortest distance in km along the route network between every pair of places (Floyd-Warshall)."""
    d = np.full((P, P), np.inf)
    np.fill_diagonal(d, 0.0)
    for a, b, km in zip(route_a, route_b, route_len):
        if km < d[a, b]:
            d[a, b] = d[b, a] = km
    for k in range(P):
        d = np.minimum(d, d[:, k:k + 1] + d[k:k + 1, :])
    return np.ascontiguousarray(d)


def lever_matrix(policy: Policy, sc: Scenario, start: dt.date, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Lever values for each day (days x levers) and aid for each day and region (days x regions).

    The values hold from the day a change applies to the day before the next one applies: each such span
    of days is filled at once."""
    nl = len(LEVERS)
    rid = {r.id: i for i, r in enumerate(sc.regions)}
    lev = np.zeros((days, nl))
    aid = np.zeros((days, len(sc.regions)))
    cur = policy.lever_values()
    cur_aid = dict(policy.levers.aid_by_region)
    changes = sorted(policy.changes, key=lambda c: c.date)
    ci = 0
    d0 = 0
    while d0 < days:
        today = start + dt.timedelta(days=d0)
        while ci < len(changes) and changes[ci].date <= today:
            for k, v in changes[ci].levers.model_dump(exclude={"aid_by_region"}).items():
                if v is not None:
                    cur[k] = float(v)
            cur_aid.update(changes[ci].levers.aid_by_region)
            ci += 1
        d1 = days if ci == len(changes) else min(days, (changes[ci].date - start).days)  # the next change's day
        for k, v in cur.items():
            lev[d0:d1, LEVER_INDEX[k]] = v
        aid[d0:d1, :] = cur["aid"]
        for region, v in cur_aid.items():
            if region in rid:
                aid[d0:d1, rid[region]] = v
        d0 = d1
    return lev, aid
