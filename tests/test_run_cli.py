"""`azalai run`, `runs`, `params` and `demo` end to end, in a subprocess as a user would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
from matplotlib.figure import Figure
import pandas as pd
import pytest
import yaml

from azalai.model.params import registry



def azalai(*args: str, cwd: Path, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("AZALAI_STORE", None)
    env.update({"COLUMNS": "200", "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(cwd / ".mpl")})
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "azalai.cli.main", *args], capture_output=True, text=True,
                          timeout=600, env=env, cwd=cwd)  # fmt: skip


def _bad(r: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    for n in needles:
        assert n in r.stderr, r.stderr


@pytest.fixture(scope="module")
def json_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    out = tmp / "out"
    r = azalai("run", "--seed", "5", "--days", "200", "--out", str(out), "--store", str(tmp / "s.duckdb"),
               "--format", "json", "--note", "first", cwd=tmp)  # fmt: skip
    assert r.returncode == 0, r.stderr
    return tmp, out, r


def test_json_run_prints_only_outcomes(json_run) -> None:
    tmp, out, r = json_run
    outcomes = json.loads(r.stdout)  # the whole of stdout is one JSON object
    assert isinstance(outcomes, dict) and "fatalities" in outcomes and "accord_failed" in outcomes
    assert all(isinstance(v, (int, float)) for v in outcomes.values())
    assert json.loads((out / "outcomes.json").read_text()) == outcomes


def test_run_writes_files_and_store(json_run) -> None:
    tmp, out, r = json_run
    for f in ("events.parquet", "tips.parquet", "timeseries.parquet", "outcomes.json", "run.json"):
        assert (out / f).is_file(), f
    meta = json.loads((out / "run.json").read_text())
    assert meta["scenario"] == "mali-2016" and meta["policy"] == "baseline-2016"
    assert meta["seed"] == 5 and meta["days"] == 200
    events = pd.read_parquet(out / "events.parquet")
    tips = pd.read_parquet(out / "tips.parquet")
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert len(events) == meta["n_events"] > 0
    con = duckdb.connect(str(tmp / "s.duckdb"), read_only=True)
    try:
        run = con.execute("SELECT run_id, kind, status, seed, days, note, out_dir FROM runs").fetchall()
        assert len(run) == 1
        rid, kind, status, seed, days, note, out_dir = run[0]
        assert (rid, kind, status, seed, days, note) == (meta["run_id"], "single", "done", 5, 200, "first")
        assert Path(out_dir) == out
        count = lambda t: con.execute(f"SELECT count(*) FROM {t} WHERE run_id = ?", [rid]).fetchone()[0]  # noqa: E731
        assert count("run_events") == len(events)
        assert count("run_tips") == len(tips)
        assert count("run_timeseries") == len(ts)
        assert count("run_outcomes") == len(json.loads((out / "outcomes.json").read_text()))
        fat = con.execute("SELECT sum(fatalities) FROM run_events WHERE run_id = ?", [rid]).fetchone()[0]
        assert fat == events["fatalities"].sum()
    finally:
        con.close()


def test_run_equals_simulate(json_run) -> None:
    from azalai.model.engine import simulate

    tmp, out, r = json_run
    res = simulate("mali-2016", "baseline-2016", seed=5, days=200)
    assert json.loads(r.stdout) == pytest.approx(res.outcomes, rel=0, abs=0)
    events = pd.read_parquet(out / "events.parquet")
    assert list(events["event_id_cnty"]) == list(res.events["event_id_cnty"])
    assert list(events["fatalities"]) == list(res.events["fatalities"])


def test_runs_list_and_show(json_run) -> None:
    tmp, out, r = json_run
    rid = json.loads((out / "run.json").read_text())["run_id"]
    store = str(tmp / "s.duckdb")
    r = azalai("runs", "list", "--store", store, cwd=tmp)
    assert r.returncode == 0, r.stderr
    assert rid in r.stdout and "baseline-2016" in r.stdout
    r = azalai("runs", "show", rid[:-2], "--store", store, cwd=tmp)  # a unique prefix is enough
    assert r.returncode == 0, r.stderr
    assert rid in r.stdout and "fatalities" in r.stdout and "mali-2016" in r.stdout
    r = azalai("runs", "show", rid, "--store", store, "--format", "json", cwd=tmp)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["run_id"] == rid and doc["replicates"] == 1
    assert doc["outcomes"]["fatalities"] == json.loads((out / "outcomes.json").read_text())["fatalities"]
    _bad(azalai("runs", "show", "run-nope", "--store", store, cwd=tmp), "no run 'run-nope'")
    r = azalai("runs", "list", "--store", str(tmp / "empty.duckdb"), cwd=tmp)
    assert r.returncode == 0 and "no runs" in r.stdout
    assert not (tmp / "empty.duckdb").exists()  # listing does not create a store


def test_runs_show_ensemble_quantiles(tmp_path: Path) -> None:
    from azalai.experiment.runs import insert_outcomes, insert_run

    store = tmp_path / "e.duckdb"
    con = duckdb.connect(str(store))
    meta = {"scenario": "mali-2016", "policy": "baseline-2016", "seed": 0, "days": 30, "params": {}}
    insert_run(con, "ens-1", "ensemble", meta, n=20, status="done")
    insert_outcomes(con, "ens-1", [(i, i, {"fatalities": float(i), "events": 10.0}) for i in range(21)])
    con.close()
    r = azalai("runs", "show", "ens-1", "--store", str(store), "--format", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    q = json.loads(r.stdout)["outcomes"]["fatalities"]
    assert q["q05"] == pytest.approx(1.0) and q["q50"] == pytest.approx(10.0) and q["q95"] == pytest.approx(19.0)
    r = azalai("runs", "show", "ens-1", "--store", str(store), cwd=tmp_path)
    assert r.returncode == 0 and "21 replicates" in r.stdout and "median" in r.stdout


def test_table_summary_and_check(tmp_path: Path) -> None:
    r = azalai("run", "--policy", "counter-trafficking", "--days", "120", "--check", "--out", str(tmp_path / "o"),
               "--store", str(tmp_path / "s.duckdb"), cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    for title in ("headline outcomes", "fatalities by region", "fatalities by event type",
                  "revenue by actor and source", "accords: tension per signatory pair"):  # fmt: skip
        assert title in r.stdout, title
    assert "recorded in" in r.stdout
    assert json.loads((tmp_path / "o" / "run.json").read_text())["checked_invariants"] is True


def test_env_store_and_default_out(tmp_path: Path) -> None:
    r = azalai("run", "--days", "30", cwd=tmp_path, env_extra={"AZALAI_STORE": str(tmp_path / "env.duckdb")})
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "env.duckdb").is_file()
    runs = list((tmp_path / "azalai-runs").iterdir())
    assert len(runs) == 1 and (runs[0] / "events.parquet").is_file()
    assert runs[0].name == json.loads((runs[0] / "run.json").read_text())["run_id"]


def test_bad_arguments(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    _bad(azalai("run", "--days", "-5", "--store", store, cwd=tmp_path), "--days", "at least 1")
    _bad(azalai("run", "--days", "0", "--store", store, cwd=tmp_path), "at least 1")
    _bad(azalai("run", "--seed", "-1", "--store", store, cwd=tmp_path), "--seed")
    _bad(azalai("run", "--scenario", "mali-2061", "--store", store, cwd=tmp_path), "mali-2061")
    _bad(azalai("run", "--policy", "counter-trafficing", "--store", store, cwd=tmp_path), "counter-trafficking")
    _bad(azalai("run", "--format", "xml", "--store", store, cwd=tmp_path), "--format")
    params = tmp_path / "p.yaml"
    params.write_text("clash_base: 5\nnot_a_param: 1\n", encoding="utf-8")
    _bad(azalai("run", "--params", str(params), "--store", store, cwd=tmp_path), "clash_base", "not_a_param")
    params.write_text("clash_base: [1, 2\n", encoding="utf-8")
    _bad(azalai("run", "--params", str(params), "--store", store, cwd=tmp_path), "p.yaml:2:1", "YAML syntax error")
    _bad(azalai("run", "--params", str(tmp_path / "missing.yaml"), "--store", store, cwd=tmp_path), "not found")
    # nothing ran, nothing was written
    assert not (tmp_path / "s.duckdb").exists() and not (tmp_path / "azalai-runs").exists()


def test_output_directory_is_protected(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    a_file = tmp_path / "afile"
    a_file.write_text("keep me", encoding="utf-8")
    _bad(azalai("run", "--days", "20", "--out", str(a_file), "--store", store, cwd=tmp_path), "is a file")
    assert a_file.read_text() == "keep me"
    _bad(azalai("run", "--days", "20", "--out", str(a_file / "sub"), "--store", store, cwd=tmp_path), "is a file")
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine", encoding="utf-8")
    (full / "outcomes.json").write_text("{}", encoding="utf-8")
    _bad(azalai("run", "--days", "20", "--out", str(full), "--store", store, cwd=tmp_path), "not empty", "--force")
    assert (full / "outcomes.json").read_text() == "{}"
    r = azalai("run", "--days", "20", "--out", str(full), "--store", store, "--force", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (full / "notes.txt").read_text() == "mine"  # other files are never deleted
    assert "fatalities" in json.loads((full / "outcomes.json").read_text())
    _bad(azalai("run", "--days", "20", "--out", str(tmp_path / "x"), "--store", str(tmp_path), cwd=tmp_path),
         "is a directory")  # fmt: skip


def test_params_list_and_show(tmp_path: Path) -> None:
    r = azalai("params", "list", "--format", "json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["name"] for x in rows] == [p.name for p in registry()]
    for x in rows:
        assert x["low"] <= x["default"] <= x["high"]
        assert {"unit", "mechanism", "source", "calibrated"} <= set(x)
    r = azalai("params", "list", "--mechanism", "accords", "--format", "json", cwd=tmp_path)
    sub = json.loads(r.stdout)
    assert sub and all(x["mechanism"] == "accords" for x in sub) and len(sub) < len(rows)
    r = azalai("params", "list", "--format", "markdown", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("| name | default | range |")
    assert r.stdout.count("\n") == len(rows) + 2
    r = azalai("params", "list", cwd=tmp_path)
    assert r.returncode == 0 and "clash_base" in r.stdout
    r = azalai("params", "show", "accord_restraint", cwd=tmp_path)
    assert r.returncode == 0 and "hazard multiplier" in r.stdout and "accords" in r.stdout
    _bad(azalai("params", "show", "acord_restraint", cwd=tmp_path), "did you mean 'accord_restraint'")
    _bad(azalai("params", "list", "--mechanism", "magic", cwd=tmp_path), "unknown mechanism")
    _bad(azalai("params", "list", "--format", "yaml", cwd=tmp_path), "--format")


def test_params_list_shows_calibrated_values(tmp_path: Path) -> None:
    from azalai.model.params import calibrated_defaults

    cal = calibrated_defaults()
    rows = json.loads(azalai("params", "list", "--format", "json", cwd=tmp_path).stdout)
    by = {x["name"]: x for x in rows}
    for name, value in cal.items():
        assert by[name]["default"] == pytest.approx(value) and by[name]["calibrated"] is True
    prior = json.loads(
        azalai("params", "list", "--format", "json", cwd=tmp_path, env_extra={"AZALAI_UNCALIBRATED": "1"}).stdout
    )
    assert all(x["default"] == p.default and not x["calibrated"] for x, p in zip(prior, registry()))


ROOT = Path(__file__).resolve().parents[1]


def _check_script(name: str) -> None:
    """A script that writes part of the docs, run with ``--check``, finds them current."""
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / name), "--check"], capture_output=True, text=True,
                       cwd=ROOT)  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr


def test_parameters_doc_is_current() -> None:
    _check_script("gen_params_doc.py")
    doc = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    for p in registry():
        assert f"`{p.name}`" in doc


def test_calibration_tables_are_current() -> None:
    """The posterior, the fit's statistics and the Morris screen in the docs are those of the shipped files."""
    _check_script("calibration_tables.py")
    doc = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    cal = yaml.safe_load((ROOT / "azalai" / "model" / "calibrated.yaml").read_text(encoding="utf-8"))
    for name in cal["posterior"]:
        assert f"| `{name}` |" in doc


def test_demo(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    r = azalai("demo", "--out", str(out), "--store", str(tmp_path / "s.duckdb"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "compiles the simulation engine" in r.stdout
    for f in ("monthly_fatalities_by_region.png", "map_protectors.png", "events.parquet", "outcomes.json"):
        assert (out / f).is_file(), f
        assert f in r.stdout, f
    for f in ("monthly_fatalities_by_region.png", "map_protectors.png"):
        assert (out / f).stat().st_size > 10_000, f
    assert (out / "monthly_fatalities_by_region.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    meta = json.loads((out / "run.json").read_text())
    from azalai.scenario.loader import load_scenario

    assert meta["days"] == load_scenario("mali-2016").calendar.horizon_days
    assert meta["run_id"] in r.stdout
    # the demo can be run again into the same directory
    r = azalai("demo", "--out", str(out), "--store", str(tmp_path / "s.duckdb"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM runs WHERE note = 'demo'").fetchone()[0] == 2
    con.close()


def test_figures_from_frames(tmp_path: Path) -> None:
    from azalai.model.engine import simulate
    from azalai.report import figures

    res = simulate("mali-2016", "counter-trafficking", seed=2, days=200)
    calls = [
        (figures.monthly_fatalities_by_region, res.events, {}),
        (figures.monthly_fatalities_by_type, res.events, {}),
        (figures.revenue_by_actor, res.timeseries, {}),
        (figures.revenue_by_actor, res.outcomes, {}),
        (figures.accord_tension, res.timeseries, {"threshold": 1.0}),
        (figures.support_grievance_heatmap, res.timeseries, {}),
        (figures.monthly_fatalities_by_region, res.events.iloc[0:0], {}),
    ]
    for i, (fn, data, kw) in enumerate(calls):
        p = tmp_path / f"{i}.png"
        fig = fn(data, p, **kw)
        assert isinstance(fig, Figure) and fig.axes
        assert p.is_file() and p.read_bytes()[:4] == b"\x89PNG"
    # Drawn on the caller's axes, without a file and without touching pyplot's figure registry.
    own = Figure()
    ax = own.subplots()
    assert figures.monthly_fatalities_by_type(res.events, ax=ax) is own and ax.get_title()
    pair = Figure().subplots(1, 2)
    assert figures.support_grievance_heatmap(res.timeseries, ax=pair) is pair[0].figure
    assert "matplotlib.pyplot" not in sys.modules or not __import__("matplotlib.pyplot").pyplot.get_fignums()
    monthly = figures.monthly_fatalities(res.events)
    assert monthly.to_numpy().sum() == res.events["fatalities"].sum()
    assert set(monthly.columns) == set(res.events["admin1"])
    rev = figures.revenue_table(res.timeseries)
    for actor in rev.index:
        assert rev.loc[actor].sum() == pytest.approx(res.outcomes[f"revenue_{actor}"], rel=1e-9, abs=1e-6)
    sup = figures.final_matrix(res.timeseries, "support")
    assert ((sup >= 0) & (sup <= 1)).all().all() and (sup.sum(axis=1) <= 1 + 1e-9).all()
