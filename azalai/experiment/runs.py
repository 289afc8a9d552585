"""Runs in the DuckDB store: single runs and ensembles, their outcomes, events, tips and time series.

Tables (created on demand):

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
from typing import Any, Iterable, Mapping

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS runs (
        run_id TEXT PRIMARY KEY, created TIMESTAMP, kind TEXT, scenario TEXT, scenario_hash TEXT,
        policy TEXT, policy_json TEXT, seed BIGINT, n INTEGER, days INTEGER, version TEXT,
        params_json TEXT, out_dir TEXT, status TEXT, note TEXT)""",
    """CREATE TABLE IF NOT EXISTS run_outcomes (
        run_id TEXT, replicate INTEGER, seed BIGINT, outcome TEXT, value DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS run_tips (
        run_id TEXT, seed BIGINT, tip_id INTEGER, date DATE, day INTEGER, force TEXT, source_community TEXT,
        informant_group TEXT, accused TEXT, place TEXT, "true" BOOLEAN, vetted BOOLEAN, caught BOOLEAN,
        acted_on BOOLEAN, event_index INTEGER)""",
    """CREATE TABLE IF NOT EXISTS run_timeseries (
        run_id TEXT, seed BIGINT, week INTEGER, date DATE, series TEXT, key TEXT, value DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS run_events (
        run_id TEXT, seed BIGINT, event_id TEXT, event_date DATE, year INTEGER, event_type TEXT,
        sub_event_type TEXT, actor1 TEXT, assoc_actor_1 TEXT, inter1 INTEGER, actor2 TEXT, assoc_actor_2 TEXT,
        inter2 INTEGER, interaction INTEGER, civilian_targeting TEXT, admin1 TEXT, location TEXT,
        latitude DOUBLE, longitude DOUBLE, fatalities INTEGER, notes TEXT, day INTEGER, mechanism TEXT,
        cause_chain TEXT, cause_json TEXT, actor1_id TEXT, actor2_id TEXT, place_id TEXT, region_id TEXT)""",
]

EVENT_COLUMNS = [
    "event_id", "event_date", "year", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1",
    "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting", "admin1", "location", "latitude",
    "longitude", "fatalities", "notes", "day", "mechanism", "cause_chain", "cause_json", "actor1_id",
    "actor2_id", "place_id", "region_id",
]


def ensure_schema(con) -> None:
    """Create missing tables; on a read-only store, leave it as it is."""
    for stmt in SCHEMA:
        try:
            con.execute(stmt)
        except Exception as exc:  # duckdb.InvalidInputException on read-only connections
            if "read-only" in str(exc).lower() or "read only" in str(exc).lower():
                return
            raise


def new_run_id(kind: str = "run") -> str:
    return f"{kind[:3]}-{dt.datetime.now(dt.timezone.utc).strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


def insert_run(con, run_id: str, kind: str, meta: Mapping[str, Any], n: int, out_dir: str = "", note: str = "",
               status: str = "running") -> None:
    """Register a run (its metadata from :func:`azalai.model.engine.run_meta`)."""
    ensure_schema(con)
    con.execute(
        "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id, dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), kind, meta.get("scenario"),
            meta.get("scenario_hash"), meta.get("policy"), meta.get("policy_json"), int(meta.get("seed", 0)), int(n),
            int(meta.get("days", 0)), meta.get("version"), json.dumps(meta.get("params", {}), sort_keys=True),
            out_dir, status, note,
        ],
    )


def set_status(con, run_id: str, status: str) -> None:
    con.execute("UPDATE runs SET status = ? WHERE run_id = ?", [status, run_id])


def insert_outcomes(con, run_id: str, rows: Iterable[tuple[int, int, Mapping[str, float]]]) -> None:
    """Append (replicate, seed, outcomes) rows. Call inside a transaction for atomic batches."""
    flat = [(run_id, int(rep), int(seed), k, float(v)) for rep, seed, outs in rows for k, v in outs.items()]
    if not flat:
        return
    import pandas as pd

    # One bulk insert from a frame: executemany costs seconds per thousand rows in DuckDB.
    frame = pd.DataFrame(flat, columns=["run_id", "replicate", "seed", "outcome", "value"])
    con.register("_outcomes", frame)
    try:
        con.execute("INSERT INTO run_outcomes SELECT * FROM _outcomes")
    finally:
        con.unregister("_outcomes")


def insert_frame(con, table: str, run_id: str, seed: int, df) -> None:
    """Append a pandas frame of events, tips or time series for one replicate."""
    if df is None or len(df) == 0:
        return
    d = df.copy()
    d.insert(0, "seed", int(seed))
    d.insert(0, "run_id", run_id)
    con.register("_frame", d)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _frame")
    finally:
        con.unregister("_frame")


def list_runs(con, limit: int = 50):
    ensure_schema(con)
    return con.execute(
        "SELECT run_id, created, kind, scenario, policy, seed, n, days, status FROM runs ORDER BY created DESC LIMIT ?",
        [limit],
    ).fetchdf()


def get_run(con, run_id: str) -> dict[str, Any] | None:
    ensure_schema(con)
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
