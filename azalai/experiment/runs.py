"""Runs in the DuckDB store: single runs and ensembles, their outcomes, events, tips and time series.

Tables (declared in :mod:`azalai.experiment.store`):

* ``runs``: one row per run or ensemble: run_id, created, kind ('single' | 'ensemble' | 'compare' ...),
  scenario, scenario_hash, policy, policy_json, seed (first seed), n (replicates planned), days,
  version, params_json, out_dir, status ('running' | 'done' | 'interrupted'), note.
* ``run_outcomes``: long format, one row per (run_id, replicate, seed, outcome) with its value.
* ``run_events``: events of stored replicates, ACLED columns plus cause columns, keyed by (run_id, seed).
* ``run_tips``: tips of stored replicates.
* ``run_timeseries``: weekly series of stored replicates: (run_id, seed, week, date, series, key, value).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, Callable, Iterable, Mapping

import pandas as pd

from azalai.experiment.store import append, record_owner, transaction
from azalai.experiment.store_tables import ensure_tables
from azalai.model.events import EXTRA_COLUMNS
from azalai.scenario.acled import EXPORT_COLUMNS

# Every ACLED export column (azalai/scenario/acled.py), then the cause columns of the model's event frame.
EVENT_COLUMNS = EXPORT_COLUMNS + EXTRA_COLUMNS


def new_run_id(kind: str = "run") -> str:
    return f"{kind[:3]}-{dt.datetime.now(dt.timezone.utc).strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


def insert_run(con, run_id: str, kind: str, meta: Mapping[str, Any], n: int, out_dir: str = "", note: str = "",
               status: str = "running") -> None:
    """Register a run (its metadata from :func:`azalai.model.engine.run_meta`)."""
    ensure_tables(con)
    con.execute(
        "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), kind, meta.get("scenario"),
            meta.get("scenario_hash"), meta.get("policy"), meta.get("policy_json"), int(meta.get("seed", 0)), int(n),
            int(meta.get("days", 0)), meta.get("version"), json.dumps(meta.get("params", {}), sort_keys=True),
            out_dir, status, note,
        ],
    )
    record_owner(con, run_id)


def run_single(prep, seed: int, check: bool = False, progress: Callable[[int], None] | None = None,
               chunk: int = 14):
    """Run one replicate with full outputs (events, tips, weekly series, outcomes, final state).

    The one way every caller runs a single run: ``progress(days_done)`` is called every ``chunk`` days
    (the day loop is stepped in chunks, with exactly the results of an unchunked run)."""
    from azalai.model.engine import simulate_prepared

    return simulate_prepared(prep, seed, check=check, progress=progress, chunk=chunk, keep_state=True)


def store_replicate(con, run_id: str, replicate: int, result) -> None:
    """Store one replicate's outcomes, events, tips and time series (call inside a transaction)."""
    insert_outcomes(con, run_id, [(replicate, result.seed, result.outcomes)])
    insert_frame(con, "run_events", run_id, result.seed, result.events)
    insert_frame(con, "run_tips", run_id, result.seed, result.tips)
    insert_frame(con, "run_timeseries", run_id, result.seed, result.timeseries)


def store_run(con, run_id: str, result, out_dir: str = "", note: str = "", kind: str = "single") -> None:
    """Record a finished single run and everything it produced, in ONE transaction."""
    with transaction(con):
        insert_run(con, run_id, kind, result.meta, n=1, out_dir=out_dir, note=note, status="done")
        store_replicate(con, run_id, 0, result)


def set_status(con, run_id: str, status: str) -> None:
    con.execute("UPDATE runs SET status = ? WHERE run_id = ?", [status, run_id])
    if status == "running":  # resumed by this process
        record_owner(con, run_id)


def insert_outcomes(con, run_id: str, rows: Iterable[tuple[int, int, Mapping[str, float]]]) -> None:
    """Append (replicate, seed, outcomes) rows. Call inside a transaction for atomic batches."""
    flat = [(run_id, int(rep), int(seed), k, float(v)) for rep, seed, outs in rows for k, v in outs.items()]
    if not flat:
        return
    append(con, "run_outcomes", pd.DataFrame(flat, columns=["run_id", "replicate", "seed", "outcome", "value"]))


def insert_frame(con, table: str, run_id: str, seed: int, df) -> None:
    """Append a pandas frame of events, tips or time series for one replicate."""
    if df is None or len(df) == 0:
        return
    d = df.copy()
    d.insert(0, "seed", int(seed))
    d.insert(0, "run_id", run_id)
    append(con, table, d)


def list_runs(con, limit: int = 50):
    ensure_tables(con)
    return con.execute(
        "SELECT run_id, created, kind, scenario, policy, seed, n, days, status FROM runs ORDER BY created DESC LIMIT ?",
        [limit],
    ).fetchdf()


def get_run(con, run_id: str) -> dict[str, Any] | None:
    ensure_tables(con)
    df = con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id]).fetchdf()
    if len(df) == 0:
        return None
    return df.iloc[0].to_dict()


def outcomes_wide(con, run_id: str):
    """Outcomes of a run as a replicate x outcome frame."""
    df = con.execute(
        "SELECT replicate, seed, outcome, value FROM run_outcomes WHERE run_id = ? ORDER BY replicate", [run_id]
    ).fetchdf()
    if len(df) == 0:
        return df
    return df.pivot_table(index=["replicate", "seed"], columns="outcome", values="value").reset_index()
