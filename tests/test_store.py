"""The store: one module declares and creates every table."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

from azalai.experiment.store import open_store
from azalai.experiment.store_tables import TABLE_NAMES, ensure_tables

ROOT = Path(__file__).resolve().parent.parent
DDL = re.compile(r"\b(CREATE\s+(OR\s+REPLACE\s+)?(TEMP\s+|TEMPORARY\s+)?(TABLE|VIEW)|ALTER\s+TABLE|DROP\s+TABLE)\b", re.I)


def test_no_module_but_the_store_declares_a_table() -> None:
    tables = ROOT / "azalai" / "experiment" / "store_tables.py"
    found = [f"{p.relative_to(ROOT)}:{i}" for p in sorted((ROOT / "azalai").rglob("*.py")) if p != tables
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if DDL.search(line)]
    assert found == []
    assert DDL.search(tables.read_text(encoding="utf-8"))  # the pattern does find the declarations


def test_opening_a_new_store_creates_every_table(tmp_path: Path) -> None:
    con = open_store(tmp_path / "s.duckdb")
    try:
        have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()
    assert have == {*TABLE_NAMES, "azalai_meta"}
    assert {"runs", "run_events", "ensemble_specs", "robust_runs", "observed_events"} <= have


def test_a_read_only_connection_is_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    duckdb.connect(str(path)).close()
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert ensure_tables(con) is False
        assert con.execute("SELECT count(*) FROM information_schema.tables").fetchone()[0] == 0
    finally:
        con.close()


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "AZALAI_STORE"}
    env.update({"NUMBA_NUM_THREADS": "1", "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")})
    return subprocess.run([sys.executable, "-c", "from azalai.cli.main import run; run()", *args],
                          capture_output=True, text=True, timeout=300, env=env, cwd=cwd)


def test_the_command_line_uses_the_store_while_the_dashboard_is_up(tmp_path: Path, monkeypatch) -> None:
    """The dashboard holds the store only while it reads or writes: `azalai runs list` works beside it,
    even while a dashboard run is in progress, and that run is not taken for one left by a killed process."""
    from fastapi.testclient import TestClient

    from azalai.app import api
    from azalai.experiment import jobs
    from azalai.experiment.runs import insert_run

    gate, started = threading.Event(), threading.Event()

    def slow(writing, *a, run_id=None, **k):  # a dashboard run that stays in progress until the gate opens
        with writing() as con:
            insert_run(con, run_id, "single", {"scenario": "mali-2016"}, 1, note="dashboard")
        started.set()
        gate.wait(60)
        with writing() as con:
            con.execute("UPDATE runs SET status = 'done' WHERE run_id = ?", [run_id])

    monkeypatch.setattr(jobs, "execute_run", slow)
    store = tmp_path / "s.duckdb"
    app = api.create_app(store=str(store), processes=False)
    try:
        with TestClient(app, base_url="http://127.0.0.1") as c:
            job = c.post("/api/runs", json={"days": 5})
            assert job.status_code == 202, job.text
            assert started.wait(30)
            assert c.get("/api/runs").status_code == 200  # the dashboard has read the store too
            r = _cli("runs", "list", "--store", str(store), "--format", "json", cwd=tmp_path)
            assert r.returncode == 0, r.stderr
            listed = json.loads(r.stdout)
            rows = listed if isinstance(listed, list) else listed["runs"]
            assert [(x["run_id"], x["status"]) for x in rows] == [(job.json()["run_id"], "running")]
            gate.set()
            for _ in range(100):
                if c.get(f"/api/jobs/{job.json()['job_id']}").json()["status"] == "done":
                    break
                time.sleep(0.05)
            assert [x["status"] for x in c.get("/api/runs").json()["runs"]] == ["done"]
    finally:
        gate.set()
