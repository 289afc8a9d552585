"""Scenario discovery: in which parts of the uncertainty space does an outcome cross a threshold?

Uncertain parameters are sampled by Latin hypercube over the registry's plausible ranges, the model
is run for each sample (through the ensemble executors), each sample is flagged as a case of interest
(outcome above or below the threshold), and PRIM (``ema_workbench.analysis.prim``) peels boxes around
the cases of interest. A box is reported with its limits on each restricted parameter, its
*coverage* (share of all cases of interest inside the box) and its *density* (share of the samples
inside the box that are cases of interest).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from azalai.defaults import DEFAULT_POLICY, DEFAULT_SCENARIO
from azalai.errors import InputError, Problem


def lhs_samples(names: Sequence[str], n: int, seed: int = 0, bounds: Sequence[Sequence[float]] | None = None):
    """A Latin hypercube of ``n`` samples over the registry ranges (or ``bounds``), as a data frame."""
    import pandas as pd
    from SALib.sample import latin

    from azalai.experiment.sensitivity import problem_from_registry

    if n < 2:
        raise InputError(Problem("<arguments>", None, None, "n", f"needs at least 2 samples (got {n})"))
    if bounds is None:
        problem = problem_from_registry(names)
    else:
        problem = {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}
    X = latin.sample(problem, int(n), seed=seed)
    return pd.DataFrame(X, columns=list(names))


@dataclass
class BoxReport:
    """One PRIM box: its position on the peeling trajectory and its restricted limits."""

    index: int
    coverage: float
    density: float
    mass: float
    res_dim: int
    limits: dict[str, tuple[float, float]]  # restricted parameters only
    qp: dict[str, float] = field(default_factory=dict)  # quasi-p values of the restrictions

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "coverage": self.coverage, "density": self.density, "mass": self.mass,
                "res_dim": self.res_dim, "limits": {k: list(v) for k, v in self.limits.items()}, "qp": self.qp}


@dataclass
class DiscoveryResult:
    x: Any  # samples (data frame)
    y: np.ndarray  # outcome values
    cases: np.ndarray  # boolean: case of interest
    boxes: list[BoxReport]
    trajectories: list[Any]  # peeling trajectory (data frame) of each box
    prim_boxes: list[Any] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {**self.meta, "samples": int(len(self.y)), "cases_of_interest": int(self.cases.sum()),
                "boxes": [b.as_dict() for b in self.boxes]}


def restricted_limits(limits, x) -> dict[str, tuple[float, float]]:
    out = {}
    for col in x.columns:
        lo, hi = float(limits[col].iloc[0]), float(limits[col].iloc[1])
        if lo > float(x[col].min()) + 1e-12 or hi < float(x[col].max()) - 1e-12:
            out[col] = (lo, hi)
    return out


def prim_analysis(x, cases: np.ndarray, threshold: float = 0.8, max_boxes: int = 3, peel_alpha: float = 0.05,
                  mass_min: float = 0.05, y: np.ndarray | None = None, meta: Mapping[str, Any] | None = None
                  ) -> DiscoveryResult:
    """PRIM boxes around ``cases`` (booleans) in ``x``; for each box the trajectory point chosen is the one
    with the highest coverage among those with density >= ``threshold`` (else the densest point)."""
    from ema_workbench.analysis import prim

    logging.getLogger("EMA").setLevel(logging.WARNING)
    cases = np.asarray(cases, dtype=bool)
    if cases.sum() == 0:
        return DiscoveryResult(x, np.asarray(y if y is not None else cases, dtype=float), cases, [], [],
                               meta=dict(meta or {}, note="no case of interest: nothing to explain"))
    if cases.all():
        return DiscoveryResult(x, np.asarray(y if y is not None else cases, dtype=float), cases, [], [],
                               meta=dict(meta or {}, note="every sample is a case of interest: nothing to explain"))
    p = prim.Prim(x.reset_index(drop=True), cases, threshold=threshold, peel_alpha=peel_alpha, mass_min=mass_min)
    boxes, trajs, raw = [], [], []
    for _ in range(max_boxes):
        try:
            box = p.find_box()
        except Exception:  # noqa: BLE001 - PRIM has nothing left to peel
            break
        if box is None:
            break
        traj = box.peeling_trajectory.copy()
        ok = traj[traj["density"] >= threshold]
        i = int(ok["coverage"].idxmax()) if len(ok) else int(traj["density"].idxmax())
        if i != box._cur_box:
            box.select(i)
        lims = restricted_limits(box.box_lims[i], x)
        qp = {}
        try:
            q = box.qp[i] if isinstance(box.qp, list) else {}
            qp = {k: float(max(v)) if isinstance(v, (list, tuple, np.ndarray)) else float(v) for k, v in q.items()}
        except Exception:  # noqa: BLE001 - quasi-p values are informative only
            qp = {}
        if not lims and boxes:
            break  # what is left is the unrestricted remainder
        boxes.append(BoxReport(i, float(traj["coverage"][i]), float(traj["density"][i]), float(traj["mass"][i]),
                               int(traj["res_dim"][i]), lims, qp))
        trajs.append(traj)
        raw.append(box)
        if not lims:
            break
    return DiscoveryResult(x, np.asarray(y if y is not None else cases, dtype=float), cases, boxes, trajs, raw,
                           meta=dict(meta or {}))


def discover(
    outcome: str,
    threshold: float,
    above: bool = True,
    scenario: Any = DEFAULT_SCENARIO,
    policy: Any = None,
    n: int = 200,
    names: Sequence[str] | None = None,
    days: int | None = 365,
    replicates: int = 1,
    seed: int = 0,
    backend: str = "serial",
    workers: int | None = None,
    prim_threshold: float = 0.8,
    max_boxes: int = 3,
    progress: Callable[[int, int], None] | None = None,
    evaluator: Callable[[np.ndarray], Any] | None = None,
) -> DiscoveryResult:
    """Sample, run, flag cases where ``outcome`` is above (or below) ``threshold``, and find PRIM boxes."""
    from azalai.experiment.sensitivity import DEFAULT_PARAMS, model_evaluator

    names = list(names or DEFAULT_PARAMS)
    x = lhs_samples(names, n, seed=seed)
    if evaluator is None:
        evaluator = model_evaluator(scenario, policy, names, [outcome], replicates=replicates, days=days, seed=seed,
                                    backend=backend, workers=workers, progress=progress)
    out = evaluator(x.to_numpy())
    y = np.asarray(out[outcome] if hasattr(out, "columns") else out, dtype=float).ravel()
    cases = y > threshold if above else y < threshold
    meta = {"outcome": outcome, "threshold": threshold, "direction": "above" if above else "below",
            "parameters": names, "days": days, "replicates": replicates,
            "policy": getattr(policy, "id", policy) or DEFAULT_POLICY}
    return prim_analysis(x, cases, threshold=prim_threshold, max_boxes=max_boxes, y=y, meta=meta)


def plot_discovery(res: DiscoveryResult, path: Path | None = None, *, ax=None):
    """Peeling trajectory (coverage vs density, colour = restricted dimensions) and the first box's limits.

    Drawn on ``ax`` (a pair of axes) or a new figure, written to ``path`` when given; returns the figure.
    """
    from azalai.plotting import figure_for, save

    fig, (a1, a2) = figure_for(ax, path, 1, 2, figsize=(11, 4.2))
    if res.trajectories:
        t = res.trajectories[0]
        sc = a1.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18)
        b = res.boxes[0]
        a1.scatter([b.coverage], [b.density], s=120, facecolors="none", edgecolors="red", label=f"chosen box {b.index}")
        fig.colorbar(sc, ax=a1, label="restricted dimensions")
        a1.legend(fontsize=8)
        names = list(res.x.columns)
        lims = b.limits
        for j, nme in enumerate(names):
            lo, hi = float(res.x[nme].min()), float(res.x[nme].max())
            a2.plot([0, 1], [j, j], color="lightgray", lw=6)
            if nme in lims:
                l0, l1 = lims[nme]
                a2.plot([(l0 - lo) / (hi - lo), (l1 - lo) / (hi - lo)], [j, j], color="tab:red", lw=6)
                a2.text(1.02, j, f"{l0:.3g} .. {l1:.3g}", va="center", fontsize=7)
        a2.set_yticks(range(len(names)))
        a2.set_yticklabels(names, fontsize=8)
        a2.set_xlim(0, 1.35)
        a2.set_xlabel("position within the plausible range")
        a2.set_title(f"box {b.index}: coverage {b.coverage:.2f}, density {b.density:.2f}", fontsize=9)
    else:
        a1.text(0.5, 0.5, "no box", ha="center")
    a1.set_xlabel("coverage")
    a1.set_ylabel("density")
    a1.set_title("PRIM peeling trajectory", fontsize=9)
    fig.tight_layout()
    return save(fig, path, dpi=120, bbox_inches=None)


def write_discovery(res: DiscoveryResult, out_dir: str | Path) -> dict[str, Path]:
    import json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    samples = res.x.copy()
    samples["y"] = res.y
    samples["case"] = res.cases
    paths = {"samples": out / "discovery_samples.csv", "boxes": out / "discovery_boxes.json",
             "figure": out / "discovery.png"}
    samples.to_csv(paths["samples"], index=False)
    paths["boxes"].write_text(json.dumps(res.summary(), indent=2, default=float), encoding="utf-8")
    if res.trajectories:
        res.trajectories[0].to_csv(out / "discovery_trajectory.csv", index=False)
        paths["trajectory"] = out / "discovery_trajectory.csv"
    plot_discovery(res, paths["figure"])
    return paths
