"""Runs the dashboard starts: simulated in worker processes, stored batch by batch as they finish.

* :func:`execute_run`: run one replicate or an ensemble and write it to the DuckDB store, holding the
  store only while a batch is written;
* :func:`compute_full` and :func:`compute_batch`: the work sent to a worker process (the compiled
  day loop holds the GIL, so the server runs simulations outside its own process).
"""

from __future__ import annotations

import math
from typing import Callable, ContextManager, Sequence

from azalai.experiment import runs as R
from azalai.experiment.store import transaction
from azalai.model.engine import prepare, run_meta, simulate_batch
from azalai.policy.schema import Policy

MAX_STORED_EVENT_SEEDS = 50  # ensembles store the events of at most this many replicates

ProgressFn = Callable[[float, str], None]


def compute_full(scenario: str, policy: str | Policy, days: int, seed: int):
    """One replicate with full outputs (run in a worker process by the dashboard: the compiled loop holds the GIL)."""
    res = R.run_single(prepare(scenario, policy, days), seed)
    res.state = None  # not sent back to the server
    return res


def compute_batch(scenario: str, policy: str | Policy, days: int, seeds: Sequence[int]):
    """Outcomes and events of a batch of replicates."""
    prep = prepare(scenario, policy, days)
    return simulate_batch(prep, list(seeds), with_events=True)


def caller(pool):
    """``call(fn, *args)``: in this process, or in ``pool`` (a process pool) when given."""
    if pool is None:
        return lambda fn, *a: fn(*a)
    return lambda fn, *a: pool.submit(fn, *a).result()


def chunks(seq: Sequence[int], k: int) -> list[list[int]]:
    """``seq`` cut into lists of at most ``k``."""
    return [list(seq[i : i + k]) for i in range(0, len(seq), k)]


def execute_run(
    writing: Callable[[], ContextManager],
    scenario: str,
    policy: str | Policy,
    seeds: Sequence[int],
    days: int,
    progress: ProgressFn | None = None,
    run_id: str | None = None,
    pool=None,
) -> str:
    """Run len(seeds) replicates and store them. One replicate: full outputs. An ensemble: outcomes of
    all replicates, events of up to MAX_STORED_EVENT_SEEDS of them, and the full time series of the first.

    ``writing()`` gives a read-write store connection for the length of a ``with`` block (e.g.
    ``functools.partial(azalai.experiment.store.connection, path)``): the store is held only while a
    batch is written. ``pool`` (a process pool) runs the simulations outside this process."""
    say = progress or (lambda f, m: None)
    call = caller(pool)
    seeds = [int(s) for s in seeds]
    say(0.02, "preparing")
    prep = prepare(scenario, policy, days)
    meta = run_meta(prep, seeds[0])
    kind = "single" if len(seeds) == 1 else "ensemble"
    run_id = run_id or R.new_run_id(kind)
    with writing() as con:
        R.insert_run(con, run_id, kind, meta, len(seeds), note="dashboard")
    try:
        say(0.05, f"replicate seed {seeds[0]} with full outputs")
        first = call(compute_full, scenario, prep.policy, days, seeds[0])
        with writing() as con, transaction(con):
            R.store_replicate(con, run_id, 0, first)
        rest = seeds[1:]
        done = 1
        if rest:
            step = max(1, min(25, math.ceil(len(rest) / 10)))
            for chunk in chunks(rest, step):
                say(0.1 + 0.88 * done / len(seeds), f"replicates {done + 1}-{done + len(chunk)} of {len(seeds)}")
                outs, evs = call(compute_batch, scenario, prep.policy, days, chunk)
                with writing() as con, transaction(con):
                    R.insert_outcomes(con, run_id, [(done + i, s, o) for i, (s, o) in enumerate(zip(chunk, outs))])
                    for i, s in enumerate(chunk):
                        if done + i < MAX_STORED_EVENT_SEEDS:
                            R.insert_frame(con, "run_events", run_id, s, evs[i])
                done += len(chunk)
        with writing() as con:
            R.set_status(con, run_id, "done")
        say(1.0, "done")
    except BaseException:
        with writing() as con:
            R.set_status(con, run_id, "interrupted")
        raise
    return run_id
