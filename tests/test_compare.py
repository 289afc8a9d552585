"""Paired comparisons: common random numbers, exact zero for identical policies, negative and positive controls,
deterministic bootstrap, the CLI's JSON shape and its errors. No test asserts an exact outcome value."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from azalai.analysis.compare import RESULT_KEYS, paired_compare, summarize_paired
from azalai.errors import InputError
from azalai.policy.loader import load_policy
from azalai.policy.schema import Policy
from azalai.scenario.loader import load_scenario

pytestmark = pytest.mark.xdist_group("engine")

ROOT = Path(__file__).resolve().parents[1]
DAYS = 240


def _policy(pid: str, **levers) -> Policy:
    base = load_policy("baseline-2016").model_dump(exclude_none=True)
    base["id"] = pid
    base["levers"].update(levers)
    return Policy.model_validate(base)


def azalai(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "azalai.cli.main", *args], capture_output=True, text=True,
                          timeout=900, env=env, cwd=cwd)  # fmt: skip


def test_identical_policies_give_exact_zero_with_ci_containing_zero():
    table, res = paired_compare("mali-2016", "baseline-2016", "baseline-2016", n=6, seed=3, days=DAYS,
                                with_events=False, n_boot=300)  # fmt: skip
    assert len(res) > 20 and set(table["outcome"]) == set(res)
    for name, r in res.items():
        assert set(RESULT_KEYS) <= set(r)
        assert r["diff"] == 0.0, name
        assert r["ci_low"] <= 0.0 <= r["ci_high"], name
        assert r["effect_size"] == 0.0, name
        assert r["a"] == r["b"], name
    assert not table["excludes_zero"].any()


def test_changes_after_the_horizon_change_nothing():
    """Negative control: a policy identical but for a change dated after the horizon gives identical runs."""
    sc = load_scenario("mali-2016")
    late = sc.calendar.start + dt.timedelta(days=DAYS + 30)
    base = _policy("control-a")
    data = base.model_dump(exclude_none=True)
    data["id"] = "control-b"
    data["changes"] = [{"date": late.isoformat(), "levers": {"barkhane_focus": 1.0, "vetting": 0.0, "sweeps": 1.0}}]
    later = Policy.model_validate(data)
    cmp = paired_compare(sc, base, later, n=5, seed=11, days=DAYS, with_events=True, n_boot=200)
    for name, r in cmp.results.items():
        assert r["diff"] == 0.0 and r["ci_low"] == 0.0 == r["ci_high"], name
    for ea, eb in zip(cmp.runs.events_a, cmp.runs.events_b):
        assert ea.drop(columns=["event_id_cnty", "notes"]).equals(eb.drop(columns=["event_id_cnty", "notes"]))


def test_bootstrap_is_deterministic_and_seeded():
    rng = np.random.default_rng(5)
    a = [{"x": float(v), "y": float(2 * v)} for v in rng.normal(10, 3, 40)]
    b = [{"x": o["x"] + float(e), "y": o["y"]} for o, e in zip(a, rng.normal(1.0, 2.0, 40))]
    t1, r1 = summarize_paired(a, b, seed=7, n_boot=500)
    t2, r2 = summarize_paired(a, b, seed=7, n_boot=500)
    t3, r3 = summarize_paired(a, b, seed=8, n_boot=500)
    assert t1.equals(t2) and r1 == r2
    assert (r1["x"]["ci_low"], r1["x"]["ci_high"]) != (r3["x"]["ci_low"], r3["x"]["ci_high"])
    d = np.array([o2["x"] - o1["x"] for o1, o2 in zip(a, b)])
    assert r1["x"]["diff"] == pytest.approx(d.mean())
    assert r1["x"]["effect_size"] == pytest.approx(d.mean() / d.std(ddof=1))
    assert r1["x"]["ci_low"] < d.mean() < r1["x"]["ci_high"]
    assert r1["y"]["diff"] == 0.0 and r1["y"]["effect_size"] == 0.0


def test_sweeps_raise_detentions():
    """Positive control: sweeps after every attack versus none detain more people, with a CI excluding 0."""
    none, always = _policy("no-sweeps", sweeps=0.0), _policy("all-sweeps", sweeps=1.0)
    table, res = paired_compare("mali-2016", none, always, n=12, seed=0, days=365, with_events=False, n_boot=500)
    r = res["detentions"]
    assert r["a"] == 0.0
    assert r["diff"] > 0 and r["ci_low"] > 0
    assert r["effect_size"] > 0
    assert bool(table.set_index("outcome").loc["detentions", "excludes_zero"])


def test_bad_arguments_are_input_errors():
    with pytest.raises(InputError):
        paired_compare("mali-2016", "baseline-2016", "baseline-2016", n=0, days=10)
    with pytest.raises(InputError, match="no policy"):
        paired_compare("mali-2016", "baseline-2016", "no-such-policy", n=2, days=10)


def test_cli_json_output_and_files(tmp_path):
    out = tmp_path / "cmp"
    p = azalai("compare", "baseline-2016", "counter-trafficking", "-n", "4", "--days", "90", "--format", "json",
               "--out", str(out), "--boot", "200")  # fmt: skip
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert {"fatalities", "signatory_clashes", "detentions", "misdirected_ops"} <= set(data)
    for name, r in data.items():
        assert {"a", "b", "diff", "ci_low", "ci_high"} <= set(r), name
        assert r["ci_low"] <= r["ci_high"], name
        assert r["diff"] == pytest.approx(r["b"] - r["a"], abs=1e-6 * max(1.0, abs(r["a"]), abs(r["b"])))
    for f in ("comparison.csv", "comparison.json", "forest.png", "explanation.md"):
        assert (out / f).stat().st_size > 0, f


def test_cli_table_and_unknown_policy(tmp_path):
    p = azalai("compare", "baseline-2016", "restraint", "-n", "2", "--days", "60", "--out", str(tmp_path / "o"),
               "--boot", "100")  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "signatory_clashes" in p.stdout and "95% CI" in p.stdout
    p = azalai("compare", "baseline-2016", "counter-trafic", "-n", "2", "--days", "30", "--out", str(tmp_path / "x"))
    assert p.returncode == 2
    assert "counter-trafic" in p.stderr and "Traceback" not in p.stderr
    p = azalai("compare", "baseline-2016", "restraint", "-n", "0", "--out", str(tmp_path / "x"))
    assert p.returncode == 2 and "at least 1" in p.stderr
