"""Movement: armed actors enter places where an opportunity appears and leave when it is gone;
forces follow their force-size levers; fighters in transit are counted (docs/ODD.md §7.9)."""

from __future__ import annotations

import numpy as np
import pytest

from azalai.model.engine import prepare, run_prepared, simulate_batch, state_struct
from azalai.model.invariants import check_invariants
from azalai.model.jit import python_entry
from azalai.model.mechanisms import movement
from azalai.model.state import alloc_state
from azalai.model.world import ROLE_BARKHANE
from azalai.policy.schema import Policy

reallocate = python_entry(movement.reallocate)

FIXTURE = "tests/fixtures/mini.yaml"


def _step_weeks(prep, S, weeks, w0, setup=None):
    """Run the movement mechanism alone for some weeks (setup(S) before each week)."""
    Wr, Lr, Sr = prep.world_struct(), prep.levers_struct(), state_struct(S)
    for w in range(w0, w0 + weeks):
        if setup is not None:
            setup(S)
        reallocate(Wr, Sr, prep.params, Lr, 0, 7 * w, w)


def test_group_enters_where_an_opportunity_appears_and_leaves_when_it_is_gone():
    prep = prepare(FIXTURE, "baseline-2016", days=364)
    idx = prep.index
    hcua, v = idx.actors.index("hcua"), idx.places.index("in-khalil")
    S = alloc_state(prep.world, np.array([1]), prep.days, False)
    assert S.fighters[0, hcua, v] == 0.0
    # Nothing worth having at In Khalil (nobody lives there, no rents): HCUA does not go.
    _step_weeks(prep, S, 6, 0)
    assert S.fighters[0, hcua, v] + S.transit[0, hcua, v].sum() == 0.0

    def rents(S):
        S.place_rent_ema[0, v] = 5.0 * prep.params.rent_ref

    # Rents appear at the crossing: HCUA sends fighters, who arrive after travelling.
    _step_weeks(prep, S, 1, 6, rents)
    assert S.fighters[0, hcua, v] == 0.0 and S.transit[0, hcua, v].sum() > 0.0
    _step_weeks(prep, S, 8, 7, rents)
    assert S.fighters[0, hcua, v] >= prep.params.min_presence
    total = S.fighters[0, hcua].sum() + S.transit[0, hcua].sum()
    assert total == pytest.approx(prep.world.fighters0[hcua].sum())

    def gone(S):
        S.place_rent_ema[0, v] = 0.0

    _step_weeks(prep, S, 20, 15, gone)
    assert S.fighters[0, hcua, v] == 0.0
    assert S.fighters[0, hcua].sum() + S.transit[0, hcua].sum() == pytest.approx(total)


def test_entries_and_exits_are_logged_with_their_causes():
    prep = prepare("mali-2016", "baseline-2016", days=365)
    _, evs = simulate_batch(prep, [1, 2], with_events=True)
    ev = evs[0]
    mv = ev[ev.mechanism == "movement"]
    entered = mv[mv.sub_event_type == "Headquarters or base established"]
    left = mv[mv.sub_event_type == "Change to group/activity"]
    assert len(entered) > 0 and len(left) > 0
    assert (mv.event_type == "Strategic developments").all()
    assert entered.cause_json.str.contains('"place_value"').all()
    assert left.cause_json.str.contains('"better_place"').any()


def _force_strength(levers, days=365):
    pol = Policy(id="t", name="t", source="assumption: test", levers=levers)
    prep = prepare("mali-2016", pol, days=days)
    b = int(np.flatnonzero(prep.world.actor_role == ROLE_BARKHANE)[0])
    S = run_prepared(prep, [1, 2, 3])
    return (S.fighters[:, b].sum(axis=1) + S.transit[:, b].sum(axis=(1, 2))).mean(), prep.world.fighters0[b].sum()


def test_force_size_follows_its_lever():
    base, start = _force_strength({})
    up, _ = _force_strength({"barkhane_troops": 2.0})
    down, _ = _force_strength({"barkhane_troops": 0.5})
    assert down < 0.6 * start < base < 1.1 * start < 1.8 * start < up


def test_fighters_in_transit_keep_the_population_conserved():
    prep = prepare("mali-2016", "baseline-2016", days=120)
    S = run_prepared(prep, [4, 5], check=True)  # checks the invariants every day
    check_invariants(prep.world, S)
    from azalai.model.events import M_MOVEMENT

    for r in range(2):
        assert (S.ev_mech[r, : S.ev_n[r]] == M_MOVEMENT).sum() > 0, "nobody moved: the check proved nothing"


def test_route_distances_are_symmetric_bit_for_bit():
    """The rent's reach (valuation.rent_reach) reads a place's row of the distances as its column."""
    from azalai.scenario.loader import load_scenario
    from azalai.scenario.synth import synth_scenario

    for sc in (load_scenario("mali-2016"), synth_scenario(load_scenario("mali-2016"), 3)):
        d = prepare(sc, "baseline-2016", days=7).world.dist_km
        assert np.array_equal(d, d.T)
