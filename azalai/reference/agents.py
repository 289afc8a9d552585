"""Armed actors of the Mesa reference implementation (communities and convoys: ``communities.py``).

Each agent keeps its own state as plain Python attributes (lists indexed by place, actor or
community index). The model (``model.py``) holds places, routes, signatory pairs and the levers.
Equations follow docs/ODD.md; section numbers refer to it.
"""

from __future__ import annotations

import math

import mesa

from azalai.model.state import DAYS_PER_WEEK

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
            if self.idx not in c.met or s <= 0.0 or tot <= 0.0:
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
                c.harm_place[v] += p.harm_grievance * killed
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
                c.harm_place[v] += p.harm_grievance * killed
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
