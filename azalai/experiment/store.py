"""The embedded DuckDB store: runs, outcomes, events, ensembles and imported observed data.

The robust-decision tables are declared here (:data:`ROBUST_SCHEMA`).

One file (default ``./azalai-runs/azalai.duckdb``, or ``$AZALAI_STORE``) holds everything a user has run
or imported. Modules create their own tables with ``CREATE TABLE IF NOT EXISTS`` through
:func:`open_store`; writes happen in transactions so an interrupted command leaves no half-written rows.

:func:`open_store` is the one place that opens the store. It turns what can go wrong into a
:class:`~azalai.errors.StoreError` (a one-line message and what to do, exit status 2): the file is held
by another process (DuckDB allows one writing process at a time), it is not a DuckDB file or is
damaged, it was written by another version of DuckDB or by a newer azalai (:data:`SCHEMA_VERSION`).

A process that opens the store for writing holds DuckDB's exclusive lock, so no other process can be
running anything in it: runs still marked ``running`` when a process first opens the store were left by
a process that was killed, and are marked ``interrupted`` (an ensemble can then be completed with
``azalai ensemble --resume``).
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from azalai.errors import Problem, StoreError

DEFAULT_STORE = Path("azalai-runs") / "azalai.duckdb"

#: Version of the store's tables. A store written by a newer azalai is refused rather than misread.
SCHEMA_VERSION = 1

META_SQL = "CREATE TABLE IF NOT EXISTS azalai_meta (key TEXT PRIMARY KEY, value TEXT)"

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
    if "lock" in low and ("conflicting" in low or "could not set" in low):
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


def open_store(path: str | os.PathLike | None = None, read_only: bool = False):
    """Open (creating if needed) the DuckDB store and return a connection, or raise :class:`StoreError`."""
    import duckdb

    p = store_path(path)
    if p.is_dir():
        raise StoreError([Problem(str(p), None, None, "", "is a directory, not a store file; give a file with "
                                                           "--store")], file=str(p))  # fmt: skip
    if read_only and not p.exists():
        raise StoreError([Problem(str(p), None, None, "", "no store here; run or import something first, or "
                                                           "give --store")], file=str(p))  # fmt: skip
    try:
        if not read_only:
            p.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(p), read_only=read_only)
    except (duckdb.Error, OSError) as exc:
        raise store_problem(exc, p) from None
    try:
        _check_version(con, p, read_only)
        if not read_only:
            _sweep_stale(con, p)
    except BaseException:
        con.close()
        raise
    return con


def _check_version(con, p: Path, read_only: bool) -> None:
    import duckdb

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
    """Mark runs left ``running`` by a killed process as ``interrupted`` (once per store and process)."""
    import duckdb

    key = str(p.resolve())
    with _swept_lock:
        if key in _swept:
            return
        _swept.add(key)
    try:
        if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'runs'").fetchone()[0]:
            con.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
    except duckdb.Error as exc:
        raise store_problem(exc, p) from None


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


def create_tables(con, statements) -> bool:
    """Run ``CREATE TABLE IF NOT EXISTS`` statements; False (and nothing created) on a read-only store."""
    for stmt in statements:
        try:
            con.execute(stmt)
        except Exception as exc:  # duckdb.InvalidInputException on read-only connections
            if "read-only" in str(exc).lower() or "read only" in str(exc).lower():
                return False
            raise
    return True


def ensure_robust_schema(con) -> None:
    """Create the robust-decision tables if they are missing (not on a read-only store)."""
    create_tables(con, ROBUST_SCHEMA)
