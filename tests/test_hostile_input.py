"""Hostile input on the command line: every case ends with exit status 2 and a one-line message, within a
subprocess timeout and a bounded peak memory, and leaves the store as it was (never a run left "running")."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for peak memory")

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120  # seconds: generous for a loaded machine; the refusals themselves take about a second
MAX_RSS_MB = 400  # "a few hundred MB": commands that import the engine load numba and LLVM (about 300 MB with the grown model)
LIGHT_RSS_MB = 128  # refusals that need only the store: Python, Typer, Rich and DuckDB (about 90 MB; up to 100 MB
# in a fresh clone, where the first import also compiles bytecode), never the engine (300 MB and more)

# Runs the command line and records the process's peak resident memory (VmHWM, kB) in $AZ_RSS on the way out
# (getrusage's ru_maxrss would include the parent's memory at fork: Linux keeps it across exec).
WRAPPER = (
    "import os, re, sys\n"
    "sys.argv[0] = 'azalai'\n"
    "from azalai.cli.main import run\n"
    "try:\n"
    "    run()\n"
    "finally:\n"
    "    hwm = re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1)\n"
    "    open(os.environ['AZ_RSS'], 'w').write(hwm)\n"
)

# 478 bytes that expand to 9**9 (387 million) strings in a reader that follows aliases.
ALIAS_BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi")]
) + "\n"


def azalai(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run ``azalai ARGS``; returns the process and its peak memory in MB."""
    env = dict(os.environ)
    env.pop("AZALAI_STORE", None)
    env.update({"COLUMNS": "200", "MPLBACKEND": "Agg", "AZ_RSS": str(cwd / ".rss"), "NUMBA_NUM_THREADS": "1",
                "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")})
    r = subprocess.run([sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, timeout=TIMEOUT,
                       env=env, cwd=cwd)
    rss = int((cwd / ".rss").read_text()) / 1024 if (cwd / ".rss").exists() else 0.0
    return r, rss


def refused(r: subprocess.CompletedProcess[str], rss: float, *needles: str, cap: float = MAX_RSS_MB) -> None:
    assert r.returncode == 2, (r.returncode, r.stdout[-500:], r.stderr[-2000:])
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), r.stderr
    for n in needles:
        assert n in r.stderr, r.stderr
    assert rss < cap, f"peak memory {rss:.0f} MB"


def running_runs(store: Path) -> list:
    if not store.exists():
        return []
    con = duckdb.connect(str(store), read_only=True)
    try:
        tables = {t[0] for t in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "runs" not in tables:
            return []
        return con.execute("SELECT run_id FROM runs WHERE status = 'running'").fetchall()
    finally:
        con.close()


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "bomb.yaml").write_text(ALIAS_BOMB)
    (tmp_path / "marked.yaml").write_text("'[bold]:x:': 1\n")
    return tmp_path


CASES = {
    "alias bomb as --params": (["run", "--params", "bomb.yaml"], ["bomb.yaml:1:", "aliases are not allowed"]),
    "/dev/zero as --params": (["run", "--params", "/dev/zero"], ["not a regular file"]),
    "a pipe as --params": (["run", "--params", "pipe"], ["not a regular file"]),
    "a directory as --params": (["run", "--params", "."], ["is a directory"]),
    "seed 2**63": (["run", "--seed", "9223372036854775808"], ["--seed", "at most 9,223,372,036,854,775,807"]),
    "ensemble seed near 2**63": (["ensemble", "--seed", "9223372036854775800", "-n", "100"], ["seed + n - 1"]),
    "ensemble seed -1": (["ensemble", "--seed", "-1"], ["--seed", "at least 0"]),
    "days 100000000": (["run", "--days", "100000000"], ["--days", "at most 36,500"]),
    "out under /proc": (["run", "--out", "/proc/x", "--days", "3"], ["--out", "cannot write into /proc/x"]),
    "acled import of /dev/zero": (["data", "import", "acled", "/dev/zero"], ["not a regular file"]),
    "batch size 0": (["ensemble", "--batch-size", "0"], ["--batch-size", "at least 1"]),
    "run id with a trailing newline": (["runs", "show", "run-1\n"], ["not a run id"]),
    "resume id with a trailing newline": (["ensemble", "--resume", "ens-1\n"], ["not a run id"]),
    "markup and emoji codes in a file": (["run", "--params", "marked.yaml"], ["[bold]:x:", "unknown parameter"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_refused_cleanly(work: Path, case: str) -> None:
    args, needles = CASES[case]
    if "pipe" in args:
        os.mkfifo(work / "pipe")
    store = work / "s.duckdb"
    t0 = time.monotonic()
    r, rss = azalai(*args, "--store", str(store), cwd=work)
    refused(r, rss, *needles)
    assert "\u274c" not in r.stderr  # ':x:' is not turned into an emoji
    assert not store.exists(), "nothing may be written before the arguments are checked"
    assert time.monotonic() - t0 < TIMEOUT


def test_malformed_million_row_csv(work: Path) -> None:
    """A million rows of the wrong shape are refused after the first problems, without reading them all in."""
    header = "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,admin1,location,latitude,longitude," \
             "fatalities\n"
    with open(work / "big.csv", "w") as fh:
        fh.write(header)
        fh.write("x,y\n" * 1_000_000)
    r, rss = azalai("data", "import", "acled", "big.csv", "--store", str(work / "s.duckdb"), cwd=work)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert "this row has 2 fields but the header has 11" in r.stderr and "stopped after" in r.stderr
    assert rss < MAX_RSS_MB, f"peak memory {rss:.0f} MB"
    assert not (work / "s.duckdb").exists()


@pytest.fixture
def locked_store(tmp_path: Path):
    """A store held open for writing by another process (as a running command would)."""
    store = tmp_path / "held.duckdb"
    code = ("import duckdb, sys, time\n"
            "c = duckdb.connect(sys.argv[1])\n"
            "c.execute('CREATE TABLE IF NOT EXISTS runs (run_id TEXT)')\n"
            "print('ready', flush=True)\n"
            "time.sleep(300)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(store)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield store
    finally:
        holder.kill()
        holder.wait(timeout=30)


@pytest.mark.parametrize("args", [
    ["runs", "list"], ["runs", "show", "run-1"], ["serve", "--port", "1"], ["explain", "3", "--run", "run-1"],
    ["report", "run-1"], ["ensemble", "-n", "2", "--days", "3"], ["ensemble", "--resume", "ens-1"],
    ["data", "list"],
])
def test_locked_store(locked_store: Path, args: list[str]) -> None:
    r, rss = azalai(*args, "--store", str(locked_store), cwd=locked_store.parent)
    refused(r, rss, "in use by another azalai command")


def test_damaged_and_newer_stores(tmp_path: Path) -> None:
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"not a database" * 100)
    r, rss = azalai("runs", "list", "--store", str(bad), cwd=tmp_path)
    refused(r, rss, "not a DuckDB file or is damaged")
    newer = tmp_path / "newer.duckdb"
    con = duckdb.connect(str(newer))
    con.execute("CREATE TABLE azalai_meta (key TEXT PRIMARY KEY, value TEXT)")
    con.execute("INSERT INTO azalai_meta VALUES ('schema_version', '999')")
    con.close()
    r, rss = azalai("runs", "list", "--store", str(newer), cwd=tmp_path)
    refused(r, rss, "written by a newer azalai")


def test_stale_running_runs_are_marked_interrupted(tmp_path: Path) -> None:
    """A run left "running" by a killed process is marked interrupted by the next command that opens the store."""
    from azalai.experiment.store_tables import ensure_tables

    store = tmp_path / "s.duckdb"
    con = duckdb.connect(str(store))
    ensure_tables(con)
    con.execute("INSERT INTO runs (run_id, kind, status) VALUES ('ens-killed', 'ensemble', 'running')")
    con.close()
    r, _ = azalai("runs", "list", "--store", str(store), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert running_runs(store) == []
    con = duckdb.connect(str(store), read_only=True)
    assert con.execute("SELECT status FROM runs WHERE run_id = 'ens-killed'").fetchone()[0] == "interrupted"
    con.close()


def test_resume_refuses_contradicting_options(tmp_path: Path) -> None:
    from azalai.experiment.ensemble import run_ensemble

    store = tmp_path / "s.duckdb"
    _, rid = run_ensemble("mali-2016", "baseline-2016", n=2, seed=4, days=5, batch_size=1, store=store)
    for args, flag in ((["-n", "50"], "-n"), (["--seed", "9"], "--seed"), (["--days", "6"], "--days"),
                       (["--policy", "counter-terrorism"], "--policy"), (["--batch-size", "2"], "--batch-size")):
        r, rss = azalai("ensemble", "--resume", rid, *args, "--store", str(store), cwd=tmp_path)
        refused(r, rss, flag, "contradicts the stored run", cap=LIGHT_RSS_MB)  # checked before the engine loads
    r, rss = azalai("ensemble", "--resume", "ens-absent", "-n", "3", "--store", str(store), cwd=tmp_path)
    refused(r, rss, "no ensemble 'ens-absent'", cap=LIGHT_RSS_MB)
    # repeating the stored values is not a contradiction
    r, _ = azalai("ensemble", "--resume", rid, "-n", "2", "--seed", "4", "--store", str(store), "--format", "json",
                  cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert running_runs(store) == []


def test_library_validates_before_writing(tmp_path: Path) -> None:
    """The library refuses bad numbers before a run record exists (the CLI and the API rely on it too)."""
    from azalai.errors import InputError
    from azalai.experiment.ensemble import run_ensemble

    store = tmp_path / "s.duckdb"
    for kw in ({"batch_size": 0}, {"seed": -1}, {"seed": 2**63 - 1, "n": 2}, {"n": 0}, {"days": 10**8},
               {"workers": 0}, {"backend": "nope"}):
        args = {"n": 2, "days": 3, **kw}
        with pytest.raises(InputError):
            run_ensemble("mali-2016", "baseline-2016", store=store, **args)
    assert running_runs(store) == []
    if store.exists():
        con = duckdb.connect(str(store), read_only=True)
        tables = {t[0] for t in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert "runs" not in tables or con.execute("SELECT count(*) FROM runs").fetchone()[0] == 0
        con.close()
