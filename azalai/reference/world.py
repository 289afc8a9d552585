"""The reference model's world read from a scenario: places, routes, pairs of actors and commodities
(docs/ODD.md §2)."""

from __future__ import annotations

from dataclasses import dataclass, field


from azalai.reference.agents import (
    KIND_INTERNATIONAL, KIND_JIHADIST, KIND_MILITIA, KIND_SIGNATORY, KIND_STATE, ROLE_BARKHANE, ROLE_MINUSMA, ROLE_NONE,
    ROLE_OTHER_FORCE, ROLE_STATE, ArmedActor,
)
from azalai.reference.communities import Community
from azalai.model.world import DAYS_PER_MONTH

RING_MAX_DELAY = 255


@dataclass
class Place:
    idx: int
    id: str
    ext: bool
    zone: int
    region: int
    oc_unit: bool
    nbrs: list = field(default_factory=list)  # neighbour place indices
    protector: int = -1
    rent_week: float = 0.0
    rent_ema: float = 0.0
    risk: float = 0.0
    sweep_due: int | None = None
    sweep_force: object = None
    sweep_cause: object = None


@dataclass
class Route:
    a: int
    b: int
    length: float
    terrain: float


@dataclass
class Pair:
    """Two signatories of a common accord (§2.6)."""

    a: ArmedActor
    b: ArmedActor
    tension: float = 0.0
    broken: bool = False
    broken_weeks: int = 0
    incidents: float = 0.0
    balance_prev: float = -1.0


@dataclass
class Commodity:
    idx: int
    value_day: float
    entries: list
    exits: set
    paths: list = field(default_factory=list)  # per entry slot: list of place indices
    owners: list = field(default_factory=list)  # per entry slot: ArmedActor or None


def read_world(model, sc):
    """Places, routes, communities, actors, commodities and accords from the scenario (§5)."""
    from azalai.model.world import ASPIRATION_CODE, STATUS_RANK, STATUS_STEPS, TERRAIN_CODE, ZONES
    from azalai.scenario.schema import Terrain
    from azalai.scenario.schema import ActorKind, Aspiration, PlaceKind

    pid = {p.id: i for i, p in enumerate(sc.places)}
    rid = {r.id: i for i, r in enumerate(sc.regions)}
    cid = {c.id: i for i, c in enumerate(sc.communities)}
    from azalai.model.world import scenario_actors

    actors = scenario_actors(sc)  # the scenario's actors, then its dormant militias
    model.n_actors = len(actors)
    aid = {a.id: i for i, a in enumerate(actors)}
    P = len(sc.places)
    model.P = P
    model.places = [
        Place(i, p.id, p.kind == PlaceKind.external_node, ZONES[sc.regions[rid[p.region]].zone], rid[p.region], False)
        for i, p in enumerate(sc.places)
    ]
    p = model.p
    terrain = {Terrain.paved: p.terrain_paved, Terrain.laterite: p.terrain_laterite, Terrain.river: p.terrain_river,
               Terrain.track: 1.0, Terrain.desert: p.terrain_desert}
    assert set(terrain) == set(TERRAIN_CODE)
    aspiration = {Aspiration.independence: 1.0, Aspiration.autonomy: p.aspiration_autonomy,
                  Aspiration.representation: p.aspiration_representation, Aspiration.status: p.aspiration_status,
                  Aspiration.security: p.aspiration_security, Aspiration.religious_order: p.aspiration_religious_order}
    assert set(aspiration) == set(ASPIRATION_CODE)
    model.routes = []
    for r in sc.routes:
        a, b = pid[r.from_], pid[r.to]
        model.routes.append(Route(a, b, r.length_km, terrain[r.terrain]))
    model.adj = [[] for _ in range(P)]  # (neighbour, route index)
    for e, r in enumerate(model.routes):
        model.adj[r.a].append((r.b, e))
        model.adj[r.b].append((r.a, e))
    for place in model.places:
        place.nbrs = [u for u, _ in model.adj[place.idx]]

    kind = {ActorKind.state: KIND_STATE, ActorKind.signatory: KIND_SIGNATORY,
            ActorKind.jihadist: KIND_JIHADIST, ActorKind.international: KIND_INTERNATIONAL,
            ActorKind.militia: KIND_MILITIA}
    roles = {}
    for a in sc.actors:
        if a.kind == ActorKind.state:
            roles[a.id] = ROLE_STATE
    for f in sc.international_forces:
        key = (f.actor + " " + f.mandate).lower()
        if "barkhane" in key or "counter-terror" in key or "counterterror" in key:
            roles[f.actor] = ROLE_BARKHANE
        elif "minusma" in key or "peace" in key or "stabili" in key:
            roles[f.actor] = ROLE_MINUSMA
        else:
            roles[f.actor] = ROLE_OTHER_FORCE
        for b in f.organised_crime_units:
            model.places[pid[b]].oc_unit = True

    # Communities.
    C = len(sc.communities)
    model.communities = []
    for i, c in enumerate(sc.communities):
        pop = [0.0] * P
        for place, n in c.population.items():
            pop[pid[place]] += n
        com = Community(model, i, c.id, pop)
        com.dep = c.trafficking_dependence.value
        com.sub = STATUS_RANK[c.social_status] / STATUS_STEPS
        com.polasp = max(aspiration[x] for x in c.aspirations)
        com.indep = 1.0 if Aspiration.independence in c.aspirations else 0.0
        com.rel = [0.0] * C
        tot = sum(pop)
        com.region_w = [0.0] * len(sc.regions)
        if tot > 0:
            for v in range(P):
                com.region_w[model.places[v].region] += pop[v] / tot
        model.communities.append(com)
    for r in sc.relations.communities:
        model.communities[cid[r.a]].rel[cid[r.b]] = r.value
        model.communities[cid[r.b]].rel[cid[r.a]] = r.value

    # Actors.
    A = len(actors)
    model.actors = []
    for i, a in enumerate(actors):
        fighters = [0.0] * P
        for place, n in a.fighters.items():
            fighters[pid[place]] += n
        act = ArmedActor(model, i, a.id, kind[a.kind], roles.get(a.id, ROLE_NONE), fighters, a.cash.value)
        w = [0.0] * C
        for c in a.base_communities:
            w[cid[c]] = 1.0
        s = sum(w)
        act.base_w = [x / s for x in w] if s > 0 else w
        act.rel = [0.0] * A
        act.overlap = [0.0] * A
        act.entitled = [0.0] * P
        model.actors.append(act)
    for r in sc.relations.actors:
        model.actors[aid[r.a]].rel[aid[r.b]] = r.value
        model.actors[aid[r.b]].rel[aid[r.a]] = r.value
    for mb in sc.memberships:
        model.actors[aid[mb.actor]].overlap[aid[mb.also]] = mb.share
    for act in model.actors:
        if act.kind == KIND_JIHADIST:
            act.jihad_overlap = 1.0
        else:
            act.jihad_overlap = min(1.0, sum(act.overlap[b.idx] for b in model.actors if b.kind == KIND_JIHADIST))
    for s in sc.relations.support:
        model.communities[cid[s.community]].support0[aid[s.actor]] = s.value
        model.communities[cid[s.community]].support[aid[s.actor]] = s.value

    # Commodities (value entering per day).
    model.commodities = []
    for i, k in enumerate(sc.commodities):
        model.commodities.append(Commodity(
            i, k.volume_per_month.value * k.value_per_unit.value / DAYS_PER_MONTH,
            [pid[x] for x in k.entry], {pid[x] for x in k.exit},
        ))

    # Accords: signatories, pairs, DDR, posts, business provisions.
    pairs = set()
    for acc in sc.accords:
        idx = [aid[s] for s in acc.signatories]
        for i in idx:
            if model.actors[i].kind != KIND_STATE:
                model.actors[i].sig = True
                if acc.provisions.ddr:
                    model.actors[i].ddr_ok = True
        for x in range(len(idx)):
            for y in range(x + 1, len(idx)):
                a, b = sorted((idx[x], idx[y]))
                pairs.add((a, b))
        for actor, share in acc.provisions.interim_authorities.items():
            model.actors[aid[actor]].promised = max(model.actors[aid[actor]].promised, share)
        for alloc in acc.provisions.business:
            for place in alloc.places:
                model.actors[aid[alloc.actor]].entitled[pid[place]] = 1.0
    model.pairs = [Pair(model.actors[a], model.actors[b]) for a, b in sorted(pairs)]
    model.pair_of = {}
    for pr in model.pairs:
        model.pair_of[(pr.a.idx, pr.b.idx)] = pr
        model.pair_of[(pr.b.idx, pr.a.idx)] = pr
    states = [a for a in model.actors if a.kind == KIND_STATE]
    model.state = states[0] if states else None
