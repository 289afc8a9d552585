"""Paired comparison of two policies with common random numbers.

Both policies run over the same seeds. Randomness in the engine is counter-based and keyed by the
seed, so replicate *i* of policy A and replicate *i* of policy B draw the same random numbers wherever
their states agree: the paired difference ``b - a`` cancels most of the noise that two independent
ensembles would carry.

>>> from azalai.analysis.compare import paired_compare
>>> table, results = paired_compare("mali-2016", "counter-terrorism", "counter-trafficking", n=100)
>>> results["signatory_clashes"]["diff"], results["signatory_clashes"]["ci_low"]

For every outcome scalar the table holds the mean under each policy, the mean paired difference, a 95%
percentile-bootstrap interval of that difference (resampling seeds, with a generator seeded from
``seed``: the same call always gives the same interval) and the paired effect size Cohen's d_z (mean
difference over the standard deviation of the differences; 0 when every difference is the same).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from azalai.defaults import DEFAULT_POLICY, DEFAULT_SCENARIO
from azalai.errors import InputError, Problem

#: Columns of the comparison table, in order.
TABLE_COLUMNS = [
    "outcome", "a", "b", "diff", "ci_low", "ci_high", "effect_size", "effect_low", "effect_high", "sd_diff",
    "n", "excludes_zero",
]
#: Keys of each outcome in the result dict (and in ``azalai compare --format json``).
RESULT_KEYS = ["a", "b", "diff", "ci_low", "ci_high", "effect_size"]


@dataclass
class PairedRuns:
    """Raw outputs of a paired ensemble: replicate *i* of A and of B share ``seeds[i]``."""

    scenario: str
    policy_a: str
    policy_b: str
    days: int
    seeds: list[int]
    outcomes_a: list[dict[str, float]]
    outcomes_b: list[dict[str, float]]
    events_a: list[Any] | None = None
    events_b: list[Any] | None = None

    def diffs(self, outcome: str) -> np.ndarray:
        return np.array([b[outcome] - a[outcome] for a, b in zip(self.outcomes_a, self.outcomes_b)], dtype=float)


@dataclass
class Comparison:
    """The result of :func:`paired_compare`. Unpacks as ``table, results``; ``runs`` holds the raw outputs."""

    table: Any  # pandas DataFrame, one row per outcome
    results: dict[str, dict[str, float]]
    runs: PairedRuns
    meta: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.table, self.results))

    def _repr_html_(self) -> str:
        from azalai.notebook import comparison_html

        return comparison_html(self.table, self.meta)

    def to_json_dict(self) -> dict[str, dict[str, float]]:
        """One object keyed by outcome, each with a, b, diff, ci_low, ci_high and effect_size."""
        return {k: {key: float(v[key]) for key in RESULT_KEYS} for k, v in self.results.items()}


def _check_args(n: int, n_boot: int, batch: int) -> None:
    problems = []
    if int(n) < 1:
        problems.append(Problem("<arguments>", None, None, "n", f"must be at least 1 replicate (got {n})"))
    if int(n_boot) < 1:
        problems.append(Problem("<arguments>", None, None, "n_boot", f"must be at least 1 (got {n_boot})"))
    if int(batch) < 1:
        problems.append(Problem("<arguments>", None, None, "batch", f"must be at least 1 (got {batch})"))
    if problems:
        raise InputError(problems)


def run_paired(
    scenario: Any = DEFAULT_SCENARIO,
    policy_a: Any = DEFAULT_POLICY,
    policy_b: Any = "counter-trafficking",
    n: int = 200,
    seed: int = 0,
    days: int | None = None,
    params: Mapping[str, float] | None = None,
    with_events: bool = True,
    batch: int = 50,
    seeds: Sequence[int] | None = None,
    progress: Any = None,
) -> PairedRuns:
    """Run both policies over the same seeds (``seed, seed+1, ...`` unless ``seeds`` is given), in batches."""
    from azalai.model.engine import prepare, simulate_batch

    _check_args(n if seeds is None else max(len(seeds), 1), 1, batch)
    prep_a = prepare(scenario, policy_a, days, params)
    prep_b = prepare(prep_a.scenario, policy_b, days, prep_a.params)
    seed_list = [int(s) for s in seeds] if seeds is not None else [int(seed) + i for i in range(int(n))]
    outs_a: list[dict[str, float]] = []
    outs_b: list[dict[str, float]] = []
    ev_a: list[Any] | None = [] if with_events else None
    ev_b: list[Any] | None = [] if with_events else None
    for lo in range(0, len(seed_list), int(batch)):
        chunk = seed_list[lo : lo + int(batch)]
        oa, ea = simulate_batch(prep_a, chunk, with_events=with_events)
        ob, eb = simulate_batch(prep_b, chunk, with_events=with_events)
        outs_a.extend(oa)
        outs_b.extend(ob)
        if with_events:
            ev_a.extend(ea)  # type: ignore[union-attr]
            ev_b.extend(eb)  # type: ignore[union-attr]
        if progress is not None:
            progress(lo + len(chunk), len(seed_list))
    return PairedRuns(
        scenario=prep_a.scenario.meta.id,
        policy_a=prep_a.policy.id,
        policy_b=prep_b.policy.id,
        days=prep_a.days,
        seeds=seed_list,
        outcomes_a=outs_a,
        outcomes_b=outs_b,
        events_a=ev_a,
        events_b=ev_b,
    )


def bootstrap_indices(n: int, n_boot: int, seed: int) -> np.ndarray:
    """Resampling indices (n_boot x n) from a generator seeded with ``seed``: shared by every outcome."""
    rng = np.random.default_rng(int(seed))
    return rng.integers(0, n, size=(int(n_boot), int(n)))


def summarize_paired(
    outcomes_a: Sequence[Mapping[str, float]],
    outcomes_b: Sequence[Mapping[str, float]],
    seed: int = 0,
    n_boot: int = 2000,
    level: float = 0.95,
):
    """Paired statistics of every outcome: returns (DataFrame, dict keyed by outcome)."""
    import pandas as pd

    if len(outcomes_a) != len(outcomes_b):
        raise ValueError(f"paired outcomes need equal lengths (got {len(outcomes_a)} and {len(outcomes_b)})")
    _check_args(max(len(outcomes_a), 1), n_boot, 1)
    n = len(outcomes_a)
    names = [k for k in outcomes_a[0]] if n else []
    names += [k for k in (outcomes_b[0] if n else {}) if k not in names]
    boot = bootstrap_indices(n, n_boot, seed) if n else np.zeros((0, 0), dtype=np.int64)
    q_lo, q_hi = 100 * (1 - level) / 2, 100 * (1 + level) / 2
    rows = []
    results: dict[str, dict[str, float]] = {}
    for name in names:
        xa = np.array([float(o.get(name, np.nan)) for o in outcomes_a])
        xb = np.array([float(o.get(name, np.nan)) for o in outcomes_b])
        d = xb - xa
        diff = float(d.mean())
        sd = float(d.std(ddof=1)) if n > 1 else 0.0
        if not np.isfinite(sd):
            sd = 0.0
        means = d[boot].mean(axis=1)
        lo, hi = (float(v) for v in np.percentile(means, [q_lo, q_hi]))
        if sd > 0:
            es, es_lo, es_hi = diff / sd, lo / sd, hi / sd
        else:
            es = es_lo = es_hi = 0.0
        # Identical replicates must give an exact zero, not a rounding residue.
        if np.all(d == 0):
            diff = lo = hi = 0.0
        res = {
            "a": float(xa.mean()),
            "b": float(xb.mean()),
            "diff": diff,
            "ci_low": lo,
            "ci_high": hi,
            "effect_size": float(es),
            "effect_low": float(es_lo),
            "effect_high": float(es_hi),
            "sd_diff": sd,
            "n": n,
            "excludes_zero": bool(lo > 0 or hi < 0),
        }
        results[name] = res
        rows.append({"outcome": name, **res})
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return table, results


def paired_compare(
    scenario: Any = DEFAULT_SCENARIO,
    policy_a: Any = DEFAULT_POLICY,
    policy_b: Any = "counter-trafficking",
    n: int = 200,
    seed: int = 0,
    days: int | None = None,
    params: Mapping[str, float] | None = None,
    with_events: bool = True,
    n_boot: int = 2000,
    batch: int = 50,
    progress: Any = None,
) -> Comparison:
    """Run A and B over the same ``n`` seeds and compare every outcome scalar.

    Returns a :class:`Comparison`, which unpacks as ``(table, results)``: a DataFrame with one row per
    outcome and a dict keyed by outcome holding ``a``, ``b``, ``diff`` (mean of b - a), ``ci_low``,
    ``ci_high`` (95% percentile bootstrap over seeds) and ``effect_size`` (paired Cohen's d_z).
    """
    _check_args(n, n_boot, batch)
    runs = run_paired(scenario, policy_a, policy_b, n=n, seed=seed, days=days, params=params,
                      with_events=with_events, batch=batch, progress=progress)  # fmt: skip
    table, results = summarize_paired(runs.outcomes_a, runs.outcomes_b, seed=seed, n_boot=n_boot)
    meta = {
        "scenario": runs.scenario, "policy_a": runs.policy_a, "policy_b": runs.policy_b, "n": len(runs.seeds),
        "seed": int(seed), "days": runs.days, "n_boot": int(n_boot),
    }  # fmt: skip
    return Comparison(table=table, results=results, runs=runs, meta=meta)


def forest_plot(table, path=None, title: str = "", top: int | None = 30, label_a: str = "A", label_b: str = "B",
                *, ax=None):
    """Forest plot of standardized paired differences (d_z with its bootstrap interval); returns the figure.

    Drawn on ``ax`` if given, else on a new figure; written to ``path`` when given.
    """
    from azalai.plotting import figure_for, save

    t = table.copy()
    t = t[(t["sd_diff"] > 0) | (t["diff"] != 0)]
    if top is not None and len(t) > top:
        t = t.reindex(t["effect_size"].abs().sort_values(ascending=False).index[:top])
    t = t.sort_values("effect_size")
    h = max(2.5, 0.28 * len(t) + 1.2)
    fig, ax = figure_for(ax, path, figsize=(7.5, h))
    y = np.arange(len(t))
    colors = ["#b2182b" if ex else "#555555" for ex in t["excludes_zero"]]
    ax.hlines(y, t["effect_low"], t["effect_high"], colors=colors, lw=2)
    ax.scatter(t["effect_size"], y, c=colors, zorder=3, s=22)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(t["outcome"], fontsize=8)
    ax.set_xlabel(f"standardized paired difference d_z, 95% bootstrap CI\n({label_b} minus {label_a})", fontsize=9)
    if title:
        ax.set_title(title, fontsize=10)
    if len(t) == 0:
        ax.text(0.5, 0.5, "no outcome differs", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    return save(fig, path, dpi=130, bbox_inches=None)
    return path
