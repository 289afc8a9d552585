"""The embedded DuckDB store: runs, outcomes, events, ensembles, robust decisions and imported observed data.

One file (default ``./azalai-runs/azalai.duckdb``, or ``$AZALAI_STORE``) holds everything a user has run
or imported. This module declares every table (:data:`TABLES`) and is the one place that creates them
and brings older layouts up to date (:func:`ensure_tables`, called whenever the store is opened for
writing); the other modules read and write rows. Writes happen in transactions so an interrupted
command leaves no half-written rows.

:func:`open_store` is the one place that opens the store. It turns what can go wrong into a
:class:`~azalai.errors.StoreError` (a one-line message and what to do, exit status 2): the file is held
by another process (DuckDB allows one writing process at a time, and no reader while it writes), it
is not a DuckDB file or is damaged, it was written by another version of DuckDB or by a newer azalai
(:data:`SCHEMA_VERSION`).

A process that opens the store for writing holds DuckDB's exclusive lock, so no other process can be
running anything in it: runs still marked ``running`` when a process first opens the store were left by
a process that was killed, and are marked ``interrupted`` (an ensemble can then be completed with
``azalai ensemble --resume``).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any

import duckdb

from azalai.errors import Problem, StoreError
from azalai.scenario.acled import DISORDER_TYPES, EXPORT_SCHEMA, INTER_TYPES

DEFAULT_STORE = Path("azalai-runs") / "azalai.duckdb"

#: Version of the store's tables. A store written by a newer azalai is refused rather than misread.
SCHEMA_VERSION = 1

META_SQL = "CREATE TABLE IF NOT EXISTS azalai_meta (key TEXT PRIMARY KEY, value TEXT)"

#: This machine, as recorded beside the process that runs a run.
HOST = socket.gethostname()

_swept: set[str] = set()
_swept_lock = threading.Lock()


def store_path(path: str | os.PathLike | None = None) -> Path:
    """The store file to use: the argument, else ``$AZALAI_STORE``, else the default."""
    if path is not None:
        return Path(path)
    env = os.environ.get("AZALAI_STORE")
    return Path(env) if env else DEFAULT_STORE


def store_problem(exc: BaseException, path: str | os.PathLike) -> StoreError:
    """A DuckDB or OS error met while opening or reading the store, as a message saying what to do."""
    p = str(path)
    text = str(exc)
    low = text.lower()
    if _locked(exc):
        pid = re.search(r"PID (\d+)", text)
        who = f" (process {pid.group(1)})" if pid else ""
        msg = (f"the store is in use by another azalai command{who}; wait for it to finish, or give another "
               "store with --store or $AZALAI_STORE")
    elif "not a valid duckdb database" in low or "corrupt" in low or "checksum" in low:
        msg = ("the store is not a DuckDB file or is damaged; move it aside (a new store is created where none "
               "exists) or give another store with --store")
    elif "version" in low and ("database file" in low or "storage" in low):
        msg = ("the store was written by another version of DuckDB; open it with that version and export it, "
               "or give another store with --store")
    elif "does not exist" in low:
        msg = "no store here; run or import something first, or give --store"
    elif isinstance(exc, PermissionError) or "permission denied" in low:
        msg = "permission denied: the store (or its folder) cannot be read or written by this user"
    elif "read-only" in low or "read only" in low:
        msg = "the store is read-only here; give a writable store with --store"
    else:
        msg = f"cannot use the store: {type(exc).__name__}: {text}"
    return StoreError([Problem(p, None, None, "", msg)], file=p)


def _locked(exc: BaseException) -> bool:
    low = str(exc).lower()
    return "lock" in low and ("conflicting" in low or "could not set" in low)


def open_store(path: str | os.PathLike | None = None, read_only: bool = False, wait: float = 0.0):
    """Open (creating if needed) the DuckDB store and return a connection, or raise :class:`StoreError`.

    ``wait``: seconds to keep trying while another process holds the store (a brief write elsewhere)."""
    p = store_path(path)
    if p.is_dir():
        raise StoreError([Problem(str(p), None, None, "", "is a directory, not a store file; give a file with "
                                                           "--store")], file=str(p))  # fmt: skip
    if read_only and not p.exists():
        raise StoreError([Problem(str(p), None, None, "", "no store here; run or import something first, or "
                                                           "give --store")], file=str(p))  # fmt: skip
    deadline = time.monotonic() + max(0.0, float(wait))
    pause = 0.02
    while True:
        try:
            if not read_only:
                p.parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(str(p), read_only=read_only)
            break
        except (duckdb.Error, OSError) as exc:
            if not (_locked(exc) and time.monotonic() < deadline):
                raise store_problem(exc, p) from None
        time.sleep(pause)
        pause = min(0.25, pause * 2)
    try:
        _check_version(con, p, read_only)
        if not read_only:
            try:
                ensure_tables(con)
            except duckdb.Error as exc:
                raise store_problem(exc, p) from None
            _sweep_stale(con, p)
    except BaseException:
        con.close()
        raise
    return con


def borrow(store) -> tuple[Any, bool]:
    """(connection, opened here) for a function given a store: an open connection is used as it is (and
    left open), a path or True (the default store) is opened; None or False mean no store, (None, False)."""
    if store is None or store is False:
        return None, False
    if hasattr(store, "execute"):
        return store, False
    return open_store(None if store is True else store), True


@contextlib.contextmanager
def connection(path: str | os.PathLike | None = None, read_only: bool = False, wait: float = 0.0):
    """:func:`open_store` for the length of a ``with`` block: the store is held only while it is used,
    so that other processes (the CLI beside a running dashboard) can open it in between."""
    con = open_store(path, read_only=read_only, wait=wait)
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def transaction(con):
    """BEGIN ... COMMIT around a ``with`` block; ROLLBACK (and the error raised again) if it fails."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # the transaction may already be gone; the original error matters
            con.execute("ROLLBACK")
        raise


def append(con, table: str, frame) -> None:
    """Append a pandas frame's rows to ``table``, matching columns by name, in one bulk insert
    (``executemany`` costs seconds per thousand rows in DuckDB)."""
    con.register("_az_rows", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _az_rows")
    finally:
        con.unregister("_az_rows")


def _check_version(con, p: Path, read_only: bool) -> None:
    try:
        have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "azalai_meta" not in have:
            if read_only:
                return
            con.execute(META_SQL)
            con.execute("INSERT INTO azalai_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
            return
        row = con.execute("SELECT value FROM azalai_meta WHERE key = 'schema_version'").fetchone()
    except duckdb.Error as exc:
        raise store_problem(exc, p) from None
    version = int(row[0]) if row and str(row[0]).isdigit() else 0
    if version > SCHEMA_VERSION:
        raise StoreError([Problem(str(p), None, None, "",
                                  f"the store was written by a newer azalai (store schema {version}, this azalai "
                                  f"reads up to {SCHEMA_VERSION}); upgrade azalai or give another store")],
                         file=str(p))


def _sweep_stale(con, p: Path) -> None:
    """Mark runs left ``running`` by a process that is gone as ``interrupted`` (once per store and process).

    A run's process is recorded in ``run_owners``; a run whose process still lives on this machine (the
    dashboard, which holds the store only while it writes) is left alone."""
    key = str(p.resolve())
    with _swept_lock:
        if key in _swept:
            return
        _swept.add(key)
    try:
        rows = con.execute("SELECT r.run_id, o.pid, o.host FROM runs r LEFT JOIN run_owners o USING (run_id) "
                           "WHERE r.status = 'running'").fetchall()
        live = {run_id for run_id, pid, host in rows if host == HOST and pid is not None and _alive(int(pid))}
        stale = sorted({run_id for run_id, _, _ in rows} - live)
        if stale:
            con.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running' AND list_contains(?, run_id)",
                        [stale])
    except duckdb.Error as exc:
        raise store_problem(exc, p) from None


def _alive(pid: int) -> bool:
    """Whether process ``pid`` of this machine is running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    except OSError:
        return False
    return True


def record_owner(con, run_id: str) -> None:
    """Record that this process runs ``run_id`` (see :func:`_sweep_stale`)."""
    con.execute("INSERT INTO run_owners VALUES (?, ?, ?)", [run_id, os.getpid(), HOST])


# ---------------------------------------------------------------------------------------------
# the tables: every table of the store is declared here and created by ensure_tables
# ---------------------------------------------------------------------------------------------

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
