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


@pytest.mark.slow
def test_calibration_on_ray_equals_serial() -> None:
    """ABC-SMC particles sent as batches to Ray give exactly the serial calibration."""
    import tempfile
    from pathlib import Path

    import numpy as np

    from azalai.analysis.calibration import calibrate
    from azalai.data.acled import import_acled_aggregates, import_acled_event_sizes

    data = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "observed"
    monthly = data / "acled_mali_monthly_aggregates_2012-01_to_2016-06.csv"
    sizes = data / "acled_mali_event_size_counts_2012_2015.csv"
    if not (monthly.exists() and sizes.exists()):
        pytest.skip("shared reference data not available")
    st = Path(tempfile.mkdtemp(prefix="azalai-ray-cal-")) / "store.duckdb"
    import_acled_aggregates(monthly, st)
    import_acled_event_sizes(sizes, st)
    kw = dict(particles=6, generations=2, replicates=2, seed=3, store=st, days=45)
    serial, _ = calibrate("acled-aggregates", "2015-01-01:2016-06-30", ["clash_base", "fatality_scale"], **kw)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        on_ray, _ = calibrate("acled-aggregates", "2015-01-01:2016-06-30", ["clash_base", "fatality_scale"],
                              backend="ray", workers=2, **kw)
    finally:
        ray.shutdown()
    assert on_ray.meta["backend"] == "ray"
    for a, b in zip(serial.generations, on_ray.generations, strict=True):
        np.testing.assert_array_equal(a.theta, b.theta)
        np.testing.assert_array_equal(a.stats, b.stats)
