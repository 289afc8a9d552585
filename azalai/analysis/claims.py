"""The seed's seven claims as experiments that could fail.

Each claim is tested by a **single-lever contrast**: two arms that differ in one lever of one policy,
run over the same seeds (common random numbers), never by reading a policy's name inside the model.
Where the seed's claim is about a package of measures, the built-in policies that bundle them are
kept as a second, labelled comparison (:attr:`Claim.bundle`).

Every claim names the mechanism terms that carry it (:attr:`Claim.terms`): registry parameters that
are switched off (set to exactly 0) in an **ablation**. For each outcome, :attr:`Claim.direct` names the
most direct term: an outcome whose effect disappears when that term is off, but survives when any
other term is off, needs only its own term and is reported as holding *by construction*.

Claim 2 is an event study inside runs (:mod:`azalai.analysis.claims_events`): seizures against
placebo seizures, in differences against the owners that were not seized. Claim 5 is an
interaction: the fall in transit under interdiction with traffickers who re-route, against the same
fall when route learning is switched off (:attr:`Claim.interaction`). The second part of claim 3 (untrue
tips cluster where rivalries are sharpest) is a statistic inside arm b (:attr:`Claim.within`,
:mod:`azalai.analysis.claims_tips`), judged with the claim's other outcomes.

Statistics: for each outcome, the paired difference (arm b minus arm a) over seeds, its bootstrap
95% CI, and a p-value (paired t test) corrected over the claim's outcomes by Holm's method. An outcome
*holds* when the difference has the claimed sign and its Holm-adjusted p-value is below 0.05.
Robustness across worlds lives in :mod:`azalai.analysis.claims_robust`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from azalai.defaults import DEFAULT_POLICY
from azalai.experiment.worlds import Arm

ALPHA = 0.05


def lever_policy(base: str, **levers: float):
    """The built-in policy ``base`` with the given levers changed (one lever for a single-lever arm)."""
    from azalai.policy.loader import resolve_policy

    pol = resolve_policy(base)
    tag = "-".join(f"{k.replace('_', '')}{v:g}" for k, v in levers.items())
    return pol.model_copy(update={"id": f"{base}-{tag}"[:64], "name": f"{pol.name}, {levers}",
                                  "levers": pol.levers.model_copy(update={k: float(v) for k, v in levers.items()})})


@dataclass(frozen=True)
class Claim:
    number: int
    text: str
    chain: str
    a: Arm
    b: Arm
    lever: str  # the one lever (or declared bundle) the arms differ in, in words
    expect: dict[str, int]  # outcome -> claimed sign of (b - a)
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # ablation name -> parameters set to 0
    direct: dict[str, str] = field(default_factory=dict)  # outcome -> name of its most direct term
    bundle: tuple[Arm, Arm] | None = None
    bundle_name: str = ""
    interaction: tuple[str, ...] = ()  # parameters off in the counterfactual of an interaction claim
    event_study: bool = False
    # outcome -> claimed sign of a statistic measured inside arm b alone (a statement about the world as the
    # policy leaves it, not about the lever), e.g. where untrue tips fall (:mod:`azalai.analysis.claims_tips`)
    within: dict[str, int] = field(default_factory=dict)

    def outcomes(self) -> dict[str, int]:
        """Every outcome the claim is judged on, with its claimed sign: the contrasts, then the within-arm ones."""
        return {**self.expect, **self.within}


CT, CTR = "counter-terrorism", "counter-trafficking"
FOCUS = "barkhane_focus 0 -> 1 (counter-terrorism -> counter-trafficking), all else as in counter-terrorism"

CLAIMS: list[Claim] = [
    Claim(
        1,
        "Moving from counter-terrorism to counter-trafficking raises clashes between signatory groups, "
        "because it disturbs the balance of rents.",
        "Barkhane interdicts -> seizures of signatory-owned convoys and re-routing -> some signatories' rents fall "
        "below their entitlement -> accord tension rises (tension_rent) -> restraint fails for some pairs; and "
        "post-seizure aggression raises clash hazards near the losses (aggression_weight) -> more signatory clashes",
        Arm(CT), Arm(lever_policy(CT, barkhane_focus=1.0)), FOCUS,
        {"signatory_clashes": +1, "rent_signatories": -1},
        terms={"Barkhane interdiction": ("interdiction_barkhane",), "rent shortfall -> tension": ("tension_rent",),
               "seizure -> aggression": ("aggression_weight",), "incidents -> tension": ("tension_incident",)},
        direct={"signatory_clashes": "seizure -> aggression", "rent_signatories": "Barkhane interdiction"},
        bundle=(Arm(CT), Arm(CTR)),
        bundle_name="counter-terrorism vs counter-trafficking (focus, Barkhane tempo, MINUSMA posture, crime units)",
    ),
    Claim(
        2,
        "Seizing a convoy tied to one signatory raises the odds of fighting near its route in the following weeks "
        "(Kidal, July 2016).",
        "seizure -> the owner's aggression near the loss place (aggression_weight, decaying weekly) and a rent "
        "shortfall (tension_rent) -> higher clash hazard for the owner at the seizure place and its neighbours",
        Arm(CTR), Arm(CTR), "event study inside counter-trafficking runs: seizures vs placebo seizures",
        {"es_did": +1},
        terms={"seizure -> aggression": ("aggression_weight",), "rent shortfall -> tension": ("tension_rent",)},
        direct={"es_did": "seizure -> aggression"},
        event_study=True,
    ),
    Claim(
        3,
        "Weaker vetting means more false tips acted on, more misdirected operations, and more grievance and less "
        "cooperation in the communities hit. False tips cluster where rivalries are sharpest.",
        "lower vetting -> fewer false tips caught -> operations on rivals named as targets -> operations that hit "
        "people outside the mandate -> grievance of the accused's communities against the force "
        "(misdirected_grievance) -> lower cooperation. Where: an informant names a rival of its patron with a "
        "chance that rises with their rivalry (lie_rivalry), and only a rival present in the force's area can be "
        "named -> in baseline-2016, tips pointing at places where two local armed groups start sharply hostile are more "
        "often untrue than tips pointing at places of milder rivalry",
        Arm("vetted-intelligence"), Arm(DEFAULT_POLICY), "vetting 0.9 -> 0.3 (the two policies differ in it alone)",
        {"untrue_tips_acted": +1, "outside_mandate_tips_acted": +1, "misdirected_ops": +1,
         "grievance_communities_hit": +1, "cooperation_communities_hit": -1},
        terms={"vetting catches false tips": ("vetting_accuracy",), "vetting costs operations": ("vetting_cost",),
               "misdirected operation -> grievance": ("misdirected_grievance",),
               "rivalry -> denunciation": ("lie_rivalry",)},
        direct={"untrue_tips_acted": "vetting catches false tips", "outside_mandate_tips_acted": "vetting catches false tips",
                "misdirected_ops": "vetting catches false tips",
                "grievance_communities_hit": "misdirected operation -> grievance",
                "cooperation_communities_hit": "misdirected operation -> grievance",
                "untrue_clustering": "rivalry -> denunciation"},
        within={"untrue_clustering": +1},
    ),
    Claim(
        4,
        "Sweeps after attacks raise support and recruitment for armed groups, jihadists included.",
        "attack on a post -> search-and-detain sweep -> detentions of local men -> grievance against the force "
        "(detention_grievance) -> support shifts toward the force's enemies (support_grievance) -> recruitment "
        "rises with support and grievance (grievance_push)",
        Arm(lever_policy(DEFAULT_POLICY, sweeps=0.0)), Arm(DEFAULT_POLICY),
        f"sweeps 0 -> 0.6, all else as in {DEFAULT_POLICY}",
        {"jihadist_support": +1, "recruits": +1, "jihadist_recruits": +1, "detentions": +1},
        terms={"sweep detentions": ("sweep_detentions",), "detention -> grievance": ("detention_grievance",),
               "grievance -> support": ("support_grievance",), "grievance -> recruitment": ("grievance_push",)},
        direct={"jihadist_support": "detention -> grievance", "recruits": "detention -> grievance",
                "jihadist_recruits": "detention -> grievance", "detentions": "sweep detentions"},
        bundle=(Arm("restraint"), Arm(DEFAULT_POLICY)),
        bundle_name=f"restraint vs {DEFAULT_POLICY} (sweeps and harm mitigation)",
    ),
    Claim(
        5,
        "Interdiction re-routes trafficking: transit falls far less than seizures would suggest.",
        "seizures at a place -> perceived risk there rises (risk_learning) -> the weekly least-expected-cost "
        "route choice avoids it -> convoys take other corridors -> the fall in delivered value under interdiction "
        "is smaller than with traffickers who keep their routes",
        Arm(CT), Arm(lever_policy(CT, barkhane_focus=1.0)), FOCUS + "; with vs without route learning",
        {"transit_share": +1, "seizures": -1},
        terms={"seizure -> perceived risk": ("risk_learning",), "risk -> route cost": ("risk_aversion",)},
        direct={"transit_share": "seizure -> perceived risk", "seizures": "seizure -> perceived risk"},
        interaction=("risk_learning",),
    ),
    Claim(
        6,
        "Cutting smuggling income alone does not bring peace while political grievances stand. A policy that also "
        "addresses representation does better.",
        "fairer interim posts -> unmet political demands fall -> less accord tension (tension_political) and less "
        "grievance against the state (exclusion_grievance) -> less support for armed groups and fewer recruits -> "
        "less violence",
        Arm(CTR), Arm(lever_policy(CTR, interim_fairness=0.9)),
        "interim_fairness 0.3 -> 0.9, all else as in counter-trafficking",
        {"fatalities": -1, "conflict_zone_jihadist_support": -1, "recruits": -1, "conflict_zone_alienation": -1},
        terms={"unmet demands -> tension": ("tension_political",), "unmet demands -> grievance": ("exclusion_grievance",)},
        direct={"fatalities": "unmet demands -> tension", "conflict_zone_jihadist_support": "unmet demands -> grievance",
                "recruits": "unmet demands -> grievance", "conflict_zone_alienation": "unmet demands -> grievance"},
        bundle=(Arm(CTR), Arm("counter-trafficking-political")),
        bundle_name="counter-trafficking vs counter-trafficking-political (interim posts, DDR, aid, business)",
    ),
    Claim(
        7,
        "When routes are interdicted, the livelihoods of the communities that handle them fall, and their "
        "grievance rises.",
        "seizures and re-routing -> rents and margins that flow to protectors' base communities fall "
        "(community_share) -> livelihood below its reference -> grievance against the interdicting forces "
        "(livelihood_grievance, weighted by dependence)",
        Arm(CT), Arm(lever_policy(CT, barkhane_focus=1.0)), FOCUS,
        {"livelihood_handlers": -1, "grievance_handlers": +1},
        terms={"Barkhane interdiction": ("interdiction_barkhane",),
               "livelihood loss -> grievance": ("livelihood_grievance",), "harm -> grievance": ("harm_grievance",),
               "detention -> grievance": ("detention_grievance",)},
        direct={"livelihood_handlers": "Barkhane interdiction", "grievance_handlers": "livelihood loss -> grievance"},
        bundle=(Arm(CT), Arm(CTR)),
        bundle_name="counter-terrorism vs counter-trafficking (focus, Barkhane tempo, MINUSMA posture, crime units)",
    ),
]


def claim(number: int) -> Claim:
    return next(c for c in CLAIMS if c.number == number)


def bootstrap_ci(d: np.ndarray, n_boot: int = 2000, seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap CI of a mean, with the resampling of :mod:`azalai.analysis.compare`."""
    from azalai.analysis.compare import bootstrap_indices

    d = np.asarray(d, dtype=float)
    if len(d) == 0:
        return (0.0, 0.0)
    means = d[bootstrap_indices(len(d), n_boot, seed)].mean(axis=1)
    lo, hi = np.percentile(means, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return float(lo), float(hi)


def t_pvalue(d: np.ndarray) -> float:
    """Two-sided p-value of a paired t test of mean 0 (1 when the differences are all equal)."""
    from scipy import stats

    d = np.asarray(d, dtype=float)
    if len(d) < 2 or float(np.std(d)) == 0.0:
        return 1.0 if float(np.mean(d)) == 0.0 or len(d) < 2 else 0.0
    return float(stats.ttest_1samp(d, 0.0).pvalue)


def holm(pvals: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values."""
    p = np.asarray(pvals, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adj = np.empty(m)
    run = 0.0
    for k, i in enumerate(order):
        run = max(run, min(1.0, (m - k) * p[i]))
        adj[i] = run
    return adj.tolist()


def summarise(diffs: Mapping[str, np.ndarray], expect: Mapping[str, int], seed: int = 0,
              a_mean: Mapping[str, float] | None = None, b_mean: Mapping[str, float] | None = None) -> list[dict]:
    """One row per outcome: mean difference, bootstrap CI, Holm-adjusted p, and whether it holds."""
    keys = list(expect)
    ps = [t_pvalue(diffs[k]) for k in keys]
    adj = holm(ps)
    rows = []
    for k, p, pa in zip(keys, ps, adj):
        d = np.asarray(diffs[k], dtype=float)
        lo, hi = bootstrap_ci(d, seed=seed)
        m = float(d.mean()) if len(d) else 0.0
        rows.append({"outcome": k, "expected": "+" if expect[k] > 0 else "-", "diff": m, "ci_low": lo, "ci_high": hi,
                     "p": p, "p_holm": pa, "n": int(len(d)),
                     "a": None if a_mean is None else a_mean.get(k), "b": None if b_mean is None else b_mean.get(k),
                     "holds": bool(np.sign(m) == expect[k] and pa < ALPHA)})
    return rows


def valid_pairs(df, a: str, b: str, outcome: str):
    """Paired values (world, seed) of ``outcome`` in arms a and b; runs of claim 3 with no community hit drop out."""
    wide = df.pivot_table(index=["world", "seed"], columns="arm", values=outcome, aggfunc="first")
    if outcome.endswith("communities_hit"):
        ex = df.pivot_table(index=["world", "seed"], columns="arm", values="communities_hit_exposure", aggfunc="first")
        keep = (ex[a] > 0) & (ex[b] > 0)
        wide = wide[keep]
    return wide[a], wide[b]


def arms_of(c: Claim, ablations: bool = True, bundle: bool = True) -> dict[str, Arm]:
    """Every arm a claim's experiments need, by label: a/b, their interaction counterfactuals, ablations, bundle."""
    arms: dict[str, Arm] = {"a": c.a, "b": c.b}
    if c.interaction:
        arms["a|cf"] = Arm(c.a.policy, c.a.params, c.interaction)
        arms["b|cf"] = Arm(c.b.policy, c.b.params, c.interaction)
    if ablations:
        for name, off in c.terms.items():
            for s in ("a", "b"):
                base = arms[s]
                arms[f"{s}|off:{name}"] = Arm(base.policy, base.params, tuple(base.off) + tuple(off))
                if c.interaction:
                    cf = arms[f"{s}|cf"]
                    arms[f"{s}|cf|off:{name}"] = Arm(cf.policy, cf.params, tuple(cf.off) + tuple(off))
    if bundle and c.bundle is not None:
        arms["bundle:a"], arms["bundle:b"] = c.bundle
    return arms


def contrast(df, c: Claim, outcome: str, suffix: str = "", prefix: str = "") -> np.ndarray:
    """Per-run paired contrast of an outcome: b - a, or for an interaction (b - a) - (b|cf - a|cf)."""
    a, b = f"{prefix}a{suffix}", f"{prefix}b{suffix}"
    va, vb = valid_pairs(df, a, b, outcome)
    d = (vb - va)
    if c.interaction and not prefix:
        ca, cb = valid_pairs(df, f"a|cf{suffix}", f"b|cf{suffix}", outcome)
        d = d - (cb - ca).reindex(d.index)
    return d.dropna()


__all__ = ["Arm", "Claim", "CLAIMS", "claim", "lever_policy", "bootstrap_ci", "t_pvalue", "holm", "summarise",
           "arms_of", "contrast", "valid_pairs", "ALPHA"]
