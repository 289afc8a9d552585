"""The who-is-where lists (mechanisms/presence.py) hold exactly the entries a plain scan finds, in order.

The builders scan a row a block of entries at a time and look at single entries only in blocks where
one passes; these tests compare them with numpy on sparse matrices whose widths are and are not a
multiple of the block, with entries on both sides of a threshold, negative values and NaN.
"""

from __future__ import annotations

import numpy as np
import pytest

from azalai.model.jit import python_entry
from azalai.model.mechanisms import placesets, presence
from azalai.model.mechanisms.presence import KEEP_AT_LEAST, KEEP_BELOW, KEEP_NONZERO

by_row = python_entry(presence.by_row)
by_column = python_entry(presence.by_column)
fill_lists = python_entry(presence.fill_lists)
lists_by_place = python_entry(presence.lists_by_place)


def _sparse(rows: int, cols: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    M = np.where(rng.random((rows, cols)) < 0.15, rng.uniform(-2.0, 9.0, (rows, cols)), 0.0)
    M[rng.random((rows, cols)) < 0.02] = np.nan
    if cols > presence.SCAN_BLOCK:
        M[0, presence.SCAN_BLOCK - 1] = 3.0  # the last entry of a block
        M[-1, presence.SCAN_BLOCK] = 3.0  # the first entry of the next one
    M[rows // 2] = 0.0  # a row with nothing
    return M


def _passes(M: np.ndarray, minv: float, keep: int) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        if keep == KEEP_AT_LEAST:
            return M >= minv
        if keep == KEEP_BELOW:
            return M < minv
        return M != 0.0


def _csr(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.concatenate([[0], np.cumsum(mask.sum(axis=1))]).astype(np.int64)
    return ptr, np.concatenate([np.zeros(0, np.int64)] + [np.flatnonzero(row) for row in mask]).astype(np.int64)


SHAPES = [(5, 3), (7, presence.SCAN_BLOCK), (9, 41), (12, 2 * presence.SCAN_BLOCK + 1), (3, 0)]
TESTS = [(0.0, KEEP_NONZERO), (2.5, KEEP_AT_LEAST), (0.0, KEEP_BELOW)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("minv,keep", TESTS)
def test_by_row_and_by_column_match_a_scan(shape, minv, keep) -> None:
    M = _sparse(*shape, seed=sum(shape) + keep)
    mask = _passes(M, minv, keep)
    ptr, idx = by_row(M, minv, keep)
    want_ptr, want_idx = _csr(mask)
    assert np.array_equal(ptr, want_ptr) and np.array_equal(idx, want_idx)
    ptr, idx = by_column(M, minv, keep)
    want_ptr, want_idx = _csr(mask.T)
    assert np.array_equal(ptr, want_ptr) and np.array_equal(idx, want_idx)


@pytest.mark.parametrize("shape", SHAPES)
def test_per_place_lists_match_a_scan(shape) -> None:
    M = _sparse(*shape, seed=len(shape) + shape[1])
    rows, cols = shape
    mask = _passes(M, 1.5, KEEP_AT_LEAST)
    ptr = np.zeros(cols + 1, dtype=np.int64)
    idx = np.full(rows * cols, -1, dtype=np.int64)
    fill_lists(M, 1.5, ptr, idx)
    want_ptr, want_idx = _csr(mask.T)
    assert np.array_equal(ptr, want_ptr) and np.array_equal(idx[: want_ptr[-1]], want_idx)
    sel = np.arange(rows) % 2 == 0
    ptr, idx = lists_by_place(M, 1.5, sel)
    want_ptr, want_idx = _csr((mask & sel[:, None]).T)
    assert np.array_equal(ptr, want_ptr) and np.array_equal(idx, want_idx)


@pytest.mark.parametrize("floor", [40.0, 0.0])
def test_people_lists_match_a_scan(floor) -> None:
    """The communities' lists of the built-in world's replicate after a few weeks, with the population
    floor the registry allows and with a floor of zero (every place passes it, people or not)."""
    from azalai.model.engine import prepare, state_struct
    from azalai.model.kernel import init_batch, step_days
    from azalai.model.params import Params, params_dict
    from azalai.model.state import alloc_state

    prep = prepare("mali-2016", "baseline-2016", days=28)
    p = Params(**{**params_dict(prep.params), "assassination_min_pop": floor, "reprisal_min_pop": floor + 1.0})
    S = alloc_state(prep.world, np.asarray([3], dtype=np.int64), prep.days, False)
    Sr = state_struct(S)
    init_batch(prep.world_struct(), Sr)
    step_days(prep.world_struct(), Sr, prep.params, prep.levers_struct(), prep.aid, 0, 28)
    pop = S.pop[0]
    pop[0, -1] = 0.0  # a place where a community lives no more
    C, P = pop.shape
    out = [np.zeros(P + 1, np.int64), np.zeros(C * P, np.int64), np.zeros(C + 1, np.int64),
           np.zeros(C * P, np.int64), np.zeros(P + 1, np.int64), np.zeros(C * P, np.int64)]
    python_entry(presence.people_lists)(Sr, p, 0, *out)
    cptr, cidx, lptr, lidx, nptr, nidx = out
    for (ptr, idx), mask in (((cptr, cidx), (pop >= floor).T), ((lptr, lidx), pop != 0.0),
                             ((nptr, nidx), (pop != 0.0).T)):
        want_ptr, want_idx = _csr(mask)
        assert np.array_equal(ptr, want_ptr) and np.array_equal(idx[: want_ptr[-1]], want_idx)


@pytest.mark.parametrize("floor", [1.5, 0.0])
def test_actor_lists_match_a_scan(floor) -> None:
    """The actors' lists of the built-in world's replicate after a few weeks, fighters on both sides of
    the presence floor and NaN among them, with the floor given and with a floor of zero (every place
    passes it, fighters or not)."""
    from azalai.model.engine import prepare, state_struct
    from azalai.model.kernel import init_batch, step_days
    from azalai.model.params import Params, params_dict
    from azalai.model.state import alloc_state

    prep = prepare("mali-2016", "baseline-2016", days=28)
    p = Params(**{**params_dict(prep.params), "min_presence": floor})
    S = alloc_state(prep.world, np.asarray([3], dtype=np.int64), prep.days, False)
    Sr = state_struct(S)
    init_batch(prep.world_struct(), Sr)
    step_days(prep.world_struct(), Sr, prep.params, prep.levers_struct(), prep.aid, 0, 28)
    fi = S.fighters[0]
    fi[0, -1] = 1.0  # under a floor of 1.5
    fi[1, 0] = np.nan
    placesets.refresh(S)  # fighters edited outside the day loop
    A, P = fi.shape
    out = [np.zeros(P + 1, np.int64), np.zeros(A * P, np.int64), np.zeros(A + 1, np.int64),
           np.zeros(A * P, np.int64)]
    python_entry(presence.actor_lists)(Sr, p, 0, *out)
    aptr, aidx, gptr, gidx = out
    with np.errstate(invalid="ignore"):
        masks = ((fi >= floor).T, fi != 0.0)
    for (ptr, idx), mask in (((aptr, aidx), masks[0]), ((gptr, gidx), masks[1])):
        want_ptr, want_idx = _csr(mask)
        assert np.array_equal(ptr, want_ptr) and np.array_equal(idx[: want_ptr[-1]], want_idx)
