"""The tips' static table (mechanisms/intelligence.py ``related_bases``): per community and actor, whether a
base community of the actor has a relation with the community, as numpy finds it. Where it says no, the
communal part of the informant's rivalry with that actor is an exact zero and the tips skip it."""

from __future__ import annotations

import numpy as np
import pytest

from azalai.model.engine import prepare
from azalai.model.mechanisms.intelligence import related_bases
from azalai.model.mechanisms.trafficking import base_list_size, base_lists
from azalai.scenario.loader import load_scenario
from azalai.scenario.synth import synth_scenario


@pytest.mark.parametrize("scale", [1, 3])
def test_related_bases_match_numpy(scale: int) -> None:
    prep = prepare(synth_scenario(load_scenario("mali-2016"), scale), "baseline-2016", days=7)
    W = prep.world_struct()
    base = np.empty(base_list_size(W), dtype=np.int64)
    base_lists(W, base)
    C, A = prep.world.comm_rel.shape[0], prep.world.base_w.shape[0]
    crel = np.empty((C, A), dtype=np.bool_)
    related_bases(W, base, crel)
    want = (prep.world.comm_rel != 0.0).astype(np.int64) @ (prep.world.base_w != 0.0).T.astype(np.int64) > 0
    assert np.array_equal(crel, want)
    assert crel.any() and not crel.all()  # both cases occur in the scenario
