"""Communities and convoys of the Mesa reference implementation (docs/ODD.md; section numbers refer to it)."""

from __future__ import annotations

import math

import mesa

from azalai.model.world import ZONE_NORTH
from azalai.reference.agents import KIND_INTERNATIONAL


class Community(mesa.Agent):
    """An identity group living at several places."""

    def __init__(self, model, idx, name, pop):
        super().__init__(model)
        self.idx = idx
        self.name = name
        self.pop = list(pop)  # per place
        self.pop0 = list(pop)
        self.dep = 0.0
        self.sub = 0.0
        self.polasp = 0.0
        self.indep = 0.0
        self.rel = []  # per community
        self.region_w = []
        A = model.n_actors
        self.support0 = [0.0] * A
        self.support = [0.0] * A
        self.grievance = [0.0] * A
        self.coop = [0.0] * A
        self.harm_week = [0.0] * A
        self.loss_week = [0.0] * A  # livelihood lost to each seizer this week
        self.prot_ref = [0.0] * A
        self.livelihood_week = 0.0
        self.livelihood_ema = 0.0
        self.livelihood_ref = 0.0
        self.detained = 0.0
        self.manip = 0.0
        self.tips_recent = 0.0
        self.met = set()  # actors met at the last weekly update

    def total_pop(self):
        return sum(self.pop)

    def protection(self, a):
        """Share of my people in places protected by actor a, plus a's share of my livelihood."""
        m = self.model
        tot = self.total_pop()
        prot = sum(self.pop[v] for v in range(m.P) if m.places[v].protector == a.idx)
        x = prot / tot if tot > 0.0 else 0.0
        return x + a.base_w[self.idx] * self.dep

    def anchor(self, a, met):
        """Support anchor: the scenario's (floored where they meet); none for a militia not formed; a formed
        militia's own community backs it at ``militia_support`` (§7.10)."""
        if a.militia_of is not None:
            if not a.active:
                return 0.0
            if a.militia_of == self.idx:
                return self.model.p.militia_support
        if met:
            return max(self.support0[a.idx], self.model.p.support_floor)
        return self.support0[a.idx]

    def meets(self):
        """Indices of the actors I meet: present, or protecting, where I have people; and the state (§7.6)."""
        m = self.model
        out = {m.state.idx} if m.state is not None else set()
        for v in range(m.P):
            if self.pop[v] != 0.0:
                out.update(a.idx for a in m.actors if a.present(v))
                if m.places[v].protector >= 0:
                    out.add(m.places[v].protector)
        return out

    def unmet(self):
        m, p = self.model, self.model.p
        rep, wsum = 0.0, 0.0
        tot_p = sum(a.promised for a in m.actors if a.sig)
        for a in m.actors:
            if a.sig and a.base_w[self.idx] > 0.0:
                fair = a.promised / tot_p if a.promised > 0.0 else p.min_fair_share  # normalised like post_share
                rep += a.base_w[self.idx] * min(1.0, a.post_share / fair)
                wsum += a.base_w[self.idx]
        if wsum > 0.0:
            rep /= wsum
        else:  # no signatory patron: represented through the interim authorities only in the north
            tot = sum(self.pop0)
            north = sum(x for v, x in enumerate(self.pop0) if m.places[v].zone == ZONE_NORTH) / tot if tot > 0.0 else 0.0
            rep = 1.0 - north * (1.0 - m.lev["interim_fairness"])
        return self.polasp * (1.0 - rep) * (1.0 + p.status_weight * self.sub) + p.independence_demand * self.indep

    def weekly_update(self):
        """Livelihood, grievance, support and cooperation (§7.6)."""
        m, p = self.model, self.model.p
        week = m.week
        if week <= 1:
            self.livelihood_ema = self.livelihood_ref
        else:
            self.livelihood_ema += p.livelihood_smoothing * (self.livelihood_week - self.livelihood_ema)
        # grievance
        reg_aid = sum(w * m.aid_today[g] for g, w in enumerate(self.region_w))
        s = m.state
        tot = self.total_pop()
        present = sum(self.pop[v] for v in range(m.P) if s is not None and s.present(v))
        absent = 1.0 - present / tot if tot > 0.0 else 1.0
        ref = self.livelihood_ref + 1.0
        for a in m.actors:
            i = a.idx
            g0 = self.grievance[i] * p.grievance_decay + self.harm_week[i]
            loss = self.loss_week[i]
            if loss > 0.0:
                g0 += p.livelihood_grievance * self.dep * min(p.livelihood_loss_cap, loss / ref)
            if a is s:
                g0 += p.exclusion_grievance * self.unmet()
                g0 += p.state_absence_grievance * absent
                g0 -= p.aid_relief * reg_aid
            elif a.kind == KIND_INTERNATIONAL:
                g0 -= p.aid_relief_international * p.aid_relief * reg_aid
            self.grievance[i] = min(p.grievance_cap, max(0.0, g0))
            self.harm_week[i] = 0.0
            self.loss_week[i] = 0.0
        # support
        if week == 0:
            for a in m.actors:
                self.prot_ref[a.idx] = self.protection(a)
        self.met = met = self.meets()
        s0 = [self.anchor(a, a.idx in met) for a in m.actors]
        denom = max(p.unaligned_floor, 1.0 - sum(s0))
        target = []
        for a in m.actors:
            i = a.idx
            if i not in met:  # elsewhere, back toward the declared support
                target.append(s0[i])
                denom += s0[i]
                continue
            x = p.support_protection * (self.protection(a) - self.prot_ref[i])
            x -= p.support_grievance * self.grievance[i]
            x += p.support_opposition * sum(self.grievance[f] * -r for f, r in enumerate(a.rel) if r < 0.0)
            t = s0[i] * math.exp(min(x, p.support_logit_cap))
            target.append(t)
            denom += t
        for i, t in enumerate(target):
            self.support[i] += p.support_rate * (t / denom - self.support[i])
            if i not in met and s0[i] == 0.0 and self.support[i] < p.support_negligible:
                self.support[i] = 0.0
        # cooperation with each force
        for f in m.forces:
            i = f.idx
            tgt = min(1.0, p.cooperation_base + self.support[i]) * math.exp(-p.cooperation_sensitivity * self.grievance[i])
            if week == 0:
                self.coop[i] = tgt
            else:
                self.coop[i] += p.cooperation_rate * (tgt - self.coop[i])


class Convoy(mesa.Agent):
    """A trafficking convoy crossing the north on its network's weekly path; lives for one day."""

    def __init__(self, model, commodity, path, owner, value):
        super().__init__(model)
        self.commodity = commodity
        self.path = path
        self.owner = owner  # ArmedActor or None
        self.value = value

    def travel(self):
        """Seizure, predation or rent at every place crossed; margin on delivery (§7.1)."""
        m, p = self.model, self.model.p
        rnd = m.random
        owner = self.owner
        L = len(self.path)
        for j in range(1, L):
            place = m.places[self.path[j]]
            if place.ext:
                continue
            q, seizer = m.seizure_hazard(place, owner)
            if q > 0.0 and rnd.random() < q:
                m.seize(place, seizer, owner, self.value, True, L - 1 - j)
                return
            g = m.actor_at(place.protector)
            if owner is not None and g is not None and g is not owner and g.local:
                pair = m.pair_of.get((g.idx, owner.idx))
                hostility = -g.rel[owner.idx]
                if pair is not None:
                    hostility += p.tension_weight * pair.tension
                if hostility > 0.0:
                    restraint = 1.0
                    if pair is not None and not pair.broken:
                        restraint = p.accord_restraint + (1.0 - p.accord_restraint) * (1.0 - m.lev["business_respected"])
                    h = p.predation_rate * hostility * restraint * (1.0 + g.aggr)
                    if rnd.random() < h:
                        m.seize(place, g, owner, self.value, False, L - 1 - j)
                        return
            m.pay_rent(place, self.value)
        m.count("transit_value", self.value)
        if owner is not None:
            margin = p.owner_margin * self.value
            comm = p.community_share * margin
            owner.earn("trafficking_margin", margin - comm)
            owner.rent_week += margin - comm
            for c in m.communities:
                w = owner.base_w[c.idx]
                if w > 0.0:
                    c.livelihood_week += comm * w
