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

import math

import mesa

from azalai.defaults import DEFAULT_POLICY, DEFAULT_SCENARIO
from azalai.reference.agents import KIND_INTERNATIONAL, KIND_JIHADIST, KIND_SIGNATORY, KIND_STATE, ArmedActor
from azalai.reference.communities import Community
from azalai.model.engine import HANDLER_DEPENDENCE
from azalai.model.state import DAYS_PER_WEEK, WEEKS_PER_YEAR
from azalai.reference.groups import read_groups, update_groups
from azalai.reference.land import land_disputes, read_land
from azalai.reference.movement import read_movement, reallocate, travelling
from azalai.reference.trafficking import TraffickingMixin
from azalai.reference.violence import ViolenceMixin
from azalai.reference.world import read_world


class ReferenceModel(TraffickingMixin, ViolenceMixin, mesa.Model):
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
        read_world(self, sc)
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
