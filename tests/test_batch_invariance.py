"""Replicate i of a batch gives exactly the results of a single run with seed i, whatever the batch."""

from __future__ import annotations

import pandas as pd
import pytest

from azalai.model.engine import prepare, simulate_batch

DAYS = 90
SEEDS = [11, 3, 250, 7, 1_000_003, 42]


@pytest.fixture(scope="module")
def prep():
    return prepare("mali-2016", "counter-trafficking", days=DAYS)


@pytest.fixture(scope="module")
def singles(prep):
    out = {}
    for s in SEEDS:
        outs, evs = simulate_batch(prep, [s], with_events=True)
        out[s] = (outs[0], evs[0])
    return out


def _same_events(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)


@pytest.mark.parametrize("order", ["given", "reversed", "shuffled"])
def test_batch_equals_single_runs(prep, singles, order) -> None:
    seeds = list(SEEDS)
    if order == "reversed":
        seeds = seeds[::-1]
    elif order == "shuffled":
        seeds = [seeds[i] for i in (2, 5, 0, 4, 1, 3)]
    outs, evs = simulate_batch(prep, seeds, with_events=True)
    for r, s in enumerate(seeds):
        single_out, single_ev = singles[s]
        assert outs[r] == single_out, f"seed {s} at position {r}: outcomes differ from its single run"
        _same_events(evs[r], single_ev)


def test_repeated_seed_in_batch(prep, singles) -> None:
    outs, _ = simulate_batch(prep, [SEEDS[0], SEEDS[1], SEEDS[0]])
    assert outs[0] == outs[2] == singles[SEEDS[0]][0]
    assert outs[1] == singles[SEEDS[1]][0]


def test_seeds_differ(singles) -> None:
    # different seeds must actually give different runs, or the checks above would be vacuous
    fats = {singles[s][0]["events"] for s in SEEDS}
    assert len(fats) > 1
