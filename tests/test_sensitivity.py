"""Sobol and Morris: the pipeline recovers Ishigami's indices; a small Morris screen runs on the model."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from SALib.test_functions import Ishigami

from azalai.errors import InputError
from azalai.experiment.sensitivity import (
    DEFAULT_PARAMS,
    model_evaluator,
    morris,
    problem_from_registry,
    sobol,
    write_results,
)

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}


def test_ishigami_sobol(tmp_path: Path) -> None:
    df = sobol(ISHIGAMI, Ishigami.evaluate, N=2048, seed=1)
    s1 = df.set_index("parameter")["S1"]
    st = df.set_index("parameter")["ST"]
    for name, exp in zip(ISHIGAMI["names"], (0.314, 0.442, 0.0)):
        assert abs(s1[name] - exp) < 0.05, (name, s1[name])
    for name, exp in zip(ISHIGAMI["names"], (0.558, 0.442, 0.244)):
        assert abs(st[name] - exp) < 0.05, (name, st[name])
    assert (df["S1_conf"] > 0).all() and (df["ST_conf"] > 0).all()
    paths = write_results(df, tmp_path)
    assert paths["csv"].exists() and paths["png"].stat().st_size > 1000
    assert "| parameter |" in paths["md"].read_text().replace("| outcome | parameter |", "| parameter |")


def test_ishigami_morris_ranks() -> None:
    df = morris(ISHIGAMI, Ishigami.evaluate, N=200, seed=2).set_index("parameter")
    # x1 has the strongest mean effect, x3 acts only through its interaction with x1 (mu ~ 0, sigma > 0)
    assert df["mu_star"]["x1"] > df["mu_star"]["x3"]
    assert abs(df["mu"]["x3"]) < 0.3 * df["sigma"]["x3"]


def test_problem_from_registry() -> None:
    p = problem_from_registry()
    assert p["names"] == DEFAULT_PARAMS and len(p["bounds"]) == 10
    assert all(lo < hi for lo, hi in p["bounds"])
    with pytest.raises(InputError, match="did you mean"):
        problem_from_registry(["rent_rte"])
    with pytest.raises(InputError, match="power of two"):
        sobol(ISHIGAMI, Ishigami.evaluate, N=100)


def test_morris_on_model() -> None:
    names = ["rent_rate", "clash_base", "lie_rivalry"]
    ev = model_evaluator("mali-2016", None, names, ["fatalities", "signatory_clashes"], replicates=2, days=90)
    df = morris(problem_from_registry(names), ev, N=3, seed=0)
    assert df.attrs["runs"] == 3 * (len(names) + 1)
    assert set(df["outcome"]) == {"fatalities", "signatory_clashes"}
    assert np.isfinite(df[["mu", "mu_star", "sigma"]].to_numpy()).all()
    fat = df[df["outcome"] == "fatalities"].set_index("parameter")
    assert fat["mu_star"].max() > 0  # some parameter moves fatalities


def test_sensitivity_cli(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "azalai.cli.main", "sensitivity", "--method", "morris", "--params",
         "clash_base,attack_base", "-N", "2", "--outcome", "fatalities", "--replicates", "1", "--days", "60",
         "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200", "MPLBACKEND": "Agg"})
    assert r.returncode == 0, r.stderr
    assert "mu_star" in r.stdout
    for f in ("morris_indices.csv", "morris_indices.md", "morris_indices.png"):
        assert (tmp_path / f).exists()
    r = subprocess.run([sys.executable, "-m", "azalai.cli.main", "sensitivity", "--outcome", "fatalitie",
                        "--out", str(tmp_path)], capture_output=True, text=True, timeout=120, env=os.environ)
    assert r.returncode == 2 and "did you mean 'fatalities'" in r.stderr
