"""The reference model's trafficking economy: rents, seizures, route choice, convoys and control
(docs/ODD.md §7.1-7.2). Methods of :class:`~azalai.reference.model.ReferenceModel`."""

from __future__ import annotations

import heapq
import math

from azalai.model.state import DAYS_PER_WEEK
from azalai.reference.agents import KIND_INTERNATIONAL, KIND_STATE, ROLE_BARKHANE, ROLE_MINUSMA, ROLE_STATE
from azalai.reference.communities import Convoy


class TraffickingMixin:
    """Rents, seizures, route choice, entitlements, convoys and control of places."""

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
