"""From a robust run's outcomes to a decision table: ranking, robustness metrics, Pareto front, failures.

:func:`analyse` is what ``azalai robust``, the dashboard's Decide page and ``azalai report --robust`` all
show (one view, JSON-ready); :func:`paired_with_baseline` is the click-through from a candidate to a
paired comparison with the baseline over the same worlds and seeds.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from azalai.analysis.robustness import (
    Objective,
    Threshold,
    candidate_metrics,
    failure_conditions,
    failures,
    pareto_front,
    rank,
)
from azalai.scenario.problems import suggest

DEFAULT_OBJECTIVES = "fatalities,signatory_clashes,jihadist_support"
PARETO_METRICS = ("mean", "q90", "regret_p90")


def _label_index(labels: Sequence[str], name: str | None, default: int = 0) -> int:
    if name is None:
        return default
    if name in labels:
        return labels.index(name)
    from azalai.errors import InputError, Problem
    raise InputError(Problem("<arguments>", None, None, "--baseline",
                             f"no candidate {name!r}{suggest(name, labels)}"))


def analyse(data, objectives: Sequence[Objective], thresholds: Sequence[Threshold] = (), leaders: int = 3,
            pareto_metric: str = "mean", baseline: str | None = None, n_boot: int = 1000, seed: int = 0,
            level: float = 0.95) -> dict[str, Any]:
    """The decision view of a robust run (``data``: :class:`azalai.experiment.robust.RobustData`)."""
    from azalai.errors import InputError, Problem
    from azalai.experiment.robust import world_features

    if pareto_metric not in PARETO_METRICS:
        raise InputError(Problem("<arguments>", None, None, "--pareto-on",
                                 f"must be one of {', '.join(PARETO_METRICS)} (got {pareto_metric!r})"))
    known = sorted(set(data.frame["outcome"].unique()))
    for name in [o.name for o in objectives] + [t.outcome for t in thresholds]:
        if name not in known:
            raise InputError(Problem("<arguments>", None, None, "outcome", f"unknown outcome {name!r}{suggest(name, known)}"))
    values = data.values([o.name for o in objectives] + [t.outcome for t in thresholds])
    if any(np.isnan(V).any() for V in values.values()):
        raise InputError(Problem("<arguments>", None, None, "robust run",
                                 f"{data.robust_id} is incomplete ({data.status}): resume it first"))
    m = candidate_metrics(values, objectives, thresholds, n_boot=n_boot, seed=seed, level=level)
    order, score = rank(values, m, objectives)
    key = {"mean": "mean", "q90": "q90", "regret_p90": "regret_p90"}[pareto_metric]
    M = np.column_stack([m["objectives"][o.name][key] for o in objectives])
    objs = objectives if key != "regret_p90" else [Objective(o.name, "min") for o in objectives]
    front = pareto_front(M, objs)
    base_i = _label_index(data.labels, baseline, 0)
    sat = m["satisficing"]
    rows = []
    for r, c in enumerate(order):
        row: dict[str, Any] = {"rank": r + 1, "index": c, "label": data.labels[c], "policy_id": data.policies[c].id,
                               "score": score[c], "pareto": c in front, "baseline": c == base_i,
                               "levers": data.policies[c].lever_values()}
        if sat:
            row["satisficing"] = sat["share"][c]
            row["satisficing_ci"] = sat["share_ci"][c]
            row["satisficing_each"] = {k: v[c] for k, v in sat["each"].items()}
        row["objectives"] = {o.name: {k: (v[c] if isinstance(v, list) else v) for k, v in m["objectives"][o.name].items()}
                             for o in objectives}
        rows.append(row)
    fail, rule = failures(values, objectives, thresholds, sat)
    x = world_features(data.worlds).reset_index(drop=True)
    boxes = [failure_conditions(x, fail[c], data.labels[c], rule) for c in order[:max(0, int(leaders))]]
    dist = [{"candidate": data.labels[c], "world": int(w.index), **{o.name: float(values[o.name][c, j])
                                                                      for o in objectives}}
            for c in range(len(data.labels)) for j, w in enumerate(data.worlds)]
    return {
        "robust_id": data.robust_id, "status": data.status, "candidates": len(data.labels), "worlds": len(data.worlds),
        "seeds": len(data.seeds), "days": data.spec.get("days"), "sources": data.spec.get("sources"),
        "objectives": [{"name": o.name, "sense": o.sense} for o in objectives],
        "thresholds": [str(t) for t in thresholds], "pareto_metric": pareto_metric,
        "pareto": [data.labels[c] for c in front], "baseline": data.labels[base_i], "failure_rule": rule,
        "ranking": rows, "failures": boxes, "distribution": dist, "level": level,
    }


def paired_with_baseline(data, candidate: str, baseline: str | None = None, outcomes: Sequence[str] | None = None,
                         seed: int = 0, n_boot: int = 1000) -> dict[str, Any]:
    """Paired differences candidate − baseline over every (world, seed), with bootstrap CIs.

    The pairs share the world and the seed (common random numbers), so each difference is the policy's effect
    in one draw of everything uncertain; the table also gives the share of worlds where the candidate has the
    lower value.
    """
    from azalai.analysis.compare import summarize_paired

    c = _label_index(data.labels, candidate)
    b = _label_index(data.labels, baseline, 0)
    stored = set(data.frame["outcome"].unique())
    if outcomes:
        names = [k for k in dict.fromkeys(outcomes) if k in stored]
    else:
        from azalai.model.outcomes import shown_outcomes

        names = [k for k in shown_outcomes() if k in stored] or sorted(stored)
    a_rows, b_rows = [], []
    wv = data.values(names)
    for name in names:
        V = data.seed_values(name)
        a_rows.append(V[b].ravel())
        b_rows.append(V[c].ravel())
    n = len(a_rows[0])
    oa = [{k: float(a_rows[i][j]) for i, k in enumerate(names)} for j in range(n)]
    ob = [{k: float(b_rows[i][j]) for i, k in enumerate(names)} for j in range(n)]
    _, stats = summarize_paired(oa, ob, seed=seed, n_boot=n_boot)
    rows = []
    for k in names:
        st = stats[k]
        lower = float((wv[k][c] < wv[k][b]).mean())
        rows.append({"outcome": k, "baseline": st["a"], "candidate": st["b"], "diff": st["diff"],
                     "ci_low": st["ci_low"], "ci_high": st["ci_high"], "share_worlds_lower": lower})
    return {"robust_id": data.robust_id, "candidate": data.labels[c], "baseline": data.labels[b], "pairs": n,
            "rows": rows}
