"""Agents of the Mesa reference implementation: armed actors, communities and convoys.

Each agent keeps its own state as plain Python attributes (lists indexed by place, actor or
community index). The model (``model.py``) holds places, routes, signatory pairs and the levers.
Equations follow docs/ODD.md; section numbers refer to it.
"""

from __future__ import annotations

import math

import mesa

from azalai.model.state import DAYS_PER_WEEK
from azalai.model.world import ZONE_NORTH

KIND_STATE, KIND_SIGNATORY, KIND_JIHADIST, KIND_INTERNATIONAL, KIND_MILITIA = 0, 1, 2, 3, 4
ROLE_NONE, ROLE_STATE, ROLE_BARKHANE, ROLE_MINUSMA, ROLE_OTHER_FORCE = 0, 1, 2, 3, 4
CIVILIANS = "civilians"


class ArmedActor(mesa.Agent):
    """An armed group, the state's army, or an international force."""

    def __init__(self, model, idx, name, kind, role, fighters, cash):
        super().__init__(model)
        self.idx = idx
        self.name = name
        self.kind = kind
        self.role = role
        self.fighters = list(fighters)  # per place
        self.cash = float(cash)
        self.cash0 = float(cash)
        self.income = {}
        self.rent_week = 0.0
        self.rent_ema = 0.0
        self.rent_ref = 0.0
        self.post_share = 0.0
        self.aggr = 0.0
        self.last_loss_place = -1
        self.last_loss_day = -1
        self.last_loss_value = 0.0
        self.ops_budget = 0.0
        # static, filled by the model
        self.base_w = []
        self.rel = []
        self.overlap = []  # overlap[b]: share of my fighters also in b
        self.jihad_overlap = 0.0
        self.sig = False
        self.ddr_ok = False
        self.entitled = []
        self.promised = 0.0

    # --- helpers -------------------------------------------------------------------------------
    @property
    def is_force(self):
        return self.role != ROLE_NONE

    @property
    def local(self):
        return self.kind in (KIND_SIGNATORY, KIND_JIHADIST, KIND_MILITIA)

    def present(self, v):
        return self.fighters[v] >= self.model.p.min_presence

    def total_fighters(self):
        return sum(self.fighters)

    def earn(self, source, amount):
        self.cash += amount
        self.income[source] = self.income.get(source, 0.0) + amount

    def lose_fighters(self, v, n):
        lost = min(float(n), self.fighters[v])
        self.fighters[v] -= lost
        return lost

    def tempo(self):
        lev = self.model.lev
        if self.role == ROLE_BARKHANE:
            return lev["barkhane_tempo"]
        if self.role == ROLE_MINUSMA:
            return self.model.p.minusma_tempo_base + self.model.p.minusma_tempo_posture * lev["minusma_posture"]
        return self.model.p.other_force_tempo

    def focus(self):
        lev = self.model.lev
        if self.role == ROLE_BARKHANE:
            return lev["barkhane_focus"]
        if self.role == ROLE_MINUSMA:
            return self.model.p.minusma_toc_focus * lev["minusma_toc_units"]
        return 0.0

    # --- weekly purse, turnover (§7.6) --------------------------------------------------------
    def pay_and_levy(self):
        m, p = self.model, self.model.p
        if self.kind == KIND_INTERNATIONAL:
            return
        levy = sum(p.levy_rate * c.support[self.idx] * sum(c.pop) for c in m.communities)
        self.earn("levy", levy)
        if self.kind == KIND_STATE:
            self.earn("state_budget", p.state_budget)
        on_road = sum(n for (_, i, _, n) in m.journeys if i == self.idx)  # fighters travelling are paid too
        due = p.upkeep * DAYS_PER_WEEK * (self.total_fighters() + on_road)
        arrears = 0.0
        if due > 0.0:
            if self.cash >= due:
                self.cash -= due
            else:
                arrears = 1.0 - self.cash / due
                self.cash = 0.0
        if self.cash > self.cash0:
            spend = p.spending_rate * (self.cash - self.cash0)
            self.cash -= spend
            m.count("spending", spend)
        if not self.local:
            return
        leave = p.attrition_rate + p.desertion_rate * arrears
        defect = p.defection_rate * arrears
        for v in range(m.P):
            fv = self.fighters[v]
            if fv <= 0.0:
                continue
            gone = leave * fv
            if gone > 0.0:
                self.fighters[v] -= gone
                m.count("attrition", p.attrition_rate * fv)
                m.count("desertions", gone - p.attrition_rate * fv)
                m.return_home(self, v, gone)
            if defect > 0.0:
                to = None
                for b in m.actors:
                    if (b is self or not b.local or self.rel[b.idx] < 0.0 or b.cash <= 0.0
                            or b.fighters[v] < p.min_presence):
                        continue
                    if to is None or b.fighters[v] > to.fighters[v]:
                        to = b
                if to is not None:
                    self.fighters[v] -= defect * fv
                    to.fighters[v] += defect * fv
                    m.count("defections", defect * fv)

    # --- weekly recruitment (§7.6) -------------------------------------------------------------
    def recruit(self):
        m, p = self.model, self.model.p
        if not self.local:
            return
        enemies = [(b, -r) for b, r in enumerate(self.rel) if r < 0.0]
        want = {}
        for c in m.communities:
            s = c.support[self.idx]
            tot = sum(c.pop)
            if s <= 0.0 or tot <= 0.0:
                continue
            push = sum(c.grievance[b] * w for b, w in enemies)
            n = p.recruit_rate * s * tot * (1.0 + p.grievance_push * min(push, p.grievance_push_cap))
            want[c.idx] = min(n, p.community_recruit_cap * tot)
        total = sum(want.values())
        if total <= 0.0 or self.total_fighters() <= 0.0:
            return
        scale = min(1.0, p.max_growth * max(self.total_fighters(), p.force_ref) / total)
        intake = scale * total
        if intake <= 0.0:
            return
        paid = min(intake, self.cash / p.recruit_cost) if p.recruit_cost > 0.0 else intake
        taken = paid + p.unpaid_recruitment * (intake - paid)
        self.cash -= paid * p.recruit_cost
        scale *= taken / intake
        big = max(range(m.P), key=lambda v: (self.fighters[v], -v))
        for ci, w in want.items():
            n = scale * w
            if n <= 0.0:
                continue
            c = m.communities[ci]
            dest, dw = -1, 0.0
            for v in range(m.P):
                if self.present(v) and c.pop[v] > dw:
                    dest, dw = v, c.pop[v]
            if dest < 0:
                dest = big
            tot = sum(c.pop)
            for v in range(m.P):
                c.pop[v] -= n * c.pop[v] / tot
            self.fighters[dest] += n
            m.count("recruits", n)
            if self.kind == KIND_JIHADIST:
                m.count("jihadist_recruits", n)

    # --- daily: jihadist attacks on posts (§7.3.2) ---------------------------------------------
    def attack_posts(self):
        m, p = self.model, self.model.p
        if self.kind != KIND_JIHADIST:
            return
        rnd = m.random
        for place in m.places:
            if place.ext:
                continue
            v = place.idx
            reach = self.fighters[v] + p.attack_reach * sum(self.fighters[u] for u in place.nbrs)
            if reach < p.min_presence:
                continue
            for f in m.forces:
                if not f.present(v):
                    continue
                h = -self.rel[f.idx]
                if h <= 0.0:
                    continue
                lam = p.attack_base * h * min(math.sqrt(reach / p.force_ref), p.force_cap) * (
                    1.0 + p.support_weight * m.loc_support[self.idx][v]
                )
                if rnd.random() >= lam:
                    continue
                u = rnd.random()
                x = m.lomax(p.fatality_alpha)
                if u < p.ied_share:
                    remote, fat = True, int(p.ied_fatality_scale * p.fatality_scale * x)
                    lf, lj = fat, 0
                elif u < p.ied_share + p.shelling_share:
                    remote, fat = True, int(p.shelling_fatality_scale * p.fatality_scale * x)
                    lf, lj = fat, 0
                else:
                    remote = False
                    ff = f.fighters[v]
                    scale = p.fatality_scale * math.sqrt((reach + min(ff, p.defender_ratio * reach)) / (2.0 * p.force_ref))
                    fat = int(scale * x)
                    lj = int(fat * p.attacker_loss_share)
                    lf = fat - lj
                lf = f.lose_fighters(v, lf)
                lj = self.lose_fighters(v, lj)
                fat = int(round(lf + lj))
                m.count("local_fighter_deaths", lj)
                m.count("fatalities_remote" if remote else "fatalities_battles", fat)
                m.count("attacks")
                ev = m.emit("attack", self.idx, f.idx, v, fat)
                if place.sweep_due is None and rnd.random() < m.lev["sweeps"]:
                    place.sweep_due = m.day + 1
                    place.sweep_force = f
                    place.sweep_cause = ev

    # --- daily: assassinations of suspected informants (§7.3.3) --------------------------------
    def assassinate(self):
        m, p = self.model, self.model.p
        if self.kind != KIND_JIHADIST:
            return
        rnd = m.random
        hostile_forces = [f for f in m.forces if self.rel[f.idx] < 0.0]
        for place in m.places:
            v = place.idx
            if place.ext or not self.present(v):
                continue
            for c in m.communities:
                if c.pop[v] < p.assassination_min_pop:
                    continue
                coop = sum(c.coop[f.idx] for f in hostile_forces)
                if coop <= 0.0:
                    continue
                lam = p.assassination_rate * coop * (1.0 + c.tips_recent) * min(1.0, self.fighters[v] / p.force_ref)
                if rnd.random() >= lam:
                    continue
                fat = 1 + int(p.assassination_size * m.lomax(p.fatality_alpha))
                if c.pop[v] < fat:
                    continue
                c.pop[v] -= fat
                killed = float(fat)
                m.count("civilian_deaths_pop", killed)
                m.count("fatalities_civilian", killed)
                m.count("fatalities_vac", killed)
                m.count("assassinations")
                c.harm_week[self.idx] += p.harm_grievance * killed
                for f in m.forces:
                    c.coop[f.idx] *= 1.0 - p.assassination_fear
                m.emit("assassination", self.idx, CIVILIANS, v, int(killed))

    # --- daily: reprisals against civilians (§7.3.4) -------------------------------------------
    def reprise(self):
        m, p = self.model, self.model.p
        if self.kind == KIND_INTERNATIONAL:
            return
        rnd = m.random
        for place in m.places:
            v = place.idx
            if place.ext or not self.present(v):
                continue
            for c in m.communities:
                if c.pop[v] < p.reprisal_min_pop or self.base_w[c.idx] > 0.0:
                    continue
                communal = -sum(w * m.communities[c2].rel[c.idx] for c2, w in enumerate(self.base_w) if w)
                enemy_support = sum(c.support[b] * -r for b, r in enumerate(self.rel) if r < 0.0)
                hostile = max(0.0, communal) + enemy_support
                if hostile <= p.reprisal_hostility_min:
                    continue
                lam = p.reprisal_rate * hostile * min(1.0, self.fighters[v] / p.force_ref)
                if self.kind == KIND_STATE:
                    lam *= p.state_abuse
                if rnd.random() >= lam:
                    continue
                fat = 1 + int(p.reprisal_fatality_scale * p.fatality_scale * m.lomax(p.fatality_alpha))
                killed = min(float(fat), c.pop[v])
                c.pop[v] -= killed
                m.count("civilian_deaths_pop", killed)
                m.count("fatalities_civilian", killed)
                m.count("fatalities_vac", killed)
                m.count("reprisals")
                c.harm_week[self.idx] += p.harm_grievance * killed
                m.emit("reprisal", self.idx, CIVILIANS, v, int(killed))

    # --- daily: kidnapping for ransom (§7.3.5) -------------------------------------------------
    def kidnap(self):
        m, p = self.model, self.model.p
        if self.kind != KIND_JIHADIST:
            return
        tot = self.total_fighters()
        where, most = -1, 0.0
        for place in m.places:
            if not place.ext and self.fighters[place.idx] > most:
                where, most = place.idx, self.fighters[place.idx]
        if where < 0:
            return
        if m.random.random() >= p.kidnap_rate * min(1.0, tot / p.force_ref):
            return
        self.earn("ransom", p.ransom_value)
        m.count("kidnappings")
        m.emit("kidnapping", self.idx, CIVILIANS, where, 0)

    # --- daily: tips and operations (§7.4, §7.5.1) ---------------------------------------------
    def gather_tips(self):
        if self.is_force:
            self.model.tips_for(self)


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

    def total_pop(self):
        return sum(self.pop)

    def protection(self, a):
        """Share of my people in places protected by actor a, plus a's share of my livelihood."""
        m = self.model
        tot = self.total_pop()
        prot = sum(self.pop[v] for v in range(m.P) if m.places[v].protector == a.idx)
        x = prot / tot if tot > 0.0 else 0.0
        return x + a.base_w[self.idx] * self.dep

    def anchor(self, a):
        """Support anchor: the scenario's (floored); none for a militia not formed; a formed militia's own
        community backs it at ``militia_support`` (§7.10)."""
        if a.militia_of is not None:
            if not a.active:
                return 0.0
            if a.militia_of == self.idx:
                return self.model.p.militia_support
        return max(self.support0[a.idx], 0.005)

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
        s0 = [self.anchor(a) for a in m.actors]
        denom = max(p.unaligned_floor, 1.0 - sum(s0))
        target = []
        for a in m.actors:
            i = a.idx
            x = p.support_protection * (self.protection(a) - self.prot_ref[i])
            x -= p.support_grievance * self.grievance[i]
            x += p.support_opposition * sum(self.grievance[f] * -r for f, r in enumerate(a.rel) if r < 0.0)
            t = s0[i] * math.exp(min(x, p.support_logit_cap))
            target.append(t)
            denom += t
        for i, t in enumerate(target):
            self.support[i] += p.support_rate * (t / denom - self.support[i])
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
