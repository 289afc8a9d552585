"""States of the world: draws, how they reach the engine, and paired runs across them."""

import numpy as np
import pytest

from azalai.errors import InputError
from azalai.experiment.worlds import (INFLUENTIAL, Arm, World, paired_differences, prepare_arm, run_paired,
                                      sample_worlds, scenario_ranges)
from azalai.model.params import spec


def test_same_seed_same_worlds_other_seed_other_worlds():
    a = sample_worlds(n=12, seed=4).features()
    b = sample_worlds(n=12, seed=4).features()
    c = sample_worlds(n=12, seed=5).features()
    assert a.equals(b)
    assert not a.equals(c)


def test_sources_have_their_own_streams_and_stay_in_range():
    full = sample_worlds(n=20, seed=1)
    scen = sample_worlds(sources=("scenario",), n=20, seed=1)
    # the scenario draws do not move when other sources are added
    for w_full, w_s in zip(full.worlds, scen.worlds):
        assert w_full.scenario == w_s.scenario
        assert w_s.params == {}
    for key, (lo, mid, hi) in full.ranges.items():
        col = full.features()[key]
        assert col.min() >= lo - 1e-12 and col.max() <= hi + 1e-12, key
    # influential parameters span their range with the median at the point value
    col = full.features()["stake_weight"]
    s = spec("stake_weight")
    assert col.min() < s.default < col.max()
    assert set(INFLUENTIAL) <= set(full.features().columns)


def test_point_world_holds_everything_at_its_value():
    pw = sample_worlds(n=50, seed=1, point=True)
    assert len(pw) == 1 and pw.worlds[0].params == {} and pw.worlds[0].scenario == {}
    assert sample_worlds(sources=(), n=5).point


def test_unknown_source_is_an_input_error():
    with pytest.raises(InputError, match="unknown source"):
        sample_worlds(sources=("posterior", "astrology"), n=3)


def test_scenario_draws_reach_the_engine_world():
    W = sample_worlds(sources=("scenario",), n=3, seed=2)
    sc = W.scenario
    w = W.worlds[1]
    prep = prepare_arm(sc, w, Arm("baseline-2016"), 30)
    base = prepare_arm(sc, World(0), Arm("baseline-2016"), 30)
    comms = [c.id for c in sc.communities]
    for i, cid in enumerate(comms):
        key = f"{cid}.trafficking_dependence"
        if key in w.scenario:
            assert prep.world.comm_dep[i] == pytest.approx(w.scenario[key])
    actors = [a.id for a in sc.actors]
    for i, aid in enumerate(actors):
        f = w.scenario.get(f"{aid}.fighters")
        if f is not None:
            assert prep.world.fighters0[i].sum() == pytest.approx(base.world.fighters0[i].sum() * f)
        if f"{aid}.cash" in w.scenario:
            assert prep.world.cash0[i] == pytest.approx(w.scenario[f"{aid}.cash"])
    assert len(scenario_ranges(sc)) > 20


def test_switched_off_term_is_zero_even_below_its_range():
    sc = sample_worlds(n=1, point=True).scenario
    assert spec("risk_learning").low > 0
    prep = prepare_arm(sc, World(0, {"risk_aversion": 2.0}), Arm("counter-trafficking", off=("risk_learning",)), 30)
    assert prep.params.risk_learning == 0.0 and prep.params.risk_aversion == 2.0
    with pytest.raises(InputError):
        prepare_arm(sc, World(0), Arm("counter-trafficking", off=("risk_lerning",)), 30)


def test_arm_overrides_the_world():
    sc = sample_worlds(n=1, point=True).scenario
    prep = prepare_arm(sc, World(0, {"stake_weight": 4.0}), Arm("baseline-2016", {"stake_weight": 1.0}), 30)
    assert prep.params.stake_weight == 1.0


def test_paired_runs_identical_arms_differ_by_exactly_zero_and_worlds_differ():
    W = sample_worlds(n=3, seed=7)
    df = run_paired(W, {"a": Arm("counter-trafficking"), "b": Arm("counter-trafficking")}, seeds=[0, 1, 2],
                    days=240, outcomes=["fatalities", "seizures"])
    assert len(df) == 3 * 2 * 3
    d = paired_differences(df, "a", "b", "fatalities")
    assert d.shape == (3, 3) and np.all(d.to_numpy() == 0.0)
    # the worlds are really different: same seeds, different outcomes
    per_world = df[df.arm == "a"].groupby("world")["seizures"].sum()
    assert per_world.nunique() > 1


def test_paired_runs_do_not_depend_on_workers():
    W = sample_worlds(n=2, seed=9)
    arms = [Arm("counter-terrorism"), Arm("counter-trafficking", off=("aggression_weight",))]
    one = run_paired(W, arms, seeds=[3, 4], days=120, outcomes=["fatalities", "signatory_clashes"])
    two = run_paired(W, arms, seeds=[3, 4], days=120, outcomes=["fatalities", "signatory_clashes"], workers=2)
    assert one.equals(two)
