"""The numba engine and the Mesa reference implementation agree on the main outcomes.

Both implement docs/ODD.md from the same scenario, policy and parameter values, with different
random streams, so agreement is statistical: 30 seeds each, one year, default scenario and policy.

Tolerances, per main outcome (fatalities, signatory clashes, seizures, jihadist strength):

* |SMD| < 0.35 — the standardised mean difference (difference of means over the pooled standard
  deviation). With 30 seeds per side, the standard error of the SMD of two identical distributions
  is about sqrt(2/30) = 0.26, so 0.35 is ~1.4 standard errors: tight enough to catch a mechanism
  that is missing or mis-scaled (those shift means by one standard deviation or more in our
  checks), loose enough that a correct pair of implementations fails rarely.
* two-sample Kolmogorov-Smirnov p > 0.01 — catches differences of shape (e.g. a broken
  heavy tail) that leave the mean alone.
* signatory clashes are a low count (a few per year): for them the SMD bound is replaced by a
  relative mean difference within 35 % or an absolute one within 1.5 clashes, because at such counts
  the Poisson noise of 30 seeds alone moves the mean by ~15-20 %; the KS test still applies.

The seeds are fixed, so the test is deterministic for a given engine, reference and parameter set.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

N = 30
DAYS = 365
SEEDS = list(range(5000, 5000 + N))

pytestmark = pytest.mark.xdist_group("engine")


@pytest.fixture(scope="module")
def compared():
    pytest.importorskip("mesa")
    from agreement import compare, run_engine, run_reference

    eng = run_engine("mali-2016", "baseline-2016", SEEDS, DAYS)
    ref = run_reference("mali-2016", "baseline-2016", SEEDS, DAYS, workers=1)
    return {r["outcome"]: r for r in compare(eng, ref)}


@pytest.mark.parametrize("outcome", ["fatalities", "seizures", "jihadist_strength"])
def test_main_outcomes_agree(compared, outcome):
    r = compared[outcome]
    assert abs(r["smd"]) < 0.35, r
    assert r["ks_p"] > 0.01, r


def test_signatory_clashes_agree(compared):
    r = compared["signatory_clashes"]
    diff = abs(r["engine_mean"] - r["mesa_mean"])
    assert abs(r["rel_diff"]) < 0.35 or diff < 1.5, r
    assert r["ks_p"] > 0.01, r


def test_same_outcome_keys(compared):
    for k in ("fatalities", "fatalities_civilian", "signatory_clashes", "clashes", "attacks", "seizures",
              "trafficking_transited", "trafficking_seized", "jihadist_strength", "tips", "false_tips_acted",
              "misdirected_ops", "detentions", "accord_failed"):
        assert k in compared
