"""The communities' sets of places (azalai/model/mechanisms/placesets.py): they hold every place where people
live, through whole runs in which fighters go home, detainees are released and people are displaced, and
the lists read from them are the lists a scan of every place gives."""

from __future__ import annotations

import numpy as np
import pytest

from azalai.model.jit import python_entry
from azalai.model.mechanisms import placesets as lived


def _csr(mask: np.ndarray):
    ptr = np.concatenate([[0], np.cumsum(mask.sum(axis=1))]).astype(np.int64)
    return ptr, np.concatenate([np.flatnonzero(row) for row in mask] + [np.zeros(0, np.int64)]).astype(np.int64)


@pytest.mark.parametrize("P", [1, 63, 64, 65, 130])
def test_bit_sets_round_trip_across_word_boundaries(P: int) -> None:
    rng = np.random.default_rng(P)
    mask = rng.random((3, 4, P)) < 0.3
    mask[..., -1] = True  # the last place, at a word's last bit when P is a multiple of 64
    bits = lived.bits_of(mask)
    assert bits.dtype == np.int64 and bits.shape == (3, 4, lived.place_words(P))
    assert np.array_equal(lived.place_mask(bits, P), mask)
    assert np.array_equal(lived.place_mask(lived.all_places((2,), P), P), np.ones((2, P), dtype=bool))


def test_lists_from_the_sets_are_the_scans_and_drop_empty_places() -> None:
    rng = np.random.default_rng(7)
    C, P = 5, 130
    pop = np.where(rng.random((C, P)) < 0.2, rng.random((C, P)) * 100.0, 0.0)
    pop[1, 64] = -0.0  # a negative zero is no one, as in a scan
    pop[2, :] = 0.0  # a community with no one left
    bits = lived.all_places((C,), P)
    ptr, idx = python_entry(lived.places_by_row)(pop, bits)
    want_ptr, want_idx = _csr(pop != 0.0)
    assert np.array_equal(ptr, want_ptr) and np.array_equal(idx, want_idx)
    assert np.array_equal(lived.place_mask(bits, P), pop != 0.0)  # the empty places were dropped
    python_entry(lived.set_places)(pop, bits)
    assert np.array_equal(lived.place_mask(bits, P), pop != 0.0)


@pytest.mark.parametrize("scenario,policy,ddr", [("mali-2016", "political-track", True),
                                                 ("mali-2016", "counter-trafficking", False),
                                                 ("synth-x3", "baseline-2016", False)])
def test_sets_hold_every_place_with_people_through_a_run(scenario: str, policy: str, ddr: bool) -> None:
    """Weekly snapshots of two years: people went home, were released, displaced and killed, and at every
    step the sets hold each place where someone lives; the lists read from them are the scans. Nobody
    lives at first where armed groups hold the most fighters: fighters who leave them go home there, to a
    place that was in no community's set (demobilised through the accord's DDR where it runs, otherwise
    deserters and the fighters who leave by attrition)."""
    from azalai.model.engine import prepare, state_struct
    from azalai.model.kernel import init_batch, step_days
    from azalai.model.state import alloc_state
    from azalai.model.world import KIND_JIHADIST, KIND_MILITIA, KIND_SIGNATORY
    from azalai.scenario.loader import load_scenario
    from azalai.scenario.synth import synth_scenario

    sc = synth_scenario(load_scenario("mali-2016"), 3) if scenario == "synth-x3" else scenario
    prep = prepare(sc, policy, days=730)
    if not ddr:
        prep.levers.ddr_pace[:] = 0.0
    S = alloc_state(prep.world, np.asarray([5, 6], dtype=np.int64), prep.days, False)
    Sr, Wr, Lr = state_struct(S), prep.world_struct(), prep.levers_struct()
    init_batch(Wr, Sr)
    P = S.pop.shape[2]
    armed = np.isin(prep.world.actor_kind, [KIND_SIGNATORY, KIND_JIHADIST, KIND_MILITIA])
    v = int(np.argmax(S.fighters[0][armed].sum(axis=0)))
    S.pop[:, :, v] = 0.0
    grew = {"pop": 0, "fighters": 0}
    for d0 in range(0, 730, 7):
        before = {name: getattr(S, name) != 0.0 for name in grew}
        step_days(Wr, Sr, prep.params, Lr, prep.aid, d0, d0 + 7)
        for name, bits in (("pop", S.pop_bits), ("fighters", S.fighter_bits)):
            now = getattr(S, name) != 0.0
            grew[name] += int((now & ~before[name]).sum())
            assert not (now & ~lived.place_mask(bits, P)).any(), f"a place with {name} is missing on day {d0 + 7}"
    # people and fighters arrived where there were none: the sets were kept up to date, not only set
    assert grew["pop"] > 0 and grew["fighters"] > 0
    for r in range(2):
        for M, bits in ((S.pop[r], S.pop_bits[r]), (S.fighters[r], S.fighter_bits[r])):
            ptr, idx = python_entry(lived.places_by_row)(M, bits)
            want_ptr, want_idx = _csr(M != 0.0)
            assert np.array_equal(ptr, want_ptr) and np.array_equal(idx, want_idx)
