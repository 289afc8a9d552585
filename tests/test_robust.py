"""Robust decisions: metrics on toy problems with known answers, policy spaces, and a small run end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from azalai.analysis.robustness import (
    Objective,
    candidate_metrics,
    failure_conditions,
    parse_objectives,
    parse_satisfice,
    pareto_front,
    rank,
    regret,
)
from azalai.errors import InputError, PolicyError

ROOT = Path(__file__).resolve().parent.parent


def toy_values(W: int = 60, seed: int = 1) -> np.ndarray:
    """Four candidates over W worlds (lower is better).

    A is the best in half the worlds and very bad in the other half; B is never the best but always
    close; C is a little worse than B everywhere; D is bad everywhere. B has the smallest regret,
    although A has the best value in most worlds where it does well and a lower median than C.
    """
    rng = np.random.default_rng(seed)
    good = np.arange(W) % 2 == 0
    base = rng.uniform(100, 200, W)
    A = np.where(good, base - 30, base + 80)
    B = base - 20 + rng.uniform(0, 5, W)
    C = B + 8
    D = base + 120
    return np.vstack([A, B, C, D])


def test_known_best_regret_candidate_is_found() -> None:
    V = toy_values()
    obj = [Objective("fatalities")]
    m = candidate_metrics({"fatalities": V}, obj, [], n_boot=200)
    R = regret(V, obj[0])
    assert (R >= 0).all() and (R.min(axis=0) == 0).all()
    rmax = m["objectives"]["fatalities"]["regret_max"]
    assert int(np.argmin(rmax)) == 1  # B
    order, score = rank({"fatalities": V}, m, obj)
    assert order[0] == 1 and order[-1] == 3
    # A is the best candidate in half the worlds, yet not the most robust
    assert (np.argmin(V, axis=0) == 0).mean() == pytest.approx(0.5)
    lo, hi = m["objectives"]["fatalities"]["regret_p90_ci"][1]
    assert lo <= m["objectives"]["fatalities"]["regret_p90"][1] <= hi


def test_maximised_objective_and_satisficing() -> None:
    V = toy_values()
    # the same problem as a quantity to maximise: negate it, the most robust candidate does not change
    obj = [Objective("cooperation", "max")]
    m = candidate_metrics({"cooperation": -V}, obj, [], n_boot=100)
    assert int(np.argmin(m["objectives"]["cooperation"]["regret_max"])) == 1
    th = parse_satisfice("fatalities<=150")
    m2 = candidate_metrics({"fatalities": V}, [Objective("fatalities")], th, n_boot=100)
    share = m2["satisficing"]["share"]
    assert share == pytest.approx([(V[c] <= 150).mean() for c in range(4)])
    order, _ = rank({"fatalities": V}, m2, [Objective("fatalities")])
    assert share[order[0]] == max(share)


def test_pareto_set_of_known_toy() -> None:
    # Minimise both: the front is the staircase {0, 1, 3, 5}; 2 is dominated by 1, 4 by 3, 6 by everything.
    M = np.array([[1, 9], [2, 4], [3, 5], [4, 2], [6, 2.5], [9, 1], [9, 9]], dtype=float)
    objs = [Objective("a"), Objective("b")]
    assert pareto_front(M, objs) == [0, 1, 3, 5]
    # maximising the second objective turns the order around: 0 (1, 9) dominates every other point but (6|9, ...)
    objs2 = [Objective("a"), Objective("b", "max")]
    assert pareto_front(M, objs2) == [0]
    # a 3-objective toy: the points of the simplex x + y + z = 1 are all non-dominated, the centre plus 0.1 is not
    S = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1 / 3, 1 / 3, 1 / 3], [0.43, 0.43, 0.43]])
    assert pareto_front(S, [Objective("x"), Objective("y"), Objective("z")]) == [0, 1, 2, 3]


def test_parse_errors_are_clear() -> None:
    known = ["fatalities", "signatory_clashes"]
    th = parse_satisfice("fatalities<=600, signatory_clashes<5", known)
    assert [str(t) for t in th] == ["fatalities<=600", "signatory_clashes<5"]
    for bad, words in [("fatalities=600", "OUTCOME<=NUMBER"), ("fatalities<=lots", "OUTCOME<=NUMBER"),
                       ("fatalitie<=6", "did you mean 'fatalities'")]:
        with pytest.raises(InputError) as e:
            parse_satisfice(bad, known)
        assert "--satisfice" in str(e.value) and words in str(e.value)
    assert [str(o) for o in parse_objectives("fatalities,max:signatory_clashes", known)] == [
        "fatalities", "max:signatory_clashes"]
    with pytest.raises(InputError, match="prefix"):
        parse_objectives("best:fatalities", known)


def test_failure_conditions_in_words() -> None:
    rng = np.random.default_rng(4)
    x = pd.DataFrame({"clash_base": rng.uniform(0, 1, 400), "aid_need": rng.uniform(0, 1, 400)})
    fail = (x["clash_base"] > 0.7).to_numpy()
    out = failure_conditions(x, fail, "restraint", "misses a threshold")
    assert out["boxes"], out
    b = out["boxes"][0]
    assert set(b["limits"]) == {"clash_base"}, b  # the irrelevant coordinate is not restricted
    assert 0.55 <= b["limits"]["clash_base"][0] <= 0.75 and b["density"] >= 0.8 and b["coverage"] >= 0.9
    assert f"clash_base above {b['limits']['clash_base'][0]:.3g}" in out["text"], out["text"]
    assert "aid_need" not in out["text"]
    none = failure_conditions(x, np.zeros(400, dtype=bool), "restraint", "misses a threshold")
    assert none["boxes"] == [] and "too few failures" in none["text"]


SPACE = """id: focus-and-politics
name: Mission focus and the political track
source: assumption
policies: [baseline-2016, counter-trafficking]
combinations:
  - [counter-trafficking, political-track]
design:
  base: baseline-2016
  method: grid
  steps: 3
  levers:
    vetting: {range: [0.3, 0.9]}
    barkhane_focus: {values: [counter-terrorism, counter-trafficking]}
"""


def test_policy_space_candidates(tmp_path: Path) -> None:
    from azalai.policy.loader import load_policy
    from azalai.policy.space import resolve_candidates

    f = tmp_path / "space.yaml"
    f.write_text(SPACE)
    cands = resolve_candidates(str(f))
    assert [c.origin for c in cands] == ["policy"] * 2 + ["combination"] + ["design"] * 6
    combo = cands[2].policy.lever_values()
    ct, pt = load_policy("counter-trafficking").lever_values(), load_policy("political-track").lever_values()
    assert combo["barkhane_focus"] == ct["barkhane_focus"] and combo["interim_fairness"] == pt["interim_fairness"]
    grid = {(c.policy.lever_values()["vetting"], c.policy.lever_values()["barkhane_focus"]) for c in cands[3:]}
    assert grid == {(v, f) for v in (0.3, 0.6, 0.9) for f in (0.0, 1.0)}
    assert len(resolve_candidates("all")) == 9
    from azalai.policy.loader import resolve_policy_path

    single = resolve_candidates(str(resolve_policy_path("restraint")))  # a policy file is one candidate
    assert [c.label for c in single] == ["restraint"] and single[0].policy == load_policy("restraint")


def test_policy_space_errors_name_file_and_line(tmp_path: Path) -> None:
    from azalai.policy.space import resolve_candidates

    f = tmp_path / "bad.yaml"
    f.write_text(SPACE.replace("counter-trafficking]\n", "counter-trafic]\n", 1)
                 .replace("range: [0.3, 0.9]", "range: [0.3, 1.9]").replace("vetting:", "veting:"))
    with pytest.raises(PolicyError) as e:
        resolve_candidates(str(f))
    text = str(e.value)
    assert f"{f}:4:" in text and "did you mean 'counter-trafficking'" in text
    assert f"{f}:12:" in text and "unknown lever 'veting'" in text
    f.write_text(SPACE.replace("steps: 3", "steps: 30"))
    with pytest.raises(PolicyError, match=r"bad.yaml:10:\d+: design.steps"):
        resolve_candidates(str(f))


def test_small_robust_run_end_to_end(tmp_path: Path) -> None:
    import duckdb

    from azalai.analysis.decide import analyse, paired_with_baseline
    from azalai.experiment.robust import load_robust, resume_robust, run_robust
    from azalai.policy.space import resolve_candidates

    store = tmp_path / "s.duckdb"
    cands = resolve_candidates("baseline-2016,restraint")
    d = run_robust(cands, sources="posterior,scenario", n=4, seeds=2, days=30, store=str(store))
    assert d.complete() and d.frame["candidate"].nunique() == 2
    V = d.values(["fatalities"])["fatalities"]
    con = duckdb.connect(str(store))
    con.execute("DELETE FROM robust_outcomes WHERE robust_id = ? AND candidate = 1 AND world = 2", [d.robust_id])
    assert not load_robust(con, d.robust_id).complete()
    con.close()
    d2 = resume_robust(d.robust_id, store=str(store))
    assert d2.complete() and np.array_equal(d2.values(["fatalities"])["fatalities"], V)  # same seeds, same worlds
    # the same candidates, worlds and seeds in memory give the same numbers
    d3 = run_robust(cands, sources="posterior,scenario", n=4, seeds=2, days=30, store=None)
    assert np.array_equal(d3.values(["fatalities"])["fatalities"], V)
    view = analyse(d2, parse_objectives("fatalities,detentions"), parse_satisfice("fatalities<=1000"), leaders=1)
    assert {r["label"] for r in view["ranking"]} == {"baseline-2016", "restraint"}
    assert len(view["failures"]) == 1 and view["pareto"]
    p = paired_with_baseline(d2, "restraint", outcomes=["detentions"])
    assert p["pairs"] == 8 and p["rows"][0]["diff"] <= 0  # no sweeps under restraint: no more detentions


def test_cli_bad_arguments_exit_2() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NUMBA_NUM_THREADS": "1"}
    for args, words in [(["--satisfice", "fatalities=600"], "OUTCOME<=NUMBER"),
                        (["--uncertainty", "posterior,luck"], "unknown source 'luck'"),
                        (["--policies", "baseline-2016,nothing-like-it"], "nothing-like-it"),
                        (["--objectives", "fatalites"], "did you mean 'fatalities'")]:
        r = subprocess.run([sys.executable, "-m", "azalai.cli.main", "robust", "--no-store", "-n", "2", *args],
                           capture_output=True, text=True, env=env, timeout=300)
        assert r.returncode == 2, (args, r.stderr)
        assert words in r.stderr and "Traceback" not in r.stderr, r.stderr


@pytest.mark.slow
def test_cli_json(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NUMBA_NUM_THREADS": "1"}
    r = subprocess.run([sys.executable, "-m", "azalai.cli.main", "robust", "--policies", "baseline-2016,restraint",
                        "-n", "3", "--seeds", "1", "--days", "30", "--backend", "serial", "--store",
                        str(tmp_path / "s.duckdb"), "--format", "json", "--satisfice", "fatalities<=100"],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    view = json.loads(r.stdout)
    assert view["worlds"] == 3 and len(view["ranking"]) == 2 and view["thresholds"] == ["fatalities<=100"]


def test_decide_api(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from azalai.app.api import create_app
    from azalai.experiment.robust import run_robust
    from azalai.policy.space import resolve_candidates

    store = tmp_path / "s.duckdb"
    d = run_robust(resolve_candidates("baseline-2016,restraint,political-track"), n=4, seeds=1, days=30,
                   store=str(store))
    with TestClient(create_app(store=str(store), processes=False), base_url="http://127.0.0.1",
                    raise_server_exceptions=False) as c:
        runs = c.get("/api/robust").json()["runs"]
        assert [r["robust_id"] for r in runs] == [d.robust_id] and runs[0]["candidates"] == 3
        v = c.get(f"/api/robust/{d.robust_id}", params={"objectives": "fatalities,max:cooperation_mean",
                                                         "satisfice": "fatalities<=100000"}).json()
        assert [o["sense"] for o in v["objectives"]] == ["min", "max"]
        assert all(r["satisficing"] == 1.0 for r in v["ranking"])  # a threshold no run reaches
        assert v["charts"]["parallel"]["mark"]["type"] == "line" and v["charts"]["satisficing"] is not None
        p = c.get(f"/api/robust/{d.robust_id}/paired", params={"candidate": "restraint"}).json()
        assert p["baseline"] == "baseline-2016" and p["pairs"] == 4 and p["chart"]["layer"]
        for path, params, status, words in [
            (f"/api/robust/{d.robust_id}", {"satisfice": "fatalities=3"}, 400, "OUTCOME<=NUMBER"),
            (f"/api/robust/{d.robust_id}", {"objectives": "fatalites"}, 400, "did you mean 'fatalities'"),
            ("/api/robust/robust-nothing", {}, 404, "no robust run"),
            ("/api/robust/..%2Fetc", {}, 404, ""),
            (f"/api/robust/{d.robust_id}/paired", {"candidate": "nobody"}, 400, "no candidate 'nobody'"),
            ("/static/vendor/nothing.js", {}, 404, "not found"),
        ]:
            r = c.get(path, params=params)
            assert r.status_code == status, (path, r.text)
            assert words in r.json().get("error", ""), r.text
        js = c.get("/static/vendor/vega-lite.min.js")
        assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
