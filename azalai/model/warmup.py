"""Compile the engine once and cache it on disk: ``python -m azalai.model.warmup``.

The first compilation of the day loop takes a few minutes; afterwards every process loads it from
numba's cache in about a second.
"""

from __future__ import annotations

import time

from azalai.defaults import DEFAULT_POLICY, DEFAULT_SCENARIO

WARMUP_DAYS = 14  # two weeks: both the first week's and the weekly steps run


def warmup(verbose: bool = True) -> float:
    t0 = time.perf_counter()
    from azalai.model.engine import prepare, run_prepared

    prep = prepare(DEFAULT_SCENARIO, DEFAULT_POLICY, days=WARMUP_DAYS)
    run_prepared(prep, [0], record=True)
    run_prepared(prep, [0, 1], record=False, check=True)
    dt = time.perf_counter() - t0
    if verbose:
        print(f"engine compiled and cached in {dt:.1f} s")
    return dt


if __name__ == "__main__":
    warmup()
