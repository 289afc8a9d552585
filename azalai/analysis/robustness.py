"""Robustness of candidate policies across states of the world (robust decision making).

Input: for each outcome, a matrix ``V[c, w]`` (candidate ``c`` in state of the world ``w``, the mean over
the common seeds). Each objective is minimised (``fatalities``) or maximised (``max:cooperation_mean``).
Per candidate and objective:

* the distribution across worlds: mean, standard deviation, 10th / 50th / 90th percentiles;
* **regret** (Savage's minimax regret as used in robust decision making, Lempert et al. 2003): in each
  world, how much worse the candidate does than the best candidate in that world; its maximum and 90th
  percentile across worlds (the 90th-percentile minimax regret of McPhail et al. 2018);
* **mean-variance** (the signal-to-noise metric of Hamarat et al. 2014 reviewed by McPhail et al. 2018):
  ``(mean + 1) * (sd + 1)`` for an outcome to minimise, ``(mean + 1) / (sd + 1)`` to maximise;
* **percentile skew** ``(q90 + q10 - 2 q50) / (q90 - q10)`` (McPhail et al. 2018's percentile-based skewness);
* **satisficing** (Starr's domain criterion): the share of worlds in which every threshold holds.

Confidence intervals come from a bootstrap over worlds (the same resampled worlds for every candidate).
The non-dominated set is computed with pymoo's ``NonDominatedSorting``; the conditions in which a
leading candidate fails are PRIM boxes (:func:`azalai.experiment.discovery.prim_analysis`) put in words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from azalai.errors import InputError, Problem
from azalai.scenario.problems import suggest

OPS = {"<=": np.less_equal, "<": np.less, ">=": np.greater_equal, ">": np.greater}
_THRESH_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_\-]*)\s*(<=|>=|<|>)\s*([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)\s*$")


def _bad(field: str, msg: str) -> InputError:
    return InputError(Problem("<arguments>", None, None, field, msg))


@dataclass(frozen=True)
class Objective:
    name: str
    sense: str = "min"  # "min" or "max"

    @property
    def sign(self) -> float:
        """+1 when smaller is better, -1 when larger is better (so sign * value is always minimised)."""
        return 1.0 if self.sense == "min" else -1.0

    def __str__(self) -> str:
        return self.name if self.sense == "min" else f"max:{self.name}"


@dataclass(frozen=True)
class Threshold:
    outcome: str
    op: str
    value: float

    def holds(self, x: np.ndarray) -> np.ndarray:
        return OPS[self.op](x, self.value)

    def __str__(self) -> str:
        return f"{self.outcome}{self.op}{self.value:g}"


def parse_objectives(text: str, known: Sequence[str] | None = None) -> list[Objective]:
    """``"fatalities,max:cooperation_mean"``: minimised unless prefixed with ``max:`` (``min:`` is accepted)."""
    out: list[Objective] = []
    for item in [s.strip() for s in text.split(",") if s.strip()]:
        sense, _, name = item.rpartition(":")
        sense = sense or "min"
        if sense not in ("min", "max"):
            raise _bad("--objectives", f"{item!r}: prefix an outcome with max: or min: (got {sense!r})")
        if known is not None and name not in known:
            raise _bad("--objectives", f"unknown outcome {name!r}{suggest(name, known)}")
        out.append(Objective(name, sense))
    if not out:
        raise _bad("--objectives", "name at least one outcome, e.g. fatalities,signatory_clashes")
    return out


def parse_satisfice(text: str | None, known: Sequence[str] | None = None) -> list[Threshold]:
    """``"fatalities<=600,signatory_clashes<=5"`` -> thresholds; a clear message for anything else."""
    if not text or not text.strip():
        return []
    out = []
    for item in [s for s in text.split(",") if s.strip()]:
        m = _THRESH_RE.match(item)
        if not m:
            raise _bad("--satisfice", f"{item.strip()!r} is not OUTCOME<=NUMBER (operators: <=, <, >=, >), e.g. "
                                      "fatalities<=600")
        name = m.group(1)
        if known is not None and name not in known:
            raise _bad("--satisfice", f"unknown outcome {name!r}{suggest(name, known)}")
        out.append(Threshold(name, m.group(2), float(m.group(3))))
    return out


def regret(V: np.ndarray, obj: Objective) -> np.ndarray:
    """Regret of each candidate in each world: distance from the best candidate of that world (>= 0)."""
    s = obj.sign * np.asarray(V, dtype=float)
    return s - s.min(axis=0, keepdims=True)


def pareto_front(M: np.ndarray, objectives: Sequence[Objective]) -> list[int]:
    """Indices of the non-dominated rows of ``M`` (candidates x objectives), by pymoo's non-dominated sorting."""
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    F = np.asarray(M, dtype=float) * np.array([o.sign for o in objectives])[None, :]
    if len(F) == 0:
        return []
    front = NonDominatedSorting().do(F, only_non_dominated_front=True)
    return sorted(int(i) for i in front)


def _ci(boot: np.ndarray, level: float) -> list[float]:
    lo, hi = np.percentile(boot, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return [float(lo), float(hi)]


def candidate_metrics(values: Mapping[str, np.ndarray], objectives: Sequence[Objective],
                      thresholds: Sequence[Threshold], n_boot: int = 1000, seed: int = 0, level: float = 0.95
                      ) -> dict[str, Any]:
    """Per-candidate robustness metrics (lists indexed by candidate), with bootstrap CIs over worlds."""
    from azalai.analysis.compare import bootstrap_indices

    names = [o.name for o in objectives] + [t.outcome for t in thresholds]
    missing = [n for n in names if n not in values]
    if missing:
        raise _bad("--objectives", f"no outcome {missing[0]!r} in the results")
    C, W = np.asarray(values[objectives[0].name]).shape
    boot = bootstrap_indices(W, n_boot, seed)
    per: dict[str, Any] = {}
    for o in objectives:
        V = np.asarray(values[o.name], dtype=float)
        R = regret(V, o)
        mean, sd = V.mean(axis=1), V.std(axis=1, ddof=1) if W > 1 else np.zeros(C)
        q10, q50, q90 = (np.percentile(V, q, axis=1) for q in (10, 50, 90))
        spread = np.where(q90 - q10 > 0, q90 - q10, 1.0)
        mv = (mean + 1) * (sd + 1) if o.sense == "min" else (mean + 1) / (sd + 1)
        rp90 = np.percentile(R, 90, axis=1)
        mean_b = V[:, boot].mean(axis=2)  # C x n_boot
        rp90_b = np.percentile(R[:, boot], 90, axis=2)
        per[o.name] = {
            "sense": o.sense, "mean": mean.tolist(), "sd": sd.tolist(), "q10": q10.tolist(), "q50": q50.tolist(),
            "q90": q90.tolist(), "mean_ci": [_ci(mean_b[c], level) for c in range(C)],
            "regret_max": R.max(axis=1).tolist(), "regret_p90": rp90.tolist(),
            "regret_p90_ci": [_ci(rp90_b[c], level) for c in range(C)],
            "mean_variance": mv.tolist(), "skew": ((q90 + q10 - 2 * q50) / spread).tolist(),
        }
    sat: dict[str, Any] = {}
    if thresholds:
        ok = np.ones((C, W), dtype=bool)
        each = {}
        for t in thresholds:
            h = t.holds(np.asarray(values[t.outcome], dtype=float))
            each[str(t)] = h.mean(axis=1).tolist()
            ok &= h
        share_b = ok[:, boot].mean(axis=2)
        sat = {"thresholds": [str(t) for t in thresholds], "share": ok.mean(axis=1).tolist(),
               "share_ci": [_ci(share_b[c], level) for c in range(C)], "each": each, "ok": ok}
    return {"objectives": per, "satisficing": sat, "worlds": W, "candidates": C}


def rank(values: Mapping[str, np.ndarray], metrics: Mapping[str, Any], objectives: Sequence[Objective]
         ) -> tuple[list[int], list[float]]:
    """Order of candidates, best first, and each one's score.

    The score is the largest 90th-percentile regret over the objectives, each divided by the spread
    (q90 - q10) of that outcome over all candidates and worlds, so objectives in different units
    compare. With thresholds, candidates are ordered by satisficing share first, then by that score.
    """
    C = metrics["candidates"]
    score = np.zeros(C)
    for o in objectives:
        V = np.asarray(values[o.name], dtype=float)
        spread = float(np.percentile(V, 90) - np.percentile(V, 10)) or 1.0
        score = np.maximum(score, np.asarray(metrics["objectives"][o.name]["regret_p90"]) / spread)
    share = np.asarray(metrics["satisficing"]["share"]) if metrics.get("satisficing") else np.zeros(C)
    order = sorted(range(C), key=lambda c: (-share[c], score[c], c))
    return order, score.tolist()


def failures(values: Mapping[str, np.ndarray], objectives: Sequence[Objective], thresholds: Sequence[Threshold],
             sat: Mapping[str, Any]) -> tuple[np.ndarray, str]:
    """Which (candidate, world) cells count as failures, and the rule in words.

    With thresholds: a threshold does not hold. Without: the candidate does worse than the median of
    all candidates and worlds on at least one objective.
    """
    if thresholds:
        return ~np.asarray(sat["ok"]), "misses at least one threshold (" + ", ".join(map(str, thresholds)) + ")"
    fail = None
    for o in objectives:
        V = np.asarray(values[o.name], dtype=float)
        f = o.sign * V > o.sign * np.median(V)
        fail = f if fail is None else (fail | f)
    return fail, "does worse than the median of all candidates and worlds on " + ", ".join(map(str, objectives))


def _num(x: float) -> str:
    a = abs(x)
    return f"{x:,.0f}" if a >= 1000 else f"{x:.3g}"


def box_in_words(limits: Mapping[str, Sequence[float]], x) -> str:
    """``{"clash_base": (0.006, 0.0095)}`` -> "clash_base above 0.006" (bounds at the sample's edge are open)."""
    parts = []
    for name, (lo, hi) in limits.items():
        mn, mx = float(x[name].min()), float(x[name].max())
        low_cut, high_cut = lo > mn + 1e-12, hi < mx - 1e-12
        if low_cut and high_cut:
            parts.append(f"{name} between {_num(lo)} and {_num(hi)}")
        elif low_cut:
            parts.append(f"{name} above {_num(lo)}")
        elif high_cut:
            parts.append(f"{name} below {_num(hi)}")
    return " and ".join(parts)


def _prim_box(x, cases: np.ndarray, max_dims: int, min_coverage: float) -> dict[str, Any] | None:
    """One PRIM box (EMA Workbench) restricted to at most ``max_dims`` coordinates, so it reads as a sentence.

    On the peeling trajectory, among the boxes restricting at most ``max_dims`` coordinates and holding at
    least ``min_coverage`` of the cases, the densest is chosen (else the densest with at most ``max_dims``).
    """
    import logging

    from ema_workbench.analysis import prim

    from azalai.experiment.discovery import restricted_limits

    logging.getLogger("EMA").setLevel(logging.WARNING)
    p = prim.Prim(x, cases, threshold=0.5, peel_alpha=0.05, mass_min=0.05)
    box = p.find_box()
    if box is None:
        return None
    traj = box.peeling_trajectory
    small = traj[(traj["res_dim"] <= max_dims) & (traj["res_dim"] > 0)]
    if not len(small):
        return None
    ok = small[small["coverage"] >= min_coverage]
    i = int((ok if len(ok) else small)["density"].idxmax())
    lims = restricted_limits(box.box_lims[i], x)
    return {"index": i, "coverage": float(traj["coverage"][i]), "density": float(traj["density"][i]),
            "mass": float(traj["mass"][i]), "res_dim": int(traj["res_dim"][i]),
            "limits": {k: [float(v[0]), float(v[1])] for k, v in lims.items()}}


def failure_conditions(x, fail: np.ndarray, label: str, rule: str, max_dims: int = 3, min_coverage: float = 0.5
                       ) -> dict[str, Any]:
    """A PRIM box around the worlds where a candidate fails, in words.

    When the candidate fails in most worlds, the informative question is the opposite one: PRIM then
    looks for the worlds where it succeeds (``out["explains"] == "successes"``).
    """
    fail = np.asarray(fail, dtype=bool)
    base = float(fail.mean()) if len(fail) else 0.0
    out: dict[str, Any] = {"candidate": label, "rule": rule, "failure_share": base, "boxes": [],
                           "explains": "failures"}
    head = f"{label} {rule} in {base:.0%} of the worlds"
    if fail.sum() < 2 or (~fail).sum() < 2:
        out["text"] = head + (": too few failures to say where." if fail.sum() < 2 else
                              ": too few successes to say where.")
        return out
    successes = base > 0.5
    cases = ~fail if successes else fail
    out["explains"] = "successes" if successes else "failures"
    x = x.loc[:, [c for c in x.columns if x[c].nunique() > 1]].reset_index(drop=True)
    b = _prim_box(x, cases, max_dims, min_coverage)
    words = box_in_words(b["limits"], x) if b else ""
    what, whose = ("succeeds", "successes") if successes else ("fails", "failures")
    if b and words and b["density"] > cases.mean():
        sentence = (f"{what} in {b['density']:.0%} of the worlds with {words} ({b['mass']:.0%} of all worlds, "
                    f"{b['coverage']:.0%} of its {whose})")
        out["boxes"].append({**b, "text": sentence})
        out["text"] = head + ("; it " if not successes else "; it ") + sentence + "."
    else:
        out["text"] = head + f", with no region of the uncertainty where its {whose} concentrate (PRIM found no box)."
    return out
