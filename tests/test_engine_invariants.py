"""The model's invariants hold every day under several policies, and the checker catches violations."""

from __future__ import annotations

import numpy as np
import pytest

from azalai.model.engine import outcomes_of, prepare, run_prepared
from azalai.model.invariants import InvariantError, check_invariants
from azalai.model.state import ACC, SRC_RENT
from azalai.model.world import KIND_JIHADIST, KIND_SIGNATORY


POLICIES = ["baseline-2016", "counter-trafficking", "counter-terrorism", "restraint", "political-track"]


@pytest.mark.parametrize("policy", POLICIES)
def test_invariants_hold_every_day(policy: str) -> None:
    prep = prepare("mali-2016", policy, days=365)
    S = run_prepared(prep, [11, 12], check=True)  # raises InvariantError on the first bad day
    for r in range(2):
        o = outcomes_of(prep, S, r)
        assert all(np.isfinite(v) for v in o.values())
        assert o["fatalities"] >= 0 and o["events"] > 0
    check_invariants(prep.world, S)


@pytest.fixture(scope="module")
def ran():
    prep = prepare("mali-2016", "counter-trafficking", days=120)
    S = run_prepared(prep, [5], record=False)
    check_invariants(prep.world, S)  # the untouched state passes
    return prep, S


def _copy(S):
    return type(S)(*[a.copy() if isinstance(a, np.ndarray) else a for a in S])


def _local_actor(prep) -> int:
    w = prep.world
    return int(next(a for a in range(len(w.actor_kind)) if w.actor_kind[a] in (KIND_SIGNATORY, KIND_JIHADIST)))


def test_copy_of_state_passes(ran) -> None:
    prep, S = ran
    check_invariants(prep.world, _copy(S))


def test_detects_negative_fighters(ran) -> None:
    prep, S = ran
    bad = _copy(S)
    a = _local_actor(prep)
    v = int(np.argmax(bad.fighters[0, a]))
    bad.fighters[0, a, v] = -5.0
    with pytest.raises(InvariantError, match="negative fighters"):
        check_invariants(prep.world, bad, day=3)


def test_detects_nan(ran) -> None:
    prep, S = ran
    bad = _copy(S)
    bad.cash[0, 0] = np.nan
    with pytest.raises(InvariantError, match="NaN in cash"):
        check_invariants(prep.world, bad)


def test_detects_money_leak(ran) -> None:
    prep, S = ran
    assert S.acc[0, ACC["rent_paid"]] > 0, "no rent was paid: the money check would be vacuous"
    bad = _copy(S)
    a = _local_actor(prep)
    bad.income[0, a, SRC_RENT] += 0.01 * S.acc[0, ACC["rent_paid"]] + 100.0  # money from nowhere
    with pytest.raises(InvariantError, match="money not conserved"):
        check_invariants(prep.world, bad)
    bad = _copy(S)
    bad.acc[0, ACC["rent_paid"]] *= 1.05  # money paid that nobody received
    with pytest.raises(InvariantError, match="money not conserved"):
        check_invariants(prep.world, bad)


def test_detects_population_change(ran) -> None:
    prep, S = ran
    bad = _copy(S)
    c, v = np.unravel_index(int(np.argmax(bad.pop[0])), bad.pop[0].shape)
    bad.pop[0, c, v] += 250.0  # people appear from nowhere
    with pytest.raises(InvariantError, match="population not conserved"):
        check_invariants(prep.world, bad)
    bad = _copy(S)
    a = _local_actor(prep)
    v = int(np.argmax(bad.fighters[0, a]))
    bad.fighters[0, a, v] *= 0.5  # fighters vanish without being counted dead or demobilised
    with pytest.raises(InvariantError, match="population not conserved"):
        check_invariants(prep.world, bad)


def test_detects_shares_out_of_range(ran) -> None:
    prep, S = ran
    bad = _copy(S)
    bad.support[0, 0, 0] = 1.5
    with pytest.raises(InvariantError, match="support outside"):
        check_invariants(prep.world, bad)
    bad = _copy(S)
    bad.coop[0, 0, 0] = -0.2
    with pytest.raises(InvariantError, match="coop outside"):
        check_invariants(prep.world, bad)


def test_detects_violation_in_second_replicate() -> None:
    prep = prepare("mali-2016", "baseline-2016", days=30)
    S = run_prepared(prep, [1, 2], record=False)
    bad = _copy(S)
    bad.pop[1, 0, int(np.argmax(bad.pop[1, 0]))] -= 40.0
    with pytest.raises(InvariantError, match=r"replicate 1"):
        check_invariants(prep.world, bad)


def _reported_and_actual_deaths(prep, seeds):
    """Fatalities in the event log, and people who actually died (fighters of every side, civilians)."""
    from azalai.model.world import KIND_INTERNATIONAL, KIND_STATE

    S = run_prepared(prep, seeds)
    w = prep.world
    forces = np.isin(w.actor_kind, [KIND_STATE, KIND_INTERNATIONAL])  # they neither recruit nor demobilise
    # ... but are reinforced (losses replaced) and drawn down by their force-size levers, and travel.
    forces_lost = (w.fighters0[forces].sum() - S.fighters[:, forces].sum(axis=(1, 2))
                   - S.transit[:, forces].sum(axis=(1, 2, 3))
                   + S.acc[:, ACC["force_reinforced"]] - S.acc[:, ACC["force_withdrawn"]])
    actual = S.acc[:, ACC["local_fighter_deaths"]] + forces_lost + S.acc[:, ACC["civilian_deaths_pop"]]
    return S.acc[:, ACC["fatalities"]], actual


def test_reported_fatalities_are_people_who_died() -> None:
    days = 365
    prep = prepare("mali-2016", "counter-trafficking", days=days)
    prep.levers = prep.levers._replace(sweeps=np.zeros(days))  # sweeps hold fighters without a fatality
    # Heavy tails within the registry's plausible ranges make draws larger than the forces present.
    prep.params = prep.params._replace(fatality_alpha=1.1, fatality_scale=4.0, op_fatality_scale=5.0)
    reported, actual = _reported_and_actual_deaths(prep, list(range(8)))
    assert reported.sum() > 0
    np.testing.assert_allclose(reported, actual, rtol=0.02, atol=2.0)


@pytest.mark.parametrize("name", ["area_neighbour_weight"])
def test_range_ends_run_and_hold_invariants(name: str) -> None:
    """Every value of a parameter's declared range is a valid model: its low end runs cleanly
    (a zero neighbour weight once listed the same places again and again, past the end of the list)."""
    from azalai.model.params import spec

    prep = prepare("mali-2016", "baseline-2016", 60, {name: spec(name).low})
    S = run_prepared(prep, [1], check=True)
    assert S.ev_n[0] > 0
    assert np.isfinite(S.fighters).all()
