"""Ensembles at scale: N replicates in vectorised batches, stored batch by batch, resumable.

>>> from azalai.experiment.ensemble import run_ensemble
>>> df, run_id = run_ensemble("mali-2016", "counter-trafficking", n=200, days=730, backend="process")

Replicate *i* runs with seed ``seed + i`` (or ``seeds[i]``); because the engine's random numbers are
keyed by each replicate's seed, its outcomes do not depend on the batch, the backend or the number of
workers. Replicates are grouped in batches of ``batch_size`` (32) that share one parameter set; with
``param_samples`` (one parameter dict per replicate, as sensitivity analysis, scenario discovery and
calibration need) replicates are grouped by parameter set first.

When a store is given, each finished batch is written in ONE transaction (outcomes, and events when
asked), so a run killed at any moment holds only whole batches. :func:`resume_ensemble` reads which
replicates are stored and runs only the missing ones. Besides the shared ``runs`` / ``run_outcomes`` /
``run_events`` tables, this module keeps two tables of its own:

* ``ensemble_specs``: run_id, scenario_json, spec_json (seeds, batch size, events flag, overrides):
  what :func:`resume_ensemble` needs to re-create the run exactly;
* ``ensemble_params``: run_id, replicate, params_json: the parameter set of each replicate of a run
  given ``param_samples``.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any, Callable, Mapping, NamedTuple, Sequence

from azalai.defaults import DEFAULT_SCENARIO
from azalai.interrupts import raise_if_signalled
from azalai.errors import InputError, Problem
from azalai.experiment.batching import DEFAULT_BATCH, make_batches, parallel_parts
from azalai.experiment.executors import BatchResult, RunSpec, execute
from azalai.experiment.executors.base import params_key, remember_prepared
from azalai.experiment.store import append, borrow, transaction
from azalai.experiment.store_tables import ensure_tables
from azalai.limits import SEED, check_all, check_seed_span

RUN_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,79}")

Progress = Callable[[int, int], None]  # (replicates done, replicates planned)


class EnsembleResult(NamedTuple):
    """Outcomes (one row per replicate: replicate, seed, outcome columns) and the run id (None if not stored).

    ``outcomes.attrs`` holds ``wall_seconds``, ``runs_executed`` (this call) and ``runs_per_second``.
    """

    outcomes: Any
    run_id: str | None

    def _repr_html_(self) -> str:
        from azalai.notebook import ensemble_html

        return ensemble_html(self.outcomes, self.run_id)


def _bad(field: str, msg: str) -> InputError:
    return InputError(Problem("<arguments>", None, None, field, msg))


def _outcome_table(results: Sequence[BatchResult]):
    """(replicates, seeds, outcome names, values: replicate x outcome) of the results, or None when the
    replicates do not all report the same outcomes in the same order (never the case for one model) or
    there are none."""
    import numpy as np

    outs = [o for res in results for o in res.outcomes]
    names = tuple(outs[0]) if outs else ()
    if not outs or any(tuple(o) != names for o in outs):
        return None
    reps = np.fromiter((int(r) for res in results for r in res.replicates), np.int64, len(outs))
    seeds = np.fromiter((int(s) for res in results for s in res.seeds), np.int64, len(outs))
    values = np.array([list(o.values()) for o in outs], dtype=np.float64).reshape(len(outs), len(names))
    return reps, seeds, names, values


def _outcome_frame(run_id: str, results: Sequence[BatchResult]):
    """Long format: one row per (replicate, outcome), replicate by replicate in the outcomes' order."""
    import numpy as np
    import pandas as pd  # here, not at the top: checks that refuse a command stay light

    cols = ["run_id", "replicate", "seed", "outcome", "value"]
    table = _outcome_table(results)
    if table is None:
        recs = [(run_id, int(rep), int(seed), k, float(v)) for res in results
                for rep, seed, outs in zip(res.replicates, res.seeds, res.outcomes) for k, v in outs.items()]
        return pd.DataFrame(recs, columns=cols)
    reps, seeds, names, values = table
    k = len(names)
    return pd.DataFrame({"run_id": np.full(values.size, run_id, dtype=object), "replicate": np.repeat(reps, k),
                         "seed": np.repeat(seeds, k), "outcome": np.tile(np.array(names, dtype=object), len(reps)),
                         "value": values.ravel()}, columns=cols)


def write_batch(con, run_id: str, res: BatchResult) -> None:
    """Store one batch's outcomes (and events) in ONE transaction: all of it or nothing.

    Rows are those of :func:`azalai.experiment.runs.insert_outcomes` and
    :func:`azalai.experiment.runs.insert_frame`, inserted from one data frame per table (``executemany``
    takes seconds per batch of 32 replicates in DuckDB; one insert per replicate's events, a second).
    """
    with transaction(con):
        append(con, "run_outcomes", _outcome_frame(run_id, [res]))
        if res.events is not None:
            ev = _events_frame(run_id, res)
            if ev is not None:
                append(con, "run_events", ev)


def _events_frame(run_id: str, res: BatchResult):
    """The batch's event frames as one, with ``run_id`` and ``seed`` first (None when no replicate had any)."""
    import pandas as pd

    parts = [ev for ev in res.events if ev is not None and len(ev)]
    if not parts:
        return None
    seeds = [int(seed) for seed, ev in zip(res.seeds, res.events) if ev is not None and len(ev)]
    d = pd.concat(parts, ignore_index=True)
    d.insert(0, "seed", pd.array([s for s, ev in zip(seeds, parts) for _ in range(len(ev))], dtype="int64"))
    d.insert(0, "run_id", run_id)
    return d


def stored_replicates(con, run_id: str) -> set[int]:
    rows = con.execute("SELECT DISTINCT replicate FROM run_outcomes WHERE run_id = ?", [run_id]).fetchall()
    return {int(r[0]) for r in rows}


def _wide(results: Sequence[BatchResult]):
    """One row per replicate (replicate, seed, then the outcomes), in replicate order."""
    import pandas as pd

    table = _outcome_table(results)
    if table is None:
        rows = [{"replicate": int(rep), "seed": int(seed), **outs} for res in results
                for rep, seed, outs in zip(res.replicates, res.seeds, res.outcomes)]
        df = pd.DataFrame(rows)
        return df.sort_values("replicate").reset_index(drop=True) if len(df) else df
    reps, seeds, names, values = table
    order = reps.argsort(kind="stable")
    values = values[order]
    cols = {"replicate": reps[order], "seed": seeds[order]}
    cols.update((name, values[:, j]) for j, name in enumerate(names))
    return pd.DataFrame(cols)


def run_ensemble(
    scenario: Any = DEFAULT_SCENARIO,
    policy: Any = None,
    n: int = 100,
    seed: int = 0,
    days: int | None = None,
    params: Mapping[str, float] | None = None,
    backend: str = "serial",
    workers: int | None = None,
    store: Any = None,
    events: bool = False,
    progress: Progress | None = None,
    param_samples: Sequence[Mapping[str, float]] | None = None,
    *,
    seeds: Sequence[int] | None = None,
    batch_size: int = DEFAULT_BATCH,
    address: str | None = None,
    note: str = "",
    kind: str = "ensemble",
    on_run_id: Callable[[str], None] | None = None,
) -> EnsembleResult:
    """Run ``n`` replicates (seeds ``seed .. seed+n-1``, or ``seeds``) and return their outcomes.

    ``params`` are overrides shared by every replicate; ``param_samples`` (length ``n``) gives each
    replicate its own overrides on top of them. ``store`` is a path, ``True`` for the default store, an
    open DuckDB connection, or None to keep results in memory only. ``backend`` is ``serial``,
    ``thread`` (``workers`` threads of this process), ``process`` (``workers`` processes) or ``ray``
    (``address`` of a cluster, else a local Ray with
    ``workers`` CPUs). ``progress(done, total)`` is called after each batch. On KeyboardInterrupt the
    stored batches stay stored, the run is marked ``interrupted`` and the interrupt propagates.
    """
    from azalai.model.engine import prepare, run_meta
    from azalai.policy.loader import resolve_policy
    from azalai.scenario.loader import resolve_scenario

    check_all(n=n, batch_size=batch_size, workers=workers)
    _check_backend(backend)
    if seeds is not None and len(seeds) != n:
        raise _bad("seeds", f"expected {n} seeds, got {len(seeds)}")
    if seeds is not None:
        for i, s_ in enumerate(seeds):
            SEED.check(s_, f"seeds[{i}]")
    else:
        check_seed_span(seed, n)
    if param_samples is not None and len(param_samples) != n:
        raise _bad("param_samples", f"expected {n} parameter sets (one per replicate), got {len(param_samples)}")
    sc = resolve_scenario(scenario)
    pol = resolve_policy(policy)
    if params:
        from azalai.model.params import check_overrides

        problems = check_overrides(params)
        if problems:
            raise InputError(problems)
    if param_samples is not None:
        from azalai.model.params import check_overrides

        for i, p in enumerate(param_samples):
            problems = check_overrides({**(params or {}), **p}, origin=f"<param_samples[{i}]>")
            if problems:
                raise InputError(problems)
    seed_list = [int(s) for s in seeds] if seeds is not None else [int(seed) + i for i in range(n)]
    prep = prepare(sc, pol, days, params)  # validates days and overrides before anything is stored
    spec = RunSpec(sc, pol, prep.days, dict(params) if params else None, bool(events),
                   key=f"{prep.scenario_hash}|{pol.model_dump_json()}|{prep.days}|{params_key(params)}|{events}")
    remember_prepared(spec, prep)  # the runners here and in forked workers use it

    batches = make_batches(list(range(n)), seed_list, param_samples, batch_size, parallel_parts(backend, workers))
    con, close = borrow(store)
    run_id = None
    try:
        if con is not None:
            from azalai.experiment.runs import insert_run, new_run_id

            ensure_tables(con)
            run_id = new_run_id(kind)
            meta = run_meta(prep, seed_list[0])
            spec_json = {
                "scenario_ref": scenario if isinstance(scenario, str) else None,
                "seeds": None if seeds is None else seed_list,
                "seed": int(seed_list[0]),
                "n": int(n),
                "days": int(prep.days),
                "overrides": dict(params or {}),
                "events": bool(events),
                "batch_size": int(batch_size),
                "param_samples": param_samples is not None,
            }
            with transaction(con):
                insert_run(con, run_id, kind, meta, n, note=note)
                con.execute("INSERT INTO ensemble_specs VALUES (?, ?, ?)",
                            [run_id, sc.model_dump_json(by_alias=True), json.dumps(spec_json)])
                if param_samples is not None:
                    import pandas as pd

                    append(con, "ensemble_params", pd.DataFrame({
                        "run_id": run_id, "replicate": list(range(n)),
                        "params_json": [json.dumps(dict(p), sort_keys=True) for p in param_samples]}))
        results = _drive(con, run_id, spec, batches, n, 0, backend, workers, address, progress, on_run_id)
        df = _wide(results)
        df.attrs.update(last_stats(), run_id=run_id)
        return EnsembleResult(df, run_id)
    finally:
        if close:
            con.close()


def _rollback(con) -> None:
    try:
        con.execute("ROLLBACK")
    except Exception:  # noqa: BLE001 - the transaction may already be gone; the original error matters
        pass


def _check_backend(backend: str) -> None:
    from azalai.experiment.executors import BACKENDS

    if backend not in BACKENDS:
        raise _bad("backend", f"unknown backend {str(backend)[:40]!r}: use one of {', '.join(BACKENDS)}")


def _drive(con, run_id, spec, batches, total, already, backend, workers, address, progress,
           on_run_id=None) -> list[BatchResult]:
    """Run batches, storing each as it arrives; mark the run done, or interrupted on Ctrl-C, a signal or an
    error (whatever ends this function, the run does not stay ``running``)."""
    from azalai.experiment.executors.base import model_stamp
    from azalai.experiment.runs import set_status

    t0 = time.perf_counter()
    results: list[BatchResult] = []
    done = already
    try:
        if on_run_id is not None and run_id is not None:
            on_run_id(run_id)
        stamp = model_stamp()
        if progress is not None:
            progress(done, total)
        for res in execute(spec, batches, backend=backend, workers=workers, address=address):
            if res.meta.get("model", stamp) != stamp:
                raise RuntimeError("the model's source files changed while the ensemble ran (a worker loaded "
                                   "different code); the batches stored so far are kept: resume the run")
            if con is not None:
                write_batch(con, run_id, res)
            results.append(res)
            done += len(res.replicates)
            if progress is not None:
                progress(done, total)
            raise_if_signalled()  # a signal whose exception a library swallowed still stops the run here
    except BaseException:
        if con is not None:
            _rollback(con)
            try:
                set_status(con, run_id, "interrupted")
            except Exception:  # noqa: BLE001 - the connection may be unusable; the original error matters
                pass
        raise
    if con is not None:
        set_status(con, run_id, "done")
    wall = time.perf_counter() - t0
    executed = sum(len(r.replicates) for r in results)
    _drive.last = {"wall_seconds": wall, "runs_executed": executed,  # type: ignore[attr-defined]
                   "runs_per_second": executed / wall if wall > 0 else float("nan")}
    return results


def last_stats() -> dict[str, float]:
    """Wall time and throughput of the latest ensemble run in this process."""
    return dict(getattr(_drive, "last", {}))


def resume_ensemble(
    run_id: str,
    store: Any = True,
    backend: str = "serial",
    workers: int | None = None,
    progress: Progress | None = None,
    address: str | None = None,
    on_run_id: Callable[[str], None] | None = None,
) -> EnsembleResult:
    """Run the replicates of ``run_id`` that are not stored yet; return all its stored outcomes."""
    from azalai.experiment.runs import get_run, outcomes_wide, set_status
    from azalai.policy.schema import Policy
    from azalai.scenario.loader import scenario_hash
    from azalai.scenario.schema import Scenario

    check_all(workers=workers)
    _check_backend(backend)
    if not isinstance(run_id, str) or not RUN_ID_RE.fullmatch(run_id):
        raise _bad("resume", "not a run id: letters, digits, '-' and '_' only")
    con, close = borrow(store)
    if con is None:
        raise _bad("store", "resuming needs a store")
    try:
        ensure_tables(con)
        run = get_run(con, run_id)
        row = con.execute("SELECT scenario_json, spec_json FROM ensemble_specs WHERE run_id = ?", [run_id]).fetchone()
        if run is None or row is None:
            raise _bad("resume", f"no ensemble {run_id!r} in the store")
        sc = Scenario.model_validate_json(row[0])
        if scenario_hash(sc) != run["scenario_hash"]:
            raise _bad("resume", f"the stored scenario of {run_id} does not match its hash")
        spec_json = json.loads(row[1])
        pol = Policy.model_validate_json(run["policy_json"])
        n = int(spec_json["n"])
        seed_list = spec_json["seeds"] or [int(spec_json["seed"]) + i for i in range(n)]
        # the run's full parameter set as stored, so a later calibration does not change a resumed run
        full = json.loads(run["params_json"]) if run.get("params_json") else dict(spec_json["overrides"])
        param_sets = None
        if spec_json.get("param_samples"):
            rows = con.execute("SELECT replicate, params_json FROM ensemble_params WHERE run_id = ? "
                               "ORDER BY replicate", [run_id]).fetchall()
            param_sets = {int(r): json.loads(p) for r, p in rows}
        have = stored_replicates(con, run_id)
        missing = [i for i in range(n) if i not in have]
        spec = RunSpec(sc, pol, int(spec_json["days"]), full, bool(spec_json["events"]),
                       key=f"{run['scenario_hash']}|{run['policy_json']}|{spec_json['days']}|{params_key(full)}|"
                           f"{spec_json['events']}")
        batches = make_batches(missing, [seed_list[i] for i in missing],
                               [param_sets[i] for i in missing] if param_sets is not None else None,
                               int(spec_json.get("batch_size", DEFAULT_BATCH)), parallel_parts(backend, workers))
        set_status(con, run_id, "running")
        _drive(con, run_id, spec, batches, n, len(have), backend, workers, address, progress, on_run_id)
        df = outcomes_wide(con, run_id)
        df.columns.name = None
        df.attrs.update(last_stats(), run_id=run_id)
        return EnsembleResult(df, run_id)
    finally:
        if close:
            con.close()


def stored_spec(con, run_id: str) -> dict[str, Any] | None:
    """What an ensemble was started with (scenario and policy names, n, seed, days, events, batch size,
    overrides), or None if ``run_id`` is not a stored ensemble. ``--resume`` refuses options that differ.

    Reads the two rows with plain SQL and creates nothing: the table modules import the engine (numba and
    LLVM, a few hundred MB), which a refusal of contradicting options does not need."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if not {"runs", "ensemble_specs"} <= tables:
        return None
    run = con.execute("SELECT scenario, policy FROM runs WHERE run_id = ?", [run_id]).fetchone()
    row = con.execute("SELECT spec_json FROM ensemble_specs WHERE run_id = ?", [run_id]).fetchone()
    if run is None or row is None:
        return None
    spec = json.loads(row[0])
    return {"scenario": spec.get("scenario_ref") or run[0], "policy": run[1],
            "n": int(spec["n"]), "seed": int(spec["seed"]), "days": int(spec["days"]), "events": bool(spec["events"]),
            "batch_size": int(spec.get("batch_size", DEFAULT_BATCH)), "overrides": dict(spec.get("overrides") or {})}
