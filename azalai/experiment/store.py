"""The embedded DuckDB store: runs, outcomes, events, ensembles and imported observed data.

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
