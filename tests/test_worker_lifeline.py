"""Worker processes die with their parent: after `kill -9` of an ensemble no process of it is left after
10 s; SIGTERM closes the run as interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
GRACE = 10.0  # seconds after the parent's death by which every worker must be gone


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("AZALAI_STORE", None)
    env.update({"NUMBA_NUM_THREADS": "1", "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")})
    return env


def children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(d.name))
    return out


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        kids = children(todo.pop())
        out.extend(kids)
        todo.extend(kids)
    return out


def pool_workers(pid: int) -> list[int]:
    """The pool's workers among the descendants of ``pid``: spawned, forked from it (same command line), or
    forked by its fork server (grandchildren)."""
    own = Path(f"/proc/{pid}/cmdline").read_bytes()
    out = []
    for p in descendants(pid):
        try:
            cmd = Path(f"/proc/{p}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmd or cmd == own or p not in children(pid):
            out.append(p)
    return out


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _kill_all(pids) -> None:
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _wait_gone(pids: list[int]) -> list[int]:
    t0 = time.monotonic()
    while time.monotonic() - t0 < GRACE:
        left = [p for p in pids if alive(p)]
        if not left:
            return []
        time.sleep(0.2)
    return [p for p in pids if alive(p)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_watchdog_ends_orphaned_worker(tmp_path: Path) -> None:
    """The parent-id watchdog alone (no PR_SET_PDEATHSIG) ends a worker whose parent was killed."""
    code = (
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', "
        "'import os, time\\nfrom azalai.experiment.executors.lifeline import die_with_parent\\n"
        "die_with_parent(os.getppid(), parent_main_thread=False)\\nprint(\"ready\", flush=True)\\ntime.sleep(300)'],"
        " stdout=subprocess.PIPE, text=True)\n"
        "child.stdout.readline()\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(300)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=_env())
    worker = int(parent.stdout.readline())
    try:
        assert alive(worker)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
        assert _wait_gone([worker]) == []
    finally:
        _kill_all([worker, parent.pid])


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("start", ["fork", "forkserver", "spawn"])
def test_kill_9_leaves_no_worker(tmp_path: Path, start: str) -> None:
    store = tmp_path / "s.duckdb"
    args = [sys.executable, "-m", "azalai.cli.main", "ensemble", "-n", "400", "--days", "365", "--backend", "process",
            "--workers", "2", "--batch-size", "2", "--store", str(store), "--format", "json"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**_env(), "AZALAI_WORKER_START": start}, cwd=tmp_path, start_new_session=True)
    workers: list[int] = []
    started = 1 if start == "fork" else 2  # forked workers: the driver computes too, beside one forked worker
    try:
        t0 = time.monotonic()
        while time.monotonic() - t0 < 900:  # the parent loads (or compiles) the engine before starting workers
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            workers = pool_workers(proc.pid)
            if len(workers) == started:
                break
            time.sleep(0.5)
        assert len(workers) == started, "the ensemble did not start its workers"
        time.sleep(2)  # let them load the engine and take batches
        everything = sorted(set(workers) | set(descendants(proc.pid)))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert _wait_gone(everything) == [], "worker processes outlived the killed ensemble"
    finally:
        _kill_all(workers + [proc.pid])
    # the killed run stays "running" only until the store is next opened for writing
    from azalai.experiment.store import open_store

    con = open_store(store)
    try:
        assert con.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchone()[0] == 0
    finally:
        con.close()


@pytest.mark.slow
def test_sigterm_marks_ensemble_interrupted(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    args = [sys.executable, "-m", "azalai.cli.main", "ensemble", "-n", "400", "--days", "365", "--batch-size", "2",
            "--store", str(store)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_env(),
                            cwd=tmp_path)
    try:
        line = ""
        t0 = time.monotonic()
        while "stored" not in line and time.monotonic() - t0 < 900:  # first batch stored
            line = proc.stderr.readline()
            assert line or proc.poll() is None, "the ensemble ended early"
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=120)
    finally:
        _kill_all([proc.pid])
    assert rc == 128 + signal.SIGTERM, rc  # wherever it lands: in a batch, or in a store query (test below)
    con = duckdb.connect(str(store), read_only=True)
    try:
        (status,) = con.execute("SELECT status FROM runs").fetchone()
        stored = con.execute("SELECT count(DISTINCT replicate) FROM run_outcomes").fetchone()[0]
    finally:
        con.close()
    assert status == "interrupted" and 0 < stored < 400


# A signal that lands while DuckDB runs a query comes back from DuckDB as "RuntimeError: Query interrupted"
# instead of the SystemExit raised by the handler; the entry point must still exit with 128 + SIGTERM.
_QUERY_SIGNALLED = (
    "import os, signal, threading\n"
    "import duckdb\n"
    "from azalai.cli import main\n"
    "def long_query(standalone_mode=False):\n"
    "    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM)).start()\n"
    "    con = duckdb.connect(config={'threads': 1})\n"
    "    con.execute('SELECT count(*) FROM range(100000000000)').fetchall()\n"
    "main.app = long_query\n"
    "main.run()\n"
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals")
def test_sigterm_during_a_store_query_exits_143() -> None:
    r = subprocess.run([sys.executable, "-c", _QUERY_SIGNALLED], capture_output=True, text=True, env=_env(),
                       timeout=120)
    assert r.returncode == 128 + signal.SIGTERM, (r.returncode, r.stderr[-1000:])
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
