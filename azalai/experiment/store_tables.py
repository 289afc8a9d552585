"""The store's tables: every table is declared here, and :func:`ensure_tables` is the one place that
creates them and brings the layouts of older stores up to date (:mod:`azalai.experiment.store` calls it
whenever it opens a store for writing)."""

from __future__ import annotations

import functools
import re

import duckdb

from azalai.scenario.acled import DISORDER_TYPES, EXPORT_SCHEMA, INTER_TYPES

#: The store's own record (its schema version, see :data:`azalai.experiment.store.SCHEMA_VERSION`).
META_SQL = "CREATE TABLE IF NOT EXISTS azalai_meta (key TEXT PRIMARY KEY, value TEXT)"

# Runs (azalai/experiment/runs.py): one row per run or ensemble, long-format outcomes, and the events,
# tips and weekly series of stored replicates. ``run_events`` has every column of ACLED's export
# (azalai/scenario/acled.py), then the cause columns of the model's event frame.
_SQL_TYPES = {"string": "TEXT", "date": "DATE", "int64": "BIGINT", "float64": "DOUBLE"}
_EXTRA_TYPES = {"day": "INTEGER"}


@functools.cache
def run_events_ddl() -> str:
    """The ``run_events`` table: ACLED's columns, then the cause columns of the model's event frame.

    The cause columns are read from :mod:`azalai.model.events`, which loads the engine (numba and LLVM,
    a few hundred MB): it is imported only when the table is created, not by every command that opens
    the store."""
    from azalai.model.events import EXTRA_COLUMNS

    return "CREATE TABLE IF NOT EXISTS run_events (run_id TEXT, seed BIGINT, " + ", ".join(
        [f"{c} {_SQL_TYPES[t]}" for c, t in EXPORT_SCHEMA] + [f"{c} {_EXTRA_TYPES.get(c, 'TEXT')}" for c in EXTRA_COLUMNS]
    ) + ")"


RUN_TABLES = [
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
    # The process running a run, so that a run still "running" is told apart from one left by a killed process.
    "CREATE TABLE IF NOT EXISTS run_owners (run_id TEXT, pid INTEGER, host TEXT)",
]

# Ensembles (azalai/experiment/ensemble.py): what ``azalai ensemble --resume`` needs to complete a run.
ENSEMBLE_TABLES = [
    "CREATE TABLE IF NOT EXISTS ensemble_specs (run_id TEXT PRIMARY KEY, scenario_json TEXT, spec_json TEXT)",
    "CREATE TABLE IF NOT EXISTS ensemble_params (run_id TEXT, replicate INTEGER, params_json TEXT)",
]

# Robust decisions (``azalai robust``): one row per robust run, and the outcomes of every
# (candidate, state of the world, seed). ``spec_json`` holds what a resumed run needs: the candidates'
# policies, the states of the world, the seeds and the horizon.
ROBUST_TABLES = [
    """CREATE TABLE IF NOT EXISTS robust_runs (
        robust_id TEXT PRIMARY KEY, created TIMESTAMP, status TEXT, scenario TEXT, scenario_json TEXT,
        spec_json TEXT, version TEXT, model TEXT, note TEXT)""",
    """CREATE TABLE IF NOT EXISTS robust_outcomes (
        robust_id TEXT, candidate INTEGER, world INTEGER, seed BIGINT, outcome TEXT, value DOUBLE)""",
]

# Observed data (azalai/data/): one row per import, and the imported events, monthly aggregates and
# event-size counts.
OBSERVED_TABLES = [
    """
    CREATE TABLE IF NOT EXISTS observed_imports (
        import_id INTEGER,
        source VARCHAR,
        kind VARCHAR,
        file_name VARCHAR,
        sha256 VARCHAR,
        rows_imported INTEGER,
        rows_replaced INTEGER,
        rows_skipped INTEGER,
        skip_reasons VARCHAR,
        imported_at TIMESTAMP
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS observed_events (
        source VARCHAR,
        event_id VARCHAR,
        event_date DATE,
        year INTEGER,
        month INTEGER,
        event_type VARCHAR,
        sub_event_type VARCHAR,
        actor1 VARCHAR,
        actor2 VARCHAR,
        inter1 INTEGER,
        inter1_type VARCHAR,
        inter2 INTEGER,
        inter2_type VARCHAR,
        interaction INTEGER,
        civilian_targeting BOOLEAN,
        admin1 VARCHAR,
        region_id VARCHAR,
        location VARCHAR,
        latitude DOUBLE,
        longitude DOUBLE,
        fatalities INTEGER,
        low INTEGER,
        high INTEGER,
        type_of_violence INTEGER,
        where_prec INTEGER,
        date_prec INTEGER,
        import_id INTEGER
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS observed_monthly (
        source VARCHAR,
        month DATE,
        year INTEGER,
        admin1 VARCHAR,
        region_id VARCHAR,
        event_type VARCHAR,
        sub_event_type VARCHAR,
        inter1 INTEGER,
        inter2 INTEGER,
        events INTEGER,
        fatalities INTEGER,
        import_id INTEGER
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS observed_event_sizes (
        source VARCHAR,
        year INTEGER,
        fatalities INTEGER,
        events INTEGER,
        import_id INTEGER
    )
    """,
]

#: The key that makes a row unique within each table (re-imports replace rows with the same key).
OBSERVED_KEYS = {
    "observed_events": ["source", "event_id"],
    "observed_monthly": [
        "source", "month", "admin1", "event_type", "sub_event_type", "inter1", "inter2",
    ],
    "observed_event_sizes": ["source", "year", "fatalities"],
}

TABLES = RUN_TABLES + ENSEMBLE_TABLES + ROBUST_TABLES + OBSERVED_TABLES
TABLE_NAMES = tuple(re.match(r"\s*CREATE TABLE IF NOT EXISTS (\w+)", t).group(1) for t in TABLES) + ("run_events",)


def ensure_tables(con) -> bool:
    """Create the tables a store lacks and bring older layouts up to date (the one place that does).

    Returns False, and changes nothing, on a read-only connection to a store that lacks some."""
    have: dict[str, set[str]] = {}
    for table, column in con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall():
        have.setdefault(table, set()).add(column)
    if set(TABLE_NAMES) <= set(have) and not _old_run_events(have["run_events"]):
        return True
    try:
        for stmt in TABLES:  # a read-only connection stops at the first
            con.execute(stmt)
        con.execute(run_events_ddl())
    except duckdb.Error as exc:
        if "read-only" in str(exc).lower() or "read only" in str(exc).lower():
            return False
        raise
    if _old_run_events(have.get("run_events", set())):
        _upgrade_run_events(con)
    return True


def _old_run_events(columns: set[str]) -> bool:
    """Events stored before ``run_events`` had every ACLED column (``event_id`` for ``event_id_cnty``)."""
    return "event_id" in columns and "event_id_cnty" not in columns


def _sql_inter(col: str) -> str:
    cases = " ".join(f"WHEN {k} THEN '{v}'" for k, v in INTER_TYPES.items())
    return f"(CASE {col} {cases} ELSE '' END)"


def _upgrade_run_events(con) -> None:
    """Move events stored before the table had every ACLED column (``event_id``, numeric ``inter1``,
    ``inter2``, ``interaction``) into the current layout; country, iso and region stay empty there."""
    i1, i2 = _sql_inter("inter1"), _sql_inter("inter2")
    lo, hi = _sql_inter("least(inter1, inter2)"), _sql_inter("greatest(inter1, inter2)")
    disorder = "(CASE event_type " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in DISORDER_TYPES.items()) + " END)"
    con.execute("ALTER TABLE run_events RENAME TO run_events_before_acled_columns")
    from azalai.model.events import SOURCE

    con.execute(run_events_ddl())
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
