"""The embedded DuckDB store: runs, outcomes, events, ensembles and imported observed data.

The robust-decision tables are declared here (:data:`ROBUST_SCHEMA`).

One file (default ``./azalai-runs/azalai.duckdb``, or ``$AZALAI_STORE``) holds everything a user has run
or imported. Modules create their own tables with ``CREATE TABLE IF NOT EXISTS`` through
:func:`open_store`; writes happen in transactions so an interrupted command leaves no half-written rows.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_STORE = Path("azalai-runs") / "azalai.duckdb"


def store_path(path: str | os.PathLike | None = None) -> Path:
    """The store file to use: the argument, else ``$AZALAI_STORE``, else the default."""
    if path is not None:
        return Path(path)
    env = os.environ.get("AZALAI_STORE")
    return Path(env) if env else DEFAULT_STORE


def open_store(path: str | os.PathLike | None = None, read_only: bool = False):
    """Open (creating if needed) the DuckDB store and return a connection."""
    import duckdb

    p = store_path(path)
    if not read_only:
        p.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(p), read_only=read_only)


# Robust decisions (``azalai robust``): one row per robust run, and the outcomes of every
# (candidate, state of the world, seed). ``spec_json`` holds what a resumed run needs: the candidates'
# policies, the states of the world, the seeds and the horizon.
ROBUST_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS robust_runs (
        robust_id TEXT PRIMARY KEY, created TIMESTAMP, status TEXT, scenario TEXT, scenario_json TEXT,
        spec_json TEXT, version TEXT, model TEXT, note TEXT)""",
    """CREATE TABLE IF NOT EXISTS robust_outcomes (
        robust_id TEXT, candidate INTEGER, world INTEGER, seed BIGINT, outcome TEXT, value DOUBLE)""",
]


def ensure_robust_schema(con) -> None:
    """Create the robust-decision tables if they are missing (not on a read-only store)."""
    for stmt in ROBUST_SCHEMA:
        try:
            con.execute(stmt)
        except Exception as exc:  # duckdb.InvalidInputException on read-only connections
            if "read-only" in str(exc).lower() or "read only" in str(exc).lower():
                return
            raise
