"""The reference model's violence and intelligence: clashes, tips, operations, sweeps and releases
(docs/ODD.md §7.3-7.5). Methods of :class:`~azalai.reference.model.ReferenceModel`."""

from __future__ import annotations

import math

from azalai.reference.agents import (
    CIVILIANS, KIND_INTERNATIONAL, KIND_JIHADIST, KIND_SIGNATORY, KIND_STATE, ROLE_BARKHANE,
)
from azalai.reference.world import RING_MAX_DELAY


class ViolenceMixin:
    """Clashes between groups, tips and the operations they trigger, sweeps and releases."""

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
        P = self.P
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
                    c.harm_place[v] += p.harm_grievance * k
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
