"""HTML views of results for Jupyter: the ``_repr_html_`` of runs, ensembles, comparisons and validations.

Each function returns a small self-contained HTML fragment (a heading line and a table) built with
pandas; the result classes call them, so ``azalai.ensemble(...)`` as the last line of a notebook cell
shows a table instead of a repr. The key outcomes are the declared ones (``azalai/model/outcomes.yaml``).
"""

from __future__ import annotations

import html
import math
from typing import Any, Mapping

import pandas as pd

from azalai.model.outcomes import describe, key_outcomes


def _head(text: str) -> str:
    return f"<p><b>{html.escape(text)}</b></p>"


def _table(df: pd.DataFrame) -> str:
    return df.to_html(float_format=lambda x: f"{x:,.4g}", border=0, na_rep="–")


def _outcome_index(names) -> pd.Index:
    return pd.Index(list(names), name="outcome")


def run_html(seed: int, outcomes: Mapping[str, float], meta: Mapping[str, Any]) -> str:
    """One replicate: its key outcomes."""
    keys = [k for k in key_outcomes() if k in outcomes]
    df = pd.DataFrame({"value": [float(outcomes[k]) for k in keys], "meaning": [describe(k) for k in keys]},
                      index=_outcome_index(keys))  # fmt: skip
    head = f"run of {meta.get('scenario', '?')} under {meta.get('policy', '?')}, seed {seed}, {meta.get('days', '?')} days"
    return _head(head) + _table(df)


def ensemble_html(outcomes: pd.DataFrame, run_id: str | None) -> str:
    """An ensemble: mean and 5/50/95% quantiles of each key outcome across replicates."""
    keys = [k for k in key_outcomes() if k in outcomes.columns]
    q = outcomes[keys].astype(float)
    df = pd.DataFrame({"mean": q.mean(), "5%": q.quantile(0.05), "median": q.median(), "95%": q.quantile(0.95)})
    df.index = _outcome_index(keys)
    stored = f", stored as {run_id}" if run_id else ", not stored"
    return _head(f"ensemble of {len(outcomes)} replicates{stored}") + _table(df)


def comparison_html(table: pd.DataFrame, meta: Mapping[str, Any]) -> str:
    """A paired comparison: key outcomes and every outcome whose CI excludes 0."""
    keys = set(key_outcomes())
    t = table[table["outcome"].isin(keys) | table["excludes_zero"]]
    df = pd.DataFrame({"A": t["a"].to_numpy(), "B": t["b"].to_numpy(), "B - A": t["diff"].to_numpy(),
                       "CI low": t["ci_low"].to_numpy(), "CI high": t["ci_high"].to_numpy(),
                       "d_z": t["effect_size"].to_numpy(), "CI excludes 0": t["excludes_zero"].to_numpy()},
                      index=_outcome_index(t["outcome"]))  # fmt: skip
    head = (f"B = {meta.get('policy_b')} vs A = {meta.get('policy_a')}: {meta.get('n')} paired runs of "
            f"{meta.get('days')} days, 95% bootstrap CIs")  # fmt: skip
    return _head(head) + _table(df)


def validation_html(result: Mapping[str, Any]) -> str:
    """A validation: the headline statistics of model against observed data."""
    a, sp = result["annual_rate"], result["regions"]["spearman"]
    cov = result["monthly"]["coverage"]
    es = result["event_sizes"]

    def num(x) -> float:
        return float("nan") if x is None or (isinstance(x, float) and not math.isfinite(x)) else float(x)

    rows = [
        ("fatalities per year", num(a["observed"]), num(a["model_median"]), num(a["model_lo"]), num(a["model_hi"])),
        ("regional Spearman rho", float("nan"), num(sp["median"]), num(sp["lo"]), num(sp["hi"])),
        ("monthly coverage of the 90% band", float("nan"), num(cov), float("nan"), float("nan")),
        ("event-size tail exponent", num(es["observed_tail"]["alpha"]), num(es["model_tail"]["alpha"]),
         float("nan"), float("nan")),
    ]  # fmt: skip
    df = pd.DataFrame(rows, columns=["statistic", "observed", "model", "model 5%", "model 95%"]).set_index("statistic")
    head = (f"{result['observed']} {result['period']['start']} to {result['period']['end']}, "
            f"{result['replicates']} replicates")
    return _head(head) + _table(df)
