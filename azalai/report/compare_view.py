"""View model of a paired comparison of two policies: what the dashboard's Compare page and the
comparison report show (outcome by outcome, mechanism by mechanism, and sentences that explain it)."""

from __future__ import annotations

import math
from typing import Any, Sequence

from azalai.analysis.compare import run_paired, summarize_paired
from azalai.analysis.explain_difference import explain_difference
from azalai.experiment.jobs import ProgressFn, caller, chunks, compute_batch
from azalai.model.engine import prepare
from azalai.policy.schema import Policy
from azalai.report.run_view import KEY_OUTCOMES, clean

def paired_compare(
    scenario: str,
    policy_a: str | Policy,
    policy_b: str | Policy,
    seeds: Sequence[int],
    days: int,
    progress: ProgressFn | None = None,
    pool=None,
) -> dict[str, Any]:
    """Run both policies on the same seeds (common random numbers) and compare outcome by outcome.
    ``pool`` (a process pool) runs the simulations outside this process."""
    say = progress or (lambda f, m: None)
    seeds = [int(s) for s in seeds]
    step = max(1, min(25, math.ceil(len(seeds) / 5)))
    if pool is None:
        runs = run_paired(scenario, policy_a, policy_b, seeds=seeds, days=days, with_events=True, batch=step,
                          progress=lambda done, total: say(0.05 + 0.85 * done / max(total, 1),
                                                           f"replicate pairs {done} of {total}"))  # fmt: skip
        outs = {"A": runs.outcomes_a, "B": runs.outcomes_b}
        evs = {"A": runs.events_a or [], "B": runs.events_b or []}
    else:
        outs, evs = {}, {}
        call = caller(pool)
        for j, (label, pol) in enumerate((("A", policy_a), ("B", policy_b))):
            outs[label], evs[label] = [], []
            for chunk in chunks(seeds, step):
                say(0.05 + 0.45 * j + 0.45 * len(outs[label]) / len(seeds),
                    f"policy {label}: replicate {len(outs[label]) + 1} of {len(seeds)}")
                o, e = call(compute_batch, scenario, pol, days, chunk)
                outs[label] += o
                evs[label] += e
    say(0.92, "paired differences")
    # one paired statistic for everything: analysis.compare (bootstrap over seeds, seeded by the first seed)
    _, res = summarize_paired(outs["A"], outs["B"], seed=seeds[0])
    rows = [{
        "outcome": col, "mean_a": r["a"], "mean_b": r["b"], "diff": r["diff"], "ci_lo": r["ci_low"],
        "ci_hi": r["ci_high"], "rel": r["diff"] / abs(r["a"]) if r["a"] else None,
        "effect": r["effect_size"], "significant": bool(r["excludes_zero"]),
    } for col, r in res.items()]  # fmt: skip
    key_rank = {k: i for i, k in enumerate(KEY_OUTCOMES)}
    rows.sort(key=lambda r: (key_rank.get(r["outcome"], 999), r["outcome"]))
    # events by mechanism, paired by seed
    mech = {lab: [({str(k): float(v) for k, v in e.groupby("mechanism").size().items()} if len(e) else {})
                  for e in evs[lab]] for lab in ("A", "B")}  # fmt: skip
    names = sorted({k for lab in mech.values() for d_ in lab for k in d_})
    mech_rows = []
    if names:
        full = {lab: [{m: d_.get(m, 0.0) for m in names} for d_ in mech[lab]] for lab in ("A", "B")}
        _, mres = summarize_paired(full["A"], full["B"], seed=seeds[0])
        mech_rows = [{"mechanism": m, "mean_a": r["a"], "mean_b": r["b"], "diff": r["diff"], "ci_lo": r["ci_low"],
                      "ci_hi": r["ci_high"]} for m, r in mres.items()]  # fmt: skip
    mech_rows.sort(key=lambda r: -abs(r["diff"]))
    causes = list(explain_difference(evs["A"], evs["B"], outs["A"], outs["B"], scenario=scenario).sentences)
    pa = policy_a if isinstance(policy_a, Policy) else prepare(scenario, policy_a, 1).policy
    pb = policy_b if isinstance(policy_b, Policy) else prepare(scenario, policy_b, 1).policy
    va, vb = pa.lever_values(), pb.lever_values()
    lever_diff = [{"name": k, "a": va[k], "b": vb[k]} for k in va if va[k] != vb[k]]
    expl = explanations(rows, mech_rows, lever_diff)
    if causes:
        expl = expl[:1] + causes[:6] + expl[1:4]
    return clean({
        "scenario": scenario, "policy_a": pa.id, "policy_b": pb.id, "n": len(seeds), "seeds": seeds, "days": days,
        "outcomes": rows, "mechanisms": mech_rows, "lever_diff": lever_diff, "explanations": expl,
    })  # fmt: skip


def _fmt(v: float) -> str:
    """A number for a sentence: thousands separated, else three significant digits."""
    if v is None or not math.isfinite(v):
        return "n/a"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def explanations(rows: list[dict], mech_rows: list[dict], lever_diff: list[dict], top: int = 6) -> list[str]:
    """Plain sentences: what the policies change, and the largest, clearest paired differences."""
    out = []
    if lever_diff:
        out.append("The policies differ in: " + ", ".join(f"{d['name']} {_fmt(d['a'])} → {_fmt(d['b'])}" for d in lever_diff) + ".")
    sig = [r for r in rows if r["significant"] and not r["outcome"].startswith(("revenue_", "alienation_"))]
    sig.sort(key=lambda r: -abs(r["effect"]) if math.isfinite(r["effect"]) else -1e9)
    for r in sig[:top]:
        direction = "more" if r["diff"] > 0 else "less"
        rel = f" ({100 * r['rel']:+.0f}%)" if r.get("rel") is not None and math.isfinite(r["rel"]) else ""
        out.append(
            f"B has {direction} {r['outcome']}: {_fmt(r['mean_b'])} vs {_fmt(r['mean_a'])}, paired difference "
            f"{_fmt(r['diff'])}{rel}, 95% CI [{_fmt(r['ci_lo'])}, {_fmt(r['ci_hi'])}]."
        )
    msig = [m for m in mech_rows if (m["ci_lo"] > 0 or m["ci_hi"] < 0)]
    if msig:
        out.append("Events by mechanism that change most: " + "; ".join(
            f"{m['mechanism']} {_fmt(m['mean_a'])} → {_fmt(m['mean_b'])}" for m in msig[:4]) + ".")
    if len(out) <= 1:
        out.append("No outcome differs clearly between the two policies at this number of replicates.")
    return out
