"""The Mesa 3 reference implementation of the azalai model (docs/ODD.md).

Written from the model description, independently of the numba engine's arrays, to check that the
engine implements the model it documents. It reads the same scenario, policy and parameter values,
and draws from Mesa's seeded ``self.random``: it reproduces the engine's distributions, not its
random stream. Section numbers in comments refer to docs/ODD.md.

>>> from azalai.reference import ReferenceModel
>>> m = ReferenceModel("mali-2016", "baseline-2016", seed=1, days=365)
>>> m.run().outcomes()["fatalities"]  # doctest: +SKIP
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import mesa

from azalai.defaults import DEFAULT_POLICY, DEFAULT_SCENARIO
from azalai.reference.agents import (
    CIVILIANS, KIND_INTERNATIONAL, KIND_JIHADIST, KIND_MILITIA, KIND_SIGNATORY, KIND_STATE, ROLE_BARKHANE, ROLE_MINUSMA,
    ROLE_NONE, ROLE_OTHER_FORCE, ROLE_STATE, ArmedActor, Community, Convoy,
)
from azalai.model.engine import HANDLER_DEPENDENCE
from azalai.model.state import DAYS_PER_WEEK, WEEKS_PER_YEAR
from azalai.model.world import DAYS_PER_MONTH, ZONE_CENTRE, ZONE_SOUTH
from azalai.reference.groups import read_groups, update_groups
from azalai.reference.land import land_disputes, read_land
from azalai.reference.movement import read_movement, reallocate, travelling

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


def _read_world(model, sc):
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


class ReferenceModel(mesa.Model):
    """The azalai model in Mesa 3: one ``step`` is one day."""

    def __init__(self, scenario=DEFAULT_SCENARIO, policy=DEFAULT_POLICY, seed=0, days=None, params=None):
        super().__init__(seed=seed)
        import azalai
        from azalai.model.params import Params, make_params
        from azalai.model.world import lever_matrix
        from azalai.policy.schema import LEVERS

        sc = azalai.load_scenario(scenario) if isinstance(scenario, str) else scenario
        pol = azalai.load_policy(policy or DEFAULT_POLICY) if isinstance(policy, str) or policy is None else policy
        self.scenario = sc
        self.days = int(days if days is not None else sc.calendar.horizon_days)
        self.p = params if isinstance(params, Params) else make_params(params)
        lev, aid = lever_matrix(pol, sc, sc.calendar.start, self.days)
        self._lev_rows = [{lv.name: float(lev[d, i]) for i, lv in enumerate(LEVERS)} for d in range(self.days)]
        self._aid_rows = aid.tolist()
        self.counts: dict[str, float] = {}
        self.events: list[tuple] = []
        self.day = 0
        self.week = 0
        self.lev = self._lev_rows[0]
        self.aid_today = self._aid_rows[0]
        self.releases: dict[int, dict[int, float]] = {}
        _read_world(self, sc)
        read_movement(self, sc)
        read_groups(self, sc)
        read_land(self, sc)
        self.forces = [a for a in self.actors if a.is_force]
        self.actor_set = self.agents_by_type[ArmedActor]
        self.community_set = self.agents_by_type[Community]
        self.jihadist_start = sum(a.total_fighters() for a in self.actors if a.kind == KIND_JIHADIST)
        self.accord_failure_day = -1
        self.local_support()
        self.datacollector = mesa.DataCollector(model_reporters=_reporters())

    # ------------------------------------------------------------------------------------------
    # small helpers
    def count(self, name, x=1.0):
        self.counts[name] = self.counts.get(name, 0.0) + x

    def emit(self, kind, a1, a2, place, fat):
        ev = (self.day, kind, a1, a2, place, fat)
        self.events.append(ev)
        self.count("fatalities", fat)
        return ev

    def actor_at(self, idx):
        return self.actors[idx] if idx >= 0 else None

    def lomax(self, alpha):
        return (1.0 - self.random.random()) ** (-1.0 / alpha) - 1.0

    def poisson(self, lam):
        if lam <= 0.0:
            return 0
        if lam > 30.0:
            return max(0, round(lam + math.sqrt(lam) * self.random.gauss(0.0, 1.0)))
        u = self.random.random()
        p = math.exp(-lam)
        c, k = p, 0
        while u > c and k < 200:
            k += 1
            p *= lam / k
            c += p
        return k

    def choose(self, weights):
        tot = sum(weights)
        if tot <= 0.0:
            return -1
        x = self.random.random() * tot
        acc, last = 0.0, -1
        for i, w in enumerate(weights):
            if w > 0.0:
                acc += w
                last = i
                if x < acc:
                    return i
        return last

    def near(self, v, u):
        return u >= 0 and (u == v or u in self.places[v].nbrs)

    def hostility(self, a, b):
        h = -a.rel[b.idx]
        pair = self.pair_of.get((a.idx, b.idx))
        if pair is not None:
            h += self.p.tension_weight * pair.tension
        return h

    def restrained(self, a, b):
        if not ((a.sig or a.kind == KIND_STATE) and (b.sig or b.kind == KIND_STATE)):
            return False
        pair = self.pair_of.get((a.idx, b.idx))
        return (not pair.broken) if pair is not None else True

    def local_support(self):
        self.loc_support = [[0.0] * self.P for _ in self.actors]
        for v in range(self.P):
            tot = sum(c.pop[v] for c in self.communities)
            if tot <= 0.0:
                continue
            for a in self.actors:
                self.loc_support[a.idx][v] = sum(c.pop[v] * c.support[a.idx] for c in self.communities) / tot

    def strength(self, a, v):
        return a.fighters[v] * (1.0 + self.p.support_weight * self.loc_support[a.idx][v])

    def return_home(self, a, v, n):
        best = max(self.communities, key=lambda c: c.pop[v] * (1.0 + self.p.home_bias * a.base_w[c.idx]))
        best.pop[v] += n

    # ------------------------------------------------------------------------------------------
    # §7.1 trafficking
    def rent_rate(self, place):
        if place.ext or place.protector < 0 or self.actors[place.protector].kind == KIND_INTERNATIONAL:
            return 0.0
        return self.p.rent_rate

    def seizure_hazard(self, place, owner):
        p, lev, v = self.p, self.lev, place.idx
        q_none, best, best_q = 1.0, None, 0.0
        for f in self.forces:
            if not f.present(v):
                continue
            q = 0.0
            if f.role == ROLE_BARKHANE:
                q = p.interdiction_barkhane * lev["barkhane_focus"] * lev["barkhane_tempo"]
            elif f.role == ROLE_MINUSMA:
                q = p.interdiction_minusma * lev["minusma_posture"] * (1.0 if place.oc_unit else 0.0) * lev["minusma_toc_units"]
            elif f.role == ROLE_STATE:
                q = p.interdiction_state
                if owner is not None and f.rel[owner.idx] > p.ally_threshold:
                    q *= 1.0 - lev["state_collusion"]
            if q > 0.0:
                q = min(q, p.max_interdiction)
                q_none *= 1.0 - q
                if q > best_q:
                    best_q, best = q, f
        return 1.0 - q_none, best

    def pay_rent(self, place, value):
        p = self.p
        rate = self.rent_rate(place)
        if rate <= 0.0:
            return
        g = self.actors[place.protector]
        rent = rate * value
        if g.kind == KIND_STATE:
            rent *= self.lev["state_collusion"]
            if rent <= 0.0:
                return
        leak = p.leakage_rate * rent
        comm = p.community_share * rent if sum(g.base_w) > 0.0 else 0.0
        to_g = rent - leak - comm
        s = self.state
        if s is not None and g is not s and s.rel[g.idx] > p.ally_threshold:
            cut = p.collusion_cut * self.lev["state_collusion"] * to_g
            to_g -= cut
            s.earn("collusion", cut)
        g.earn("rent", to_g)
        g.rent_week += to_g
        for c in self.communities:
            if g.base_w[c.idx] > 0.0:
                c.livelihood_week += comm * g.base_w[c.idx]
        place.rent_week += rent

    def seize(self, place, seizer, owner, value, by_force, remaining):
        p = self.p
        self.count("seized_value", value)
        self.count("seizures")
        self.count("state_seizures" if by_force and seizer.kind == KIND_STATE else
                   "international_seizures" if by_force else "predations")
        place.risk += p.risk_learning * (1.0 - place.risk)
        self.emit("seizure", seizer.idx, owner.idx if owner is not None else -1, place.idx, 0)
        if owner is None:
            return
        lost = value * (p.owner_margin + p.rent_rate * remaining)
        owner.aggr += min(p.aggression_cap, value / p.convoy_value)
        owner.last_loss_place = place.idx
        owner.last_loss_day = self.day
        owner.last_loss_value += value
        for c in self.communities:
            w = owner.base_w[c.idx]
            if w > 0.0:
                c.loss_week[seizer.idx] += lost * p.community_share * w
        if not by_force:
            seizer.earn("trafficking_margin", value * p.owner_margin)
            pair = self.pair_of.get((seizer.idx, owner.idx))
            if pair is not None:
                pair.incidents += 1.0

    def choose_routes(self):
        """Weekly least-expected-cost paths (Dijkstra) and their owning networks."""
        p = self.p
        node_cost = [self.rent_rate(pl) + p.risk_aversion * pl.risk for pl in self.places]
        edge_cost = [
            p.transport_cost_per_km * r.length * r.terrain
            * math.exp(p.route_noise * (2.0 * self.random.random() - 1.0))
            for r in self.routes
        ]
        for k in self.commodities:
            k.paths, k.owners = [], []
            for src in k.entries:
                dist = {src: 0.0}
                prev = {src: -1}
                done = set()
                heap = [(0.0, src)]
                target = -1
                while heap:
                    d, u = heapq.heappop(heap)
                    if u in done:
                        continue
                    done.add(u)
                    if u in k.exits and u != src:
                        target = u
                        break
                    for v, e in self.adj[u]:
                        if v in done:
                            continue
                        nd = d + edge_cost[e] + node_cost[v]
                        if nd < dist.get(v, math.inf):
                            dist[v] = nd
                            prev[v] = u
                            heapq.heappush(heap, (nd, v))
                path = []
                v = target
                while v >= 0:
                    path.append(v)
                    v = prev[v]
                path.reverse()
                count: dict[int, float] = {}
                depth: dict[int, float] = {}
                for i, v in enumerate(path):
                    g = self.places[v].protector
                    if g >= 0 and self.actors[g].local:
                        count[g] = count.get(g, 0.0) + 1.0
                        depth[g] = depth.get(g, 0.0) + i  # ties go to the network nearer the exit
                owner = None
                if count:
                    owner = self.actors[max(count, key=lambda a: (count[a], depth[a], -a))]
                k.paths.append(path)
                k.owners.append(owner)

    def set_entitlements(self):
        """Entitlements: weekly rents and margins of the status-quo routes, chosen on day 0 (§7.7)."""
        p = self.p
        for a in self.actors:
            a.rent_ref = 0.0
        for c in self.communities:
            c.livelihood_ref = 0.0
        keep = 1.0 - p.leakage_rate - p.community_share
        for k in self.commodities:
            if not k.entries:
                continue
            weekly_value = DAYS_PER_WEEK * k.value_day / len(k.entries)
            for path, owner in zip(k.paths, k.owners):
                if len(path) < 2:
                    continue
                for v in path[1:]:
                    place = self.places[v]
                    rate = self.rent_rate(place)
                    if rate <= 0.0 or self.actors[place.protector].kind == KIND_STATE:
                        continue
                    g = self.actors[place.protector]
                    rent = rate * weekly_value
                    g.rent_ref += keep * rent
                    for c in self.communities:
                        c.livelihood_ref += p.community_share * rent * g.base_w[c.idx]
                if owner is not None:
                    m = p.owner_margin * weekly_value
                    owner.rent_ref += (1.0 - p.community_share) * m
                    for c in self.communities:
                        c.livelihood_ref += p.community_share * m * owner.base_w[c.idx]

    def launch_convoys(self):
        p = self.p
        convoys = []
        for k in self.commodities:
            n = self.poisson(k.value_day / p.convoy_value)
            for _ in range(n):
                slot = min(int(self.random.random() * len(k.entries)), len(k.entries) - 1)
                path = k.paths[slot]
                if len(path) < 2:
                    continue
                self.count("convoys")
                self.count("value_entered", p.convoy_value)
                convoys.append(Convoy(self, k.idx, path, k.owners[slot], p.convoy_value))
        return convoys

    # ------------------------------------------------------------------------------------------
    # §7.2 control
    def update_control(self):
        p, lev = self.p, self.lev
        self.local_support()
        for place in self.places:
            if place.ext:
                continue
            v = place.idx
            best, bs = None, 0.0
            for a in self.actors:
                if a.kind == KIND_INTERNATIONAL or not a.present(v):
                    continue
                st = self.strength(a, v)
                if st > bs:
                    best, bs = a, st
            cur = self.actor_at(place.protector)
            if best is None:
                if cur is not None and not cur.present(v):
                    place.protector = -1
                continue
            if cur is None or not cur.present(v):
                if cur is not None and self.week > 0:
                    self.emit("transfer", best.idx, cur.idx, v, 0)
                place.protector = best.idx
                continue
            if best is cur:
                continue
            cs = self.strength(cur, v)
            margin = (1.0 + p.control_hysteresis) * (1.0 + p.deal_weight * lev["business_respected"] * cur.entitled[v])
            if bs <= margin * cs:
                continue
            if self.restrained(best, cur) or best.rel[cur.idx] >= 0.0:
                self.emit("transfer", best.idx, cur.idx, v, 0)
            else:
                scale = p.fatality_scale * math.sqrt((best.fighters[v] + cur.fighters[v]) / (2.0 * p.force_ref))
                fat = int(scale * self.lomax(p.fatality_alpha))
                fat = int(round(cur.lose_fighters(v, fat)))
                self.count("fatalities_battles", fat)
                self.emit("overtakes", best.idx, cur.idx, v, fat)
                pair = self.pair_of.get((best.idx, cur.idx))
                if pair is not None:
                    pair.incidents += 1.0
            place.protector = best.idx

    # ------------------------------------------------------------------------------------------
    # §7.3.1 clashes
    def clashes(self):
        p, rnd = self.p, self.random
        for place in self.places:
            if place.ext:
                continue
            v = place.idx
            here = [a for a in self.actors if a.kind != KIND_INTERNATIONAL and a.present(v)]
            for i, a in enumerate(here):
                for b in here[i + 1:]:
                    if {a.kind, b.kind} == {KIND_STATE, KIND_JIHADIST}:
                        continue
                    h = self.hostility(a, b)
                    if h <= 0.0:
                        continue
                    fa, fb = a.fighters[v], b.fighters[v]
                    stake = 1.0 + p.stake_weight * place.rent_ema / p.rent_ref
                    force = min(p.force_cap, math.sqrt(min(fa, fb) / p.force_ref))
                    restraint = p.accord_restraint if self.restrained(a, b) else 1.0
                    ag = (a.aggr if self.near(v, a.last_loss_place) else 0.0) + (
                        b.aggr if self.near(v, b.last_loss_place) else 0.0)
                    lam = p.clash_base * h * stake * force * restraint * (1.0 + p.aggression_weight * ag)
                    if rnd.random() >= lam:
                        continue
                    scale = p.fatality_scale * math.sqrt((fa + fb) / (2.0 * p.force_ref))
                    fat = int(scale * self.lomax(p.fatality_alpha))
                    la = int(round(fat * fb / (fa + fb)))
                    # only fighters who were there can die: the event reports the actual losses
                    fat = int(round(a.lose_fighters(v, la) + b.lose_fighters(v, fat - la)))
                    self.count("fatalities_battles", fat)
                    self.count("clashes")
                    if a.kind == KIND_SIGNATORY and b.kind == KIND_SIGNATORY:
                        self.count("signatory_clashes")
                    pair = self.pair_of.get((a.idx, b.idx))
                    if pair is not None:
                        pair.incidents += 1.0
                    self.emit("clash", a.idx, b.idx, v, fat)
                    if place.protector in (a.idx, b.idx):
                        prot = self.actors[place.protector]
                        other = b if prot is a else a
                        u = rnd.random()
                        if self.strength(other, v) * (1.0 - p.battle_luck + 2.0 * p.battle_luck * u) > (1.0 + p.control_hysteresis) * self.strength(prot, v):
                            place.protector = other.idx
                            self.emit("overtakes", other.idx, prot.idx, v, 0)

    # ------------------------------------------------------------------------------------------
    # §7.4 tips and §7.5.1 operations
    def tips_for(self, f):
        p, lev, rnd = self.p, self.lev, self.random
        P, day = self.P, self.day
        area = [0.0] * P
        for place in self.places:
            if f.present(place.idx) and not place.ext:
                area[place.idx] = 1.0
        if not any(area):
            return
        for v in [v for v in range(P) if area[v] == 1.0]:
            for u in self.places[v].nbrs:
                if not self.places[u].ext and area[u] == 0.0:
                    area[u] = p.area_neighbour_weight
        tempo = f.tempo()
        vet = lev["vetting"]
        f.ops_budget = min(p.ops_budget_cap, f.ops_budget + p.ops_per_day * tempo * (1.0 - p.vetting_cost * vet))
        pool = []
        for c in self.communities:
            tot = c.total_pop()
            inside = sum(c.pop[v] * area[v] for v in range(P))
            pool.append(c.coop[f.idx] * inside / tot if tot > 0.0 else 0.0)
        n = min(int(p.max_tips_per_day), self.poisson(p.tip_rate * tempo * sum(pool)))
        focus = f.focus()
        for _ in range(n):
            ci = self.choose(pool)
            if ci < 0:
                continue
            c = self.communities[ci]
            # The informant's patron.
            g, gs = None, 0.0
            for a in self.actors:
                if a.kind != KIND_INTERNATIONAL and c.support[a.idx] > gs:
                    g, gs = a, c.support[a.idx]
            # The most attractive rival present in the area.
            b, best_score, b_riv, b_gain, b_place = None, 0.0, 0.0, 0.0, -1
            for a in self.actors:
                if a is g or a is f or a.kind in (KIND_INTERNATIONAL, KIND_STATE):
                    continue
                if g is not None and g.rel[a.idx] >= 0.0 and a.kind == KIND_JIHADIST:
                    continue
                where, most = -1, 0.0
                for v in range(P):
                    if area[v] > 0.0 and a.present(v) and a.fighters[v] > most:
                        where, most = v, a.fighters[v]
                if where < 0:
                    continue
                riv = max(0.0, -g.rel[a.idx]) if g is not None else 0.0
                riv += max(0.0, -sum(w * c.rel[c2] for c2, w in enumerate(a.base_w) if w))
                if riv <= 0.0:
                    continue
                gain = sum(self.places[v].rent_ema / p.rent_ref for v in range(P)
                           if area[v] > 0.0 and self.places[v].protector == a.idx)
                gain = min(1.0, gain) + p.status_gain * c.sub
                if riv + gain > best_score:
                    b, best_score, b_riv, b_gain, b_place = a, riv + gain, riv, gain, where
            is_false, target, tplace = False, None, -1
            if b is not None:
                logit = p.lie_base + p.lie_rivalry * b_riv + p.lie_gain * b_gain + p.lie_learning * c.manip
                p_lie = self.plausibility(b, focus) / (1.0 + math.exp(-logit))
                if rnd.random() < p_lie:
                    is_false = self.legitimacy(b, focus) < p.legitimacy_threshold
                    target, tplace = b, b_place
            if target is None:
                cand, keys = [], []
                for a in self.actors:
                    if a.kind in (KIND_INTERNATIONAL, KIND_STATE):
                        continue
                    leg = self.legitimacy(a, focus)
                    if leg < p.legitimacy_threshold:
                        continue
                    for v in range(P):
                        if area[v] > 0.0 and a.present(v):
                            cand.append(leg * a.fighters[v] * area[v])
                            keys.append((a, v))
                k = self.choose(cand)
                if k < 0:
                    continue
                target, tplace = keys[k]
            self.count("tips")
            if is_false:
                self.count("tips_false")
            c.tips_recent += 1.0
            vetted = rnd.random() < vet
            caught = vetted and is_false and rnd.random() < p.vetting_accuracy
            if caught or f.ops_budget < 1.0:
                continue
            escaped = vetted and not is_false and rnd.random() < p.vetting_escape
            f.ops_budget -= 1.0
            if escaped or target.fighters[tplace] <= 0.0:
                continue
            self.operation(f, target, tplace, not is_false, c, g)
            self.count("tips_acted")
            if is_false:
                self.count("false_tips_acted")

    def traffic(self, a):
        rmax = self._rmax
        return min(1.0, a.rent_ema / rmax) if rmax > 0.0 else 0.0

    def legitimacy(self, a, focus):
        return (1.0 - focus) * (1.0 if a.kind == KIND_JIHADIST else 0.0) + focus * self.traffic(a)

    def plausibility(self, b, focus):
        x = (1.0 - focus) * b.jihad_overlap + focus * self.traffic(b)
        return self.p.plausibility_floor + (1.0 - self.p.plausibility_floor) * x

    def operation(self, f, a, v, is_true, informant, patron):
        p, rnd = self.p, self.random
        self.count("operations")
        ft = a.fighters[v]
        fat = int(p.op_fatality_scale * math.sqrt(max(ft, 1.0) / p.force_ref) * self.lomax(p.fatality_alpha))
        killed = a.lose_fighters(v, fat)
        dual_share = 0.0
        ally_hit = False
        for b in self.actors:
            if b is a or b.overlap[a.idx] <= 0.0 or not b.present(v):
                continue
            fb = b.fighters[v]
            hit = min(float(round(fat * b.overlap[a.idx] * fb / (fb + ft + 1.0))), fb)
            b.fighters[v] -= hit
            killed += hit
            ally_hit = ally_hit or (hit > 0.0 and b.kind != KIND_JIHADIST)
            dual_share = max(dual_share, b.overlap[a.idx])
            for c in self.communities:
                if b.base_w[c.idx] > 0.0:
                    c.harm_week[f.idx] += p.dual_hatted_grievance * p.misdirected_grievance * b.base_w[c.idx] * dual_share
        civ = 0.0
        if rnd.random() < p.civilian_harm * (1.0 - self.lev["harm_mitigation"]):
            n = 1 + int(p.op_civilian_size * self.lomax(p.fatality_alpha))
            tot = sum(c.pop[v] for c in self.communities)
            if tot > 0.0:
                civ = min(float(n), tot)
                for c in self.communities:
                    k = civ * c.pop[v] / tot
                    c.pop[v] -= k
                    c.harm_week[f.idx] += p.harm_grievance * k * p.op_harm_weight
                self.count("civilian_deaths_pop", civ)
                self.count("fatalities_civilian", civ)
        total = int(round(killed + civ))
        if f.role == ROLE_BARKHANE and rnd.random() < p.airstrike_share:
            self.count("fatalities_remote", total)
        else:
            self.count("fatalities_battles", total)
        self.emit("operation", f.idx, a.idx, v, total)
        if (not is_true) or civ > 0.0 or ally_hit:
            self.count("misdirected_ops")
        if is_true:
            return
        for c in self.communities:
            if a.base_w[c.idx] > 0.0:
                c.harm_week[f.idx] += p.misdirected_grievance * a.base_w[c.idx]
        informant.manip += 1.0
        if rnd.random() < p.protest_rate:
            self.count("protests")
            self.emit("protest", "protesters", f.idx, v, 0)
        if patron is not None and rnd.random() < p.denunciation_discovery:
            pair = self.pair_of.get((patron.idx, a.idx))
            if pair is not None:
                pair.incidents += 1.0

    # ------------------------------------------------------------------------------------------
    # §7.5.2 sweeps and §7.5.3 releases
    def sweeps(self):
        p, lev, day = self.p, self.lev, self.day
        for place in self.places:
            if place.sweep_due != day:
                continue
            v, f = place.idx, place.sweep_force
            place.sweep_due = place.sweep_force = place.sweep_cause = None
            self.count("sweeps")
            n = self.poisson(p.sweep_detentions * f.tempo())
            if n <= 0:
                continue
            weights = [c.pop[v] for c in self.communities]
            delay = min(RING_MAX_DELAY, max(1, int(lev["release_delay_days"])))
            held = 0
            for _ in range(n):
                ci = self.choose(weights)
                if ci < 0 or self.communities[ci].pop[v] < 1.0:
                    continue
                c = self.communities[ci]
                c.pop[v] -= 1.0
                c.detained += 1.0
                due = self.releases.setdefault(day + delay, {})
                due[ci] = due.get(ci, 0.0) + 1.0
                c.harm_week[f.idx] += p.detention_grievance
                self.count("detentions")
                held += 1
            if held == 0:
                continue
            for j in self.actors:
                if j.kind == KIND_JIHADIST and j.fighters[v] > 0.0:
                    j.fighters[v] -= min(j.fighters[v], p.sweep_fighter_share * held)
            self.emit("arrests", f.idx, CIVILIANS, v, 0)
            if self.random.random() < p.protest_rate * min(1.0, held / p.sweep_protest_detentions):
                self.count("protests")
                self.emit("protest", "protesters", f.idx, v, 0)

    def release_detainees(self):
        for ci, n in self.releases.pop(self.day, {}).items():
            c = self.communities[ci]
            c.detained -= n
            home = max(range(self.P), key=lambda v: (c.pop[v], -v))
            c.pop[home] += n

    # ------------------------------------------------------------------------------------------
    # §7.7 accords
    def update_accords(self):
        p, lev, week = self.p, self.lev, self.week
        sigs = [a for a in self.actors if a.sig]
        tot_f = sum(a.total_fighters() for a in sigs)
        tot_p = sum(a.promised for a in sigs)
        for a in self.actors:
            if not a.sig:
                a.post_share = 0.0
                continue
            power = a.total_fighters() / tot_f if tot_f > 0.0 else 0.0
            fair = a.promised / tot_p if tot_p > 0.0 else power
            a.post_share = lev["interim_fairness"] * fair + (1.0 - lev["interim_fairness"]) * power
        for a in self.actors:
            if week <= 1:
                a.rent_ema = a.rent_ref if a.rent_ref > 0.0 else a.rent_week
            else:
                a.rent_ema += p.entitlement_smoothing * (a.rent_week - a.rent_ema)
        for pair in self.pairs:
            a, b = pair.a, pair.b
            short = 0.0
            if week > 1:
                for x in (a, b):
                    if x.rent_ref > 0.0:
                        short += max(0.0, 1.0 - x.rent_ema / x.rent_ref - p.rent_tolerance)
            fa, fb = a.total_fighters(), b.total_fighters()
            shift = 0.0
            if fa + fb > 0.0:
                bal = fa / (fa + fb)
                shift = abs(bal - pair.balance_prev) if pair.balance_prev >= 0.0 else 0.0
                pair.balance_prev = bal
            unmet = (self.actor_unmet(a) + self.actor_unmet(b)) / 2
            tau = (pair.tension * p.tension_decay + p.tension_rent * short + p.tension_balance * shift
                   + p.tension_incident * pair.incidents + p.tension_political * unmet)
            pair.incidents = 0.0
            pair.tension = tau
            if not pair.broken:
                if tau > p.tension_threshold:
                    pair.broken, pair.broken_weeks = True, 0
                    self.count("accord_breaks")
                    self.emit("accord_break", a.idx, b.idx, -1, 0)
            else:
                pair.broken_weeks += 1
                if pair.broken_weeks >= p.failure_weeks and self.accord_failure_day < 0:
                    self.accord_failure_day = self.day
                chance = p.mediation_rate
                if tau < p.mediation_threshold * p.tension_threshold and self.random.random() < chance:
                    pair.broken, pair.broken_weeks = False, 0
                    self.count("mediations")
                    self.emit("agreement", a.idx, b.idx, -1, 0)
        pace = lev["ddr_pace"] / WEEKS_PER_YEAR
        if pace <= 0.0:
            return
        for a in self.actors:
            if not a.ddr_ok or any(pr.broken for pr in self.pairs if a in (pr.a, pr.b)):
                continue
            for v in range(self.P):
                d = a.fighters[v] * pace
                if d <= 0.0:
                    continue
                a.fighters[v] -= d
                self.count("demobilised", d)
                pay = d * p.ddr_payment
                a.earn("ddr", p.ddr_group_share * pay)
                best = max(self.communities, key=lambda c: c.pop[v] * (1.0 + self.p.home_bias * a.base_w[c.idx]))
                best.pop[v] += d
                best.livelihood_week += (1.0 - p.ddr_group_share) * pay

    def actor_unmet(self, a):
        asp = sum(w * self.communities[c].polasp for c, w in enumerate(a.base_w))
        sub = sum(w * self.communities[c].sub for c, w in enumerate(a.base_w))
        indep = sum(w * self.communities[c].indep for c, w in enumerate(a.base_w))
        tot_p = sum(x.promised for x in self.actors if x.sig)
        fair = a.promised / tot_p if tot_p > 0.0 else 0.0  # normalised like post_share
        short = max(0.0, 1.0 - a.post_share / fair) if fair > 0.0 else 0.0
        return asp * short * (1.0 + self.p.status_weight * sub) + self.p.independence_demand * indep

    # ------------------------------------------------------------------------------------------
    # the schedule (§3)
    def weekly(self):
        p = self.p
        for pl in self.places:
            pl.rent_ema = pl.rent_week if self.day <= DAYS_PER_WEEK else pl.rent_ema + self.p.rent_smoothing * (pl.rent_week - pl.rent_ema)
        if self.week == 0:
            self.update_control()  # protectors first, so the protection reference is the status quo
        reallocate(self)  # §7.9 movement (the state's redeployment included)
        self.update_accords()
        land_disputes(self)  # §7.11 land, pasture and water
        update_groups(self)  # §7.10 militias and alliances
        self.community_set.shuffle_do("weekly_update")
        self.actor_set.shuffle_do("pay_and_levy")
        self.actor_set.shuffle_do("recruit")
        if self.week > 0:
            self.update_control()
        for pl in self.places:
            pl.risk *= p.risk_decay
        self.choose_routes()
        if self.week == 0:
            self.set_entitlements()
        for a in self.actors:
            a.aggr *= p.aggression_decay
            a.last_loss_value *= p.aggression_decay
        for c in self.communities:
            c.manip *= self.p.manipulation_decay
            c.tips_recent *= self.p.tips_memory_decay
        for pl in self.places:
            pl.rent_week = 0.0
        for a in self.actors:
            a.rent_week = 0.0
        for c in self.communities:
            c.livelihood_week = 0.0

    def step(self):
        """One day."""
        self.lev = self._lev_rows[self.day]
        self.aid_today = self._aid_rows[self.day]
        self.week = self.day // DAYS_PER_WEEK
        if self.day % DAYS_PER_WEEK == 0:
            self.weekly()
        convoys = self.launch_convoys()
        mesa.agent.AgentSet(convoys, random=self.random).shuffle_do("travel")
        for cv in convoys:
            cv.remove()
        self.clashes()
        jihadists = self.actor_set.select(lambda a: a.kind == KIND_JIHADIST)
        jihadists.shuffle_do("attack_posts")
        jihadists.shuffle_do("assassinate")
        self.actor_set.shuffle_do("reprise")
        jihadists.shuffle_do("kidnap")
        self._rmax = max((a.rent_ema for a in self.actors if a.kind != KIND_INTERNATIONAL), default=0.0)
        self.actor_set.select(lambda a: a.is_force).shuffle_do("gather_tips")
        self.sweeps()
        self.release_detainees()
        self.day += 1
        self.datacollector.collect(self)
        if self.day >= self.days:
            self.running = False

    def run(self):
        while self.running:
            self.step()
        return self

    # ------------------------------------------------------------------------------------------
    def outcomes(self) -> dict[str, float]:
        """Per-run outcome scalars, with the engine's keys (``engine.outcomes_of``)."""
        g = lambda k: float(self.counts.get(k, 0.0))  # noqa: E731
        out = {k: g(k) for k in (
            "fatalities", "fatalities_civilian", "fatalities_battles", "fatalities_remote", "fatalities_vac",
            "signatory_clashes", "clashes", "attacks", "jihadist_recruits", "recruits", "seizures", "predations",
            "accord_breaks", "tips", "tips_false", "tips_acted", "false_tips_acted", "misdirected_ops",
            "operations", "detentions", "sweeps", "protests", "demobilised", "kidnappings", "assassinations",
            "reprisals", "mediations",
        )}
        out["events"] = float(len(self.events))
        jih = [a for a in self.actors if a.kind == KIND_JIHADIST]
        j_end = sum(a.total_fighters() + travelling(self, a) for a in jih)
        out["jihadist_strength"] = j_end
        out["jihadist_strength_change"] = (j_end - self.jihadist_start) / self.jihadist_start if self.jihadist_start else 0.0
        pops = [c.total_pop() for c in self.communities]
        ptot = sum(pops)
        popw = [x / ptot if ptot > 0 else 0.0 for x in pops]
        jsup = [sum(c.support[a.idx] for a in jih) for c in self.communities]
        out["jihadist_support"] = sum(s * w for s, w in zip(jsup, popw))
        out["trafficking_entered"] = g("value_entered")
        out["trafficking_transited"] = g("transit_value")
        out["trafficking_seized"] = g("seized_value")
        out["transit_share"] = g("transit_value") / g("value_entered") if g("value_entered") > 0 else 0.0
        out["revenue_signatories"] = sum(sum(a.income.values()) for a in self.actors if a.kind == KIND_SIGNATORY)
        out["rent_signatories"] = sum(a.income.get("rent", 0.0) + a.income.get("trafficking_margin", 0.0)
                                      for a in self.actors if a.kind == KIND_SIGNATORY)
        out["accord_failed"] = 1.0 if self.accord_failure_day >= 0 else 0.0
        out["accord_failure_day"] = float(self.accord_failure_day) if self.accord_failure_day >= 0 else float(self.days)
        tens = [pr.tension for pr in self.pairs]
        out["tension_max"] = max(tens) if tens else 0.0
        out["tension_mean"] = sum(tens) / len(tens) if tens else 0.0
        out["false_tip_share_acted"] = g("false_tips_acted") / g("tips_acted") if g("tips_acted") > 0 else 0.0
        forces = self.forces
        intl = [a for a in self.actors if a.kind == KIND_INTERNATIONAL]
        alien = [sum(c.grievance[f.idx] for f in forces) / len(forces) + js for c, js in zip(self.communities, jsup)]
        out["alienation_mean"] = sum(x * w for x, w in zip(alien, popw))
        out["grievance_international"] = sum(
            sum(c.grievance[a.idx] for a in intl) / len(intl) * w for c, w in zip(self.communities, popw)) if intl else 0.0
        out["cooperation_mean"] = sum(
            sum(c.coop[f.idx] for f in forces) / len(forces) * w for c, w in zip(self.communities, popw))
        handlers = [c for c in self.communities if c.dep >= HANDLER_DEPENDENCE]
        ref = sum(c.livelihood_ref for c in handlers)
        out["livelihood_handlers"] = sum(c.livelihood_ema for c in handlers) / ref if handlers and ref > 0 else 1.0
        return out


COUNTERS = {
    "fatalities": "fatalities", "fatalities_civilian": "fatalities_civilian",
    "signatory_clashes": "signatory_clashes", "clashes": "clashes", "attacks": "attacks", "seizures": "seizures",
    "trafficking_transited": "transit_value", "trafficking_seized": "seized_value", "tips": "tips",
    "false_tips_acted": "false_tips_acted", "misdirected_ops": "misdirected_ops", "detentions": "detentions",
}


def _reporters():
    """Daily model reporters: the running outcome scalars (the last row equals ``outcomes()``)."""
    rep = {k: (lambda m, c=c: float(m.counts.get(c, 0.0))) for k, c in COUNTERS.items()}
    rep["jihadist_strength"] = lambda m: sum(a.total_fighters() + travelling(m, a) for a in m.actors
                                             if a.kind == KIND_JIHADIST)
    rep["accord_failed"] = lambda m: 1.0 if m.accord_failure_day >= 0 else 0.0
    return rep
