"""Summaries of an ensemble's outcomes, and the names of the outcomes a run reports."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from azalai.defaults import DEFAULT_SCENARIO

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def summarise(df, outcomes: Sequence[str] | None = None) -> dict[str, dict[str, float]]:
    """Mean and 5/25/50/75/95% quantiles of each outcome column."""
    cols = [c for c in (outcomes or df.columns) if c not in ("replicate", "seed")]
    out: dict[str, dict[str, float]] = {}
    for c in cols:
        s = df[c].astype(float)
        d = {"mean": float(s.mean())}
        for q in QUANTILES:
            d[f"q{int(round(q * 100)):02d}"] = float(s.quantile(q))
        out[c] = d
    return out


def outcome_names(scenario: Any = DEFAULT_SCENARIO, policy: Any = None) -> list[str]:
    """The names of the per-run outcome scalars (read from a fresh state: nothing is simulated)."""
    from azalai.model.engine import outcomes_of, prepare
    from azalai.model.state import alloc_state

    prep = prepare(scenario, policy, 1)
    S = alloc_state(prep.world, np.asarray([0]), 1, False)
    return list(outcomes_of(prep, S, 0))
