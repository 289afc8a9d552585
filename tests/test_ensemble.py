"""Ensembles: store contents, JSON summary, backends, and resuming after a real `kill -9`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from azalai.experiment.ensemble import make_batches, resume_ensemble, run_ensemble
from azalai.experiment.summary import summarise

DAYS = 60
ENV = {**os.environ, "COLUMNS": "200", "MPLBACKEND": "Agg"}


def azalai(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "azalai.cli.main", *args], capture_output=True, text=True,
                          timeout=timeout, env=ENV)


def _numeric(df: pd.DataFrame) -> pd.DataFrame:
    df = df.sort_values("replicate").reset_index(drop=True)
    cols = sorted(c for c in df.columns if c not in ("replicate", "seed"))
    return df[["replicate", "seed", *cols]].astype(float)


def test_make_batches_groups_by_params() -> None:
    ps = [{"rent_rate": 0.02}, {"rent_rate": 0.05}, {"rent_rate": 0.02}, None, {"rent_rate": 0.05}]
    bs = make_batches(list(range(5)), [10, 11, 12, 13, 14], ps, batch_size=32)
    assert sorted(r for b in bs for r in b.replicates) == [0, 1, 2, 3, 4]
    for b in bs:
        assert len({json.dumps(ps[r], sort_keys=True) for r in b.replicates}) == 1
    assert [len(b) for b in make_batches(list(range(70)), list(range(70)), None, 32)] == [32, 32, 6]


def test_store_contents(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    df, run_id = run_ensemble("mali-2016", "baseline-2016", n=40, seed=100, days=DAYS, store=store, events=True,
                              batch_size=16)
    assert list(df["replicate"]) == list(range(40))
    assert list(df["seed"]) == list(range(100, 140))
    con = duckdb.connect(str(store), read_only=True)
    try:
        status, n, seed = con.execute("SELECT status, n, seed FROM runs WHERE run_id = ?", [run_id]).fetchone()
        assert (status, n, seed) == ("done", 40, 100)
        n_out = len([c for c in df.columns if c not in ("replicate", "seed")])
        rows = con.execute("SELECT count(*), count(DISTINCT replicate) FROM run_outcomes WHERE run_id = ?",
                           [run_id]).fetchone()
        assert rows == (40 * n_out, 40)
        dup = con.execute("SELECT count(*) FROM (SELECT replicate, outcome FROM run_outcomes WHERE run_id = ? "
                          "GROUP BY ALL HAVING count(*) > 1)", [run_id]).fetchone()[0]
        assert dup == 0
        ev = con.execute("SELECT seed, count(*) FROM run_events WHERE run_id = ? GROUP BY seed ORDER BY seed",
                         [run_id]).fetchall()
        stored_events = {int(s): int(c) for s, c in ev}
        expected = {int(s): int(e) for s, e in zip(df["seed"], df["events"]) if e > 0}
        assert stored_events == expected
        from azalai.experiment.runs import outcomes_wide

        wide = outcomes_wide(con, run_id)
    finally:
        con.close()
    wide.columns.name = None
    pd.testing.assert_frame_equal(_numeric(wide), _numeric(df), check_exact=True)


def test_backends_agree(tmp_path: Path) -> None:
    serial, _ = run_ensemble("mali-2016", "counter-trafficking", n=24, seed=5, days=DAYS, batch_size=8)
    proc, _ = run_ensemble("mali-2016", "counter-trafficking", n=24, seed=5, days=DAYS, batch_size=8,
                           backend="process", workers=2)
    pd.testing.assert_frame_equal(_numeric(serial), _numeric(proc), check_exact=True)
    # batch size does not change results either
    other, _ = run_ensemble("mali-2016", "counter-trafficking", n=24, seed=5, days=DAYS, batch_size=5)
    pd.testing.assert_frame_equal(_numeric(serial), _numeric(other), check_exact=True)


def test_param_samples_match_plain_runs() -> None:
    samples = [{"rent_rate": 0.02}, {"rent_rate": 0.08}, {"rent_rate": 0.02}, {"rent_rate": 0.08}]
    df, run_id = run_ensemble("mali-2016", None, n=4, seed=0, days=DAYS, param_samples=samples, seeds=[1, 1, 2, 2])
    assert run_id is None
    for p, s in ((0.02, 1), (0.08, 2)):
        one, _ = run_ensemble("mali-2016", None, n=1, seed=s, days=DAYS, params={"rent_rate": p})
        row = df[(df["seed"] == s) & (df["replicate"].isin([0, 2] if p == 0.02 else [1, 3]))]
        assert len(row) == 1
        assert row.drop(columns=["replicate"]).iloc[0].equals(one.drop(columns=["replicate"]).iloc[0])


def test_summary_json(tmp_path: Path) -> None:
    r = azalai("ensemble", "-n", "12", "--days", str(DAYS), "--store", str(tmp_path / "s.duckdb"), "--format", "json")
    assert r.returncode == 0, r.stderr
    summ = json.loads(r.stdout)
    for key in ("n", "wall_seconds", "runs_per_second", "outcomes", "run_id"):
        assert key in summ
    assert summ["n"] == 12
    fat = summ["outcomes"]["fatalities"]
    assert set(fat) == {"mean", "q05", "q25", "q50", "q75", "q95"}
    assert fat["q05"] <= fat["q25"] <= fat["q50"] <= fat["q75"] <= fat["q95"]


def test_bad_arguments(tmp_path: Path) -> None:
    r = azalai("ensemble", "-n", "0", "--store", str(tmp_path / "s.duckdb"))
    assert r.returncode == 2 and "at least 1" in r.stderr
    r = azalai("ensemble", "-n", "3", "--backend", "mpi", "--store", str(tmp_path / "s.duckdb"))
    assert r.returncode == 2 and "backend" in r.stderr
    r = azalai("ensemble", "--resume", "ens-nope", "--store", str(tmp_path / "s.duckdb"))
    assert r.returncode == 2 and "no ensemble" in r.stderr


def test_summarise_quantiles() -> None:
    df = pd.DataFrame({"replicate": range(101), "seed": range(101), "x": range(101)})
    s = summarise(df)["x"]
    assert s["q50"] == 50 and s["q05"] == 5 and s["q95"] == 95 and s["mean"] == 50


@pytest.mark.slow
def test_resume_after_kill_9(tmp_path: Path) -> None:
    store = tmp_path / "kill.duckdb"
    n, days = 200, 60
    cmd = [sys.executable, "-m", "azalai.cli.main", "ensemble", "-n", str(n), "--days", str(days), "--seed", "7",
           "--batch-size", "8", "--store", str(store), "--format", "json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    run_id, stored = None, 0
    deadline = time.time() + 240
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # the CLI logs one line per stored batch when stderr is not a terminal
            if line.startswith("run "):
                run_id = line.split()[1]
            if line.startswith("stored "):
                stored = int(line.split()[1].split("/")[0])
                if stored >= 24:
                    break
            assert time.time() < deadline, "the ensemble made no progress"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert run_id is not None and stored >= 24

    con = duckdb.connect(str(store), read_only=True)
    try:
        have = con.execute("SELECT count(DISTINCT replicate) FROM run_outcomes WHERE run_id = ?", [run_id]).fetchone()[0]
        status = con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone()[0]
    finally:
        con.close()
    assert stored <= have < n, "the kill must land in the middle of the ensemble"
    assert have % 8 == 0, "only whole batches are stored"
    assert status == "running"

    r = azalai("ensemble", "--resume", run_id, "--store", str(store), "--format", "json")
    assert r.returncode == 0, r.stderr
    summ = json.loads(r.stdout)
    assert summ["n"] == n and summ["runs_executed"] == n - have

    con = duckdb.connect(str(store), read_only=True)
    try:
        distinct, dups, status = con.execute(
            "SELECT (SELECT count(DISTINCT replicate) FROM run_outcomes WHERE run_id = $1), "
            "(SELECT count(*) FROM (SELECT replicate, outcome FROM run_outcomes WHERE run_id = $1 "
            "GROUP BY ALL HAVING count(*) > 1)), (SELECT status FROM runs WHERE run_id = $1)", [run_id]).fetchone()
        from azalai.experiment.runs import outcomes_wide

        resumed = outcomes_wide(con, run_id)
    finally:
        con.close()
    assert (distinct, dups, status) == (n, 0, "done")
    resumed.columns.name = None
    full, _ = run_ensemble("mali-2016", "baseline-2016", n=n, seed=7, days=days, backend="process", workers=2)
    pd.testing.assert_frame_equal(_numeric(resumed), _numeric(full), check_exact=True)


def test_resume_in_process(tmp_path: Path) -> None:
    """Resume a run whose last batches are missing (as after an interruption)."""
    store = tmp_path / "r.duckdb"
    df, run_id = run_ensemble("mali-2016", None, n=30, seed=3, days=DAYS, store=store, batch_size=10)
    con = duckdb.connect(str(store))
    con.execute("DELETE FROM run_outcomes WHERE run_id = ? AND replicate >= 10", [run_id])
    con.execute("UPDATE runs SET status = 'interrupted' WHERE run_id = ?", [run_id])
    con.close()
    res, rid = resume_ensemble(run_id, store=store)
    assert rid == run_id and res.attrs["runs_executed"] == 20
    pd.testing.assert_frame_equal(_numeric(res), _numeric(df), check_exact=True)
    again, _ = resume_ensemble(run_id, store=store)  # nothing left to run
    assert again.attrs["runs_executed"] == 0 and len(again) == 30


def _at_a_terminal() -> None:
    """Ctrl-C as at a terminal: a test runner started in the background inherits an ignored SIGINT, which
    the command would rightly keep ignoring."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_and_wait(cmd: list[str], min_stored: int) -> tuple[subprocess.Popen, str, int]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                            preexec_fn=_at_a_terminal)
    run_id, stored = None, 0
    deadline = time.time() + 240
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("run "):
            run_id = line.split()[1]
        if line.startswith("stored "):
            stored = int(line.split()[1].split("/")[0])
            if stored >= min_stored:
                break
        assert time.time() < deadline, "the ensemble made no progress"
    assert run_id is not None
    return proc, run_id, stored


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["serial", "thread"])
def test_ctrl_c_marks_interrupted(tmp_path: Path, backend: str) -> None:
    store = tmp_path / "int.duckdb"
    # Two-year runs: 400 of them take seconds, so the ensemble is still running when the signal arrives (400
    # runs of 60 days can all finish before a test runner on a loaded machine sends it). With threads, the
    # command's own thread sees Ctrl-C when its batch ends, and the other thread stops after its own.
    cmd = [sys.executable, "-m", "azalai.cli.main", "ensemble", "-n", "400", "--days", "730", "--batch-size", "8",
           "--store", str(store), "--backend", backend, "--workers", "2"]
    proc, run_id, stored = _start_and_wait(cmd, 16)
    proc.send_signal(signal.SIGINT)
    _, errtext = proc.communicate(timeout=60)
    assert proc.returncode == 130, errtext
    assert f"--resume {run_id}" in errtext
    con = duckdb.connect(str(store), read_only=True)
    try:
        status = con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone()[0]
        have = con.execute("SELECT count(DISTINCT replicate) FROM run_outcomes WHERE run_id = ?", [run_id]).fetchone()[0]
    finally:
        con.close()
    assert status == "interrupted"
    assert stored <= have < 400 and have % 8 == 0


def test_signal_turned_into_a_store_error_still_says_how_to_resume(tmp_path: Path, monkeypatch, capsys) -> None:
    """DuckDB turns a signal that lands during a store write into its own error: the command still names the
    run to resume and exits with the signal's status."""
    import pytest

    from azalai import interrupts
    from azalai.cli import main as cli_main
    from azalai.experiment import ensemble

    def interrupted_write(*args, on_run_id=None, **kwargs):
        on_run_id("ens-test-run")
        interrupts.received.append(signal.SIGINT)
        raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")

    monkeypatch.setattr(ensemble, "run_ensemble", interrupted_write)
    monkeypatch.setattr(interrupts, "received", [])
    # the entry point picks matplotlib's Agg backend through the environment: undone after the test, so that
    # later tests in this process (a notebook kernel showing figures inline) do not inherit it
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setattr(sys, "argv", ["azalai", "ensemble", "-n", "4", "--store", str(tmp_path / "s.duckdb")])
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        with pytest.raises(SystemExit) as exit_info:
            cli_main.run()  # (installs the command's signal handlers in this process: restored below)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert exit_info.value.code == 128 + signal.SIGINT
    assert "azalai ensemble --resume ens-test-run" in capsys.readouterr().err.replace("\n", " ")
