"""Scenario discovery: PRIM finds a known box in synthetic data, and runs end to end on the model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from azalai.experiment.discovery import discover, lhs_samples, plot_discovery, prim_analysis, write_discovery


def test_prim_finds_known_box(tmp_path: Path) -> None:
    x = lhs_samples(["a", "b", "c", "d"], 2000, seed=3, bounds=[[0, 1]] * 4)
    rng = np.random.default_rng(0)
    inside = (x["a"] > 0.6) & (x["b"] < 0.3)
    cases = (inside & (rng.uniform(size=len(x)) < 0.95)).to_numpy()  # 5% label noise inside the box
    res = prim_analysis(x, cases, threshold=0.8)
    assert res.boxes
    b = res.boxes[0]
    assert set(b.limits) == {"a", "b"}, b.limits
    assert abs(b.limits["a"][0] - 0.6) < 0.06 and abs(b.limits["b"][1] - 0.3) < 0.06
    assert b.coverage > 0.8 and b.density > 0.8
    paths = write_discovery(res, tmp_path)
    assert paths["figure"].stat().st_size > 1000
    summ = json.loads(paths["boxes"].read_text())
    assert summ["boxes"][0]["limits"]["a"][0] == b.limits["a"][0]


def test_no_cases(tmp_path) -> None:
    x = lhs_samples(["a", "b"], 50, bounds=[[0, 1]] * 2)
    res = prim_analysis(x, np.zeros(50, dtype=bool))
    assert res.boxes == []
    fig = plot_discovery(res, tmp_path / "empty_box.png")  # a figure even when no box is found
    assert fig.axes and (tmp_path / "empty_box.png").stat().st_size > 0


def test_discover_on_model() -> None:
    names = ["clash_base", "attack_base", "rent_rate"]
    # the threshold is the median of a first pass, so about half the samples are cases of interest
    res = discover("fatalities", threshold=0.0, n=24, names=names, days=90, seed=1)
    med = float(np.median(res.y))
    res2 = prim_analysis(res.x, res.y > med, threshold=0.6, y=res.y)
    assert len(res.y) == 24 and res2.cases.sum() in range(8, 17)
    for b in res2.boxes:
        assert 0 <= b.coverage <= 1 and 0 <= b.density <= 1
        assert set(b.limits) <= set(names)


def test_discover_cli(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "azalai.cli.main", "discover", "--outcome", "fatalities", "--threshold", "1",
         "--above", "-n", "16", "--params", "clash_base,attack_base", "--days", "60", "--out", str(tmp_path),
         "--format", "json"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "MPLBACKEND": "Agg"})
    assert r.returncode == 0, r.stderr
    summ = json.loads(r.stdout)
    assert summ["samples"] == 16 and summ["outcome"] == "fatalities"
    assert (tmp_path / "discovery.png").exists() and (tmp_path / "discovery_samples.csv").exists()
