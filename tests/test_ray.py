"""The Ray backend gives exactly the serial ensemble."""

from __future__ import annotations

import pandas as pd
import pytest

ray = pytest.importorskip("ray")

from azalai.experiment.ensemble import run_ensemble  # noqa: E402


@pytest.mark.slow
def test_ray_equals_serial(tmp_path) -> None:
    serial, _ = run_ensemble("mali-2016", "counter-trafficking", n=20, seed=9, days=60, batch_size=6)
    from azalai.experiment.robust import run_robust
    from azalai.policy.space import resolve_candidates

    cands = resolve_candidates("baseline-2016,restraint")
    robust_serial = run_robust(cands, sources="posterior,scenario", n=3, seeds=2, days=30)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        df, run_id = run_ensemble("mali-2016", "counter-trafficking", n=20, seed=9, days=60, batch_size=6,
                                  backend="ray", store=tmp_path / "ray.duckdb")
        # robust decisions: candidates x states of the world on Ray give the serial numbers too
        robust_ray = run_robust(cands, sources="posterior,scenario", n=3, seeds=2, days=30, backend="ray",
                                store=tmp_path / "robust.duckdb")
    finally:
        ray.shutdown()
    assert run_id is not None
    cols = sorted(serial.columns)
    pd.testing.assert_frame_equal(df[cols].reset_index(drop=True), serial[cols].reset_index(drop=True),
                                  check_exact=True)
    a, b = robust_serial.values(), robust_ray.values()
    assert robust_ray.complete() and set(a) == set(b)
    assert all((a[k] == b[k]).all() for k in a)
