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
from typing import Any, Callable, Iterable, Mapping

from azalai.experiment.store import create_tables
from azalai.model.events import EXTRA_COLUMNS, SOURCE
from azalai.scenario.acled import DISORDER_TYPES, EXPORT_COLUMNS, EXPORT_SCHEMA, INTER_TYPES

_SQL_TYPES = {"string": "TEXT", "date": "DATE", "int64": "BIGINT", "float64": "DOUBLE"}
_EXTRA_TYPES = {"day": "INTEGER"}
RUN_EVENTS_DDL = "CREATE TABLE IF NOT EXISTS run_events (run_id TEXT, seed BIGINT, " + ", ".join(
    [f"{c} {_SQL_TYPES[t]}" for c, t in EXPORT_SCHEMA] + [f"{c} {_EXTRA_TYPES.get(c, 'TEXT')}" for c in EXTRA_COLUMNS]
) + ")"

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
    RUN_EVENTS_DDL,
]

# Every ACLED export column (azalai/scenario/acled.py), then the cause columns of the model's event frame.
EVENT_COLUMNS = EXPORT_COLUMNS + EXTRA_COLUMNS


def ensure_schema(con) -> None:
    """Create missing tables; on a read-only store, leave it as it is."""
    if create_tables(con, SCHEMA):
        _upgrade_run_events(con)


def _sql_inter(col: str) -> str:
    cases = " ".join(f"WHEN {k} THEN '{v}'" for k, v in INTER_TYPES.items())
    return f"(CASE {col} {cases} ELSE '' END)"


def _upgrade_run_events(con) -> None:
    """Move events stored before the table had every ACLED column (``event_id``, numeric ``inter1``,
    ``inter2``, ``interaction``) into the current layout; country, iso and region stay empty there."""
    cols = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'run_events'").fetchall()}
    if "event_id" not in cols or "event_id_cnty" in cols:
        return
    i1, i2 = _sql_inter("inter1"), _sql_inter("inter2")
    lo, hi = _sql_inter("least(inter1, inter2)"), _sql_inter("greatest(inter1, inter2)")
    disorder = "(CASE event_type " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in DISORDER_TYPES.items()) + " END)"
    con.execute("ALTER TABLE run_events RENAME TO run_events_before_acled_columns")
    con.execute(RUN_EVENTS_DDL)
    con.execute(
        f"""INSERT INTO run_events BY NAME SELECT run_id, seed, event_id AS event_id_cnty, event_date, year,
        1 AS time_precision, {disorder} AS disorder_type, event_type, sub_event_type, actor1, assoc_actor_1,
        {i1} AS inter1, actor2, assoc_actor_2, {i2} AS inter2,
        (CASE WHEN coalesce(inter1, 0) = 0 AND coalesce(inter2, 0) = 0 THEN ''
              WHEN coalesce(inter2, 0) = 0 THEN {i1} || ' only' WHEN coalesce(inter1, 0) = 0 THEN {i2} || ' only'
              ELSE {lo} || '-' || {hi} END) AS interaction,
        civilian_targeting, admin1, location, latitude, longitude, 1 AS geo_precision, '{SOURCE}' AS source,
        'Other' AS source_scale, notes, fatalities, 'simulated' AS tags, epoch(event_date)::BIGINT AS timestamp,
        day, mechanism, cause_chain, cause_json, actor1_id, actor2_id, place_id, region_id
        FROM run_events_before_acled_columns"""
    )
    con.execute("DROP TABLE run_events_before_acled_columns")


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
    con.execute("BEGIN TRANSACTION")
    try:
        insert_run(con, run_id, kind, result.meta, n=1, out_dir=out_dir, note=note, status="done")
        store_replicate(con, run_id, 0, result)
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except Exception:  # noqa: BLE001 - the transaction may already be gone; the original error matters
            pass
        raise


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
