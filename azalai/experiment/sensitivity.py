"""Global sensitivity analysis with SALib: Sobol indices and Morris elementary effects.

The problem (names and bounds) comes from the parameter registry's plausible ranges. The analysis
takes any *evaluator*: a callable mapping an (n_samples, n_params) matrix to outcome values, either
a 1-D array or a data frame with one column per outcome. :func:`model_evaluator` builds the evaluator
that runs the model through the ensemble executors (each sample a batch of ``replicates`` seeds,
the same seeds for every sample: common random numbers); an analytical function such as Ishigami
goes through exactly the same sampling and analysis code.

Default parameters (:data:`DEFAULT_PARAMS`): the ten coefficients that are both weakly constrained
(their source is an assumption, or a seed quote with no number) and close to the questions planners
ask: rents and route choice (``rent_rate``, ``risk_aversion``), what drives clashes between signatories
(``stake_weight``, ``aggression_weight``, ``tension_threshold``, ``accord_restraint``), false tips
(``lie_base``, ``lie_rivalry``) and who gets pushed toward armed groups (``support_grievance``,
``misdirected_grievance``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from azalai.defaults import DEFAULT_SCENARIO
from azalai.errors import InputError, Problem

DEFAULT_PARAMS = [
    "rent_rate", "risk_aversion", "stake_weight", "aggression_weight", "tension_threshold", "accord_restraint",
    "lie_base", "lie_rivalry", "support_grievance", "misdirected_grievance",
]
DEFAULT_OUTCOMES = ["fatalities", "signatory_clashes", "jihadist_support", "false_tip_share_acted"]

Evaluator = Callable[[np.ndarray], Any]


def problem_from_registry(names: Sequence[str] | None = None) -> dict[str, Any]:
    """A SALib problem over registry parameters, bounded by their plausible ranges."""
    from azalai.model.params import spec

    names = list(names or DEFAULT_PARAMS)
    if len(set(names)) != len(names):
        raise InputError(Problem("<arguments>", None, None, "params", "a parameter is listed twice"))
    specs = [spec(n) for n in names]  # unknown names raise InputError with a suggestion
    for s in specs:
        if not s.high > s.low:
            raise InputError(Problem("<arguments>", None, None, s.name, "has an empty range"))
    return {"num_vars": len(specs), "names": names, "bounds": [[s.low, s.high] for s in specs]}


def _as_frame(y: Any, n: int):
    import pandas as pd

    if isinstance(y, pd.DataFrame):
        return y.reset_index(drop=True)
    arr = np.asarray(y, dtype=float)
    if arr.ndim == 1:
        return pd.DataFrame({"y": arr})
    return pd.DataFrame(arr, columns=[f"y{i}" for i in range(arr.shape[1])])


def model_evaluator(
    scenario: Any = DEFAULT_SCENARIO,
    policy: Any = None,
    names: Sequence[str] | None = None,
    outcomes: Sequence[str] | None = None,
    replicates: int = 2,
    days: int | None = 365,
    seed: int = 0,
    params: Mapping[str, float] | None = None,
    backend: str = "serial",
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluator:
    """An evaluator running the model: the mean of each outcome over ``replicates`` seeds per sample."""
    from azalai.experiment.ensemble import run_ensemble

    names = list(names or DEFAULT_PARAMS)
    outs = list(outcomes or DEFAULT_OUTCOMES)
    R = int(replicates)
    if R < 1:
        raise InputError(Problem("<arguments>", None, None, "replicates", "must be at least 1"))

    def evaluate(X: np.ndarray):
        X = np.atleast_2d(np.asarray(X, dtype=float))
        samples = [{k: float(v) for k, v in zip(names, row)} for row in X for _ in range(R)]
        seeds = [seed + r for _ in range(len(X)) for r in range(R)]
        df, _ = run_ensemble(scenario, policy, n=len(samples), days=days, params=params, backend=backend,
                             workers=workers, param_samples=samples, seeds=seeds, batch_size=max(R, 1),
                             progress=progress)
        missing = [o for o in outs if o not in df.columns]
        if missing:
            raise InputError(Problem("<arguments>", None, None, "outcome", f"unknown outcome(s): {', '.join(missing)}"))
        df = df.sort_values("replicate")
        sample = np.repeat(np.arange(len(X)), R)
        return df[outs].groupby(sample).mean().reset_index(drop=True)

    evaluate.outcomes = outs  # type: ignore[attr-defined]
    return evaluate


def sobol(problem: Mapping[str, Any], evaluator: Evaluator, N: int = 64, seed: int = 0,
          second_order: bool = False, conf_level: float = 0.95, resamples: int = 200):
    """First-order and total Sobol indices (Saltelli/Sobol' sampling, N base samples: N*(D+2) runs).

    Returns a long data frame: outcome, parameter, S1, S1_conf, ST, ST_conf (conf = half-width of the
    ``conf_level`` bootstrap interval), and the samples and outputs in ``attrs``.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if N < 2 or (N & (N - 1)) != 0:
        raise InputError(Problem("<arguments>", None, None, "N", f"must be a power of two >= 2 for Sobol (got {N})"))
    X = sobol_sample.sample(dict(problem), N, calc_second_order=second_order, seed=seed)
    keys = ("S1", "S1_conf", "ST", "ST_conf")

    def analyze(y):
        if np.allclose(y, y[0]):
            return {k: np.zeros(problem["num_vars"]) for k in keys}
        return sobol_analyze.analyze(dict(problem), y, calc_second_order=second_order, conf_level=conf_level,
                                     num_resamples=resamples, seed=seed, print_to_console=False)

    return _indices(problem, evaluator, X, keys, analyze, "sobol", N)


def morris(problem: Mapping[str, Any], evaluator: Evaluator, N: int = 10, num_levels: int = 4, seed: int = 0,
           conf_level: float = 0.95, resamples: int = 200):
    """Morris elementary effects: N trajectories, N*(D+1) runs. Columns mu, mu_star, sigma, mu_star_conf."""
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    if N < 2:
        raise InputError(Problem("<arguments>", None, None, "N", f"Morris needs at least 2 trajectories (got {N})"))
    X = morris_sample.sample(dict(problem), N, num_levels=num_levels, seed=seed)

    def analyze(y):
        return morris_analyze.analyze(dict(problem), X, y, num_levels=num_levels, conf_level=conf_level,
                                      num_resamples=resamples, seed=seed, print_to_console=False)

    return _indices(problem, evaluator, X, ("mu", "mu_star", "sigma", "mu_star_conf"), analyze, "morris", N)


def _indices(problem, evaluator, X, keys, analyze, method: str, N: int):
    """Run the sample ``X`` and analyse each outcome with ``analyze(y)``: one row per outcome and
    parameter with the indices ``keys``; the method, samples and outputs in ``attrs``."""
    import pandas as pd

    Y = _as_frame(evaluator(X), len(X))
    rows = []
    for col in Y.columns:
        res = analyze(Y[col].to_numpy(dtype=float))
        for i, name in enumerate(problem["names"]):
            rows.append({"outcome": col, "parameter": name, **{k: float(res[k][i]) for k in keys}})
    df = pd.DataFrame(rows)
    df.attrs.update(method=method, N=N, runs=len(X), X=X, Y=Y)
    return df


def to_markdown(df) -> str:
    """A Markdown table of indices (no optional dependency)."""
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for _, r in df.iterrows():
        cells = [f"{v:.4g}" if isinstance(v, (float, np.floating)) else str(v) for v in r.tolist()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot_indices(df, path: Path | None = None):
    """Bar chart of the indices with their confidence intervals, one panel per outcome; returns the figure.

    Written to ``path`` when given.
    """
    from azalai.plotting import save, subplots

    method = df.attrs.get("method", "sobol" if "S1" in df.columns else "morris")
    outs = list(dict.fromkeys(df["outcome"]))
    fig, axes = subplots(len(outs), 1, interactive=path is None, figsize=(8, 2.8 * len(outs) + 0.6), squeeze=False)
    for ax, o in zip(axes[:, 0], outs):
        d = df[df["outcome"] == o]
        x = np.arange(len(d))
        if method == "sobol":
            ax.bar(x - 0.2, d["S1"], 0.4, yerr=d["S1_conf"], capsize=3, label="first order S1")
            ax.bar(x + 0.2, d["ST"], 0.4, yerr=d["ST_conf"], capsize=3, label="total ST")
            ax.set_ylabel("index")
        else:
            ax.bar(x - 0.2, d["mu_star"], 0.4, yerr=d["mu_star_conf"], capsize=3, label="mu* (mean |effect|)")
            ax.bar(x + 0.2, d["sigma"], 0.4, label="sigma (interactions, non-linearity)")
            ax.set_ylabel("elementary effect")
        ax.set_xticks(x)
        ax.set_xticklabels(d["parameter"], rotation=30, ha="right", fontsize=8)
        ax.set_title(o, fontsize=10)
        ax.axhline(0, color="black", lw=0.5)
        ax.legend(fontsize=7)
    fig.suptitle(f"{method.capitalize()} sensitivity (bars: {int(100 * 0.95)}% confidence intervals)", fontsize=10)
    fig.tight_layout()
    return save(fig, path, dpi=120, bbox_inches=None)


def write_results(df, out_dir: str | Path) -> dict[str, Path]:
    """Write ``<method>_indices.csv``, ``.md`` and ``.png`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    method = df.attrs.get("method", "sobol")
    csv = out / f"{method}_indices.csv"
    md = out / f"{method}_indices.md"
    png = out / f"{method}_indices.png"
    df.to_csv(csv, index=False)
    head = f"# {method.capitalize()} indices\n\n{df.attrs.get('runs', '?')} parameter samples"
    if "replicates" in df.attrs:
        head += f" x {df.attrs['replicates']} replicates, {df.attrs.get('days')} days"
    md.write_text(head + "\n\n" + to_markdown(df), encoding="utf-8")
    plot_indices(df, png)
    return {"csv": csv, "md": md, "png": png}
