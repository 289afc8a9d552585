"""The outcome registry: every per-run outcome, declared once in ``outcomes.yaml``.

:func:`azalai.model.engine.outcomes_of` produces exactly the declared outcomes (a test checks both
directions). Summary tables show the ``key`` outcomes; the dashboard, the report and the claims read
which outcomes bear on which of the seed's claims from here; the EMA connector and the docs read the
units and descriptions.

A family with one outcome per actor or community is declared once under a pattern such as
``revenue_{actor}``; :func:`find` matches a concrete name (``revenue_mnla``) to its declaration.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

OUTCOMES_FILE = Path(__file__).with_name("outcomes.yaml")
PER = ("actor", "community")

# libyaml's parser when available (8x faster at start-up; the same values as yaml.safe_load)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Outcome:
    """One declared outcome (or, with ``per``, a family of them)."""

    name: str
    unit: str
    description: str
    key: bool = False
    claims: tuple[int, ...] = ()
    per: str | None = None

    def matches(self, name: str) -> bool:
        if self.per is None:
            return name == self.name
        prefix = self.name.split("{", 1)[0]
        return name.startswith(prefix) and len(name) > len(prefix)


@lru_cache(maxsize=1)
def registry() -> tuple[Outcome, ...]:
    """Every declared outcome, in the file's order."""
    with open(OUTCOMES_FILE, encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=_YAML_LOADER)
    out = []
    for name, d in raw.items():
        per = d.get("per")
        if per is not None and (per not in PER or "{" + per + "}" not in name):
            raise ValueError(f"{OUTCOMES_FILE}: outcome {name}: per must be one of {PER} and appear in the name")
        out.append(Outcome(name=name, unit=str(d["unit"]), description=str(d["description"]),
                           key=bool(d.get("key", False)), claims=tuple(int(c) for c in d.get("claims", ())),
                           per=per))  # fmt: skip
    return tuple(out)


def names() -> list[str]:
    """Names of the declared scalar outcomes (families excluded), in declaration order."""
    return [o.name for o in registry() if o.per is None]


def key_outcomes() -> list[str]:
    """The outcomes every summary table shows, in declaration order."""
    return [o.name for o in registry() if o.key]


def claim_outcomes(claim: int) -> list[str]:
    """The outcomes that bear on one of the seed's claims, in declaration order."""
    return [o.name for o in registry() if claim in o.claims]


def shown_outcomes() -> list[str]:
    """Key outcomes and every outcome a claim uses: what the dashboard and the report tabulate."""
    return [o.name for o in registry() if o.per is None and (o.key or o.claims)]


def find(name: str) -> Outcome | None:
    """The declaration of a concrete outcome name (exact names before families), or None."""
    reg = registry()
    exact = next((o for o in reg if o.per is None and o.name == name), None)
    return exact or next((o for o in reg if o.per is not None and o.matches(name)), None)


def describe(name: str) -> str:
    """``description [unit]`` of an outcome, or an empty string for an undeclared name."""
    o = find(name)
    return f"{o.description} [{o.unit}]" if o else ""


def values(prep, S, rows=None) -> list[dict[str, float]]:
    """The per-run outcome scalars (BRIEF §Outcomes) of the replicates ``rows`` of the final state ``S``
    (all by default): one dict per replicate, keyed by outcome name (the names of ``outcomes.yaml``, and
    the per-actor and per-community ones such as ``revenue_<actor>`` and ``alienation_<community>``).

    What is a row of a replicate x value array is computed for all replicates at once; what selects
    actors or communities across a replicate's matrices is computed replicate by replicate as for one
    replicate alone, so that every sum adds the same numbers in the same order (numpy adds along a
    contiguous row pairwise, along a strided one in sequence): a replicate's outcomes do not depend on the
    batch it ran in, bit for bit."""
    import numpy as np

    from azalai.model.engine import HANDLER_DEPENDENCE
    from azalai.model.state import ACC
    from azalai.model.world import KIND_INTERNATIONAL, KIND_JIHADIST, KIND_SIGNATORY

    w, idx = prep.world, prep.index
    rows = np.arange(S.acc.shape[0]) if rows is None else np.asarray(rows, dtype=np.int64)
    R, A, C = len(rows), len(idx.actors), len(idx.communities)
    acc = S.acc[rows]
    zero = np.zeros(R)

    def g(name):
        return acc[:, ACC[name]]

    def share(num, den):
        return np.divide(num, den, out=np.zeros(R), where=den > 0)

    def weights(x):  # each row over its sum (x itself where the sum is not positive); x is C-ordered
        tot = x.sum(axis=1)
        return np.divide(x, tot[:, None], out=x.copy(), where=tot[:, None] > 0)

    kind = np.asarray(w.actor_kind)
    jih = [a for a in range(A) if kind[a] == KIND_JIHADIST]
    sig = [a for a in range(A) if kind[a] == KIND_SIGNATORY]
    intl = [a for a in range(A) if kind[a] == KIND_INTERNATIONAL]
    forces = [a for a in range(A) if w.actor_role[a] != 0]
    sig_comms = np.array([w.base_w[sig, c].sum() > 0 for c in range(C)])
    zone = np.asarray(w.place_zone) <= 1
    handlers = w.comm_dep >= HANDLER_DEPENDENCE
    # Replicate by replicate: the selections across a replicate's matrices.
    j_end, hit_expo, hit_g, hit_c = np.zeros(R), np.zeros(R), np.zeros(R), np.zeros(R)
    jsup, griev_f, g_intl = np.zeros((R, C)), np.zeros((R, C)), np.zeros((R, C))
    c_intl, coop_f, pop_cz = np.zeros((R, C)), np.zeros((R, C)), np.zeros((R, C))
    n_sig = int(sig_comms.sum())
    g_sig, c_sig = np.zeros((R, n_sig)), np.zeros((R, n_sig))
    livelihood, g_hand = np.ones(R), np.zeros(R)
    for i, r in enumerate(rows):
        grv, coop = S.grievance[r], S.coop[r]
        if jih:
            j_end[i] = S.fighters[r][jih].sum() + S.transit[r][jih].sum()
            jsup[i] = S.support[r][:, jih].sum(axis=1)
        if forces:
            griev_f[i] = grv[:, forces].mean(axis=1)
            coop_f[i] = coop[:, forces].mean(axis=1)
        pop_cz[i] = S.pop[r][:, zone].sum(axis=1)
        if intl:
            g_intl[i] = grv[:, intl].mean(axis=1)
            c_intl[i] = coop[:, intl].mean(axis=1)
            if n_sig:
                g_sig[i] = grv[sig_comms][:, intl].mean(axis=1)
                c_sig[i] = coop[sig_comms][:, intl].mean(axis=1)
        # The communities actually hit: base communities of the groups struck on tips outside the mandate,
        # each weighted by its exposure (operations against its groups times the groups' base weights).
        nt = int(S.tip_n[r])
        hit = (S.tip_acted[r, :nt] == 1) & (S.tip_true[r, :nt] == 0)
        expo = w.base_w[S.tip_accused[r, :nt][hit]].sum(axis=0) if hit.any() else np.zeros(C)
        hit_expo[i] = expo.sum()
        if expo.sum() > 0 and intl:
            ew = expo / expo.sum()
            hit_g[i] = (g_intl[i] * ew).sum()
            hit_c[i] = (c_intl[i] * ew).sum()
        ref = S.livelihood_ref[r]
        if handlers.any() and ref[handlers].sum() > 0:
            livelihood[i] = S.livelihood_ema[r][handlers].sum() / ref[handlers].sum()
            g_hand[i] = grv[handlers][:, forces].mean() if forces else 0.0
    cols: dict[str, np.ndarray] = {}
    cols["fatalities"] = g("fatalities")
    cols["fatalities_civilian"] = g("fatalities_civilian")
    cols["fatalities_battles"] = g("fatalities_battles")
    cols["fatalities_remote"] = g("fatalities_remote")
    cols["fatalities_vac"] = g("fatalities_vac")
    cols["events"] = S.ev_n[rows].astype(np.float64)
    cols["signatory_clashes"] = g("signatory_clashes")
    cols["clashes"] = g("clashes")
    cols["attacks"] = g("attacks")
    j_start = float(w.fighters0[jih].sum()) if jih else 0.0
    cols["jihadist_strength"] = j_end
    cols["jihadist_strength_change"] = (j_end - j_start) / j_start if j_start > 0 else zero
    pop = S.pop[rows].sum(axis=2)
    popw = weights(pop)
    cols["jihadist_support"] = (jsup * popw).sum(axis=1) if jih else zero
    cols["jihadist_recruits"] = g("jihadist_recruits")
    cols["recruits"] = g("recruits")
    cols["trafficking_entered"] = g("value_entered")
    cols["trafficking_transited"] = g("transit_value")
    cols["trafficking_seized"] = g("seized_value")
    cols["seizures"] = g("seizures")
    cols["predations"] = g("predations")
    cols["transit_share"] = share(g("transit_value"), g("value_entered"))
    inc = S.income[rows]
    rev = inc.sum(axis=2)
    sig_rev, rent = zero, zero
    for a in range(A):
        cols[f"revenue_{idx.actors[a]}"] = rev[:, a]
        if a in sig:
            sig_rev = sig_rev + rev[:, a]
    for a in sig:
        rent = rent + (inc[:, a, 0] + inc[:, a, 1])
    cols["revenue_signatories"] = sig_rev
    cols["rent_signatories"] = rent
    fd = g("accord_failure_day")
    cols["accord_failed"] = np.where(fd >= 0, 1.0, 0.0)
    cols["accord_failure_day"] = np.where(fd >= 0, fd, float(prep.days))
    cols["accord_breaks"] = g("accord_breaks")
    NP = len(idx.pairs)
    ten = np.ascontiguousarray(S.tension[rows, :NP])
    cols["tension_max"] = ten.max(axis=1) if NP else zero
    cols["tension_mean"] = ten.mean(axis=1) if NP else zero
    for k in ("tips", "tips_false", "tips_acted", "false_tips_acted"):
        cols[k] = g(k)
    cols["false_tip_share_acted"] = share(g("false_tips_acted"), g("tips_acted"))
    cols["tips_outside_mandate"] = g("tips_false")
    cols["outside_mandate_tips_acted"] = g("false_tips_acted")
    for k in ("tips_untrue", "untrue_tips_acted", "misdirected_ops", "operations", "detentions", "sweeps", "protests",
              "demobilised", "places_entered", "places_left", "militias_formed", "alliances_made",
              "alliances_broken", "land_disputes", "communal_attacks"):
        cols[k] = g(k)
    alien = griev_f + jsup
    for c, cid in enumerate(idx.communities):
        cols[f"alienation_{cid}"] = alien[:, c]
    cols["alienation_mean"] = (alien * popw).sum(axis=1)
    # The same over the people of the conflict zones (north and centre), which the capital does not dominate.
    cw = weights(pop_cz)
    cols["conflict_zone_alienation"] = (alien * cw).sum(axis=1)
    cols["conflict_zone_jihadist_support"] = (jsup * cw).sum(axis=1)
    cols["grievance_international"] = (g_intl * popw).sum(axis=1) if intl else zero
    cols["cooperation_mean"] = (coop_f * popw).sum(axis=1) if forces else zero
    # Communities that are the base of a signatory group: the pool from which false tips' victims come.
    if n_sig and intl:
        pw = weights(np.ascontiguousarray(pop[:, sig_comms]))
        cols["grievance_signatory_communities"] = (g_sig * pw).sum(axis=1)
        cols["cooperation_signatory_communities"] = (c_sig * pw).sum(axis=1)
    else:
        cols["grievance_signatory_communities"] = zero
        cols["cooperation_signatory_communities"] = zero
    cols["communities_hit_exposure"] = hit_expo
    cols["grievance_communities_hit"] = hit_g
    cols["cooperation_communities_hit"] = hit_c
    cols["livelihood_handlers"] = livelihood
    cols["grievance_handlers"] = g_hand
    names = list(cols)
    table = np.column_stack([np.asarray(v, dtype=np.float64) for v in cols.values()]).tolist()
    return [dict(zip(names, row)) for row in table]
