"""A fixture world for the land mechanism (docs/ODD.md §7.11): Ténenkou alone, in the Inner Niger Delta."""

from __future__ import annotations

import numpy as np

from azalai.model.engine import prepare, state_struct
from azalai.model.jit import python_entry
from azalai.model.mechanisms import land
from azalai.model.params import make_params
from azalai.model.state import alloc_state

land_disputes = python_entry(land.land_disputes)
WEEK = 7


def tenenkou_alone(post: float, jihadists: float = 100.0, weeks: int = 52, before=None, **params):
    """Weekly land disputes at Ténenkou only: the built-in scenario's people there and nowhere else,
    Katiba Macina (based on the Fulani herders) present with ``jihadists`` fighters, a FAMa post of
    ``post``; ``before(prep, S, v)`` may change the state before the first week. Returns (prep, S, v)."""
    prep = prepare("mali-2016", "baseline-2016", days=366, params=make_params()._replace(**params))
    idx = prep.index
    S = alloc_state(prep.world, np.array([7]), prep.days, False)
    Wr, Lr, Sr = prep.world_struct(), prep.levers_struct(), state_struct(S)
    v, km, s = idx.places.index("tenenkou"), idx.actors.index("katiba-macina"), int(prep.world.state_actor)
    keep = np.zeros_like(S.pop[0])
    keep[:, v] = S.pop[0, :, v]
    S.pop[0] = keep
    S.fighters[0] = 0.0
    S.fighters[0, km, v] = jihadists
    S.fighters[0, s, v] = post
    if before is not None:
        before(prep, S, v)
    for w in range(weeks):
        land_disputes(Wr, Sr, prep.params, Lr, 0, WEEK * w, w)
    return prep, S, v
