"""The embedded DuckDB store: runs, outcomes, events, ensembles, robust decisions and imported observed data.

One file (default ``./azalai-runs/azalai.duckdb``, or ``$AZALAI_STORE``) holds everything a user has run
or imported. Its tables are declared in :mod:`azalai.experiment.store_tables`, whose
:func:`~azalai.experiment.store_tables.ensure_tables` creates them whenever the store is opened for
writing; the other modules read and write rows. Writes happen in transactions so an interrupted
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
import os
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any

import duckdb

from azalai.errors import Problem, StoreError
from azalai.experiment.store_tables import META_SQL, ensure_tables

DEFAULT_STORE = Path("azalai-runs") / "azalai.duckdb"

#: Version of the store's tables. A store written by a newer azalai is refused rather than misread.
SCHEMA_VERSION = 1

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
