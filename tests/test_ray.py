"""The Ray backend gives exactly the serial ensemble."""

from __future__ import annotations

import pandas as pd
import pytest

ray = pytest.importorskip("ray")

from azalai.experiment.ensemble import run_ensemble  # noqa: E402


@pytest.mark.slow
def test_ray_equals_serial(tmp_path) -> None:
    serial, _ = run_ensemble("mali-2016", "counter-trafficking", n=20, seed=9, days=60, batch_size=6)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        df, run_id = run_ensemble("mali-2016", "counter-trafficking", n=20, seed=9, days=60, batch_size=6,
                                  backend="ray", store=tmp_path / "ray.duckdb")
    finally:
        ray.shutdown()
    assert run_id is not None
    cols = sorted(serial.columns)
    pd.testing.assert_frame_equal(df[cols].reset_index(drop=True), serial[cols].reset_index(drop=True),
                                  check_exact=True)
