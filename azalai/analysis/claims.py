"""The seed's seven claims as experiments: paired ensembles with common random numbers.

Each claim is tested by comparing two arms over the same seeds (the same counter-based random
streams), never by reading a policy's name inside the model. An arm is a built-in policy plus,
optionally, parameter overrides within the registry's ranges. A claim's verdict comes from the
bootstrap confidence intervals of the paired differences of its outcomes:

* ``reproduced`` when every outcome moves in the claimed direction with a CI that excludes 0;
* ``partly reproduced`` when some do;
* ``not reproduced`` when none does.

Claim 2 (seizures spark fighting near the route) and the clustering part of claim 3 are tested
inside runs, from the event log and the tips table (an event study and a rank correlation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from azalai.defaults import DEFAULT_POLICY, DEFAULT_SCENARIO


@dataclass(frozen=True)
class Arm:
    policy: str
    params: dict[str, float] = field(default_factory=dict)

    def label(self) -> str:
        if not self.params:
            return self.policy
        return self.policy + " [" + ", ".join(f"{k}={v:g}" for k, v in self.params.items()) + "]"


@dataclass(frozen=True)
class Claim:
    number: int
    text: str
    chain: str
    a: Arm
    b: Arm
    # outcome -> expected sign of (b - a): +1 or -1
    expect: dict[str, int]


CLAIMS: list[Claim] = [
    Claim(
        1,
        "Moving from counter-terrorism to counter-trafficking raises clashes between signatory groups, "
        "because it disturbs the balance of rents.",
        "interdiction at Barkhane and MINUSMA posts -> seizures of signatory-owned convoys and re-routing -> "
        "some signatories' rents fall below their entitlement (the status-quo routes) -> accord tension rises "
        "-> restraint fails for some pairs, and post-seizure aggression raises clash hazards near the losses "
        "-> more signatory clashes",
        Arm("counter-terrorism"),
        Arm("counter-trafficking"),
        {"signatory_clashes": +1, "rent_signatories": -1},
    ),
    Claim(
        2,
        "Seizing a convoy tied to one signatory raises the odds of fighting near its route in the following weeks "
        "(Kidal, July 2016).",
        "seizure -> the owner's aggression near the loss place (aggression_weight, decaying weekly) and a rent "
        "shortfall -> higher clash hazard for the owner at the seizure place and its neighbours",
        Arm("counter-trafficking"),
        Arm("counter-trafficking"),
        {},
    ),
    Claim(
        3,
        "Weaker vetting means more false tips acted on, more misdirected operations, and more grievance and less "
        "cooperation in the communities hit. False tips cluster where rivalries are sharpest.",
        "lower vetting -> fewer false tips caught -> operations on rivals named as targets -> misdirected "
        "operations -> grievance of the accused's communities against the force -> lower cooperation; the chance "
        "of a false tip rises with the rivalry between the informant's patron and the accused",
        Arm("vetted-intelligence"),
        Arm(DEFAULT_POLICY),
        {"false_tips_acted": +1, "misdirected_ops": +1, "grievance_signatory_communities": +1,
         "cooperation_signatory_communities": -1},
    ),
    Claim(
        4,
        "Sweeps after attacks raise support and recruitment for armed groups, jihadists included.",
        "attack on a post -> search-and-detain sweep -> detentions of local men -> grievance against the force -> "
        "support shifts toward the force's enemies (jihadists and rebels) -> recruitment rises with support and "
        "grievance",
        Arm("restraint"),
        Arm(DEFAULT_POLICY),
        {"jihadist_support": +1, "recruits": +1, "jihadist_recruits": +1, "detentions": +1},
    ),
    Claim(
        5,
        "Interdiction re-routes trafficking: transit falls far less than seizures would suggest.",
        "seizures at a place -> perceived risk there rises (risk_learning) -> the weekly least-expected-cost "
        "route choice avoids it -> convoys take alternative corridors -> fewer seizures and more transit than "
        "if traffickers did not adapt",
        Arm("counter-trafficking", {"risk_learning": 0.05, "risk_aversion": 0.5}),
        Arm("counter-trafficking"),
        {"transit_share": +1, "seizures": -1},
    ),
    Claim(
        6,
        "Cutting smuggling income alone does not bring peace while political grievances stand. A policy that also "
        "addresses representation does better.",
        "fair interim posts and DDR -> unmet political demands fall -> less accord tension and less grievance "
        "against the state -> less support for armed groups and fewer recruits -> less violence; counter-trafficking "
        "alone leaves these terms untouched",
        Arm("counter-trafficking"),
        Arm("counter-trafficking-political"),
        {"fatalities": -1, "jihadist_support": -1, "recruits": -1, "alienation_mean": -1},
    ),
    Claim(
        7,
        "When routes are interdicted, the livelihoods of the communities that handle them fall, and their "
        "grievance rises.",
        "seizures and re-routing -> rents and margins that flow to protectors' base communities fall -> "
        "livelihood below its reference -> grievance against the interdicting forces (weighted by dependence)",
        Arm("counter-terrorism"),
        Arm("counter-trafficking"),
        {"livelihood_handlers": -1, "grievance_handlers": +1},
    ),
]


def bootstrap_ci(d: np.ndarray, n_boot: int = 2000, seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap CI of a mean, with the resampling of :mod:`azalai.analysis.compare`."""
    from azalai.analysis.compare import bootstrap_indices

    if len(d) == 0:
        return (0.0, 0.0)
    means = d[bootstrap_indices(len(d), n_boot, seed)].mean(axis=1)
    lo, hi = np.percentile(means, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return float(lo), float(hi)


def run_arm(arm: Arm, seeds: list[int], days: int, scenario: str = DEFAULT_SCENARIO, with_events: bool = False):
    from azalai.model.engine import prepare, simulate_batch

    prep = prepare(scenario, arm.policy, days, arm.params or None)
    return prep, simulate_batch(prep, seeds, with_events=with_events)


def paired_claim(claim: Claim, n: int = 60, seed: int = 0, days: int = 730) -> dict[str, Any]:
    """Run both arms over the same seeds and summarise each outcome's paired difference."""
    seeds = list(range(seed, seed + n))
    _, (oa, _) = run_arm(claim.a, seeds, days)
    _, (ob, _) = run_arm(claim.b, seeds, days)
    from azalai.analysis.compare import summarize_paired

    keys = list(claim.expect)
    _, stats = summarize_paired([{k: o[k] for k in keys} for o in oa], [{k: o[k] for k in keys} for o in ob],
                                seed=seed)
    rows = []
    for k, sign in claim.expect.items():
        st = stats[k]
        ok = (st["ci_low"] > 0) if sign > 0 else (st["ci_high"] < 0)
        rows.append({
            "outcome": k, "a": st["a"], "b": st["b"], "diff": st["diff"], "ci_low": st["ci_low"],
            "ci_high": st["ci_high"], "expected": "+" if sign > 0 else "-", "holds": bool(ok),
        })
    held = sum(r["holds"] for r in rows)
    verdict = "reproduced" if held == len(rows) else ("partly reproduced" if held else "not reproduced")
    return {"claim": claim.number, "a": claim.a.label(), "b": claim.b.label(), "n": n, "days": days,
            "rows": rows, "verdict": verdict}


def seizure_event_study(n: int = 40, seed: int = 0, days: int = 730, window: int = 42,
                        policy: str = "counter-trafficking") -> dict[str, Any]:
    """Claim 2: clashes involving a convoy's owner near the seizure place, after vs before the seizure.

    For every seizure of a signatory-owned convoy, count clashes involving the owner at the seizure
    place or a neighbouring place in the ``window`` days after and the ``window`` days before (only
    seizures with a full window on both sides). The statistic per run is the mean after-minus-before
    difference; the CI is a bootstrap over runs.
    """
    from azalai.model.engine import prepare, simulate_batch

    seeds = list(range(seed, seed + n))
    prep = prepare(DEFAULT_SCENARIO, policy, days)
    _, evs = simulate_batch(prep, seeds, with_events=True)
    sc = prep.scenario
    kind = {a.id: a.kind.value for a in sc.actors}
    nbrs: dict[str, set[str]] = {p.id: {p.id} for p in sc.places}
    for r in sc.routes:
        nbrs[r.from_].add(r.to)
        nbrs[r.to].add(r.from_)
    per_run = []
    total_after = total_before = n_seiz = 0
    for ev in evs:
        seiz = ev[(ev.sub_event_type == "Looting/property destruction") & (ev.actor2_id.map(kind) == "signatory")]
        clashes = ev[ev.sub_event_type == "Armed clash"]
        diffs = []
        for _, s in seiz.iterrows():
            d0 = int(s.day)
            if d0 < window or d0 + window >= days:
                continue
            near = nbrs[s.place_id]
            own = s.actor2_id
            c = clashes[clashes.place_id.isin(near) & ((clashes.actor1_id == own) | (clashes.actor2_id == own))]
            after = int(((c.day > d0) & (c.day <= d0 + window)).sum())
            before = int(((c.day < d0) & (c.day >= d0 - window)).sum())
            diffs.append(after - before)
            total_after += after
            total_before += before
            n_seiz += 1
        if diffs:
            per_run.append(float(np.mean(diffs)))
    arr = np.array(per_run)
    lo, hi = bootstrap_ci(arr, seed=seed)
    return {"claim": 2, "policy": policy, "n": n, "days": days, "window_days": window, "seizures": n_seiz,
            "clashes_after": total_after, "clashes_before": total_before, "runs_with_seizures": len(per_run),
            "diff": float(arr.mean()) if len(arr) else 0.0, "ci_low": lo, "ci_high": hi,
            "verdict": "reproduced" if lo > 0 else "not reproduced"}


def false_tip_clustering(n: int = 20, seed: int = 0, days: int = 730, policy: str = DEFAULT_POLICY) -> dict[str, Any]:
    """Claim 3, second part: false-tip rates by the rivalry between informant's patron and accused.

    Tips naming non-jihadist actors are split by the rivalry (-relation) between the informant's patron
    and the accused; the share of false tips is compared between sharp (rivalry >= 0.5) and mild pairs,
    with a bootstrap over runs of the per-run difference.
    """
    from azalai.model.engine import prepare, run_prepared, tips_frame

    prep = prepare(DEFAULT_SCENARIO, policy, days)
    seeds = list(range(seed, seed + n))
    S = run_prepared(prep, seeds)
    sc = prep.scenario
    rel = {}
    for r in sc.relations.actors:
        rel[(r.a, r.b)] = r.value
        rel[(r.b, r.a)] = r.value
    frames = [tips_frame(prep, S, r) for r in range(len(seeds))]
    import pandas as pd

    tips = pd.concat(frames, ignore_index=True)
    tips = tips[tips.informant_group != ""]
    tips["rivalry"] = [max(0.0, -rel.get((a, b), 0.0)) for a, b in zip(tips.informant_group, tips.accused)]
    sharp = tips[tips.rivalry >= 0.5]
    mild = tips[tips.rivalry < 0.5]
    # Per run: false share among sharp-rivalry tips minus among mild ones; bootstrap over runs.
    per_run = []
    for r, fr in enumerate(frames):
        fr = fr[fr.informant_group != ""]
        riv = np.array([max(0.0, -rel.get((a, b), 0.0)) for a, b in zip(fr.informant_group, fr.accused)])
        t = fr["true"].to_numpy()
        if (riv >= 0.5).any() and (riv < 0.5).any():
            per_run.append((1 - t[riv >= 0.5].mean()) - (1 - t[riv < 0.5].mean()))
    arr = np.array(per_run)
    lo, hi = bootstrap_ci(arr, seed=seed)
    by_pair = (tips.assign(false=~tips["true"]).groupby(["informant_group", "accused"])
               .agg(tips=("false", "size"), false_share=("false", "mean"), rivalry=("rivalry", "first"))
               .reset_index().sort_values("false_share", ascending=False))
    return {
        "tips": int(len(tips)),
        "false_share_sharp": float(1 - sharp["true"].mean()) if len(sharp) else 0.0,
        "false_share_mild": float(1 - mild["true"].mean()) if len(mild) else 0.0,
        "n_sharp": int(len(sharp)), "n_mild": int(len(mild)),
        "diff": float(arr.mean()) if len(arr) else 0.0, "ci_low": lo, "ci_high": hi,
        "verdict": "reproduced" if lo > 0 else "not reproduced",
        "by_pair": by_pair[by_pair.tips >= 20].head(12).to_dict(orient="records"),
    }
