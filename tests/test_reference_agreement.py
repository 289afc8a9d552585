"""The numba engine and the Mesa reference implementation agree on the main outcomes.

Both implement docs/ODD.md from the same scenario, policy and parameter values, with different
random streams, so agreement is statistical: default scenario and policy, one year, 40 Mesa runs
against 400 engine runs (engine runs cost milliseconds; the extra ones shrink the noise for free).

Tolerances, per main outcome (fatalities, signatory clashes, seizures, jihadist strength):

* |SMD| < 0.5 — the standardised mean difference (difference of means over the pooled standard
  deviation). Under identical distributions its standard error here is sqrt(1/40 + 1/400) = 0.17, so
  0.5 is three standard errors (a false failure about 0.3 % of the time per outcome), while a
  missing or mis-scaled mechanism moves the main outcomes by a standard deviation or more.
  (A bound of 0.35 at 30 against 30 runs, SE 0.26, failed falsely on one outcome in about five
  draws: seizures agreed at SMD -0.03 over 80 other seeds while one 30-seed draw gave -0.59.)
* two-sample Kolmogorov-Smirnov p > 0.01 — catches differences of shape (e.g. a broken heavy
  tail) that leave the mean alone.
* signatory clashes are a low count (about one a year under the current calibration): for them the
  SMD bound is replaced by a relative mean difference within 35 % or an absolute one within 1.5
  clashes a year, since at such counts the mean is mostly Poisson noise; the KS test still applies.

The seeds are fixed, so the test is deterministic for a given engine, reference and parameter set.
The full comparison (200 against 200 runs, two years, every outcome) is ``benchmarks/agreement.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

N_MESA = 40
N_ENGINE = 400
DAYS = 365
SEEDS = list(range(5000, 5000 + N_ENGINE))

pytestmark = pytest.mark.xdist_group("engine")


@pytest.fixture(scope="module")
def compared():
    pytest.importorskip("mesa")
    from agreement import compare, run_engine, run_reference

    eng = run_engine("mali-2016", "baseline-2016", SEEDS, DAYS)
    ref = run_reference("mali-2016", "baseline-2016", SEEDS[:N_MESA], DAYS, workers=1)
    return {r["outcome"]: r for r in compare(eng, ref)}


@pytest.mark.parametrize("outcome", ["fatalities", "seizures", "jihadist_strength"])
def test_main_outcomes_agree(compared, outcome):
    r = compared[outcome]
    assert abs(r["smd"]) < 0.5, r
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
