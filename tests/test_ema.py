"""The EMA Workbench connector: registry uncertainties, policy levers, outcome scalars."""

from __future__ import annotations

import logging

import numpy as np
import pytest

ema = pytest.importorskip("ema_workbench")

from azalai.ema import azalai_model, make_model, policy_with_levers  # noqa: E402
from azalai.model.params import registry  # noqa: E402
from azalai.policy.schema import LEVERS  # noqa: E402

UNC = ["rent_rate", "clash_base", "lie_rivalry"]
LEV = ["barkhane_focus", "vetting", "release_delay_days"]


def test_model_declares_registry_and_levers() -> None:
    m = make_model()
    names = {u.name for u in m.uncertainties}
    assert names == {p.name for p in registry() if p.high > p.low}
    u = m.uncertainties["rent_rate"]
    assert (u.lower_bound, u.upper_bound) == (0.01, 0.10)
    assert {lv.name for lv in m.levers} == {lv.name for lv in LEVERS}
    assert isinstance(m.levers["release_delay_days"], ema.IntegerParameter)
    assert "fatalities" in {o.name for o in m.outcomes}


def test_perform_experiments() -> None:
    logging.getLogger("EMA").setLevel(logging.WARNING)
    model = make_model(days=45, uncertainties=UNC, levers=LEV, outcomes=["fatalities", "signatory_clashes"])
    experiments, outcomes = ema.perform_experiments(model, scenarios=3, policies=2)
    assert len(experiments) == 6
    assert set(outcomes) == {"fatalities", "signatory_clashes"}
    assert outcomes["fatalities"].shape == (6,)
    # an experiment equals a direct run with the same values
    row = experiments.iloc[4]
    direct = azalai_model(days=45, outcome_names=("fatalities",),
                          **{k: (int(row[k]) if k == "release_delay_days" else float(row[k])) for k in UNC + LEV})
    assert direct["fatalities"] == outcomes["fatalities"][4]


def test_replicator_model() -> None:
    logging.getLogger("EMA").setLevel(logging.WARNING)
    model = make_model(days=45, uncertainties=UNC[:2], levers=LEV[:1], outcomes=["fatalities"], replications=3)
    experiments, outcomes = ema.perform_experiments(model, scenarios=2, policies=1)
    assert np.asarray(outcomes["fatalities"]).shape == (2,)
    row = experiments.iloc[1]
    runs = [azalai_model(days=45, seed=s, outcome_names=("fatalities",),
                         **{k: float(row[k]) for k in UNC[:2] + LEV[:1]})["fatalities"] for s in range(3)]
    assert outcomes["fatalities"][1] == pytest.approx(np.mean(runs), rel=1e-12)


def test_policy_with_levers() -> None:
    pol = policy_with_levers("counter-trafficking-from-october", {"barkhane_focus": 0.25})
    assert pol.lever_values()["barkhane_focus"] == 0.25
    assert all(ch.levers.barkhane_focus is None for ch in pol.changes)
