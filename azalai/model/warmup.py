"""Compile the engine once and cache it on disk: ``python -m azalai.model.warmup``.

With an empty cache the day loop's callees are compiled in parallel processes first (one per CPU,
:mod:`azalai.model.compile_plan`); afterwards every process loads the engine from numba's cache in
well under a second.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from azalai.defaults import DEFAULT_POLICY, DEFAULT_SCENARIO

WARMUP_DAYS = 14  # two weeks: both the first week's and the weekly steps run


_checked = False


def ensure_compiled(prep) -> bool:
    """Before a process's first run: when numba's cache lacks the day loop, compile the loop's callees in
    parallel processes (the loop then compiles here, finding them cached). True if it did; checked once
    per process."""
    global _checked
    if _checked:
        return False
    _checked = True
    from azalai.model.compile_plan import compile_parallel, loop_is_cached

    if loop_is_cached(prep):
        return False
    return compile_parallel(prep) > 1


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


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=Path, help="compile the day loop's callees that no other process has "
                    "claimed in this folder (a worker's part of a parallel compilation)")
    a = ap.parse_args(argv)
    if a.claims is None:
        warmup()
        return
    from azalai.model.compile_plan import compile_claimed
    from azalai.model.engine import prepare

    compile_claimed(prepare(DEFAULT_SCENARIO, DEFAULT_POLICY, days=WARMUP_DAYS), a.claims)


if __name__ == "__main__":
    main()
