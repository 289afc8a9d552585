"""Each claim at the calibrated point (single lever, bundle, ablations) and across what we do not know.

:func:`run_claims` does, for the chosen claims:

1. **At the point world** (calibrated parameters, scenario values): the single-lever contrast, the
   bundled comparison where there is one, and one ablation per mechanism term, over ``point_seeds``
   common seeds. Each outcome gets its paired difference, bootstrap CI and Holm-adjusted p-value
   (:func:`azalai.analysis.claims.summarise`). An outcome holds *by construction* when its effect
   disappears with its most direct term switched off and survives every other ablation.
2. **Across worlds** (:func:`azalai.experiment.worlds.sample_worlds`: the calibration posterior, the
   scenario's ranges, the influential parameters' ranges): the single-lever contrast in each of
   ``n_worlds`` worlds over ``seeds_per_world`` common seeds. In a world, an outcome holds when its
   difference has the claimed sign with a Holm-adjusted p < 0.05 over the claim's outcomes; the claim
   holds when all its outcomes do. The **robustness share** is the share of worlds where it holds.
3. **Verdict**: *robust* when the share is at least ``robust_share`` (0.9), *conditional* when it is
   at least ``support_share`` (0.25), *not supported* otherwise. For a conditional claim, PRIM
   (:func:`azalai.experiment.discovery.prim_analysis`) looks for the box of worlds where it fails,
   written in plain words.

Every arm is run once even when several claims share it (claims 1, 5 and 7 share their arms).
"""

from __future__ import annotations

import time
from typing import Any, Sequence

import numpy as np

from azalai.analysis.claims import CLAIMS, Claim, arms_of, contrast, holm, summarise, t_pvalue
from azalai.experiment.worlds import SOURCES, World, run_paired, sample_worlds

POINT_SEEDS = 40
MAX_DIMS = 3  # at most this many quantities in a PRIM box reported in words
MIN_COVERAGE = 0.3  # ... holding at least this share of the failing worlds
SEEDS_PER_WORLD = 12


def _run_arms(claims: Sequence[Claim], worlds, seeds, days, workers, ablations, bundle, event_arm_measure, progress):
    """Run the union of the claims' arms once; return per-claim frames with the claim's own arm names.

    Every run that is not an event study also carries the tip statistics of claim 3's second part."""
    from azalai.analysis.claims_events import event_study_measure
    from azalai.analysis.claims_tips import untrue_clustering

    plain: dict[str, Any] = {}
    events: dict[str, Any] = {}
    names: dict[int, dict[str, str]] = {}
    for c in claims:
        arms = arms_of(c, ablations=ablations, bundle=bundle)
        if c.event_study:
            arms = {k: v for k, v in arms.items() if k.startswith("b")}
        names[c.number] = {}
        for k, arm in arms.items():
            key = arm.label()
            (events if c.event_study and event_arm_measure else plain)[key] = arm
            names[c.number][k] = key
    frames = []
    if plain:
        frames.append(run_paired(worlds, plain, seeds, days, workers=workers, progress=progress,
                                 measure=untrue_clustering))
    if events:
        frames.append(run_paired(worlds, events, seeds, days, workers=workers, progress=progress,
                                 measure=event_study_measure).assign(_es=True))
    import pandas as pd

    big = pd.concat(frames, ignore_index=True)
    out = {}
    es = big["_es"].fillna(False).astype(bool) if "_es" in big else pd.Series(False, index=big.index)
    for c in claims:
        src = big[es] if (c.event_study and event_arm_measure) else big[~es]
        parts = [src[src.arm == key].assign(arm=k) for k, key in names[c.number].items()]
        out[c.number] = pd.concat(parts, ignore_index=True)
    return out


def _stat(df, c: Claim, outcome: str, suffix: str = "", prefix: str = ""):
    """Per-run values whose mean is the claim's effect: paired contrasts, or values inside arm b (event-study
    statistics, and within-arm outcomes such as claim 3's clustering; runs where it is undefined drop out)."""
    if outcome in c.within:
        d = df[df.arm == f"b{suffix}"]
        return d.set_index(["world", "seed"])[outcome].dropna()
    if c.event_study:
        d = df[(df.arm == f"b{suffix}") & (df["es_seizures"] > 0)]
        return d.set_index(["world", "seed"])[outcome]
    return contrast(df, c, outcome, suffix=suffix, prefix=prefix)


def point_results(c: Claim, df, seed: int = 0) -> dict[str, Any]:
    """Single-lever rows, bundle rows, ablation rows and the by-construction flags of one claim."""
    keys = c.outcomes()
    means = lambda arm: {k: float(df[df.arm == arm][k].mean()) for k in keys if k in df}  # noqa: E731
    rows = summarise({k: _stat(df, c, k).to_numpy() for k in keys}, keys, seed,
                     None if c.event_study else means("a"), means("b"))
    single = [r for r in rows if r["outcome"] in c.expect]
    res: dict[str, Any] = {"single_lever": single, "within": [r for r in rows if r["outcome"] in c.within]}
    if c.within:  # what the within-arm statistics are made of, in arm b (mean over runs)
        from azalai.analysis.claims_tips import PARTS

        bw = df[df.arm == "b"]
        res["within_parts"] = {k: float(bw[k].mean()) for k in PARTS if k in bw}
    if c.event_study:
        pl = df[(df.arm == "b") & (df["es_seizures"] > 0)]
        res["placebo"] = summarise({"es_placebo_did": pl["es_placebo_did"].to_numpy()}, {"es_placebo_did": +1}, seed)[0]
        res["naive"] = summarise({"es_diff": pl["es_diff"].to_numpy()}, {"es_diff": +1}, seed)[0]
        res["force_raids"] = summarise({"es_force_raids": pl["es_force_raids"].to_numpy()}, {"es_force_raids": +1},
                                       seed)[0]
    if c.bundle is not None and not c.event_study:
        res["bundle"] = {"name": c.bundle_name, "a": c.bundle[0].label(), "b": c.bundle[1].label(),
                         "rows": summarise({k: contrast(df, c, k, prefix="bundle:").to_numpy() for k in c.expect},
                                           c.expect, seed, means("bundle:a"), means("bundle:b"))}
    abl = {}
    for name, off in c.terms.items():
        rows = summarise({k: _stat(df, c, k, suffix=f"|off:{name}").to_numpy() for k in keys}, keys, seed)
        abl[name] = {"off": list(off), "rows": rows}
    res["ablations"] = abl
    by = {}
    for row in single + res["within"]:
        k = row["outcome"]
        direct = c.direct.get(k)
        if not row["holds"] or direct not in abl:
            by[k] = False
            continue
        gone = not next(r for r in abl[direct]["rows"] if r["outcome"] == k)["holds"]
        others = [next(r for r in a["rows"] if r["outcome"] == k)["holds"] for n, a in abl.items() if n != direct]
        by[k] = bool(gone and all(others))
    res["by_construction"] = by
    return res


def robustness(c: Claim, df) -> dict[str, Any]:
    """Per world: does each outcome hold (claimed sign, Holm-adjusted p < 0.05), and does the claim?"""
    from azalai.analysis.claims import ALPHA

    expect = c.outcomes()
    per = {k: _stat(df, c, k) for k in expect}
    worlds = sorted(set(df.world))
    holds_all, rows = [], []
    for w in worlds:
        ds = {k: np.asarray(per[k].xs(w, level="world"), dtype=float) if w in per[k].index.get_level_values(0)
              else np.zeros(0) for k in expect}
        ps = holm([t_pvalue(ds[k]) for k in expect])
        ok = {k: bool(len(ds[k]) > 1 and np.sign(ds[k].mean()) == expect[k] and p < ALPHA)
              for k, p in zip(expect, ps)}
        sign = {k: bool(len(ds[k]) and np.sign(ds[k].mean()) == expect[k]) for k in expect}
        rows.append({"world": int(w), **{f"holds:{k}": v for k, v in ok.items()},
                     **{f"sign:{k}": v for k, v in sign.items()}, **{f"diff:{k}": float(ds[k].mean()) if len(ds[k])
                                                                     else 0.0 for k in expect}})
        holds_all.append(all(ok.values()))
    n = len(worlds)
    return {
        "worlds": n,
        "share": float(np.mean(holds_all)) if n else 0.0,
        "share_by_outcome": {k: float(np.mean([r[f"holds:{k}"] for r in rows])) for k in expect} if n else {},
        "sign_share_by_outcome": {k: float(np.mean([r[f"sign:{k}"] for r in rows])) for k in expect} if n else {},
        "per_world": rows,
    }


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def prim_words(worlds, holds: Sequence[bool], threshold: float = 0.6) -> dict[str, Any] | None:
    """PRIM box of the worlds where a claim fails, with its limits in plain words."""
    from azalai.experiment.discovery import prim_analysis

    x = worlds.features()
    fails = ~np.asarray(holds, dtype=bool)
    if len(x.columns) == 0 or fails.sum() == 0 or fails.all():
        return None
    res = prim_analysis(x.reset_index(drop=True), fails, threshold=threshold, max_boxes=1)
    if not res.boxes:
        return None
    b = res.boxes[0]
    # A box a planner can read: among the peeling steps restricting at most MAX_DIMS quantities and
    # holding at least MIN_COVERAGE of the failures, the densest one.
    traj = res.trajectories[0]
    ok = traj[(traj["res_dim"] <= MAX_DIMS) & (traj["coverage"] >= MIN_COVERAGE) & (traj["res_dim"] > 0)]
    if len(ok):
        from azalai.experiment.discovery import BoxReport, restricted_limits

        i = int(ok["density"].idxmax())
        b = BoxReport(i, float(traj["coverage"][i]), float(traj["density"][i]), float(traj["mass"][i]),
                      int(traj["res_dim"][i]), restricted_limits(res.prim_boxes[0].box_lims[i], x))
    parts = []
    for name, (lo, hi) in b.limits.items():
        col = x[name]
        if lo > col.min() + 1e-12 and hi < col.max() - 1e-12:
            parts.append(f"{name} between {_fmt(lo)} and {_fmt(hi)}")
        elif lo > col.min() + 1e-12:
            parts.append(f"{name} above {_fmt(lo)}")
        else:
            parts.append(f"{name} below {_fmt(hi)}")
    words = ("the claim fails mostly where " + " and ".join(parts) +
             f": {b.coverage:.0%} of the worlds where it fails lie there, and it fails in {b.density:.0%} "
             f"of the worlds there (against {fails.mean():.0%} overall)") if parts else None
    return {"limits": {k: list(v) for k, v in b.limits.items()}, "coverage": b.coverage, "density": b.density,
            "mass": b.mass, "base_rate": float(fails.mean()), "words": words}


def verdict(share: float, robust_share: float = 0.9, support_share: float = 0.25) -> str:
    if share >= robust_share:
        return "robust"
    if share >= support_share:
        return "conditional"
    return "not supported"


def run_claims(claims: Sequence[int] | None = None, *, robust: bool = True, n_worlds: int = 200,
               seeds_per_world: int = SEEDS_PER_WORLD, point_seeds: int = POINT_SEEDS, days: int = 730,
               seed: int = 0, sources: Sequence[str] = SOURCES, workers: int = 1, robust_share: float = 0.9,
               support_share: float = 0.25, progress=None) -> dict[str, Any]:
    """The claims' results (point world; and across worlds when ``robust``), as a JSON-ready dict."""
    chosen = [c for c in CLAIMS if not claims or c.number in claims]
    t0 = time.perf_counter()
    point_world = sample_worlds(n=1, point=True)
    pdf = _run_arms(chosen, point_world, list(range(seed, seed + point_seeds)), days, workers, True, True, True,
                    progress)
    t_point = time.perf_counter() - t0
    out: dict[str, Any] = {"days": days, "point_seeds": point_seeds, "seed": seed, "claims": []}
    worlds = None
    rdf = {}
    if robust:
        worlds = sample_worlds(n=n_worlds, seed=seed, sources=sources)
        rdf = _run_arms(chosen, worlds, list(range(seed + 10_000, seed + 10_000 + seeds_per_world)), days, workers,
                        False, False, True, progress)
        out.update(n_worlds=n_worlds, seeds_per_world=seeds_per_world, sources=list(worlds.sources),
                   robust_share=robust_share, support_share=support_share)
    for c in chosen:
        res = {"claim": c.number, "text": c.text, "chain": c.chain, "lever": c.lever, "a": c.a.label(),
               "b": c.b.label(), "interaction": list(c.interaction), "event_study": c.event_study,
               "terms": {k: list(v) for k, v in c.terms.items()}, "direct": dict(c.direct)}
        res.update(point_results(c, pdf[c.number], seed))
        res["holds_at_point"] = all(r["holds"] for r in res["single_lever"] + res["within"])
        if c.event_study:
            res["holds_at_point"] = res["holds_at_point"] and res["placebo"]["ci_low"] <= 0 <= res["placebo"]["ci_high"]
        if robust:
            rob = robustness(c, rdf[c.number])
            res["robustness"] = dict(rob)
            res["verdict"] = verdict(rob["share"], robust_share, support_share)
            if res["verdict"] == "conditional":
                holds = [all(r[f"holds:{k}"] for k in c.outcomes()) for r in rob["per_world"]]
                res["prim"] = prim_words(worlds, holds)
        else:
            res["verdict"] = "holds at the point" if res["holds_at_point"] else "does not hold at the point"
        res["by_construction_any"] = any(res["by_construction"].values())
        out["claims"].append(res)
    out["seconds"] = {"point": round(t_point, 1), "total": round(time.perf_counter() - t0, 1)}
    return out


__all__ = ["run_claims", "point_results", "robustness", "prim_words", "verdict", "POINT_SEEDS", "SEEDS_PER_WORLD",
           "World"]
