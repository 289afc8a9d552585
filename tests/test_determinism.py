"""Same scenario, policy and seed give byte-identical outputs; batches equal single runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from azalai.model.engine import prepare, simulate, simulate_batch


FILES = ("events.parquet", "timeseries.parquet", "outcomes.json", "tips.parquet")


def azalai(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("AZALAI_STORE", None)
    env.update({"COLUMNS": "200", "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(cwd / ".mpl")})
    return subprocess.run([sys.executable, "-m", "azalai.cli.main", *args], capture_output=True, text=True,
                          timeout=600, env=env, cwd=cwd)  # fmt: skip


def _run(tmp_path: Path, name: str, seed: int, store: str = "s.duckdb") -> Path:
    out = tmp_path / name
    r = azalai("run", "--policy", "counter-trafficking", "--seed", str(seed), "--days", "240", "--out", str(out),
               "--store", str(tmp_path / store), "--format", "json", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    return out


def test_cli_outputs_are_byte_identical(tmp_path: Path) -> None:
    a = _run(tmp_path, "a", 7)
    b = _run(tmp_path, "b", 7, store="other.duckdb")
    for f in FILES:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    ra = json.loads((a / "run.json").read_text())
    rb = json.loads((b / "run.json").read_text())
    assert ra["run_id"] != rb["run_id"]
    for k in ("scenario_hash", "params_hash", "policy", "seed", "days"):
        assert ra[k] == rb[k]
    c = _run(tmp_path, "c", 8)
    assert (a / "events.parquet").read_bytes() != (c / "events.parquet").read_bytes()
    assert (a / "outcomes.json").read_text() != (c / "outcomes.json").read_text()


def test_different_seeds_differ() -> None:
    prep = prepare("mali-2016", "baseline-2016", days=365)
    outs, evs = simulate_batch(prep, [1, 2, 3], with_events=True)
    assert outs[0] != outs[1] and outs[1] != outs[2]
    cols = ["day", "event_type", "actor1", "actor2", "location", "fatalities"]
    assert not evs[0][cols].equals(evs[1][cols])


def test_batch_replicate_equals_single_run() -> None:
    seeds = [4, 17, 123456789]
    prep = prepare("mali-2016", "counter-trafficking", days=365)
    outs, evs = simulate_batch(prep, seeds, with_events=True)
    for i, s in enumerate(seeds):
        single = simulate("mali-2016", "counter-trafficking", seed=s, days=365)
        assert outs[i] == single.outcomes, f"replicate {i} (seed {s}) differs from its single run"
        pd.testing.assert_frame_equal(evs[i].reset_index(drop=True), single.events.reset_index(drop=True))


def test_batch_order_does_not_matter() -> None:
    prep = prepare("mali-2016", "baseline-2016", days=200)
    fwd, _ = simulate_batch(prep, [9, 10, 11])
    rev, _ = simulate_batch(prep, [11, 10, 9])
    assert fwd == rev[::-1]


def test_checked_run_equals_unchecked_run() -> None:
    from azalai.model.engine import simulate_prepared

    prep = prepare("mali-2016", "baseline-2016", days=150)
    a = simulate_prepared(prep, 21, check=True)
    b = simulate_prepared(prep, 21, check=False)
    assert a.outcomes == b.outcomes
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries)
